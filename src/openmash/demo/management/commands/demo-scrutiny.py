"""`openmash demo-scrutiny`: give the demo borough its inspections, action plans, a frozen quarter and a scrutiny
review in progress (openmash.demo.scrutiny). Only with OPENMASH_DEMO switched on, after `openmash demo-users`;
does nothing once any review exists, so `make run` calls it every time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openmash.demo.accounts import demo_enabled
from openmash.demo.scrutiny import DemoScrutinyError, ensure_demo_scrutiny


class Command(BaseCommand):
    help = "Add the demo's inspections, action plans, frozen quarter and scrutiny review (once). Needs OPENMASH_DEMO."

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_enabled():
            raise CommandError("Demo scrutiny data is only made with OPENMASH_DEMO switched on")
        try:
            made = ensure_demo_scrutiny()
        except DemoScrutinyError as exc:
            raise CommandError(str(exc)) from exc
        if made is None:
            self.stdout.write("A scrutiny review already exists: the demo's scrutiny data was left as it is")
            return
        frozen = f", {made.snapshot.period_key} frozen" if made.snapshot else ""
        plans = f"{len(made.plans)} action plans"
        self.stdout.write(f"Made the scrutiny review “{made.review.topic}”, {plans} and the inspections{frozen}")
