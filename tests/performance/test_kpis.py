"""Every KPI against a slow, obviously-correct reference (tests/performance/reference.py), on a seeded
borough and on journeys Hypothesis makes up; then the edges DfE defines, pinned one by one."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openmash.core.codes import DOMESTIC_ABUSE_FACTORS
from openmash.demo.workforce import Workforce, caseload
from openmash.performance import kpis
from openmash.performance.kpis import Measure
from openmash.performance.periods import Period

from . import reference as ref
from .journeys import CATEGORIES, PARTS_OF_2025, Row, events, journeys, periods, seeded_rows

D = dt.date
YEAR = 2025
POPULATION = 45_000

Engine = Callable[[pl.DataFrame, Period], Measure]
Reference = Callable[[list[Row], dt.date, dt.date], tuple[int, int]]


def _per_10000(engine: Callable[[pl.DataFrame, Period, int], Measure], reference: Any) -> tuple[Engine, Reference]:
    return (lambda e, p: engine(e, p, POPULATION)), (lambda r, s, t: reference(r, s, t, POPULATION))


# Every indicator over journey events: (engine, reference). average_caseload reads the workforce
# instead and has its own tests below.
KPIS: dict[str, tuple[Engine, Reference]] = {
    "re_referral_rate": (kpis.re_referral_rate, ref.re_referral_rate),
    "referrals_per_10000": _per_10000(kpis.referrals_per_10000, ref.referrals_per_10000),
    "referrals_nfa_percent": (kpis.referrals_nfa_percent, ref.referrals_nfa_percent),
    "contacts": (kpis.contacts, ref.contacts),
    "contact_conversion": (kpis.contact_conversion, ref.contact_conversion),
    "children_in_need_per_10000": _per_10000(kpis.children_in_need_per_10000, ref.children_in_need_per_10000),
    "assessments_within_45_working_days": (
        kpis.assessments_within_45_working_days,
        ref.assessments_within_45_working_days,
    ),
    "assessments_within_45_working_days_of_referral": (
        kpis.assessments_within_45_working_days_of_referral,
        ref.assessments_within_45_working_days_of_referral,
    ),
    "factor_prevalence[11A]": (
        lambda e, p: kpis.factor_prevalence(e, p, frozenset({"11A"})),
        lambda r, s, t: ref.factor_prevalence(r, s, t, frozenset({"11A"})),
    ),
    "domestic_abuse_prevalence": (kpis.domestic_abuse_prevalence, ref.domestic_abuse_prevalence),
    "cse_per_10000": _per_10000(kpis.cse_per_10000, ref.cse_per_10000),
    "s47_per_10000": _per_10000(kpis.s47_per_10000, ref.s47_per_10000),
    "icpc_from_s47_percent": (kpis.icpc_from_s47_percent, ref.icpc_from_s47_percent),
    "icpc_within_15_working_days": (kpis.icpc_within_15_working_days, ref.icpc_within_15_working_days),
    "cp_plans_second_or_subsequent": (kpis.cp_plans_second_or_subsequent, ref.cp_plans_second_or_subsequent),
    "cp_plans_second_within_two_years": (
        kpis.cp_plans_second_within_two_years,
        ref.cp_plans_second_within_two_years,
    ),
    "cp_plans_ceased_two_years_or_more": (
        kpis.cp_plans_ceased_two_years_or_more,
        ref.cp_plans_ceased_two_years_or_more,
    ),
    "cp_plans_open_two_years_at_31_march": (
        kpis.cp_plans_open_two_years_at_31_march,
        ref.cp_plans_open_two_years_at_31_march,
    ),
    "cp_plans_per_10000_at_31_march": _per_10000(
        kpis.cp_plans_per_10000_at_31_march, ref.cp_plans_per_10000_at_31_march
    ),
    "cp_plans_starting_per_10000": _per_10000(kpis.cp_plans_starting_per_10000, ref.cp_plans_starting_per_10000),
    "cp_reviews_in_timescale": (kpis.cp_reviews_in_timescale, ref.cp_reviews_in_timescale),
    **{
        f"initial_category_share[{code}]": (
            lambda e, p, code=code: kpis.initial_category_share(e, p, code),
            lambda r, s, t, code=code: ref.initial_category_share(r, s, t, code),
        )
        for code in CATEGORIES
    },
}
# Counts over the population: the numerator is the count, the denominator the population.
RATES_PER_10000 = {name for name in KPIS if "per_10000" in name}
# Plain counts: nothing to divide by.
COUNTS = {"contacts"}
# Every Measure-returning function in the engine: a new one must be added here and to KPIS (with a
# reference), or have tests of its own as the caseload has.
ENGINE_FUNCTIONS = (
    "re_referral_rate",
    "referrals_per_10000",
    "referrals_nfa_percent",
    "contacts",
    "contact_conversion",
    "children_in_need_per_10000",
    "assessments_within_45_working_days",
    "assessments_within_45_working_days_of_referral",
    "factor_prevalence",
    "domestic_abuse_prevalence",
    "cse_per_10000",
    "s47_per_10000",
    "icpc_from_s47_percent",
    "icpc_within_15_working_days",
    "cp_plans_second_or_subsequent",
    "cp_plans_second_within_two_years",
    "cp_plans_ceased_two_years_or_more",
    "cp_plans_open_two_years_at_31_march",
    "cp_plans_per_10000_at_31_march",
    "cp_plans_starting_per_10000",
    "cp_reviews_in_timescale",
    "initial_category_share",
    "average_caseload",
)


def _check(name: str, rows: list[Row], frame: pl.DataFrame, period: Period) -> tuple[int, int]:
    """The engine's figure for `period` is the reference's for the same days, and its rows are the
    records behind it."""
    engine, reference = KPIS[name]
    measure = engine(frame, period)
    numerator, denominator = reference(rows, *ref.bounds(period.year, period.quarter, period.as_of))
    assert (measure.numerator, measure.denominator) == (numerator, denominator), period
    assert measure.rows is not None
    assert int(measure.rows["counted"].sum()) == measure.numerator
    if measure.unit == "percent" and name not in {"contact_conversion", "icpc_from_s47_percent"}:
        assert measure.rows.height == measure.denominator  # one row per record in the denominator
    return numerator, denominator


@pytest.fixture(scope="module", params=[1, 2, 3])
def borough(request: pytest.FixtureRequest) -> tuple[list[Row], pl.DataFrame]:
    rows = list(seeded_rows(request.param))
    return rows, events(rows)


@pytest.mark.parametrize("name", KPIS)
def test_each_kpi_matches_its_reference_on_a_seeded_borough(name: str, borough: tuple[list[Row], pl.DataFrame]) -> None:
    rows, frame = borough
    numerator, denominator = _check(name, rows, frame, Period(YEAR))
    # The borough exercises both sides of every definition, so a match means something.
    assert numerator > 0
    if name not in RATES_PER_10000 | COUNTS:
        assert numerator < denominator


@pytest.mark.parametrize("name", KPIS)
def test_each_kpi_matches_its_reference_on_a_seeded_borough_by_quarter_and_as_of(
    name: str, borough: tuple[list[Row], pl.DataFrame]
) -> None:
    rows, frame = borough
    counted = [_check(name, rows, frame, period)[0] for period in PARTS_OF_2025]
    # Each quarter sees its part of the year: counts of events in the period add up to the year's (not
    # counts of episodes, which can have an assessment in two quarters, nor of what is open on a day).
    if name in {"contacts", "referrals_per_10000", "s47_per_10000", "cp_plans_starting_per_10000"}:
        assert sum(counted[:4]) == KPIS[name][0](frame, Period(YEAR)).numerator


@pytest.mark.parametrize("name", KPIS)
@settings(max_examples=60, deadline=None)
@given(rows=journeys(), period=periods)
def test_each_kpi_matches_its_reference_on_generated_journeys(name: str, rows: list[Row], period: Period) -> None:
    _check(name, rows, events(rows), period)


@settings(max_examples=200, deadline=None)
@given(period=periods)
def test_periods_cover_the_days_worked_out_by_hand(period: Period) -> None:
    assert (period.start, period.end) == ref.bounds(period.year, period.quarter, period.as_of)


def test_an_int_year_is_the_reporting_year() -> None:
    frame = events(list(seeded_rows(1, children=40)))
    for name, (engine, _) in KPIS.items():
        by_int, by_period = engine(frame, YEAR), engine(frame, Period(YEAR))  # type: ignore[arg-type]
        assert (by_int.numerator, by_int.denominator) == (by_period.numerator, by_period.denominator), name
        assert by_int.rows is not None
        assert by_period.rows is not None
        assert by_int.rows.equals(by_period.rows), name


def test_every_indicator_in_the_engine_is_checked_against_a_reference() -> None:
    in_engine = {
        name
        for name, fn in vars(kpis).items()
        if inspect.isfunction(fn)
        and not name.startswith("_")
        and inspect.signature(fn).return_annotation in ("Measure", Measure)
    }
    checked = {key.split("[")[0] for key in KPIS} | {"average_caseload"}  # the caseload: tests below
    assert in_engine == set(ENGINE_FUNCTIONS)
    assert checked == in_engine
    assert len(in_engine) == len(ENGINE_FUNCTIONS) == 23


# The average caseload (DfE workforce census) ---------------------------------------------------------

CENSUS_DAY = D(2025, 9, 30)
JOB_ROLES = ["social_worker", "senior_social_worker", "asye", "team_manager", "practitioner"]
around_census = st.one_of(
    st.sampled_from([CENSUS_DAY - dt.timedelta(days=1), CENSUS_DAY, CENSUS_DAY + dt.timedelta(days=1)]),
    st.dates(D(2024, 1, 1), D(2026, 6, 30)),
)


@st.composite
def workforces(draw: st.DrawFn) -> tuple[list[Row], list[Row]]:
    staff: list[Row] = []
    for worker in range(1, draw(st.integers(0, 6)) + 1):
        start = draw(around_census)
        staff.append(
            {
                "id": worker,
                "team_id": draw(st.integers(1, 3)),
                "job_role": draw(st.sampled_from(JOB_ROLES)),
                "is_case_holder": draw(st.booleans()),
                "is_agency": draw(st.booleans()),
                "fte": draw(st.sampled_from([0.0, 0.4, 0.5, 0.8, 1.0])),
                "start_date": start,
                "end_date": draw(st.none() | around_census.filter(lambda d, s=start: d >= s)),
            }
        )
    allocations: list[Row] = []
    if staff:
        for _ in range(draw(st.integers(0, 15))):
            start = draw(around_census)
            allocations.append(
                {
                    "child_id": draw(st.integers(1, 8)),  # few children, so some are allocated twice
                    "worker_id": draw(st.sampled_from([s["id"] for s in staff])),
                    "start_date": start,
                    "end_date": draw(st.none() | around_census.filter(lambda d, s=start: d >= s)),
                }
            )
    return staff, allocations


def _frames(staff: list[Row], allocations: list[Row]) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        pl.DataFrame(staff, schema=kpis.CASELOAD_STAFF_SCHEMA),
        pl.DataFrame(allocations, schema=kpis.CASELOAD_ALLOCATION_SCHEMA),
    )


def _workforce(staff: list[Row], allocations: list[Row]) -> Workforce:
    """The same staff and allocations as the demo generator holds them (names, FTE as a decimal, an id
    and a team on each allocation)."""
    demo_staff = pl.DataFrame(
        [{**s, "first_name": "Sam", "last_name": f"Worker {s['id']}"} for s in staff],
        schema={**kpis.CASELOAD_STAFF_SCHEMA, "first_name": pl.String, "last_name": pl.String},
    ).with_columns(pl.col("fte").cast(pl.Decimal(3, 2)))
    demo_allocations = pl.DataFrame(
        [{**a, "id": n, "team_id": 1} for n, a in enumerate(allocations, 1)],
        schema={**kpis.CASELOAD_ALLOCATION_SCHEMA, "id": pl.Int64, "team_id": pl.Int64},
    )
    return Workforce(services=pl.DataFrame(), teams=pl.DataFrame(), staff=demo_staff, allocations=demo_allocations)


@settings(max_examples=150, deadline=None)
@given(workforce=workforces())
def test_average_caseload_matches_its_reference(workforce: tuple[list[Row], list[Row]]) -> None:
    staff, allocations = workforce
    cases, fte = ref.average_caseload(staff, allocations, CENSUS_DAY)
    measure = kpis.average_caseload(*_frames(staff, allocations), CENSUS_DAY)
    assert measure.numerator == cases
    assert measure.denominator == pytest.approx(fte)
    assert measure.value == (pytest.approx(cases / fte) if fte else None)
    assert measure.rows is not None
    assert measure.rows.height == cases  # one row per worker's case


@settings(max_examples=60, deadline=None)
@given(workforce=workforces())
def test_the_demo_caseload_is_the_engines(workforce: tuple[list[Row], list[Row]]) -> None:
    staff, allocations = workforce
    measure = caseload(_workforce(staff, allocations), CENSUS_DAY)
    cases, fte = ref.average_caseload(staff, allocations, CENSUS_DAY)
    assert (measure.numerator, measure.denominator) == (cases, pytest.approx(fte))


def _staff(worker: int, job_role: str, fte: float, start: dt.date, end: dt.date | None, agency: bool = False) -> Row:
    return {
        "id": worker,
        "team_id": 1,
        "job_role": job_role,
        "is_case_holder": True,
        "is_agency": agency,
        "fte": fte,
        "start_date": start,
        "end_date": end,
    }


def test_a_child_allocated_to_two_case_holders_is_a_case_for_each_and_managers_and_leavers_do_not_count() -> None:
    staff = [
        _staff(1, "social_worker", 1.0, D(2020, 1, 1), None),
        _staff(2, "asye", 0.5, D(2025, 9, 30), None, agency=True),  # an agency ASYE starting on the day
        _staff(3, "team_manager", 1.0, D(2020, 1, 1), None),
        _staff(4, "social_worker", 1.0, D(2020, 1, 1), D(2025, 9, 29)),  # left the day before
        _staff(5, "social_worker", 0.0, D(2020, 1, 1), None),  # 0 FTE
    ]
    allocations = [
        {"child_id": 1, "worker_id": 1, "start_date": D(2025, 1, 1), "end_date": None},
        {"child_id": 1, "worker_id": 2, "start_date": D(2025, 9, 30), "end_date": None},  # and worker 2's
        {"child_id": 2, "worker_id": 1, "start_date": D(2025, 1, 1), "end_date": D(2025, 9, 30)},  # held that day
        {"child_id": 2, "worker_id": 1, "start_date": D(2025, 9, 30), "end_date": None},  # the same case again
        {"child_id": 3, "worker_id": 1, "start_date": D(2025, 10, 1), "end_date": None},  # not yet
        {"child_id": 4, "worker_id": 3, "start_date": D(2025, 1, 1), "end_date": None},  # a manager's
        {"child_id": 5, "worker_id": 4, "start_date": D(2025, 1, 1), "end_date": None},  # a leaver's
        {"child_id": 6, "worker_id": 5, "start_date": D(2025, 1, 1), "end_date": None},  # 0 FTE
    ]
    # Worker 1 holds children 1 and 2, worker 2 (agency) child 1: 3 cases over 1.0 + 0.5 FTE = 2.0.
    assert ref.average_caseload(staff, allocations, CENSUS_DAY) == (3, 1.5)
    measure = kpis.average_caseload(*_frames(staff, allocations), CENSUS_DAY)
    assert (measure.numerator, measure.denominator) == (3, 1.5)
    assert measure.value == 2.0
    assert measure.rows is not None
    assert sorted(measure.rows.select("worker_id", "child_id").iter_rows()) == [(1, 1), (1, 2), (2, 1)]
    assert (caseload(_workforce(staff, allocations), CENSUS_DAY).numerator) == 3


# Edges, one at a time -----------------------------------------------------------------------------------


def _both(name: str, rows: list[Row], period: Period) -> tuple[float, float]:
    """The engine's (numerator, denominator) for a hand-built case, after checking the reference agrees."""
    engine, reference = KPIS[name]
    measure = engine(events(rows), period)
    assert reference(rows, *ref.bounds(period.year, period.quarter, period.as_of)) == (
        measure.numerator,
        measure.denominator,
    )
    return measure.numerator, measure.denominator


