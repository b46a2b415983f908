"""`openmash generate`: a synthetic borough in the database, or England's journey events in Parquet.

Standard output carries only the JSON summary; progress goes to standard error.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.demo.generator import GenerateError, Options, Reporter, generate
from openmash.demo.params import SIZES
from openmash.demo.simulate import earliest_date

CALENDAR_START = dt.date(1990, 1, 2)  # openmash.core.calendar tabulates working days from 1990


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of must be a date like 2026-05-31, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Generate synthetic children's social care data calibrated to national statistics: 'small' and "
        "'borough' load the database; 'england' writes only the journey events to a Parquet file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=int, default=5, help="reporting years of history (default 5)")
        parser.add_argument("--as-of", dest="as_of", default=None, help="YYYY-MM-DD (default today)")
        parser.add_argument(
            "--out",
            default=None,
            help="Parquet file for the events (england: required path "
            "defaults to var/england-events.parquet; others: optional copy)",
        )
        parser.add_argument("--replace", action="store_true", help="remove the data already in the database first")
        parser.add_argument(
            "--if-empty",
            dest="if_empty",
            action="store_true",
            help="when the database already holds a demo borough, keep it and print its summary",
        )
        parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")

    def execute(self, *args: Any, **options: Any) -> str | None:
        # England never opens a database connection, not even for the system checks (the JSON field
        # check asks SQLite what it supports).
        if options.get("size") == "england":
            options["skip_checks"] = True
        return super().execute(*args, **options)

    def handle(self, *args: Any, **opts: Any) -> None:
        as_of = _date(opts["as_of"]) if opts["as_of"] else dt.date.today()  # noqa: DTZ011 - a calendar date
        if opts["years"] < 1 or opts["years"] > 15:
            raise CommandError("--years must be between 1 and 15")
        if as_of > dt.date(2045, 12, 31):
            raise CommandError("--as-of must be no later than 2045-12-31")
        if opts["seed"] < 0:
            raise CommandError("--seed must not be negative")
        options = Options(
            size=opts["size"],
            seed=opts["seed"],
            as_of=as_of,
            years=opts["years"],
            out=Path(opts["out"]) if opts["out"] else None,
            replace=opts["replace"],
            if_empty=opts["if_empty"],
        )
        if earliest_date(options.horizon) < CALENDAR_START:
            raise CommandError(
                "With that --as-of and --years the oldest children's lives would start before 1990, where "
                "the working-day calendar begins: choose a later --as-of or fewer --years"
            )
        reporter = Reporter(enabled=opts["progress"])
        try:
            with reporter.running():
                summary = generate(options, reporter)
        except GenerateError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(summary, indent=2))
