"""Slow, obviously-correct versions of every KPI, to check the engine in openmash.performance.kpis against.

Each one reads the journey events as plain dictionaries, row by row, and follows the definition in
docs/kpis.md word for word. None of them shares code with the engine: working days are counted a
day at a time against the `holidays` package, and dates are compared with plain `datetime` arithmetic.
Each takes the period as its first and last day (both inclusive: `bounds` works them out for a
reporting year, a quarter or a period cut short at an as-of date) and returns (numerator, denominator).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Any

import holidays

Row = dict[str, Any]
DOMESTIC_ABUSE = frozenset({"3A", "3B", "3C"})
CSE = "11A"
NO_FACTORS = "21"
CASE_HOLDING_JOB_ROLES = frozenset({"social_worker", "senior_social_worker", "asye"})


# Periods ---------------------------------------------------------------------------------------------


def bounds(year: int, quarter: int | None = None, as_of: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """First and last day of reporting year `year` (1 April year-1 to 31 March year) or of its quarter
    (Q1 April to June ... Q4 January to March), the last day brought back to `as_of` if that is earlier
    (to the day before the first when `as_of` is before the period: an empty period)."""
    quarters = {
        1: (dt.date(year - 1, 4, 1), dt.date(year - 1, 6, 30)),
        2: (dt.date(year - 1, 7, 1), dt.date(year - 1, 9, 30)),
        3: (dt.date(year - 1, 10, 1), dt.date(year - 1, 12, 31)),
        4: (dt.date(year, 1, 1), dt.date(year, 3, 31)),
    }
    first, last = (dt.date(year - 1, 4, 1), dt.date(year, 3, 31)) if quarter is None else quarters[quarter]
    if as_of is not None and as_of < last:
        last = max(as_of, first - dt.timedelta(days=1))
    return first, last


def in_period(day: dt.date, start: dt.date, end: dt.date) -> bool:
    return start <= day <= end


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


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, or the month's last day if it has no such day."""
    year, month = day.year + (day.month - 1 + months) // 12, (day.month - 1 + months) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def two_years_after(day: dt.date) -> dt.date:
    """The same date two years later; 29 February reaches two years on 28 February."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year + 2, 2, 28)
    return dt.date(day.year + 2, day.month, day.day)


def two_years_before(day: dt.date) -> dt.date:
    """The same date two years earlier; 29 February goes back to 28 February."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year - 2, 2, 28)
    return dt.date(day.year - 2, day.month, day.day)


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


# Contacts and referrals --------------------------------------------------------------------------------


def referrals(rows: Iterable[Row]) -> list[Row]:
    """One referral per child per day: of same-day duplicates, the one recorded first (lowest source id)."""
    first: dict[tuple[int, dt.date], Row] = {}
    for r in of_type(rows, "referral"):
        key = (r["child_id"], r["event_date"])
        if key not in first or r["source_id"] < first[key]["source_id"]:
            first[key] = r
    return list(first.values())


def referrals_in_period(rows: Iterable[Row], start: dt.date, end: dt.date) -> list[Row]:
    return [r for r in referrals(rows) if in_period(r["event_date"], start, end)]