def _referral(child: int, day: dt.date, episode: int | None = None) -> Row:
    episode = child if episode is None else episode
    return {"event_type": "referral", "event_date": day, "child_id": child, "episode_id": episode, "source_id": episode}


def _assessment(child: int, source: int, start: dt.date | None, authorised: dt.date, episode: int | None = None) -> Row:
    return {
        "event_type": "assessment_authorised",
        "event_date": authorised,
        "start_date": start,
        "child_id": child,
        "episode_id": child if episode is None else episode,
        "source_id": source,
    }


def _plan(child: int, plan: int, start: dt.date, end: dt.date | None = None) -> list[Row]:
    rows: list[Row] = [{"event_type": "cp_plan_start", "event_date": start, "child_id": child, "source_id": plan}]
    if end is not None:
        rows.append(
            {"event_type": "cp_plan_end", "event_date": end, "start_date": start, "child_id": child, "source_id": plan}
        )
    return rows


def _review(child: int, source: int, plan_start: dt.date, day: dt.date) -> Row:
    return {
        "event_type": "cp_review",
        "event_date": day,
        "start_date": plan_start,
        "child_id": child,
        "source_id": source,
    }


def test_factor_prevalence_counts_episodes_not_assessments() -> None:
    def assessed(episode: int, source: int, day: dt.date, factors: list[str]) -> dict[str, Any]:
        return {
            "event_type": "assessment_authorised",
            "event_date": day,
            "start_date": day - dt.timedelta(days=20),
            "child_id": episode,
            "episode_id": episode,
            "source_id": source,
            "factors": factors,
        }

    in_year, last_year = D(2024, 9, 1), D(2024, 2, 1)
    rows = [
        # Episode 1: two assessments in the year, both identifying 11A: one episode with the factor.
        assessed(1, 1, in_year, ["11A", "3B"]),
        assessed(1, 2, in_year + dt.timedelta(days=60), ["11A"]),
        # Episode 2: factors recorded, but not 11A.
        assessed(2, 3, in_year, ["1B"]),
        assessed(2, 4, in_year, ["21"]),
        # Episode 3: "no factors identified" only: not an episode with factors recorded.
        assessed(3, 5, in_year, ["21"]),
        # Episode 4: 11A at an assessment authorised last year does not count this year.
        assessed(4, 6, last_year, ["11A"]),
        assessed(4, 7, in_year, ["4B"]),
    ]
    measure = kpis.factor_prevalence(events(rows), YEAR, frozenset({"11A"}))
    # Counting assessments instead would give 2 of 5 (or 2 of 6 with "21").
    assert (measure.numerator, measure.denominator) == (1, 3)
    assert ref.factor_prevalence(rows, *ref.bounds(YEAR), frozenset({"11A"})) == (1, 3)
    # One of those episodes (episode 1) identified child sexual exploitation.
    assert _both("cse_per_10000", rows, Period(YEAR)) == (1, POPULATION)
    domestic = kpis.domestic_abuse_prevalence(events(rows), YEAR)
    assert (domestic.numerator, domestic.denominator) == (1, 3)
    assert frozenset({"3A", "3B", "3C"}) == DOMESTIC_ABUSE_FACTORS


