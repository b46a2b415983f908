import datetime as dt
import random

import numpy as np
import polars as pl
import pytest

from openmash.core import workdays
from openmash.core.calendar import (
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
    working_days_series,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (D(2025, 4, 18), "Good Friday"),
        (D(2025, 4, 21), "Easter Monday"),
        (D(2025, 5, 5), "Early May bank holiday"),
        (D(2020, 5, 8), "VE Day: early May holiday moved in 2020"),
        (D(2022, 6, 2), "Platinum Jubilee: spring holiday moved"),
        (D(2022, 6, 3), "Platinum Jubilee bank holiday"),
        (D(2022, 9, 19), "State funeral of Queen Elizabeth II"),
        (D(2023, 5, 8), "Coronation of King Charles III"),
        (D(2021, 12, 27), "Substitute day for Christmas Day on a Saturday"),
        (D(2021, 12, 28), "Substitute day for Boxing Day on a Sunday"),
        (D(2022, 1, 3), "Substitute day for New Year's Day on a Saturday"),
        (D(2026, 12, 28), "Substitute day for Boxing Day 2026 on a Saturday"),
    ],
)
def test_bank_holidays_in_england_are_not_working_days(day: dt.date, why: str) -> None:
    assert day.weekday() < 5, why
    assert not is_working_day(day), why


def test_scottish_only_holidays_are_working_days_in_england() -> None:
    assert is_working_day(D(2025, 1, 2))  # 2 January is a holiday in Scotland only
    assert is_working_day(D(2025, 11, 28))  # near St Andrew's Day, Scotland only
    assert D(2025, 8, 4) not in bank_holidays(2025)  # Scottish summer holiday


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(D(2025, 3, 1))
    assert not is_working_day(D(2025, 3, 2))
    assert is_working_day(D(2025, 3, 3))


def test_same_day_is_zero_and_next_working_day_is_one() -> None:
    assert working_days_between(D(2025, 3, 3), D(2025, 3, 3)) == 0
    assert working_days_between(D(2025, 3, 7), D(2025, 3, 10)) == 1  # Friday to Monday


def test_christmas_period_skips_bank_holidays_but_not_office_closures() -> None:
    # 24 Dec 2025 (Wed) to 2 Jan 2026: 29, 30, 31 Dec and 2 Jan are working days.
    assert working_days_between(D(2025, 12, 24), D(2026, 1, 2)) == 4


def test_45_working_day_deadline_edges() -> None:
    start = D(2025, 4, 1)
    deadline = add_working_days(start, 45)
    assert working_days_between(start, deadline) == 45
    # Good Friday, Easter Monday, early May and spring bank holidays push it to Monday 9 June.
    assert deadline == D(2025, 6, 9)
    assert working_days_between(start, D(2025, 6, 6)) == 44
    assert working_days_between(start, D(2025, 6, 10)) == 46


def test_negative_when_end_before_start() -> None:
    assert working_days_between(D(2025, 3, 10), D(2025, 3, 7)) == -1


def test_vectorised_forms_agree_with_the_scalar_count() -> None:
    rng = random.Random(7)
    starts = [D(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000)) for _ in range(300)]
    ends = [s + dt.timedelta(days=rng.randrange(-10, 200)) for s in starts]
    expected = [working_days_between(s, e) for s, e in zip(starts, ends, strict=True)]
    arrays = workdays.working_days_between(
        np.array([workdays.day_number(s) for s in starts]), np.array([workdays.day_number(e) for e in ends])
    )
    assert arrays.tolist() == expected
    series = working_days_series(pl.Series(starts), pl.Series(ends))
    assert series.to_list() == expected


def test_series_propagates_missing_dates() -> None:
    result = working_days_series(pl.Series([D(2025, 3, 3), None]), pl.Series([D(2025, 3, 4), D(2025, 3, 4)]))
    assert result.to_list() == [1, None]


def test_adding_working_days_by_the_table_agrees_with_counting_day_by_day() -> None:
    """The table lookup gives the same deadline as walking the calendar, across Christmas, Easter and the
    substitute bank holidays of 2020 to 2023."""

    def walked(start: dt.date, days: int) -> dt.date:
        day = start
        while days:
            day += dt.timedelta(days=1)
            days -= is_working_day(day)
        return day

    start = dt.date(2020, 1, 1)
    while start < dt.date(2024, 1, 1):
        for days in (0, 1, 10, 15, 20, 45):
            assert add_working_days(start, days) == walked(start, days), (start, days)
        start += dt.timedelta(days=1)
