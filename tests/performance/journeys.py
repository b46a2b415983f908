"""Made-up journeys to check the KPIs on: a seeded borough of a few hundred children, and a Hypothesis
strategy that builds small journeys with dates on and around the edges the definitions care about
(31 March and 1 April, the turn of each quarter, 29 February, exactly 12 months, 3 and 6 months and
2 years apart, 15 and 45 working days)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from typing import Any

import polars as pl
from hypothesis import strategies as st

from openmash.journey.schema import conform, empty_events
from openmash.performance.periods import Period

from .reference import months_after

D = dt.date
Row = dict[str, Any]

FACTORS = ["21", "3A", "3B", "3C", "4B", "11A", "1B"]
CATEGORIES = ["NEG", "PHY", "SAB", "EMO", "MUL"]
# Reporting years the checks are run for (2025 is 1 April 2024 to 31 March 2025).
YEARS = [2024, 2025, 2026]
# Periods of reporting year 2025 other than the whole year: its quarters, and a quarter and the year
# cut short at an as-of date inside them.
PARTS_OF_2025 = [
    *(Period(2025, quarter) for quarter in (1, 2, 3, 4)),
    Period(2025, 3, as_of=D(2024, 11, 15)),
    Period(2025, as_of=D(2025, 1, 31)),
]


def events(rows: list[Row]) -> pl.DataFrame:
    return conform(pl.from_dicts(rows, infer_schema_length=None)) if rows else empty_events()


def _reviews(
    rng: random.Random, child: int, episode: int, start: dt.date, end: dt.date, ids: Iterator[int]
) -> Iterator[Row]:
    """Review conferences of a plan from `start` until `end`: most on time (a little before the first is
    due at three months, each later one at six), some late, and some plans no longer reviewed."""
    previous, months = start, 3
    while rng.random() < 0.9:
        review = months_after(previous, months) + dt.timedelta(days=rng.choice([-20, -3, 0, 0, 0, 1, 15]))
        if review >= end:
            return
        yield {
            "event_type": "cp_review",
            "event_date": review,
            "start_date": start,
            "child_id": child,
            "episode_id": episode,
            "source_id": next(ids),
        }
        previous, months = review, 6


def seeded_rows(seed: int, children: int = 300) -> Iterator[Row]:
    """A few hundred children with repeated referrals (most closed in time), several assessments per
    episode, contacts, Section 47 enquiries, conferences and plans with their reviews, spread over four
    reporting years."""
    rng = random.Random(seed)
    ids = itertools.count(1)
    for child in range(children):
        day = D(2022, 1, 1) + dt.timedelta(days=rng.randrange(200))
        previous_plans = 0
        while day < D(2025, 9, 1):
            for _ in range(rng.choice([1, 1, 2, 3])):  # most referrals follow a contact or more
                yield {
                    "event_type": "contact",
                    "event_date": day - dt.timedelta(days=rng.randrange(3)),
                    "child_id": child,
                    "source_id": next(ids),
                }
            episode = next(ids)
            referred = day
            yield {
                "event_type": "referral",
                "event_date": day,
                "child_id": child,
                "episode_id": episode,
                "source_id": episode,
                "flag": rng.random() < 0.1,
            }
            if rng.random() < 0.05:  # a same-day duplicate referral
                yield {
                    "event_type": "referral",
                    "event_date": day,
                    "child_id": child,
                    "episode_id": episode,
                    "source_id": next(ids),
                    "flag": rng.random() < 0.5,
                }
            start = day + dt.timedelta(days=rng.randrange(5))
            auth = start
            for _ in range(rng.choice([1, 1, 1, 2, 3])):  # re-assessments within one episode
                start = auth + dt.timedelta(days=rng.randrange(3))
                auth = start + dt.timedelta(days=rng.randrange(0, 90))
                yield {
                    "event_type": "assessment_authorised",
                    "event_date": auth,
                    "start_date": start,
                    "child_id": child,
                    "source_id": next(ids),
                    "episode_id": episode,
                    "factors": rng.sample(FACTORS, rng.choice([0, 1, 2, 2, 3])),
                }
            if rng.random() < 0.4:
                s47 = next(ids)
                s47_day = day + dt.timedelta(days=rng.randrange(10))
                yield {
                    "event_type": "s47_start",
                    "event_date": s47_day,
                    "child_id": child,
                    "episode_id": episode,
                    "source_id": s47,
                }
                if rng.random() < 0.6:
                    yield {
                        "event_type": "icpc",
                        "event_date": s47_day + dt.timedelta(days=rng.randrange(5, 30)),
                        "start_date": s47_day,
                        "child_id": child,
                        "episode_id": episode,
                        "source_id": s47,
                    }
            closed = auth + dt.timedelta(days=rng.randrange(0, 200))
            if rng.random() < 0.3:
                plan = next(ids)
                plan_start = auth
                plan_end = plan_start + dt.timedelta(days=rng.choice([60, 300, 700, 730, 731, 800, 1100]))
                yield {
                    "event_type": "cp_plan_start",
                    "event_date": plan_start,
                    "child_id": child,
                    "episode_id": episode,
                    "source_id": plan,
                    "previous_plans": previous_plans,
                    "code": rng.choice(CATEGORIES),
                }
                yield from _reviews(rng, child, episode, plan_start, plan_end, ids)
                yield {
                    "event_type": "cp_plan_end",
                    "event_date": plan_end,
                    "start_date": plan_start,
                    "child_id": child,
                    "episode_id": episode,
                    "source_id": plan,
                }
                previous_plans += 1
                day = closed = plan_end
            if rng.random() < 0.9:  # some cases are left open
                yield {
                    "event_type": "referral_closed",
                    "event_date": closed,
                    "start_date": referred,
                    "child_id": child,
                    "episode_id": episode,
                    "source_id": episode,
                }
            day += dt.timedelta(days=rng.choice([30, 200, 364, 365, 366, 500]))


# Dates where the definitions change their answer: year and quarter ends and starts, leap days, and days
# exactly 12 months, 3 months or 2 years from each other.
EDGE_DATES = [
    D(2022, 3, 31),
    D(2022, 4, 1),
    D(2023, 3, 31),
    D(2023, 4, 1),
    D(2023, 6, 15),
    D(2024, 2, 28),
    D(2024, 2, 29),
    D(2024, 3, 1),
    D(2024, 3, 31),
    D(2024, 4, 1),
    D(2024, 6, 15),
    D(2024, 6, 16),
    D(2024, 6, 30),
    D(2024, 7, 1),
    D(2024, 9, 30),
    D(2024, 10, 1),
    D(2024, 12, 31),
    D(2025, 1, 1),
    D(2025, 3, 31),
    D(2025, 4, 1),
    D(2026, 2, 28),
    D(2026, 3, 31),
]
dates = st.one_of(st.sampled_from(EDGE_DATES), st.dates(D(2021, 1, 1), D(2026, 6, 30)))
# Days between two events: 14 to 25 covers the 15-working-day edge, 44 to 80 the 45-working-day one,
# 729 to 731 the two-year one.
gaps = st.one_of(
    st.integers(0, 10),
    st.integers(14, 25),
    st.integers(44, 80),
    st.integers(364, 367),
    st.integers(729, 731),
    st.integers(0, 900),
)
# A review conference this many days from the day it is due (3 months after the plan starts, then 6
# months after the last review): on the day, just either side, or well before or after.
review_slips = st.one_of(st.sampled_from([-1, 0, 0, 1]), st.integers(-60, 40))
# Any period of the years checked: a reporting year or a quarter, whole or cut short at an as-of date.
periods = st.builds(
    Period,
    year=st.sampled_from(YEARS),
    quarter=st.none() | st.integers(1, 4),
    as_of=st.none() | dates,
)


@st.composite
def journeys(draw: st.DrawFn) -> list[Row]:
    """Events for up to five children, each with contacts and up to three referrals (episodes), whose
    assessments, Section 47 enquiries, conferences, plans, reviews and closures follow the referral."""
    rows: list[Row] = []
    ids = itertools.count(1)
    for child in range(draw(st.integers(0, 5))):
        last_plan_end: dt.date | None = None
        for _ in range(draw(st.integers(0, 2))):
            rows.append({"event_type": "contact", "event_date": draw(dates), "child_id": child, "source_id": next(ids)})
        for _ in range(draw(st.integers(0, 3))):
            referred = draw(dates)
            episode = next(ids)
            for n in range(draw(st.sampled_from([1, 1, 1, 2]))):  # a second row is a same-day duplicate
                rows.append(
                    {
                        "event_type": "referral",
                        "event_date": referred,
                        "child_id": child,
                        "episode_id": episode,
                        "source_id": episode if n == 0 else next(ids),
                        "flag": draw(st.none() | st.booleans()),
                    }
                )
            for _ in range(draw(st.integers(0, 3))):
                start = referred + dt.timedelta(days=draw(st.integers(0, 10)))
                rows.append(
                    {
                        "event_type": "assessment_authorised",
                        "event_date": start + dt.timedelta(days=draw(gaps)),
                        "start_date": draw(st.sampled_from([start, start, start, None])),
                        "child_id": child,
                        "episode_id": episode,
                        "source_id": next(ids),
                        "factors": draw(st.none() | st.lists(st.sampled_from(FACTORS), max_size=3, unique=True)),
                    }
                )
            if draw(st.booleans()):
                s47 = next(ids)
                s47_day = referred + dt.timedelta(days=draw(st.integers(0, 20)))
                rows.append(
                    {
                        "event_type": "s47_start",
                        "event_date": s47_day,
                        "child_id": child,
                        "episode_id": episode,
                        "source_id": s47,
                    }
                )
                if draw(st.booleans()):
                    rows.append(
                        {
                            "event_type": "icpc",
                            # Now and then dated before the enquiry: no valid duration.
                            "event_date": s47_day + dt.timedelta(days=draw(gaps | st.integers(-3, -1))),
                            "start_date": s47_day,
                            "child_id": child,
                            "episode_id": episode,
                            "source_id": s47,
                        }
                    )
            if draw(st.booleans()):
                plan = next(ids)
                # A later plan often starts a set time after the child's previous plan ended.
                after_last = last_plan_end is not None and draw(st.booleans())
                plan_start = last_plan_end + dt.timedelta(days=draw(gaps)) if after_last else draw(dates)
                rows.append(
                    {
                        "event_type": "cp_plan_start",
                        "event_date": plan_start,
                        "child_id": child,
                        "episode_id": episode,
                        "source_id": plan,
                        "previous_plans": draw(st.none() | st.integers(0, 3)),
                        "code": draw(st.none() | st.sampled_from(CATEGORIES)),
                    }
                )
                previous, months = plan_start, 3
                for _ in range(draw(st.integers(0, 3))):
                    previous = months_after(previous, months) + dt.timedelta(days=draw(review_slips))
                    months = 6
                    rows.append(
                        {
                            "event_type": "cp_review",
                            "event_date": previous,
                            "start_date": plan_start,
                            "child_id": child,
                            "episode_id": episode,
                            "source_id": next(ids),
                        }
                    )
                if draw(st.booleans()):
                    plan_end = plan_start + dt.timedelta(days=draw(gaps))
                    last_plan_end = plan_end if last_plan_end is None else max(last_plan_end, plan_end)
                    rows.append(
                        {
                            "event_type": "cp_plan_end",
                            "event_date": plan_end,
                            "start_date": plan_start,
                            "child_id": child,
                            "episode_id": episode,
                            "source_id": plan,
                        }
                    )
            if draw(st.booleans()):
                rows.append(
                    {
                        "event_type": "referral_closed",
                        "event_date": referred + dt.timedelta(days=draw(gaps)),
                        "start_date": referred,
                        "child_id": child,
                        "episode_id": episode,
                        "source_id": episode,
                    }
                )
    return rows
