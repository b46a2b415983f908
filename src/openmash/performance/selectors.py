"""Headline figures for the last complete reporting year, with suppression where the viewer needs it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.models import User
from openmash.core.codes import CategoryOfAbuse
from openmash.core.dates import reporting_year_bounds, reporting_year_of
from openmash.core.routers import reporting_reads
from openmash.journey.schema import EventType
from openmash.journey.selectors import journey_events

from . import kpis
from .suppression import suppress_count, suppress_parts, suppress_ratio


@dataclass(frozen=True)
class Headline:
    name: str
    value: float | str | None
    unit: str
    numerator: int | str
    denominator: int | str
    source: str


@dataclass(frozen=True)
class Headlines:
    year: int
    period: str
    suppressed: bool
    figures: list[Headline]
    categories: dict[str, int | str]


def last_complete_year(today: dt.date) -> int:
    return reporting_year_of(today) - 1


def headlines(*, user: User, today: dt.date | None = None) -> Headlines:
    """Headline KPIs; counts of 1 to 5 are suppressed for councillors and other outside viewers."""
    if not policy.can_view_aggregates(user):
        raise PermissionError("Not signed in")
    today = today or timezone.localdate()  # reporting years follow the date in England
    year = last_complete_year(today)
    # No headline figure counts contacts, which are over a third of the rows: leave them unread.
    with reporting_reads():  # from the read replica, when there is one
        events = journey_events(event_types=[t for t in EventType if t != EventType.CONTACT])
    population = int(getattr(settings, "OPENMASH_CHILD_POPULATION", 45_000))
    measures = [
        ("Referrals per 10,000 children", kpis.referrals_per_10000(events, year, population), "C1"),
        ("Re-referrals within 12 months", kpis.re_referral_rate(events, year), "C1"),
        ("Assessments authorised within 45 working days", kpis.assessments_within_45_working_days(events, year), "C2"),
        ("Section 47 enquiries per 10,000 children", kpis.s47_per_10000(events, year, population), "C4"),
        (
            "Child protection plans starting that are a second or subsequent plan",
            kpis.cp_plans_second_or_subsequent(events, year),
            "D3",
        ),
        (
            "Child protection plans ending after 2 years or more",
            kpis.cp_plans_ceased_two_years_or_more(events, year),
            "D7",
        ),
        (
            "Child protection plans at 31 March per 10,000 children",
            kpis.cp_plans_per_10000_at_31_march(events, year, population),
            "D1",
        ),
    ]
    suppress = policy.aggregates_need_suppression(user)
    figures = []
    for name, m, source in measures:
        numerator, denominator = int(m.numerator), int(m.denominator)
        value = m.value if m.value is None else round(m.value, 1)
        if suppress:
            figures.append(
                Headline(
                    name,
                    suppress_ratio(numerator, denominator if m.unit == "percent" else 0, value),
                    m.unit,
                    suppress_count(numerator),
                    suppress_count(denominator) if m.unit == "percent" else denominator,
                    source,
                )
            )
        else:
            figures.append(Headline(name, value, m.unit, numerator, denominator, source))
    start, end = reporting_year_bounds(year)
    starts = events.filter(
        (events["event_type"] == EventType.CP_PLAN_START.value) & events["event_date"].is_between(start, end)
    )
    counts = {c.label: int((starts["code"] == c.value).sum()) for c in CategoryOfAbuse}
    return Headlines(
        year=year,
        period=f"1 April {year - 1} to 31 March {year}",
        suppressed=suppress,
        figures=figures,
        categories=suppress_parts(counts) if suppress else dict(counts),
    )
