"""What is due for each child, and when: the dates the work trays and the child's record show.

Timescales, all counted from the records, never typed:
- single assessment: 45 working days from its start (the DfE basis of the CIN census) and from the referral
  (Working Together 2023); both are given, the start-based date leads;
- initial child protection conference: 15 working days from the strategy discussion (Section47Enquiry.
  conference_target_date, the CIN census InitialCPCtarget) and from the enquiry's start;
- child protection review: 3 months after the conference that started the plan, then every 6 months after
  the last review (Working Together 2023);
- visits: `visit_every_working_days` of the open plan (a local standard) after the last visit at which the
  child was seen (any visit, for an unborn child), or after the plan started if there has been none;
- authorisation: an assessment submitted to a manager is theirs to decide (not dated: listed oldest first).

Everything here is read for a set of children in a fixed number of queries (not one per child), so a
team's tray of several hundred children costs the same few queries as one child's record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from openmash.casework.models import Assessment, CINPlan, Visit
from openmash.core.calendar import add_working_days
from openmash.protection.models import ChildProtectionPlan, Section47Enquiry
from openmash.protection.timescales import (  # noqa: F401 - the review timescale is protection's, read here too
    FIRST_REVIEW_MONTHS,
    ICPC_WORKING_DAYS,
    LATER_REVIEW_MONTHS,
    cp_review_due,
)

ASSESSMENT_WORKING_DAYS = 45


class DueKind(StrEnum):
    ASSESSMENT = "assessment"
    ICPC = "icpc"
    CP_REVIEW = "cp_review"
    CP_VISIT = "cp_visit"
    CIN_VISIT = "cin_visit"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    DueKind.ASSESSMENT: "Single assessment",
    DueKind.ICPC: "Initial child protection conference",
    DueKind.CP_REVIEW: "Child protection review conference",
    DueKind.CP_VISIT: "Child protection visit",
    DueKind.CIN_VISIT: "Child in need visit",
}


@dataclass(frozen=True)
class DueItem:
    child_id: int
    kind: DueKind
    due: dt.date
    # The record behind the item (an assessment, enquiry or plan) and a second, secondary date where the
    # timescale has two bases (assessment from the referral; conference from the enquiry's start).
    source_id: int
    also_due: dt.date | None = None
    detail: str = ""

    @property
    def label(self) -> str:
        return self.kind.label

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days

    def overdue(self, today: dt.date) -> bool:
        return self.due < today


def visit_due(plan_start: dt.date, last_seen: dt.date | None, every_working_days: int) -> dt.date:
    return add_working_days(max(plan_start, last_seen) if last_seen else plan_start, every_working_days)


def _last_seen_visit() -> Subquery:
    return Subquery(
        # An unborn child cannot be seen: a visit to the expectant mother is the visit.
        Visit.objects.filter(
            Q(seen=True) | Q(child__date_of_birth__isnull=True), child_id=OuterRef("referral__child_id")
        )
        .order_by("-visit_date")
        .values("visit_date")[:1]
    )


def due_items(child_ids: Collection[int] | QuerySet[Any, Any] | None) -> list[DueItem]:
    """Every dated item open for these children (or all children, if None), soonest first. The children
    may be given as a query of their keys (`.values("child_id")`).

    The caller has already decided that the viewer may see these children's casework.
    """

    # A query of child keys stays a subquery: a team's several hundred keys as parameters cost more to
    # build into each of the four queries than the database takes to find them.
    wanted = child_ids if child_ids is None or isinstance(child_ids, QuerySet) else list(child_ids)

    def only(queryset, field: str = "referral__child_id"):  # type: ignore[no-untyped-def]
        return queryset if wanted is None else queryset.filter(**{f"{field}__in": wanted})

    items: list[DueItem] = []
    for a in only(Assessment.objects.filter(authorised_date__isnull=True)).values(
        "pk", "start_date", "referral__referral_date", "referral__child_id", "submitted_at"
    ):
        items.append(
            DueItem(
                child_id=a["referral__child_id"],
                kind=DueKind.ASSESSMENT,
                due=add_working_days(a["start_date"], ASSESSMENT_WORKING_DAYS),
                also_due=add_working_days(a["referral__referral_date"], ASSESSMENT_WORKING_DAYS),
                source_id=a["pk"],
                detail="Waiting for authorisation" if a["submitted_at"] else "",
            )
        )
    for s in only(
        Section47Enquiry.objects.filter(
            conference_date__isnull=True, conference_not_required=False, outcome__in=["", "icpc"]
        )
    ).values("pk", "start_date", "conference_target_date", "conference_due_from_start", "referral__child_id"):
        from_start = s["conference_due_from_start"] or add_working_days(s["start_date"], ICPC_WORKING_DAYS)
        items.append(
            DueItem(
                child_id=s["referral__child_id"],
                kind=DueKind.ICPC,
                due=s["conference_target_date"] or from_start,
                also_due=from_start,
                source_id=s["pk"],
            )
        )
    plans = only(ChildProtectionPlan.objects.filter(end_date__isnull=True)).annotate(
        last_review=Max("reviews__review_date"), last_seen=_last_seen_visit()
    )
    for p in plans.values(
        "pk", "start_date", "referral__child_id", "last_review", "last_seen", "visit_every_working_days"
    ):
        child = p["referral__child_id"]
        items.append(DueItem(child, DueKind.CP_REVIEW, cp_review_due(p["start_date"], p["last_review"]), p["pk"]))
        items.append(
            DueItem(
                child,
                DueKind.CP_VISIT,
                visit_due(p["start_date"], p["last_seen"], p["visit_every_working_days"]),
                p["pk"],
                detail=f"Every {p['visit_every_working_days']} working days",
            )
        )
    cin = only(CINPlan.objects.filter(end_date__isnull=True)).annotate(last_seen=_last_seen_visit())
    for c in cin.values("pk", "start_date", "referral__child_id", "last_seen", "visit_every_working_days"):
        items.append(
            DueItem(
                c["referral__child_id"],
                DueKind.CIN_VISIT,
                visit_due(c["start_date"], c["last_seen"], c["visit_every_working_days"]),
                c["pk"],
                detail=f"Every {c['visit_every_working_days']} working days",
            )
        )
    items.sort(key=lambda i: (i.due, i.child_id, i.kind))
    return items


def by_child(items: Iterable[DueItem]) -> dict[int, list[DueItem]]:
    grouped: dict[int, list[DueItem]] = defaultdict(list)
    for item in items:
        grouped[item.child_id].append(item)
    return grouped


def today() -> dt.date:
    return timezone.localdate()
