"""A census file checked against the schema kept in the project (openmash/returns/schemas).

The schema fixes the XML's shape: which elements, in what order, with which codes. The DfE
validation rules (dates, overlaps, counts) are a separate check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import xmlschema
from lxml import etree

__all__ = ["CIN_SCHEMA", "SchemaProblem", "validate_schema"]

CIN_SCHEMA = Path(__file__).parent / "schemas" / "CIN_schema_2024-25.xsd"


@dataclass(frozen=True)
class SchemaProblem:
    """One way the file breaks the schema: the line it is on (None if unknown) and what is wrong."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


@cache
def _schema(path: Path) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(path))


def validate_schema(path: Path | str, *, schema: Path = CIN_SCHEMA) -> list[SchemaProblem]:
    """Every way the file at `path` breaks the schema, in document order (empty when it is valid)."""
    try:
        # No entities resolved and nothing fetched over the network.
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        return [SchemaProblem(exc.lineno, f"not well-formed XML: {exc.msg}")]
    problems = []
    for error in _schema(schema).iter_errors(tree):
        element = error.elem
        line = getattr(element, "sourceline", None)
        where = etree.QName(element).localname if element is not None else ""
        reason = error.reason or str(error.message)
        problems.append(SchemaProblem(line, f"<{where}> {reason}" if where else reason))
    return problems