def test_the_seeded_borough_can_tell_episodes_from_assessments(borough: tuple[list[Row], pl.DataFrame]) -> None:
    rows, _ = borough
    per_episode: dict[int, int] = {}
    for r in rows:
        if (
            r["event_type"] == "assessment_authorised"
            and "11A" in r["factors"]
            and ref.in_period(r["event_date"], *ref.bounds(YEAR))
        ):
            per_episode[r["episode_id"]] = per_episode.get(r["episode_id"], 0) + 1
    assert any(n >= 2 for n in per_episode.values())


def test_re_referral_exactly_twelve_months_later_counts_and_a_day_more_does_not() -> None:
    rows = [
        # Child 1: 15 June 2024 is exactly 12 months after 15 June 2023: a re-referral.
        _referral(1, D(2023, 6, 15), episode=1),
        _referral(1, D(2024, 6, 15), episode=2),
        # Child 2: 16 June 2024 is 12 months and a day after: not one.
        _referral(2, D(2023, 6, 15), episode=3),
        _referral(2, D(2024, 6, 16), episode=4),
    ]
    # Reporting year 2025 holds the two 2024 referrals (the 2023 ones are in 2024): 1 of 2.
    assert _both("re_referral_rate", rows, Period(YEAR)) == (1, 2)
    assert kpis.re_referral_rate(events(rows), YEAR).value == 50.0
    # Both fall in quarter 1 (April to June 2024) too.
    assert _both("re_referral_rate", rows, Period(YEAR, 1)) == (1, 2)
    assert _both("re_referral_rate", rows, Period(YEAR, 2)) == (0, 0)


