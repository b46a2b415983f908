"""`openmash journey check` and `openmash journey rebuild`: the stored journey events against the records.

`check` rebuilds the events from the records (contacts, referrals, assessments, plans, enquiries,
conferences, reviews) and compares them with the stored table; it prints the first differences and
exits non-zero if there is any. `rebuild` replaces the stored table with the rebuilt events.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from openmash.journey.rebuild import check_table, rebuild_table


class Command(BaseCommand):
    help = "Check the stored journey events against the records they come from, or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{check,rebuild}")
        check = actions.add_parser("check", help="compare the stored events with the records; exit 1 on a difference")
        check.add_argument("--show", type=int, default=10, help="how many differences to name (default 10)")
        actions.add_parser("rebuild", help="replace the stored events with those the records imply")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            with transaction.atomic():
                written = rebuild_table()
            self.stdout.write(f"Rebuilt the journey events: {written} rows.")
            return
        found = check_table()
        if not found:
            self.stdout.write("The stored journey events match the records.")
            return
        shown = found[: max(options["show"], 1)]
        lines = [f"{len(found)} difference(s) between the stored journey events and the records:"]
        lines += [f"  {d}" for d in shown]
        if len(found) > len(shown):
            lines.append(f"  … and {len(found) - len(shown)} more")
        lines.append("Run `openmash journey rebuild` to replace the stored events once the cause is found.")
        raise CommandError("\n".join(lines))
