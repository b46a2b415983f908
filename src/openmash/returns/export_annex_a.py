"""`openmash export annex-a`: Ofsted's Annex A lists as an XLSX workbook (arguments and the command's work).

    openmash export annex-a --as-of YYYY-MM-DD --user USERNAME -o FILE.xlsx

The lists name every child the authority worked with, so the export is allowed only to the roles the access
policy gives `Export.ANNEX_A` (children's social care performance analysts and service managers), named with
--user, and is written to the audit trail with the number of rows in each list. The workbook is written in
openpyxl's write-only mode, so rows stream to the file and memory stays flat however long the lists are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.csv import safe_cell

from . import annex_a

USAGE = 2  # the exit code for arguments that cannot be used


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD: the lists as at this day")
    parser.add_argument("--user", required=True, help="the username of the person taking the export")
    parser.add_argument("-o", "--output", required=True, help="the file to write (.xlsx)")


def _as_of(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"--as-of must be a date like 2025-12-31, not {value!r}") from None
    if day > timezone.localdate():
        raise _fail(f"--as-of must not be in the future: {value}")
    return day


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    # The same answer for an unknown account and one without the right: neither reveals the other.
    if user is None or not policy.can_export(user, policy.Export.ANNEX_A):
        raise _fail(f"{username!r} may not export Annex A (performance analysts and service managers may)")
    return user


def _sheet(book: Workbook, spec: annex_a.ListSpec) -> WriteOnlyWorksheet:
    sheet = book.create_sheet(title=spec.sheet)
    assert isinstance(sheet, WriteOnlyWorksheet)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in spec.columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def write(path: Path, as_of: dt.date) -> dict[str, int]:
    """Write every list to an XLSX file; returns the number of rows in each sheet."""
    book = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for spec in annex_a.LISTS:
        sheet = _sheet(book, spec)
        n = 0
        for row in annex_a.rows(spec, as_of):
            sheet.append([safe_cell(v) for v in row])
            n += 1
        if spec.not_held:
            sheet.append([spec.not_held])
        counts[spec.sheet] = n
    book.save(path)
    return counts


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    as_of = _as_of(options["as_of"])
    path = Path(options["output"])
    if path.suffix.lower() != ".xlsx":
        raise _fail(f"-o must name an .xlsx file, not {str(path)!r}")
    if not path.parent.is_dir():
        raise _fail(f"There is no folder {str(path.parent)!r} to write {path.name} into")
    user = _user(options["user"])
    started = time.monotonic()
    # Written beside the target and moved into place, so a failure never leaves half a workbook; the audit row
    # commits only with a finished file.
    partial = path.with_name(f".{path.name}.partial")
    try:
        with transaction.atomic():
            counts = write(partial, as_of)
            audit.record(
                user=user,
                action=AuditEvent.Action.EXPORT,
                summary=f"Exported Ofsted's Annex A lists as at {as_of:%d/%m/%Y}",
                detail={"as_of": as_of.isoformat(), "rows": counts, "file": path.name},
            )
            os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    seconds = time.monotonic() - started
    for sheet, n in counts.items():
        command.stderr.write(f"{sheet}: {n} rows")
    command.stdout.write(f"Annex A as at {as_of:%d/%m/%Y} written to {path} in {seconds:.1f} s")