def test_same_day_duplicate_referrals_count_once() -> None:
    rows = [_referral(1, D(2024, 6, 15), episode=1), _referral(1, D(2024, 6, 15), episode=2)]
    assert _both("re_referral_rate", rows, Period(YEAR)) == (0, 1)


def test_assessment_of_exactly_45_working_days_is_in_time() -> None:
    rows = [
        # 1 April 2025 + 45 working days = 9 June 2025 (Easter, early May and spring bank holidays).
        _assessment(1, 1, D(2025, 4, 1), D(2025, 6, 9)),
        _assessment(2, 2, D(2025, 4, 1), D(2025, 6, 10)),
        _assessment(3, 3, D(2025, 7, 1), D(2025, 7, 1)),
    ]
    assert _both("assessments_within_45_working_days", rows, Period(2026)) == (2, 3)


def test_assessment_over_christmas_2024_at_45_working_days_is_in_time_and_at_46_late() -> None:
    # Started Monday 2 December 2024. Working days after it: 3-6 Dec 4; 9-13 Dec 9; 16-20 Dec 14;
    # 23, 24 and 27 Dec 17 (25 and 26 Dec are bank holidays); 30, 31 Dec, 2, 3 Jan 21 (1 Jan is one);
    # four full weeks to 31 Jan 41; Mon 3 Feb 42, Tue 43, Wed 44, Thu 6 Feb 45, Fri 7 Feb 46.
    # Counting weekdays alone would make 6 February 48.
    rows = [
        _assessment(1, 1, D(2024, 12, 2), D(2025, 2, 6)),
        _assessment(2, 2, D(2024, 12, 2), D(2025, 2, 7)),
    ]
    assert _both("assessments_within_45_working_days", rows, Period(YEAR)) == (1, 2)
    assert _both("assessments_within_45_working_days", rows, Period(YEAR, 4)) == (1, 2)  # January to March


