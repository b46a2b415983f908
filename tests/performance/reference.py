"""Slow, obviously-correct versions of every KPI, to check the engine in openmash.performance.kpis against.

Each one reads the journey events as plain dictionaries, row by row, and follows the definition in
docs/kpis.md word for word. None of them shares code with the engine: working days are counted a
day at a time against the `holidays` package, and dates are compared with plain `datetime` arithmetic.
Each returns (numerator, denominator).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Any

import holidays

Row = dict[str, Any]
DOMESTIC_ABUSE = frozenset({"3A", "3B", "3C"})
NO_FACTORS = "21"
CASE_HOLDING_JOB_ROLES = frozenset({"social_worker", "senior_social_worker", "asye"})


def year_start(year: int) -> dt.date:
    return dt.date(year - 1, 4, 1)


def year_end(year: int) -> dt.date:
    """31 March: the last day of the reporting year, and the census day."""
    return dt.date(year, 3, 31)


def in_year(day: dt.date, year: int) -> bool:
    return year_start(year) <= day <= year_end(year)


def of_type(rows: Iterable[Row], event_type: str) -> list[Row]:
    return [r for r in rows if r["event_type"] == event_type]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier, or the month's last day if it has no such day."""
    year, month = day.year, day.month - months
    while month < 1:
        year, month = year - 1, month + 12
    last_day = 31
    while True:
        try:
            return dt.date(year, month, min(day.day, last_day))
        except ValueError:
            last_day -= 1


def two_years_after(day: dt.date) -> dt.date:
    """The same date two years later; 29 February reaches two years on 28 February."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year + 2, 2, 28)
    return dt.date(day.year + 2, day.month, day.day)


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def working_days_after(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`, counted one day at a time."""
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        if day.weekday() < 5 and day not in _bank_holidays(day.year):
            count += 1
        day += dt.timedelta(days=1)
    return count


# Referrals -------------------------------------------------------------------------------------------


def referrals(rows: Iterable[Row]) -> list[Row]:
    """One referral per child per day: of same-day duplicates, the one recorded first (lowest source id)."""
    first: dict[tuple[int, dt.date], Row] = {}
    for r in of_type(rows, "referral"):
        key = (r["child_id"], r["event_date"])
        if key not in first or r["source_id"] < first[key]["source_id"]:
            first[key] = r
    return list(first.values())


def referrals_in_year(rows: Iterable[Row], year: int) -> list[Row]:
    return [r for r in referrals(rows) if in_year(r["event_date"], year)]


def re_referral_rate(rows: list[Row], year: int) -> tuple[int, int]:
    every = referrals(rows)
    numerator = denominator = 0
    for r in every:
        if not in_year(r["event_date"], year):
            continue
        denominator += 1
        window_start = months_before(r["event_date"], 12)
        if any(p["child_id"] == r["child_id"] and window_start <= p["event_date"] < r["event_date"] for p in every):
            numerator += 1
    return numerator, denominator


def referrals_per_10000(rows: list[Row], year: int, population: int) -> tuple[int, int]:
    return len(referrals_in_year(rows, year)), population


def referrals_nfa_percent(rows: list[Row], year: int) -> tuple[int, int]:
    refs = referrals_in_year(rows, year)
    return sum(1 for r in refs if r.get("flag") is True), len(refs)


def contact_conversion(rows: list[Row], year: int) -> tuple[int, int]:
    contacts = [r for r in of_type(rows, "contact") if in_year(r["event_date"], year)]
    return len(referrals_in_year(rows, year)), len(contacts)


# Assessments -------------------------------------------------------------------------------------------


def assessments_within_45_working_days(rows: list[Row], year: int) -> tuple[int, int]:
    done = [
        r
        for r in of_type(rows, "assessment_authorised")
        if in_year(r["event_date"], year) and r.get("start_date") is not None  # no start: no duration
    ]
    return sum(1 for r in done if working_days_after(r["start_date"], r["event_date"]) <= 45), len(done)


