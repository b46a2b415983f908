"""`openmash kpi`: every indicator for the reporting year (or quarter) containing a day, as JSON or CSV.

    openmash kpi --as-of 2025-12-31 [--period year|quarter] [--team T] --format json|csv
                 [--source database|parquet:PATH|cin:PATH] [--population N]

The period is the one containing the --as-of day, cut short at that day (its figures stop there, as
a period still running does). Figures a source cannot give print as null (docs/kpis.md, "Command
line"). Bad arguments end with a one-line message and exit code 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.performance.periods import Period
from openmash.performance.sources import COLUMNS, SourceError, open_source, resolve_team, rows

USAGE = 2  # the exit code for arguments that cannot be used


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE)


class Command(BaseCommand):
    help = "Print every KPI for the period containing --as-of, from the database, a Parquet file or a CIN census."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD: the figures stop at this day")
        parser.add_argument(
            "--period", choices=["year", "quarter"], default="year", help="the reporting year (default) or quarter"
        )
        parser.add_argument("--team", default=None, help="a team's id or name (figures by team; others print null)")
        parser.add_argument("--format", dest="output", choices=["json", "csv"], required=True)
        parser.add_argument(
            "--source", default="database", help="database (default), parquet:PATH (journey events) or cin:PATH"
        )
        parser.add_argument(
            "--population", type=int, default=None, help="children aged 0-17, for the rates per 10,000 children"
        )

    def execute(self, *args: Any, **options: Any) -> str | None:
        # A file source never needs the database, not even for the system checks.
        if str(options.get("source", "database")).partition(":")[0] in {"parquet", "cin"}:
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError:
            raise _fail(f"--as-of must be a date like 2025-12-31, not {options['as_of']!r}") from None
        population = options["population"]
        if population is not None and population <= 0:
            raise _fail("--population must be a positive number of children")
        period = Period.containing(as_of, options["period"]).at(as_of)
        try:
            inputs = open_source(options["source"], population=population, period=period).upto(as_of)
            team_id = None if options["team"] is None else resolve_team(inputs, options["team"])
        except SourceError as exc:
            raise _fail(str(exc)) from None
        found = rows(inputs, period, team_id)
        # Which figures these are goes to standard error, so standard output is only the data.
        self.stderr.write(f"{period.label} ({period.span}), from {inputs.source}")
        if options["output"] == "json":
            self.stdout.write(json.dumps([r.as_dict() for r in found], indent=2))
            return
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in found:
            writer.writerow(["" if getattr(r, c) is None else getattr(r, c) for c in COLUMNS])
        self.stdout.write(out.getvalue(), ending="")