def test_assessment_over_the_substitute_bank_holidays_of_2022_at_45_working_days_is_in_time_and_at_46_late() -> None:
    # Christmas Day and New Year's Day 2022-23 fell on Sundays: Tuesday 27 December and Monday 2 January
    # were bank holidays in their place, with Boxing Day on Monday 26 December. Started Thursday
    # 1 December 2022: Fri 2 Dec 1; 5-23 Dec 16; 28-30 Dec 19; 3-6 Jan 23; four full weeks to 3 Feb 43;
    # Mon 6 Feb 44, Tue 7 Feb 45, Wed 8 Feb 46. Without the substitute days 7 February would be 48.
    rows = [
        _assessment(1, 1, D(2022, 12, 1), D(2023, 2, 7)),
        _assessment(2, 2, D(2022, 12, 1), D(2023, 2, 8)),
    ]
    assert _both("assessments_within_45_working_days", rows, Period(2023)) == (1, 2)


def test_same_day_assessment_takes_no_working_days_and_is_in_time() -> None:
    # Referred, started and authorised on Wednesday 4 September 2024: a duration of 0 either way.
    rows = [_referral(1, D(2024, 9, 4)), _assessment(1, 2, D(2024, 9, 4), D(2024, 9, 4))]
    assert _both("assessments_within_45_working_days", rows, Period(YEAR)) == (1, 1)
    assert _both("assessments_within_45_working_days_of_referral", rows, Period(YEAR)) == (1, 1)
    assert _both("assessments_within_45_working_days_of_referral", rows, Period(YEAR, 2)) == (1, 1)


