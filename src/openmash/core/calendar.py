"""Working days in England, for every statutory timescale.

Bank holidays come from the `holidays` package (United Kingdom, England subdivision), which
includes substitute days and one-off holidays such as state funerals and coronations. Weekends
are never working days. Local office closures are deliberately not excluded: DfE counts
timescales against bank holidays only.

Counting convention (used everywhere, see docs/kpis.md): the working-day *duration* from a start
date to an end date is the number of working days after the start date up to and including the
end date, so an assessment started and authorised on the same day has a duration of 0. This
matches the DfE "same day" duration band. An assessment is within 45 working days when its
duration is at most 45.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
import numpy as np
import polars as pl

from openmash.core import workdays


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holidays(year: int) -> list[dt.date]:
    """Bank holidays in England in a calendar year, sorted."""
    return sorted(_bank_holidays(year))


def is_bank_holiday(day: dt.date) -> bool:
    return day in _bank_holidays(day.year)


@cache
def _bank_holiday_names(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year).items())


def bank_holiday_name(day: dt.date) -> str | None:
    """The bank holiday's name ("Spring Bank Holiday"), or None on any other day."""
    return _bank_holiday_names(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (same day = 0).

    Negative when `end` is before `start`, so callers can spot impossible orderings.
    """
    if workdays.FIRST <= start <= workdays.LAST and workdays.FIRST <= end <= workdays.LAST:
        return int(
            workdays.working_days_between(np.array([workdays.day_number(start)]), np.array([workdays.day_number(end)]))[
                0
            ]
        )
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return sign * count


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (the deadline for a timescale of that length).

    add_working_days(d, 45) is the last date on which an assessment started on d is in time.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    # The precomputed table answers in one lookup (a tray of hundreds of children asks hundreds of times);
    # the margin keeps the answer inside the table, whose end the day-by-day walk below goes past.
    if start >= workdays.FIRST and start + dt.timedelta(days=2 * days + 31) <= workdays.LAST:
        return workdays.add_working_days_to(start, days)
    day = start
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_series(start: pl.Series, end: pl.Series) -> pl.Series:
    """Vectorised `working_days_between` over two Polars Date series; null where either is null."""
    # Polars dates are day numbers since 1970-01-01, like the table's.
    cum = pl.Series("cum", workdays.cumulative_table(), dtype=pl.Int32)
    s = start.cast(pl.Int32) - workdays.day_number(workdays.FIRST)
    e = end.cast(pl.Int32) - workdays.day_number(workdays.FIRST)
    valid = s.is_not_null() & e.is_not_null()
    if valid.any():
        lo = min(s.filter(valid).min(), e.filter(valid).min())  # type: ignore[type-var]
        hi = max(s.filter(valid).max(), e.filter(valid).max())  # type: ignore[type-var]
        if lo < 0 or hi >= len(cum):  # type: ignore[operator]
            raise ValueError(f"dates must lie between {workdays.FIRST} and {workdays.LAST}")
    result = cum.gather(e.fill_null(0)) - cum.gather(s.fill_null(0))
    return pl.select(pl.when(valid).then(result).otherwise(None)).to_series().rename("working_days")
