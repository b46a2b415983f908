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
    assert ref.factor_prevalence(rows, YEAR, frozenset({"11A"})) == (1, 3)
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
    frame = events(
        [
            {"event_type": "referral", "event_date": D(2023, 6, 15), "child_id": 1, "source_id": 1},
            {"event_type": "referral", "event_date": D(2024, 6, 15), "child_id": 1, "source_id": 2},
            {"event_type": "referral", "event_date": D(2023, 6, 15), "child_id": 2, "source_id": 3},
            {"event_type": "referral", "event_date": D(2024, 6, 16), "child_id": 2, "source_id": 4},
        ]
    )
    measure = kpis.re_referral_rate(frame, YEAR)
    assert (measure.numerator, measure.denominator) == (1, 2)
    assert measure.value == 50.0


def test_same_day_duplicate_referrals_count_once() -> None:
    frame = events(
        [
            {"event_type": "referral", "event_date": D(2024, 6, 15), "child_id": 1, "source_id": 1},
            {"event_type": "referral", "event_date": D(2024, 6, 15), "child_id": 1, "source_id": 2},
        ]
    )
    measure = kpis.re_referral_rate(frame, YEAR)
    assert (measure.numerator, measure.denominator) == (0, 1)


def test_assessment_of_exactly_45_working_days_is_in_time() -> None:
    frame = events(
        [
            # 1 April 2025 + 45 working days = 9 June 2025 (Easter, early May and spring bank holidays).
            {
                "event_type": "assessment_authorised",
                "event_date": D(2025, 6, 9),
                "start_date": D(2025, 4, 1),
                "child_id": 1,
                "source_id": 1,
            },
            {
                "event_type": "assessment_authorised",
                "event_date": D(2025, 6, 10),
                "start_date": D(2025, 4, 1),
                "child_id": 2,
                "source_id": 2,
            },
            {
                "event_type": "assessment_authorised",
                "event_date": D(2025, 7, 1),
                "start_date": D(2025, 7, 1),
                "child_id": 3,
                "source_id": 3,
            },
        ]
    )
    measure = kpis.assessments_within_45_working_days(frame, 2026)
    assert (measure.numerator, measure.denominator) == (2, 3)


def test_plan_from_29_february_reaches_two_years_on_28_february() -> None:
    frame = events(
        [
            {"event_type": "cp_plan_start", "event_date": D(2024, 2, 29), "child_id": 1, "source_id": 1},
            {
                "event_type": "cp_plan_end",
                "event_date": D(2026, 2, 28),
                "start_date": D(2024, 2, 29),
                "child_id": 1,
                "source_id": 1,
            },
            {"event_type": "cp_plan_start", "event_date": D(2024, 3, 1), "child_id": 2, "source_id": 2},
            {
                "event_type": "cp_plan_end",
                "event_date": D(2026, 2, 28),
                "start_date": D(2024, 3, 1),
                "child_id": 2,
                "source_id": 2,
            },
        ]
    )
    measure = kpis.cp_plans_ceased_two_years_or_more(frame, 2026)
    assert (measure.numerator, measure.denominator) == (1, 2)


def test_plan_ending_on_31_march_is_not_open_at_31_march() -> None:
    frame = events(
        [
            {"event_type": "cp_plan_start", "event_date": D(2024, 5, 1), "child_id": 1, "source_id": 1},
            {
                "event_type": "cp_plan_end",
                "event_date": D(2025, 3, 31),
                "start_date": D(2024, 5, 1),
                "child_id": 1,
                "source_id": 1,
            },
            {"event_type": "cp_plan_start", "event_date": D(2024, 5, 1), "child_id": 2, "source_id": 2},
        ]
    )
    measure = kpis.cp_plans_per_10000_at_31_march(frame, 2025, population=10_000)
    assert measure.numerator == 1
    assert measure.value == 1.0


def test_nothing_to_divide_by_gives_no_figure() -> None:
    assert kpis.re_referral_rate(events([]), YEAR).value is None