def test_working_together_45_days_run_from_the_referral_for_its_first_authorised_assessment() -> None:
    rows = [
        # Referral 1 on Monday 2 December 2024 (Christmas as above: 6 Feb is 45 working days after, 7 Feb 46).
        # Its assessment started a week later, 9 December, and was authorised 7 February: 41 working days
        # from its start (in time for DfE's C2) but 46 from the referral (late for Working Together).
        _referral(1, D(2024, 12, 2), episode=1),
        _assessment(1, 11, D(2024, 12, 9), D(2025, 2, 7), episode=1),
        # A second assessment in the same referral, authorised Monday 10 February: not the first, left out.
        _assessment(1, 12, D(2025, 2, 8), D(2025, 2, 10), episode=1),
        # Referral 2, assessed from the referral day and authorised on 6 February: 45, in time.
        _referral(2, D(2024, 12, 2), episode=2),
        _assessment(2, 21, D(2024, 12, 2), D(2025, 2, 6), episode=2),
        # Referral 3: an assessment with no start date recorded, authorised late on 10 March, and one
        # authorised on 6 February. The first authorised is the 6 February one: in time.
        _referral(3, D(2024, 12, 2), episode=3),
        _assessment(3, 31, None, D(2025, 3, 10), episode=3),
        _assessment(3, 32, D(2024, 12, 2), D(2025, 2, 6), episode=3),
    ]
    assert _both("assessments_within_45_working_days_of_referral", rows, Period(YEAR)) == (2, 3)
    # DfE's basis counts every authorised assessment with a start date from its start: 4 of 4.
    assert _both("assessments_within_45_working_days", rows, Period(YEAR)) == (4, 4)
    # Cut short at 6 February 2025, only the two first assessments authorised that day are in.
    assert _both("assessments_within_45_working_days_of_referral", rows, Period(YEAR, as_of=D(2025, 2, 6))) == (2, 2)
    measure = kpis.assessments_within_45_working_days_of_referral(events(rows), YEAR)
    assert measure.rows is not None
    assert sorted(measure.rows.select("source_id", "counted").iter_rows()) == [(11, False), (21, True), (32, True)]


def test_icpc_at_exactly_15_working_days_is_in_time_and_at_16_late() -> None:
    # Enquiry started Friday 13 December 2024. Working days after it: 16-20 Dec 5; 23, 24 Dec 7; 27 Dec 8
    # (25 and 26 Dec are bank holidays); 30, 31 Dec 10; 2, 3 Jan 12 (1 Jan is one); Mon 6 Jan 13,
    # Tue 7 Jan 14, Wed 8 Jan 15, Thu 9 Jan 16.
    def conference(child: int, s47: dt.date, held: dt.date) -> Row:
        return {"event_type": "icpc", "event_date": held, "start_date": s47, "child_id": child, "source_id": child}

    rows = [
        conference(1, D(2024, 12, 13), D(2025, 1, 8)),
        conference(2, D(2024, 12, 13), D(2025, 1, 9)),
        conference(3, D(2025, 1, 20), D(2025, 1, 20)),  # the same day: 0, in time
        conference(4, D(2025, 1, 21), D(2025, 1, 20)),  # before its enquiry started: no valid duration
    ]
    assert _both("icpc_within_15_working_days", rows, Period(YEAR)) == (2, 3)
    assert _both("icpc_within_15_working_days", rows, Period(YEAR, 3)) == (0, 0)  # October to December


