"""Optimistic locking: two people editing one record cannot silently overwrite each other.

A form carries the `version` of the record it was opened on. The service locks the row, and if the version
has moved on since, refuses the save with EditConflict, which lists each field whose saved value differs from
what this person submitted, so the page can show them what changed and keep what they typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ServiceError
from .models import Versioned


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    saved: Any
    yours: Any


class EditConflict(ServiceError):
    """Someone saved the record after this person opened it."""

    def __init__(self, message: str, *, differences: list[Difference], current_version: int) -> None:
        super().__init__(message)
        self.differences = differences
        self.current_version = current_version


def ensure_current(
    record: Versioned, expected_version: int | None, submitted: Mapping[str, Any], *, what: str = "this record"
) -> None:
    """Refuse the save if `record` (locked by the caller) has changed since `expected_version` was read.

    None skips the check: a service called from code, not from a form someone opened.
    """
    if expected_version is None or expected_version == record.version:
        return
    differences = []
    for name, yours in submitted.items():
        saved = getattr(record, name)
        if _normal(saved) != _normal(yours):
            field = record._meta.get_field(name)
            differences.append(Difference(name, str(getattr(field, "verbose_name", name)).capitalize(), saved, yours))
    raise EditConflict(
        f"Someone else saved {what} after you opened it. Check what changed below, then save again.",
        differences=differences,
        current_version=record.version,
    )


def next_version(record: Versioned) -> list[str]:
    """Move the version on; returns the field to add to `update_fields`."""
    record.version += 1
    return ["version"]


def _normal(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        return sorted(str(v) for v in value)
    return value
