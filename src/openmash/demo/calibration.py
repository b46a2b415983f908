"""The national figures the generator is calibrated to, and the rates it achieved.

Achieved rates are always computed with the KPI functions in `openmash.performance.kpis` over the
journey events (read back from the database for a loaded borough), for the last complete reporting
year before the as-of date; the average caseload with kpis.average_caseload over the staff and their
allocations on the workforce census day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from openmash.core.codes import CategoryOfAbuse
from openmash.journey.schema import EventType
from openmash.performance import kpis
from openmash.performance.kpis import Measure, Unit

C1 = "DfE Children in need 2025, table C1 (England)"
C2 = "DfE Children in need 2025, table C2 (England; share within 45 working days from the duration bands)"
C3 = "DfE Children in need 2025, table C3 (England; % of episodes with any factor)"
C4 = "DfE Children in need 2025, table C4 (England)"
D4 = "DfE Children in need 2025, table D4 (England; rounded, approximate)"


@dataclass(frozen=True)
class Target:
    name: str
    unit: Unit
    target: float
    source: str
    measure: Callable[[pl.DataFrame, int, int], Measure]


@dataclass(frozen=True)
class WorkforceTarget:
    """A figure measured over the workforce (staff and allocations on a census day), not the journeys."""

    name: str
    unit: Unit
    target: float
    source: str
    measure: Callable[[pl.DataFrame, pl.DataFrame, dt.date], Measure]


def _factor(code: str) -> Callable[[pl.DataFrame, int, int], Measure]:
    return lambda events, year, _population: kpis.factor_prevalence(events, year, frozenset({code}))


def _category(code: str) -> Callable[[pl.DataFrame, int, int], Measure]:
    return lambda events, year, _population: kpis.initial_category_share(events, year, code)


TARGETS: list[Target] = [
    Target("referrals_per_10000", "per_10000", 519.4, C1, kpis.referrals_per_10000),
    Target("re_referral_rate", "percent", 22.6, C1, lambda e, y, _p: kpis.re_referral_rate(e, y)),
    Target("referrals_nfa_percent", "percent", 6.5, C1, lambda e, y, _p: kpis.referrals_nfa_percent(e, y)),
    Target(
        "contact_conversion",
        "percent",
        21.0,
        "Bury safeguarding partnership KPI pack (local figure; contacts are not collected nationally)",
        lambda e, y, _p: kpis.contact_conversion(e, y),
    ),
    Target(
        "assessments_within_45_working_days",
        "percent",
        85.7,
        C2,
        lambda e, y, _p: kpis.assessments_within_45_working_days(e, y),
    ),
    Target("factor_3B_domestic_abuse_parent", "percent", 31.7, C3, _factor("3B")),
    Target("factor_4B_mental_health_parent", "percent", 33.5, C3, _factor("4B")),
    Target("factor_11A_child_sexual_exploitation", "percent", 2.4, C3, _factor("11A")),
    Target("s47_per_10000", "per_10000", 189.3, C4, kpis.s47_per_10000),
    Target("icpc_from_s47_percent", "percent", 31.3, C4, lambda e, y, _p: kpis.icpc_from_s47_percent(e, y)),
    Target(
        "cp_plans_starting_per_10000",
        "per_10000",
        50.8,
        "DfE Children in need 2025, tables D1/D3 (England: 61,840 plans / 12,183,016 children)",
        kpis.cp_plans_starting_per_10000,
    ),
    Target(
        "cp_plans_per_10000_at_31_march",
        "per_10000",
        40.6,
        "DfE Children in need 2025, table D1 (England)",
        kpis.cp_plans_per_10000_at_31_march,
    ),
    Target(
        "cp_plans_second_or_subsequent",
        "percent",
        24.5,
        "DfE Children in need 2025, table D3 (England)",
        lambda e, y, _p: kpis.cp_plans_second_or_subsequent(e, y),
    ),
    Target(
        "cp_plans_ceased_two_years_or_more",
        "percent",
        4.4,
        "DfE Children in need 2025, table D7 (England)",
        lambda e, y, _p: kpis.cp_plans_ceased_two_years_or_more(e, y),
    ),
    Target(
        "cp_plans_open_two_years_at_31_march",
        "percent",
        2.3,
        "DfE Children in need 2025, table D5 (England)",
        lambda e, y, _p: kpis.cp_plans_open_two_years_at_31_march(e, y),
    ),
    Target("initial_category_neglect", "percent", 50.0, D4, _category(CategoryOfAbuse.NEGLECT)),
    Target("initial_category_emotional", "percent", 37.0, D4, _category(CategoryOfAbuse.EMOTIONAL)),
    Target("initial_category_physical", "percent", 7.0, D4, _category(CategoryOfAbuse.PHYSICAL)),
    Target("initial_category_sexual", "percent", 4.0, D4, _category(CategoryOfAbuse.SEXUAL)),
    Target("initial_category_multiple", "percent", 2.0, D4, _category(CategoryOfAbuse.MULTIPLE)),
]
CASELOAD_TARGET = WorkforceTarget(
    "average_caseload",
    "mean",
    15.2,
    "DfE Children's social work workforce, 30 September 2025 (England)",
    kpis.average_caseload,
)
# How close "calibrated" means: percentages within 2 points, other figures within 10%.
PERCENT_TOLERANCE = 2.0
RELATIVE_TOLERANCE = 0.10


def rates(
    events: pl.DataFrame,
    year: int,
    population: int,
    workforce: tuple[pl.DataFrame, pl.DataFrame, dt.date] | None = None,
) -> list[dict[str, Any]]:
    """Each target with the value achieved in the reporting year (rounded to 1 decimal place), and the
    average caseload when given the staff, the allocations (kpis.CASELOAD_STAFF_SCHEMA,
    kpis.CASELOAD_ALLOCATION_SCHEMA) and the census day."""
    out: list[dict[str, Any]] = []
    for t in TARGETS:
        value = t.measure(events, year, population).value
        out.append(_row(t, value))
    if workforce is not None:
        out.append(_row(CASELOAD_TARGET, CASELOAD_TARGET.measure(*workforce).value))
    return out


def _row(t: Target | WorkforceTarget, value: float | None) -> dict[str, Any]:
    return {
        "name": t.name,
        "unit": t.unit,
        "target": t.target,
        "achieved": None if value is None else round(value, 1),
        "source": t.source,
    }


def within_tolerance(row: dict[str, Any]) -> bool:
    achieved, target = row["achieved"], row["target"]
    if achieved is None:
        return False
    if row["unit"] == "percent":
        return bool(abs(achieved - target) <= PERCENT_TOLERANCE)
    return bool(abs(achieved - target) <= RELATIVE_TOLERANCE * target)


def kpi_subset(events: pl.DataFrame, year: int) -> pl.DataFrame:
    """Only the rows and columns the rates read: events of the reporting year, referrals from 13
    months before it (for re-referrals), and every plan start and end up to its end (plans open at
    31 March can be old). The rates over this subset equal the rates over all events, so England's
    shards keep only this much in memory."""
    start, end = pl.date(year - 1, 4, 1), pl.date(year, 3, 31)
    kind = pl.col("event_type")
    in_year = pl.col("event_date").is_between(start, end)
    keep = (
        (
            kind.is_in(
                [
                    EventType.CONTACT.value,
                    EventType.ASSESSMENT_AUTHORISED.value,
                    EventType.S47_START.value,
                    EventType.ICPC.value,
                ]
            )
            & in_year
        )
        | ((kind == EventType.REFERRAL.value) & pl.col("event_date").is_between(pl.date(year - 2, 3, 1), end))
        | (kind.is_in([EventType.CP_PLAN_START.value, EventType.CP_PLAN_END.value]) & (pl.col("event_date") <= end))
    )
    # Who, which team and which worker only name the rows behind a figure, not its value: left empty.
    return events.filter(keep).with_columns(
        la_child_id=pl.lit(None, pl.String), team_id=pl.lit(None, pl.Int64), worker_id=pl.lit(None, pl.Int64)
    )