def test_plan_ended_on_its_second_anniversary_lasted_two_years_and_a_day_before_did_not() -> None:
    rows = [
        *_plan(1, 1, D(2023, 5, 10), D(2025, 5, 10)),  # ended on its second anniversary: 2 years
        *_plan(2, 2, D(2023, 5, 10), D(2025, 5, 9)),  # the day before: not
    ]
    assert _both("cp_plans_ceased_two_years_or_more", rows, Period(2026)) == (1, 2)
    assert _both("cp_plans_ceased_two_years_or_more", rows, Period(2026, 1)) == (1, 2)  # April to June 2025


def test_plan_from_29_february_reaches_two_years_on_28_february() -> None:
    rows = [*_plan(1, 1, D(2024, 2, 29), D(2026, 2, 28)), *_plan(2, 2, D(2024, 3, 1), D(2026, 2, 28))]
    assert _both("cp_plans_ceased_two_years_or_more", rows, Period(2026)) == (1, 2)


def test_plan_open_two_years_on_31_march_counts_and_one_a_day_younger_does_not() -> None:
    rows = [*_plan(1, 1, D(2023, 3, 31)), *_plan(2, 2, D(2023, 4, 1))]
    assert _both("cp_plans_open_two_years_at_31_march", rows, Period(YEAR)) == (1, 2)


def test_plan_ending_on_31_march_ended_in_that_year_and_is_not_open_at_31_march() -> None:
    rows = [*_plan(1, 1, D(2024, 5, 1), D(2025, 3, 31)), *_plan(2, 2, D(2024, 5, 1))]
    # Open at 31 March 2025: only plan 2.
    assert _both("cp_plans_per_10000_at_31_march", rows, Period(YEAR)) == (1, POPULATION)
    measure = kpis.cp_plans_per_10000_at_31_march(events(rows), YEAR, population=10_000)
    assert measure.value == 1.0
    # Plan 1 ended in 2024-25 (and in its last quarter), not in 2025-26.
    assert _both("cp_plans_ceased_two_years_or_more", rows, Period(YEAR)) == (0, 1)
    assert _both("cp_plans_ceased_two_years_or_more", rows, Period(YEAR, 4)) == (0, 1)
    assert _both("cp_plans_ceased_two_years_or_more", rows, Period(2026)) == (0, 0)
    # As at 30 March 2025 it was still open.
    assert _both("cp_plans_per_10000_at_31_march", rows, Period(YEAR, as_of=D(2025, 3, 30))) == (2, POPULATION)


def test_second_plan_within_two_years_counts_an_end_exactly_two_years_before_and_not_a_day_more() -> None:
    rows = [
        # Child 1: previous plan ended 15 June 2022, the new one starts 15 June 2024: exactly 2 years.
        *_plan(1, 1, D(2021, 6, 1), D(2022, 6, 15)),
        *_plan(1, 2, D(2024, 6, 15)),
        # Child 2: ended 14 June 2022, two years and a day before: not within two years.
        *_plan(2, 3, D(2021, 6, 1), D(2022, 6, 14)),
        *_plan(2, 4, D(2024, 6, 15)),
        # Child 3: a plan started and ended on 1 August 2024 is not its own previous plan.
        *_plan(3, 5, D(2024, 8, 1), D(2024, 8, 1)),
        # Child 4: moved from one plan to another on 1 September 2024: the previous ended that day.
        *_plan(4, 6, D(2023, 9, 1), D(2024, 9, 1)),
        *_plan(4, 7, D(2024, 9, 1)),
        # Child 5: the most recent earlier plan decides: one ended 3 years before, one 18 months before.
        *_plan(5, 8, D(2020, 1, 1), D(2021, 10, 1)),
        *_plan(5, 9, D(2022, 1, 1), D(2023, 4, 1)),
        *_plan(5, 10, D(2024, 10, 1)),
    ]
    # Plans starting in 2024-25: 2, 4, 5, 7 and 10; within two years of a previous end: 2, 7 and 10.
    assert _both("cp_plans_second_within_two_years", rows, Period(YEAR)) == (3, 5)
    # Quarter 1 (April to June 2024) holds plans 2 and 4.
    assert _both("cp_plans_second_within_two_years", rows, Period(YEAR, 1)) == (1, 2)