def factor_prevalence(rows: list[Row], year: int, codes: frozenset[str]) -> tuple[int, int]:
    """Episodes, not assessments: an episode counts once however many of its assessments in the year
    identified the factor. The denominator is the episodes with at least one factor recorded at an
    assessment authorised in the year ("21", no factors identified, is not a factor)."""
    recorded: dict[Any, set[str]] = {}
    for r in of_type(rows, "assessment_authorised"):
        if not in_year(r["event_date"], year):
            continue
        factors = {f for f in (r.get("factors") or []) if f is not None and f != NO_FACTORS}
        if factors:
            recorded.setdefault(r.get("episode_id"), set()).update(factors)
    return sum(1 for factors in recorded.values() if factors & codes), len(recorded)


def domestic_abuse_prevalence(rows: list[Row], year: int) -> tuple[int, int]:
    return factor_prevalence(rows, year, DOMESTIC_ABUSE)


# Section 47 and conferences ----------------------------------------------------------------------------


def s47_per_10000(rows: list[Row], year: int, population: int) -> tuple[int, int]:
    return sum(1 for r in of_type(rows, "s47_start") if in_year(r["event_date"], year)), population


def icpc_from_s47_percent(rows: list[Row], year: int) -> tuple[int, int]:
    icpcs = sum(1 for r in of_type(rows, "icpc") if in_year(r["event_date"], year))
    s47s = sum(1 for r in of_type(rows, "s47_start") if in_year(r["event_date"], year))
    return icpcs, s47s


# Child protection plans ---------------------------------------------------------------------------------


def plan_starts_in_year(rows: list[Row], year: int) -> list[Row]:
    return [r for r in of_type(rows, "cp_plan_start") if in_year(r["event_date"], year)]


def plans_open_at_31_march(rows: list[Row], year: int) -> list[Row]:
    """Started on or before 31 March and not ended on or before it."""
    census = year_end(year)
    ended = {r["source_id"] for r in of_type(rows, "cp_plan_end") if r["event_date"] <= census}
    return [r for r in of_type(rows, "cp_plan_start") if r["event_date"] <= census and r["source_id"] not in ended]


def cp_plans_second_or_subsequent(rows: list[Row], year: int) -> tuple[int, int]:
    starts = plan_starts_in_year(rows, year)
    return sum(1 for r in starts if (r.get("previous_plans") or 0) >= 1), len(starts)


def cp_plans_ceased_two_years_or_more(rows: list[Row], year: int) -> tuple[int, int]:
    ends = [r for r in of_type(rows, "cp_plan_end") if in_year(r["event_date"], year)]
    return sum(1 for r in ends if two_years_after(r["start_date"]) <= r["event_date"]), len(ends)


def cp_plans_open_two_years_at_31_march(rows: list[Row], year: int) -> tuple[int, int]:
    open_plans = plans_open_at_31_march(rows, year)
    return sum(1 for r in open_plans if two_years_after(r["event_date"]) <= year_end(year)), len(open_plans)


def cp_plans_per_10000_at_31_march(rows: list[Row], year: int, population: int) -> tuple[int, int]:
    return len(plans_open_at_31_march(rows, year)), population


def cp_plans_starting_per_10000(rows: list[Row], year: int, population: int) -> tuple[int, int]:
    return len(plan_starts_in_year(rows, year)), population


def initial_category_share(rows: list[Row], year: int, category: str) -> tuple[int, int]:
    starts = plan_starts_in_year(rows, year)
    return sum(1 for r in starts if r.get("code") == category), len(starts)


# Workforce ----------------------------------------------------------------------------------------------


def average_caseload(staff: list[Row], allocations: list[Row], day: dt.date) -> tuple[int, float]:
    """Children allocated on `day` to case-holding social workers in post with some FTE, and their FTE.

    A child allocated to two such workers is one case.
    """

    def in_post(start: dt.date, end: dt.date | None) -> bool:
        return start <= day and (end is None or end >= day)

    holders = {
        s["id"]: s
        for s in staff
        if s["is_case_holder"]
        and s["job_role"] in CASE_HOLDING_JOB_ROLES
        and s["fte"] > 0
        and in_post(s["start_date"], s["end_date"])
    }
    children = {
        a["child_id"] for a in allocations if a["worker_id"] in holders and in_post(a["start_date"], a["end_date"])
    }
    return len(children), float(sum(s["fte"] for s in holders.values()))
