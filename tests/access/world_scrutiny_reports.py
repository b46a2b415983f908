"""The access world's committee reports: who makes them and who reads each one.

The officers who support scrutiny (analyst, service manager) make, read and publish every report. Managers who
read every review read every review's report, and published packs. A councillor reads the drafts of the review
they sit on and every published report, never another review's draft or a draft pack. Everyone else: none.
(Built after world_scrutiny, whose reviews these reports are of.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openmash.performance.models import Snapshot
from openmash.scrutiny.models import CommitteeReport

from .world import World
from .world_scrutiny import MANAGERS, READERS

# Each report in the world: (key, review key or None for a pack, published).
REPORTS = (
    ("member_draft", "member", False),
    ("private_draft", "private", False),
    ("private_published", "private", True),
    ("pack_draft", None, False),
    ("pack_published", None, True),
)
CLLR_READS = {"member_draft", "private_published", "pack_published"}
# Managers who read every review read its drafts too; a draft pack is the makers' alone.
READER_READS = {"member_draft", "private_draft", "private_published", "pack_published"}


def allow_for(who: set[str], otherwise: str = "deny") -> Any:
    return lambda role, _kwargs: "allow" if role in who else otherwise


def build(world: World) -> None:
    analyst = world.users["analyst"]
    snapshot = Snapshot.objects.create(
        period_key="2019-Q1", as_of=dt.date(2019, 6, 30), definitions_version="test", frozen_by=analyst, rows=[]
    )
    reviews = world.objects["reviews"]
    reports = {}
    for key, review_key, published in REPORTS:
        reports[key] = CommitteeReport.objects.create(
            review=reviews[review_key] if review_key else None,
            period_key="" if review_key else snapshot.period_key,
            kind=CommitteeReport.Kind.FINAL if review_key else CommitteeReport.Kind.PERFORMANCE_PACK,
            format=CommitteeReport.Format.HTML,
            state=CommitteeReport.State.DONE,
            progress=100,
            content=b"<!DOCTYPE html><title>Report</title><p>Figures only.</p>",
            requested_by=analyst,
            finished_at=timezone.now(),
            published_at=timezone.now() if published else None,
            published_by=analyst if published else None,
        )
    world.objects["committee_reports"] = reports


def _report_rule(role: str, kwargs: dict[str, Any]) -> str:
    key = kwargs["_key"]
    if key == "no_such":
        return "deny"
    if role in MANAGERS:
        return "allow"
    if role in READERS:
        return "allow" if key in READER_READS else "deny"
    if role == "cllr":
        return "allow" if key in CLLR_READS else "deny"
    return "deny"


def _reports(world: World) -> list[tuple[dict[str, Any], str]]:
    found = world.objects["committee_reports"]
    return [({"report_id": found[key].pk}, key) for key, _, _ in REPORTS] + [({"report_id": 2**40}, "no_such")]


def _reviews(world: World) -> list[tuple[dict[str, Any], str]]:
    return [({"review_id": r.pk}, key) for key, r in world.objects["reviews"].items()]


RULES = {
    "scrutiny:reports": allow_for(READERS | MANAGERS | {"cllr"}),
    "scrutiny:report_new": lambda role, _kwargs: "allow" if role in MANAGERS else "deny",
    "scrutiny:pack_new": allow_for(MANAGERS),
    "scrutiny:report": _report_rule,
    "scrutiny:report_status": _report_rule,
    "scrutiny:report_download": _report_rule,
    "scrutiny:report_publish": allow_for(set(), otherwise="method"),
}

VARIANTS = {
    "scrutiny:report": _reports,
    "scrutiny:report_status": _reports,
    "scrutiny:report_download": _reports,
    "scrutiny:report_publish": _reports,
    "scrutiny:report_new": _reviews,
}
