"""Reporting periods: DfE reporting years (1 April to 31 March) and their quarters.

A period can be read "as at" a day inside it: its figures then stop at that day, as a quarter still
running does. Quarter 1 of reporting year 2025 is April to June 2024; quarter 4 is January to March 2025.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from openmash.core.dates import add_months, long_date, reporting_year_bounds, reporting_year_of

Kind = Literal["quarter", "year"]
_KEY = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A reporting year (quarter None) or one of its quarters, possibly cut short at `end`."""

    year: int  # the DfE reporting year: 2025 is 1 April 2024 to 31 March 2025
    quarter: int | None = None
    as_of: dt.date | None = None  # figures stop at this day, when it falls inside the period

    @classmethod
    def reporting_year(cls, year: int) -> Period:
        return cls(year)

    @classmethod
    def containing(cls, day: dt.date, kind: Kind = "quarter") -> Period:
        year = reporting_year_of(day)
        if kind == "year":
            return cls(year)
        start, _ = reporting_year_bounds(year)
        return cls(year, (day.month - start.month) % 12 // 3 + 1)

    @classmethod
    def parse(cls, key: str) -> Period:
        """From a key such as "2025" (a reporting year) or "2025-Q3"; ValueError if it is not one."""
        match = _KEY.match(key.strip())
        if not match:
            raise ValueError("Choose a reporting year such as 2025 or a quarter such as 2025-Q3")
        year = int(match["year"])
        if not 2000 <= year <= 2100:
            raise ValueError("Choose a reporting year between 2000 and 2100")
        quarter = match["quarter"]
        return cls(year, int(quarter) if quarter else None)

    @property
    def kind(self) -> Kind:
        return "year" if self.quarter is None else "quarter"

    @property
    def key(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> dt.date:
        first, _ = reporting_year_bounds(self.year)
        return first if self.quarter is None else add_months(first, 3 * (self.quarter - 1))

    @property
    def full_end(self) -> dt.date:
        """The period's last day, whatever the as-of date."""
        _, last = reporting_year_bounds(self.year)
        if self.quarter is None:
            return last
        return add_months(self.start, 3) - dt.timedelta(days=1)

    @property
    def end(self) -> dt.date:
        """The last day the figures cover: the period's end, or the as-of date if that is earlier."""
        if self.as_of is not None and self.as_of < self.full_end:
            return max(self.as_of, self.start - dt.timedelta(days=1))
        return self.full_end

    @property
    def is_complete(self) -> bool:
        return self.end == self.full_end

    @property
    def census_day(self) -> dt.date:
        """The workforce census day: 30 September for a reporting year (DfE CSWW); a quarter's last day."""
        if self.quarter is None:
            day = dt.date(self.year - 1, 9, 30)
            return day if self.as_of is None or day <= self.as_of else self.end
        return self.end

    def at(self, as_of: dt.date | None) -> Period:
        return Period(self.year, self.quarter, as_of)

    def previous(self, steps: int = 1) -> Period:
        """The period `steps` before this one, of the same kind, complete."""
        if self.quarter is None:
            return Period(self.year - steps)
        index = self.year * 4 + (self.quarter - 1) - steps
        return Period(index // 4, index % 4 + 1)

    @property
    def label(self) -> str:
        """'April to June 2024' or '2024 to 2025' (GOV.UK style)."""
        if self.quarter is None:
            return f"{self.year - 1} to {self.year}"
        return f"{self.start:%B} to {self.full_end:%B %Y}"

    @property
    def short_label(self) -> str:
        if self.quarter is None:
            return f"{self.year - 1}-{self.year % 100:02d}"
        return f"Q{self.quarter} {self.year - 1}-{self.year % 100:02d}"

    @property
    def span(self) -> str:
        """The days covered, in words."""
        return f"{long_date(self.start)} to {long_date(self.end)}"


@dataclass(frozen=True)
class Span:
    """Any run of days, such as the 12 months to a quarter's end (for rates compared with annual figures)."""

    start: dt.date
    end: dt.date

    @classmethod
    def year_to(cls, end: dt.date) -> Span:
        """The 12 months ending on `end`."""
        return cls(add_months(end + dt.timedelta(days=1), -12), end)


def trailing(period: Period, count: int) -> list[Period]:
    """The `count` periods ending with `period` (its own as-of date kept), oldest first."""
    earlier = [period.previous(n) for n in range(count - 1, 0, -1)]
    return [*earlier, period]
