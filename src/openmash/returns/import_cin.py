"""`openmash import cin-census FILE.xml`: a Children in Need census loaded into the records (arguments
and the command's work; openmash.returns.census_import does the loading).

    openmash import cin-census FILE.xml --user USERNAME [--dry-run] [--progress]

`--user` names the account the import is done as: it must be allowed to import
(access.policy.can_import_records: a system administrator in children's social care) and the audit
trail records it, as `openmash export` names the person taking a return. Exit codes: 0 loaded (or,
with --dry-run, loadable), 1 the file is refused (each problem printed on standard error, nothing
written), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from openmash.accounts.models import User

from .census_import import CensusRefused, ImportDenied, import_census

USAGE = 2
REFUSED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the census XML file")
    parser.add_argument(
        "--user",
        required=True,
        help="the account importing, which must be a system administrator in children's social care",
    )
    parser.add_argument("--dry-run", dest="dry_run", action="store_true", help="check and count only; write nothing")
    parser.add_argument(
        "--progress", action="store_true", help="show progress bars even when standard error is not a terminal"
    )


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"there is no file at {path}", returncode=USAGE)
    user = User.objects.filter(username=options["user"]).first()
    if user is None:
        # The same answer as for an account without the right: neither reveals the other.
        raise CommandError(
            f"{options['user']} may not import records: a system administrator in children's social care may",
            returncode=USAGE,
        )
    shown = options["progress"] or sys.stderr.isatty()
    bars = Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=not shown,
    )
    tasks: dict[str, TaskID] = {}

    def progress(description: str, done: int, total: int) -> None:
        if description not in tasks:
            tasks[description] = bars.add_task(description, total=total)
        bars.update(tasks[description], completed=done, total=total)

    try:
        with bars:
            result = import_census(path, user=user, dry_run=options["dry_run"], progress=progress)
    except ImportDenied as exc:
        raise CommandError(str(exc), returncode=USAGE) from None
    except CensusRefused as refused:
        for problem in refused.problems:
            command.stderr.write(f"{path.name}: {problem}")
        raise CommandError(
            f"{path.name} refused: {len(refused.problems)} problem(s); nothing was written", returncode=REFUSED
        ) from refused
    what = "would be" if result.dry_run else "were"
    for kind, counts in result.counts.items():
        command.stderr.write(
            f"{kind}: {counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged"
        )
    command.stderr.write(
        f"{path.name}: {result.children_in_file} children; these counts {what} written"
        + ("" if result.dry_run else f"; {result.events_written} journey events stored")
    )
    command.stdout.write(json.dumps({"file": result.file, "dry_run": result.dry_run, **result.summary()}, indent=2))
