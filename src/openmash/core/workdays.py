"""Working days over numpy arrays of day numbers (days since 1970-01-01).

The one working-day table of the project: `openmash.core.calendar` answers single dates and Polars
series from it, and the KPI engine and the synthetic borough use these array forms, so millions of
dates cost microseconds. The convention is the calendar's: weekends and England bank holidays are not
working days, and the duration from a start to an end counts the working days after the start up to
and including the end.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np

EPOCH = dt.date(1970, 1, 1)
# The span the tables cover; the simulation refuses dates outside it.
FIRST = dt.date(1980, 1, 1)
LAST = dt.date(2070, 12, 31)
_BASE = (FIRST - EPOCH).days


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def to_date(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


@cache
def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per day from FIRST to LAST: working flag, cumulative working days up to and including it; and
    the index of every working day (so the k-th working day is a single lookup)."""
    from openmash.core.calendar import bank_holidays  # the calendar imports this module

    n = (LAST - FIRST).days + 1
    numbers = np.arange(n, dtype=np.int64) + _BASE
    weekday = (numbers + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    working = weekday < 5
    for year in range(FIRST.year, LAST.year + 1):
        for holiday in bank_holidays(year):
            working[(holiday - FIRST).days] = False
    cum = np.cumsum(working, dtype=np.int64)
    return working, cum, np.flatnonzero(working)


def cumulative_table() -> np.ndarray:
    """cum[i] = working days from FIRST up to and including FIRST + i days."""
    return _tables()[1]


def _index(days: np.ndarray) -> np.ndarray:
    idx = np.asarray(days, dtype=np.int64) - _BASE
    if idx.size and (idx.min() < 0 or idx.max() >= len(_tables()[1])):
        raise ValueError(f"dates must lie between {FIRST} and {LAST}")
    return idx


def is_working(days: np.ndarray) -> np.ndarray:
    return _tables()[0][_index(days)]


def working_days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    cum = _tables()[1]
    return cum[_index(end)] - cum[_index(start)]


def _kth_working_day(k: np.ndarray) -> np.ndarray:
    """Day number of the k-th working day of the table (k counts from 1)."""
    positions = _tables()[2]
    return positions[np.clip(k - 1, 0, positions.size - 1)] + _BASE


def add_working_days(start: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """The day `n` working days after each start (n = 0 gives the start itself)."""
    cum = _tables()[1]
    idx = _index(start)
    steps = np.broadcast_to(np.asarray(n, dtype=np.int64), idx.shape)
    return np.where(steps > 0, _kth_working_day(cum[idx] + steps), idx + _BASE)


def add_working_days_to(day: dt.date, n: int) -> dt.date:
    """`add_working_days` for one date, without building arrays (a few microseconds rather than a hundred)."""
    if n <= 0:
        return day
    _working, cum, positions = _tables()
    idx = (day - FIRST).days
    if not 0 <= idx < len(cum):
        raise ValueError(f"dates must lie between {FIRST} and {LAST}")
    k = int(cum[idx]) + n
    if k > len(positions):
        raise ValueError(f"dates must lie between {FIRST} and {LAST}")
    return FIRST + dt.timedelta(days=int(positions[k - 1]))


def next_working_day(days: np.ndarray) -> np.ndarray:
    """The day itself when it is a working day, else the next working day."""
    working, cum, _ = _tables()
    idx = _index(days)
    return np.where(working[idx], idx + _BASE, _kth_working_day(cum[idx] + 1))


def latest_start_for(end: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The latest working day from which `n` working days still end on or before `end`."""
    cum = _tables()[1]
    idx = _index(end)
    return _kth_working_day(np.maximum(cum[idx] - np.asarray(n, dtype=np.int64), 1))


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Calendar years later; 29 February falls back to 28 February (as openmash.core.dates)."""
    return add_months(days, 12 * years)


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Calendar months later, clamped to the month's last day (as openmash.core.dates)."""
    as_dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    month = as_dates.astype("datetime64[M]")
    day_in_month = (as_dates - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return (target.astype("datetime64[D]") + np.minimum(day_in_month, length - 1)).astype(np.int64)


def last_working_day_by(days: np.ndarray) -> np.ndarray:
    """The day itself when it is a working day, else the working day before it."""
    return latest_start_for(days, np.zeros(np.asarray(days).shape, dtype=np.int64))


def weekday(days: np.ndarray) -> np.ndarray:
    return (np.asarray(days, dtype=np.int64) + 3) % 7