def re_referral_rate(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    every = referrals(rows)
    numerator = denominator = 0
    for r in every:
        if not in_period(r["event_date"], start, end):
            continue
        denominator += 1
        window_start = months_before(r["event_date"], 12)
        if any(p["child_id"] == r["child_id"] and window_start <= p["event_date"] < r["event_date"] for p in every):
            numerator += 1
    return numerator, denominator


def referrals_per_10000(rows: list[Row], start: dt.date, end: dt.date, population: int) -> tuple[int, int]:
    return len(referrals_in_period(rows, start, end)), population


def referrals_nfa_percent(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    refs = referrals_in_period(rows, start, end)
    return sum(1 for r in refs if r.get("flag") is True), len(refs)


def contacts(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    """A count: nothing to divide by."""
    return sum(1 for r in of_type(rows, "contact") if in_period(r["event_date"], start, end)), 0


def contact_conversion(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    received = [r for r in of_type(rows, "contact") if in_period(r["event_date"], start, end)]
    return len(referrals_in_period(rows, start, end)), len(received)


def children_in_need_per_10000(rows: list[Row], start: dt.date, end: dt.date, population: int) -> tuple[int, int]:
    """Children with a referral made on or before the period's last day and not closed on or before it."""
    closed = {r["episode_id"] for r in of_type(rows, "referral_closed") if r["event_date"] <= end}
    children = {
        r["child_id"] for r in of_type(rows, "referral") if r["event_date"] <= end and r["episode_id"] not in closed
    }
    return len(children), population


# Assessments -------------------------------------------------------------------------------------------


def assessments_within_45_working_days(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    done = [
        r
        for r in of_type(rows, "assessment_authorised")
        if in_period(r["event_date"], start, end) and r.get("start_date") is not None  # no start: no duration
    ]
    return sum(1 for r in done if working_days_after(r["start_date"], r["event_date"]) <= 45), len(done)


def assessments_within_45_working_days_of_referral(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    """Working Together: of each referral's assessments, the first to be authorised (earliest
    authorisation, then lowest source id) counts when it is authorised in the period, in time when the
    authorisation is at most 45 working days after the referral date."""
    referred: dict[Any, dt.date] = {}
    for r in of_type(rows, "referral"):
        if r.get("episode_id") is not None:
            referred[r["episode_id"]] = min(r["event_date"], referred.get(r["episode_id"], r["event_date"]))
    first: dict[Any, Row] = {}
    for r in of_type(rows, "assessment_authorised"):
        episode = r.get("episode_id")
        if episode is None:
            continue
        if episode not in first or (r["event_date"], r["source_id"]) < (
            first[episode]["event_date"],
            first[episode]["source_id"],
        ):
            first[episode] = r
    numerator = denominator = 0
    for episode, r in first.items():
        if episode in referred and in_period(r["event_date"], start, end):
            denominator += 1
            numerator += working_days_after(referred[episode], r["event_date"]) <= 45
    return numerator, denominator


def _factors_by_episode(rows: list[Row], start: dt.date, end: dt.date) -> dict[Any, set[str]]:
    """Per episode, the factors recorded at its assessments authorised in the period ("21", no factors
    identified, is not a factor; an episode with nothing else recorded is left out)."""
    recorded: dict[Any, set[str]] = {}
    for r in of_type(rows, "assessment_authorised"):
        if not in_period(r["event_date"], start, end):
            continue
        factors = {f for f in (r.get("factors") or []) if f is not None and f != NO_FACTORS}
        if factors:
            recorded.setdefault(r.get("episode_id"), set()).update(factors)
    return recorded


def factor_prevalence(rows: list[Row], start: dt.date, end: dt.date, codes: frozenset[str]) -> tuple[int, int]:
    """Episodes, not assessments: an episode counts once however many of its assessments in the period
    identified the factor. The denominator is the episodes with at least one factor recorded."""
    recorded = _factors_by_episode(rows, start, end)
    return sum(1 for factors in recorded.values() if factors & codes), len(recorded)


def domestic_abuse_prevalence(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    return factor_prevalence(rows, start, end, DOMESTIC_ABUSE)


def cse_per_10000(rows: list[Row], start: dt.date, end: dt.date, population: int) -> tuple[int, int]:
    recorded = _factors_by_episode(rows, start, end)
    return sum(1 for factors in recorded.values() if CSE in factors), population


# Section 47 and conferences ----------------------------------------------------------------------------


def s47_per_10000(rows: list[Row], start: dt.date, end: dt.date, population: int) -> tuple[int, int]:
    return sum(1 for r in of_type(rows, "s47_start") if in_period(r["event_date"], start, end)), population


def icpc_from_s47_percent(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    icpcs = sum(1 for r in of_type(rows, "icpc") if in_period(r["event_date"], start, end))
    s47s = sum(1 for r in of_type(rows, "s47_start") if in_period(r["event_date"], start, end))
    return icpcs, s47s


def icpc_within_15_working_days(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    """Conferences in the period with a valid duration (an enquiry start on or before the conference)."""
    held = [
        r
        for r in of_type(rows, "icpc")
        if in_period(r["event_date"], start, end)
        and r.get("start_date") is not None
        and r["start_date"] <= r["event_date"]
    ]
    return sum(1 for r in held if working_days_after(r["start_date"], r["event_date"]) <= 15), len(held)


# Child protection plans ---------------------------------------------------------------------------------


def plan_starts_in_period(rows: list[Row], start: dt.date, end: dt.date) -> list[Row]:
    return [r for r in of_type(rows, "cp_plan_start") if in_period(r["event_date"], start, end)]


def plans_open_at(rows: list[Row], day: dt.date) -> list[Row]:
    """Started on or before `day` and not ended on or before it."""
    ended = {r["source_id"] for r in of_type(rows, "cp_plan_end") if r["event_date"] <= day}
    return [r for r in of_type(rows, "cp_plan_start") if r["event_date"] <= day and r["source_id"] not in ended]


def cp_plans_second_or_subsequent(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    starts = plan_starts_in_period(rows, start, end)
    return sum(1 for r in starts if (r.get("previous_plans") or 0) >= 1), len(starts)


def cp_plans_second_within_two_years(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    """A plan counts when another plan of the same child ended on or before its start, the latest such
    end being no earlier than two calendar years before the start."""
    starts = plan_starts_in_period(rows, start, end)
    numerator = 0
    for plan in starts:
        earlier_ends = [
            r["event_date"]
            for r in of_type(rows, "cp_plan_end")
            if r["child_id"] == plan["child_id"]
            and r["source_id"] != plan["source_id"]
            and r["event_date"] <= plan["event_date"]
        ]
        if earlier_ends and max(earlier_ends) >= two_years_before(plan["event_date"]):
            numerator += 1
    return numerator, len(starts)


def cp_plans_ceased_two_years_or_more(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    ends = [r for r in of_type(rows, "cp_plan_end") if in_period(r["event_date"], start, end)]
    return sum(1 for r in ends if two_years_after(r["start_date"]) <= r["event_date"]), len(ends)


def cp_plans_open_two_years_at_31_march(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    """At the period's last day (31 March for a whole year)."""
    open_plans = plans_open_at(rows, end)
    return sum(1 for r in open_plans if two_years_after(r["event_date"]) <= end), len(open_plans)


def cp_plans_per_10000_at_31_march(rows: list[Row], start: dt.date, end: dt.date, population: int) -> tuple[int, int]:
    return len(plans_open_at(rows, end)), population


def cp_plans_starting_per_10000(rows: list[Row], start: dt.date, end: dt.date, population: int) -> tuple[int, int]:
    return len(plan_starts_in_period(rows, start, end)), population


def cp_reviews_in_timescale(rows: list[Row], start: dt.date, end: dt.date) -> tuple[int, int]:
    """Plans open at the period's last day that started three months or more before it. In time: the
    first review no later than three months after the start, each later one no later than six months
    after the one before, and the next review not yet overdue on the last day (due that day is in time).
    A plan's reviews are those of the same child carrying the plan's start date, held by the last day."""
    numerator = denominator = 0
    for plan in plans_open_at(rows, end):
        if months_after(plan["event_date"], 3) > end:
            continue
        denominator += 1
        reviews = sorted(
            r["event_date"]
            for r in of_type(rows, "cp_review")
            if r["child_id"] == plan["child_id"]
            and r.get("start_date") == plan["event_date"]
            and r["event_date"] <= end
        )
        due = months_after(plan["event_date"], 3)
        in_time = True
        for review in reviews:
            if review > due:
                in_time = False
                break
            due = months_after(review, 6)
        if in_time and due < end:
            in_time = False
        numerator += in_time
    return numerator, denominator


def initial_category_share(rows: list[Row], start: dt.date, end: dt.date, category: str) -> tuple[int, int]:
    starts = plan_starts_in_period(rows, start, end)
    return sum(1 for r in starts if r.get("code") == category), len(starts)


# Workforce ----------------------------------------------------------------------------------------------


def average_caseload(staff: list[Row], allocations: list[Row], day: dt.date) -> tuple[int, float]:
    """Cases held on `day` by case-holding social workers in post with some FTE (agency workers too),
    and those workers' FTE. Each worker's cases count: a child allocated to two such workers is a case
    for each; a child allocated twice to one worker is one case for that worker."""

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
    cases = {
        (a["worker_id"], a["child_id"])
        for a in allocations
        if a["worker_id"] in holders and in_post(a["start_date"], a["end_date"])
    }
    return len(cases), float(sum(s["fte"] for s in holders.values()))