def test_cp_reviews_first_at_three_months_is_on_time_and_a_day_later_is_late() -> None:
    rows = [
        # A: started 10 October 2024, first review 10 January 2025, exactly 3 months: on time; the next is
        # due 10 July 2025, after 31 March.
        *_plan(1, 1, D(2024, 10, 10)),
        _review(1, 101, D(2024, 10, 10), D(2025, 1, 10)),
        # B: the same, reviewed on 11 January: a day late.
        *_plan(2, 2, D(2024, 10, 10)),
        _review(2, 102, D(2024, 10, 10), D(2025, 1, 11)),
        # C: started 31 December 2024, not reviewed yet: three months on 31 March, due that day, not overdue.
        *_plan(3, 3, D(2024, 12, 31)),
        # D: started 30 December 2024, not reviewed: due 30 March, overdue on 31 March.
        *_plan(4, 4, D(2024, 12, 30)),
        # E: started 1 January 2025: not 3 months old on 31 March, so not counted at all.
        *_plan(5, 5, D(2025, 1, 1)),
        # F: started 30 November 2023; reviewed 29 February 2024 (3 months on, in a leap year), 29 August
        # 2024 (6 months) and 28 February 2025 (6 months after 29 August, in a 28-day February): on time.
        *_plan(6, 6, D(2023, 11, 30)),
        _review(6, 601, D(2023, 11, 30), D(2024, 2, 29)),
        _review(6, 602, D(2023, 11, 30), D(2024, 8, 29)),
        _review(6, 603, D(2023, 11, 30), D(2025, 2, 28)),
        # G: as F but the third review on 1 March 2025: late.
        *_plan(7, 7, D(2023, 11, 30)),
        _review(7, 701, D(2023, 11, 30), D(2024, 2, 29)),
        _review(7, 702, D(2023, 11, 30), D(2024, 8, 29)),
        _review(7, 703, D(2023, 11, 30), D(2025, 3, 1)),
        # H: started 1 June 2024, never reviewed, ended 31 March 2025: not open at 31 March.
        *_plan(8, 8, D(2024, 6, 1), D(2025, 3, 31)),
        # A review of another plan of the same child (different start date) does not count for A's sibling.
        *_plan(9, 9, D(2024, 10, 10)),
        _review(9, 901, D(2023, 1, 1), D(2025, 1, 5)),
    ]
    # At 31 March 2025: A, B, C, D, F, G and child 9's plan; on time A, C and F.
    assert _both("cp_reviews_in_timescale", rows, Period(YEAR)) == (3, 7)
    assert _both("cp_reviews_in_timescale", rows, Period(YEAR, 4)) == (3, 7)
    # As at 30 March 2025: C is not yet 3 months old; D is due that day (not overdue); G's third review
    # (1 March) is late already; H is still open and overdue since 1 September. On time: A, D and F.
    assert _both("cp_reviews_in_timescale", rows, Period(YEAR, as_of=D(2025, 3, 30))) == (3, 7)
    measure = kpis.cp_reviews_in_timescale(events(rows), Period(YEAR, as_of=D(2025, 3, 30)))
    assert measure.rows is not None
    assert sorted(measure.rows.filter(pl.col("counted"))["source_id"]) == [1, 4, 6]


def test_children_in_need_are_those_with_a_referral_open_at_the_end_of_the_period() -> None:
    def closed(child: int, episode: int, referred: dt.date, day: dt.date) -> Row:
        return {
            "event_type": "referral_closed",
            "event_date": day,
            "start_date": referred,
            "child_id": child,
            "episode_id": episode,
            "source_id": episode,
        }

    rows = [
        # Child 1: referred in 2024, closed on 31 March 2025: not open at 31 March.
        _referral(1, D(2024, 6, 1), episode=1),
        closed(1, 1, D(2024, 6, 1), D(2025, 3, 31)),
        # Child 2: two referrals open at 31 March: one child in need.
        _referral(2, D(2023, 6, 1), episode=2),
        _referral(2, D(2025, 1, 6), episode=3),
        # Child 3: closed on 1 April 2025, so open at 31 March.
        _referral(3, D(2025, 3, 31), episode=4),
        closed(3, 4, D(2025, 3, 31), D(2025, 4, 1)),
        # Child 4: referred on 1 April 2025, after the year.
        _referral(4, D(2025, 4, 1), episode=5),
    ]
    assert _both("children_in_need_per_10000", rows, Period(YEAR)) == (2, POPULATION)
    # As at 30 March 2025 children 1 and 2 are open, child 3 not yet referred.
    assert _both("children_in_need_per_10000", rows, Period(YEAR, as_of=D(2025, 3, 30))) == (2, POPULATION)
    # At the end of quarter 2 (30 September 2024): children 1 and 2.
    assert _both("children_in_need_per_10000", rows, Period(YEAR, 2)) == (2, POPULATION)
    # At 31 March 2026: children 2 and 4 (child 3's referral was closed on 1 April 2025).
    assert _both("children_in_need_per_10000", rows, Period(2026)) == (2, POPULATION)


def test_nothing_to_divide_by_gives_no_figure() -> None:
    assert kpis.re_referral_rate(events([]), YEAR).value is None
    assert kpis.contacts(events([]), YEAR).value == 0
