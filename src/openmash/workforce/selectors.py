"""Reading caseloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q

from openmash.performance.kpis import Measure, average_caseload

from .models import StaffMember


def case_holders_on(day: dt.date) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(is_case_holder=True, fte__gt=0, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .annotate(
            cases=Count(
                "allocations",
                filter=Q(allocations__start_date__lte=day)
                & (Q(allocations__end_date__isnull=True) | Q(allocations__end_date__gt=day)),
            )
        )
    )


def caseload_on(day: dt.date) -> Measure:
    """DfE CSWW average caseload on a day (30 September for the census)."""
    holders = case_holders_on(day)
    cases = sum(h.cases for h in holders)  # type: ignore[attr-defined]
    fte = sum((h.fte for h in holders), Decimal("0"))
    return average_caseload(cases, float(fte))
