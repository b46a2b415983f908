"""Each KPI against a slow, obviously-correct reference on random journeys, plus the edges DfE defines."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

from openmash.core.calendar import working_days_between
from openmash.core.dates import add_months, add_years, reporting_year_bounds
from openmash.journey.schema import conform, empty_events
from openmash.performance import kpis

D = dt.date
YEAR = 2025
START, END = reporting_year_bounds(YEAR)


def events(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return conform(pl.from_dicts(rows, infer_schema_length=None)) if rows else empty_events()


def random_rows(seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    source = 0
    for child in range(300):
        day = D(2022, 1, 1) + dt.timedelta(days=rng.randrange(200))
        previous_plans = 0
        while day < D(2025, 9, 1):
            source += 1
            yield {
                "event_type": "referral",
                "event_date": day,
                "child_id": child,
                "source_id": source,
                "flag": rng.random() < 0.1,
            }
            if rng.random() < 0.05:  # a same-day duplicate referral
                source += 1
                yield {"event_type": "referral", "event_date": day, "child_id": child, "source_id": source}
            start = day + dt.timedelta(days=rng.randrange(5))
            auth = start + dt.timedelta(days=rng.randrange(0, 90))
            source += 1
            yield {
                "event_type": "assessment_authorised",
                "event_date": auth,
                "start_date": start,
                "child_id": child,
                "source_id": source,
                "episode_id": source - 1,
                "factors": rng.sample(["3B", "4B", "11A", "1B"], 2),
            }
            if rng.random() < 0.3:
                plan_start = auth
                plan_end = plan_start + dt.timedelta(days=rng.choice([60, 300, 700, 730, 731, 800]))
                source += 1
                yield {
                    "event_type": "cp_plan_start",
                    "event_date": plan_start,
                    "child_id": child,
                    "source_id": source,
                    "previous_plans": previous_plans,
                }
                yield {
                    "event_type": "cp_plan_end",
                    "event_date": plan_end,
                    "start_date": plan_start,
                    "child_id": child,
                    "source_id": source,
                }
                previous_plans += 1
                day = plan_end
            day += dt.timedelta(days=rng.choice([30, 200, 364, 365, 366, 500]))


@pytest.fixture(scope="module", params=[1, 2, 3])
def sample(request: pytest.FixtureRequest) -> tuple[list[dict[str, Any]], pl.DataFrame]:
    rows = list(random_rows(request.param))
    return rows, events(rows)


def in_year(day: dt.date) -> bool:
    return START <= day <= END


def test_re_referral_rate_matches_reference(sample: tuple[list[dict[str, Any]], pl.DataFrame]) -> None:
    rows, frame = sample
    refs = sorted({(r["child_id"], r["event_date"]) for r in rows if r["event_type"] == "referral"})
    numerator = denominator = 0
    for child, day in refs:
        if not in_year(day):
            continue
        denominator += 1
        earlier = [d for c, d in refs if c == child and d < day]
        numerator += any(d >= add_months(day, -12) for d in earlier)
    measure = kpis.re_referral_rate(frame, YEAR)
    assert (measure.numerator, measure.denominator) == (numerator, denominator)
    assert denominator > 50


def test_assessment_timeliness_matches_reference(sample: tuple[list[dict[str, Any]], pl.DataFrame]) -> None:
    rows, frame = sample
    done = [r for r in rows if r["event_type"] == "assessment_authorised" and in_year(r["event_date"])]
    within = sum(working_days_between(r["start_date"], r["event_date"]) <= 45 for r in done)
    measure = kpis.assessments_within_45_working_days(frame, YEAR)
    assert (measure.numerator, measure.denominator) == (within, len(done))
    assert 0 < within < len(done)


def test_second_plans_and_long_plans_match_reference(sample: tuple[list[dict[str, Any]], pl.DataFrame]) -> None:
    rows, frame = sample
    starts = [r for r in rows if r["event_type"] == "cp_plan_start" and in_year(r["event_date"])]
    second = kpis.cp_plans_second_or_subsequent(frame, YEAR)
    assert (second.numerator, second.denominator) == (sum(r["previous_plans"] >= 1 for r in starts), len(starts))
    ends = [r for r in rows if r["event_type"] == "cp_plan_end" and in_year(r["event_date"])]
    long = kpis.cp_plans_ceased_two_years_or_more(frame, YEAR)
    expected = sum(add_years(r["start_date"], 2) <= r["event_date"] for r in ends)
    assert (long.numerator, long.denominator) == (expected, len(ends))
    open_at = [
        r
        for r in rows
        if r["event_type"] == "cp_plan_start"
        and r["event_date"] <= END
        and not any(
            e["event_type"] == "cp_plan_end" and e["source_id"] == r["source_id"] and e["event_date"] <= END
            for e in rows
        )
    ]
    open_long = kpis.cp_plans_open_two_years_at_31_march(frame, YEAR)
    assert open_long.denominator == len(open_at)
    assert open_long.numerator == sum(add_years(r["event_date"], 2) <= END for r in open_at)


def test_factor_prevalence_counts_episodes(sample: tuple[list[dict[str, Any]], pl.DataFrame]) -> None:
    rows, frame = sample
    done = [r for r in rows if r["event_type"] == "assessment_authorised" and in_year(r["event_date"])]
    measure = kpis.factor_prevalence(frame, YEAR, frozenset({"11A"}))
    assert (measure.numerator, measure.denominator) == (sum("11A" in r["factors"] for r in done), len(done))


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
