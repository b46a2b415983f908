"""`openmash export cin-census --year 2025 -o FILE.xml`: the Children in Need census.

Writes the return for the collection year ending 31 March YEAR (openmash.returns.census_export),
checks the file against the schema kept in the project and prints each problem with its line, then
a summary. The person taking the export is named with --user: the access policy must give them
`Export.CIN_CENSUS` (children's social care performance analysts and service managers, as for Annex A),
and the export is recorded in the audit trail under their name: it holds every child in the return.

Then DfE's own validation rules for the year run over the written file (openmash.returns.dfe, the
csc-validator-be-cin package in its own environment): each error is printed with its child and the file
is not called ready while any remains (exit code 4); queries are listed for a person to confirm or
explain, as DfE's COLLECT asks. `--no-rules` skips them (the schema is always checked).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.accounts.models import User

from . import dfe
from .census_export import ExportSummary, write_census
from .census_schema import CIN_SCHEMA, validate_schema

USAGE = 2  # the exit code for arguments that cannot be used
PROBLEMS = 3  # the file was written but breaks the schema
NOT_READY = 4  # the file was written but DfE's rules find errors in it
FIRST_RULES_YEAR = 2023  # the oldest ruleset in the pinned package is 2022-23
FIRST_YEAR = 2013  # referral sources are required from 1 April 2013 (rule 8866); no earlier returns
SHOWN = 50  # schema problems printed before "and N more"


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--year", required=True, help="the collection year, by the year it ends: 2025 for April 2024 to March 2025"
    )
    parser.add_argument("--user", required=True, help="the username of the person taking the export")
    parser.add_argument("-o", "--output", required=True, help="the file to write")
    parser.add_argument("--no-rules", action="store_true", help="check the schema only, not DfE's rules")


def _year(value: str) -> int:
    """The collection year, by the year it ends."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise _fail(f"--year must be a year like 2025 (the census ending 31 March 2025), not {value!r}") from None
    today = timezone.localdate()
    # The year still running may be exported too (a check before the return is due), not a later one.
    latest = today.year + (1 if today > dt.date(today.year, 3, 31) else 0)
    if not FIRST_YEAR <= year <= latest:
        raise _fail(f"--year must be between {FIRST_YEAR} and {latest} (the year running now), not {year}")
    return year


def dfe_check(command: BaseCommand, path: Path, year: int) -> int:
    """DfE's validation rules for `year` over the written file: print errors and queries, return the errors."""
    if year < FIRST_RULES_YEAR:
        command.stdout.write(f"DfE's rules for {year - 1}-{year % 100:02d} are not published in a form we run.")
        return 0
    try:
        report = dfe.check(path, ruleset=dfe.ruleset_for(year))
    except (dfe.DfeCheckUnavailable, dfe.DfeCheckFailed) as error:
        raise CommandError(str(error), returncode=NOT_READY) from error
    for kind, title in (("error", "Errors (to fix before the return is sent)"), ("query", "Queries (to confirm)")):
        found = [finding for finding in report.findings if finding.kind == kind]
        if not found:
            continue
        command.stdout.write(f"{title}: {len(found):,}")
        for finding in found[:SHOWN]:
            where = f"child {finding.la_child_id}" if finding.la_child_id else "the return"
            command.stdout.write(f"  {finding.rule} {where}: {finding.message}")
        if len(found) > SHOWN:
            command.stdout.write(f"  ... and {len(found) - SHOWN:,} more")
    for rule in report.rules_not_run:
        command.stdout.write(f"DfE's validator could not run rule {rule} over this file: check it by hand.")
    return report.errors


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    # The same answer for an unknown account and one without the right: neither reveals the other.
    if user is None or not policy.can_export(user, policy.Export.CIN_CENSUS):
        raise _fail(f"{username!r} may not export the census (performance analysts and service managers may)")
    return user


def _record(user: User, summary: ExportSummary, path: Path) -> None:
    audit.record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        summary=f"Exported the Children in Need census {summary.year - 1}-{summary.year % 100:02d} "
        f"({summary.children:,} children) to {path.name}",
        detail={
            "return": "cin-census",
            "year": summary.year,
            "children": summary.children,
            "episodes": summary.episodes,
            "file": str(path),
        },
    )


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    year = _year(options["year"])
    path = Path(options["output"])
    if path.is_dir():
        raise _fail(f"{path} is a folder: give the name of the file to write")
    if not path.parent.is_dir():
        raise _fail(f"There is no folder {path.parent} to write {path.name} in")
    user = _user(options["user"])
    partial = path.with_name(path.name + ".partial")
    # Read in one transaction, so the whole return is one moment of the records; written beside the
    # target and moved into place only when complete, so a failed run never leaves half a file.
    try:
        with transaction.atomic():
            with partial.open("wb") as out:
                summary = write_census(out, year=year, generated_at=timezone.now())
            _record(user, summary, path)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    problems = validate_schema(path)
    for problem in problems[:SHOWN]:
        command.stdout.write(f"{path.name}: {problem}")
    if len(problems) > SHOWN:
        command.stdout.write(f"... and {len(problems) - SHOWN:,} more")
    command.stdout.write(
        f"Children in Need census {year - 1}-{year % 100:02d}: {summary.children:,} children, "
        f"{summary.episodes:,} episodes, written to {path} in {summary.seconds:.1f} seconds"
    )
    if problems:
        raise CommandError(
            f"{len(problems):,} schema problem(s) against {CIN_SCHEMA.name}: see above", returncode=PROBLEMS
        )
    command.stdout.write(f"The file matches the schema ({CIN_SCHEMA.name}).")
    if options["no_rules"]:
        return
    if dfe_check(command, path, year):
        raise CommandError("Not ready: DfE's rules find errors in the file (listed above)", returncode=NOT_READY)
    if year >= FIRST_RULES_YEAR:
        command.stdout.write("No DfE rule errors: the file is ready to send once any queries are confirmed.")
