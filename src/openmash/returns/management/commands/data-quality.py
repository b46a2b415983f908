"""`openmash data-quality refresh`: check the live records against DfE's CIN census rules now.

Without arguments it checks every child in the current collection year, replaces the findings the
data-quality page lists and records today's counts for its trend (the background task does the same).
`--child LA_CHILD_ID` (repeatable) checks those children only. `--enqueue` leaves the work to the
background task worker instead; `--if-never` does nothing once a check has been stored (`make run` and
`make serve` check a new demo borough this way: about 6 s for the borough).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.people.models import Child
from openmash.returns.dfe import DfeCheckFailed, DfeCheckUnavailable
from openmash.returns.models import Finding, FindingCount
from openmash.returns.quality import refresh_all, refresh_all_task, refresh_children


class Command(BaseCommand):
    help = "Check the live records against the CIN census rules (the data-quality page's findings)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{refresh}")
        refresh = actions.add_parser("refresh", help="check every child (or those named) and store the findings")
        refresh.add_argument("--child", action="append", default=[], metavar="LA_CHILD_ID", help="only this child")
        refresh.add_argument("--enqueue", action="store_true", help="leave the full check to the task worker")
        refresh.add_argument(
            "--if-never", dest="if_never", action="store_true", help="only if no full check has been recorded yet"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["child"]:
            wanted = set(options["child"])
            found = dict(Child.objects.filter(la_child_id__in=wanted).values_list("la_child_id", "pk"))
            missing = sorted(wanted - set(found))
            if missing:
                raise CommandError(f"No child with LA child ID {', '.join(missing)[:200]}")
            try:
                n = refresh_children(found.values())
            except (DfeCheckUnavailable, DfeCheckFailed) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Checked {len(found)} child(ren): {n} finding(s) in {time.perf_counter() - started:.1f} s."
            )
            return
        if options["if_never"] and (FindingCount.objects.exists() or Finding.objects.exists()):
            self.stdout.write("The census rules were checked before: nothing to do.")
            return
        if options["enqueue"]:
            refresh_all_task.enqueue()
            self.stdout.write("The census check is queued for the task worker.")
            return
        try:
            n = refresh_all()
        except (DfeCheckUnavailable, DfeCheckFailed) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Checked every child: {n} finding(s) in {time.perf_counter() - started:.1f} s.")
