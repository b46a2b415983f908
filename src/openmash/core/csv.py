"""CSV downloads that a spreadsheet cannot be tricked by.

A cell starting with =, +, - or @ (or a tab or carriage return before one) is read by Excel and
LibreOffice as a formula, which can run commands or leak data when the file is opened (OWASP "CSV
injection"). Such cells are written with a leading apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file-like object for csv.writer that hands each line back for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The lines of a CSV file, each cell made safe for spreadsheets."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])
