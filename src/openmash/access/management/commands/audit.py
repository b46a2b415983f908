"""`openmash audit verify`: check the audit trail's hash chains and that its guards are in place."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from openmash.access import chain, guards


class Command(BaseCommand):
    help = "Check the audit trail: `verify` walks its hash chains and checks the database still guards it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="walk every chain; exit non-zero naming the first bad row")
        verify.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        report = chain.verify(using)
        missing = guards.missing(using)
        if not report.ok or missing:
            for problem in report.problems:
                self.stderr.write(f"audit: {problem}")
            for what in missing:
                self.stderr.write(f"audit: {what}")
            raise CommandError(
                f"audit: {len(report.problems)} chain(s) broken, {len(missing)} guard(s) missing "
                f"among {report.rows} rows and {report.changes} change history entries"
            )
        self.stdout.write(f"audit: {report.rows} rows verified")
        self.stdout.write(f"audit: {report.changes} change history entries verified")
        self.stdout.write(f"audit: heads digest {report.heads_digest}")
