"""Date helpers shared by services, KPIs and returns."""

from __future__ import annotations

import datetime as dt


def long_date(day: dt.date) -> str:
    """GOV.UK style: 3 March 2025."""
    return f"{day.day} {day:%B %Y}"


def add_years(day: dt.date, years: int) -> dt.date:
    """Calendar years later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def reporting_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """DfE reporting year `year` runs 1 April (year - 1) to 31 March (year)."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def reporting_year_of(day: dt.date) -> int:
    return day.year + 1 if day.month >= 4 else day.year
