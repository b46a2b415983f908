"""Published comparators shown beside each indicator: England, the North West and statistical neighbours.

The figures are in `data/benchmarks.csv`, one row per indicator, area and year, with the source table and file
and a note on how each was made; `data/SOURCES.md` gives every file, its address and its licence (Crown
copyright, Open Government Licence v3.0). In short:

- DfE *Children in need* (tables B1, C1, C2, C3, C4, D3, D5, D7) for the reporting year ending 31 March, and DfE
  *Children's social work workforce* for the caseload on 30 September of the year.
- Percentages are DfE's published ones (table C4 publishes counts only: its percentages are computed from them);
  England and regional counts are rounded by DfE to the nearest 10.
- Rates per 10,000 are the published count over the ONS mid-year estimate of children aged 0-17 for the year
  before the reporting year ends, as the indicators here compute them.
- "Statistical neighbours" is the simple mean of the published figures of the ten neighbours of Bury (LA 351, the
  demo borough's comparator authority) in DfE's statistical neighbour model 2025, leaving out suppressed ones.
  It is not a DfE figure.

`scripts/benchmarks_from_dfe.py` rebuilds the file from DfE's CSV files when a new year is published.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

AREAS = ("England", "North West", "Statistical neighbours")

# Why an indicator has no published comparator, for the indicators that have none.
NOT_PUBLISHED: dict[str, str] = {
    "assessments_within_45wd_from_referral": "DfE publishes assessment timeliness from the assessment's start only.",
    "contacts": "Contacts are not collected nationally.",
    "contact_conversion": "Contacts are not collected nationally.",
    "domestic_abuse_at_assessment": (
        "DfE table C3 counts each domestic abuse factor (3A, 3B, 3C) separately; one assessment can record more "
        "than one, so they cannot be added up without counting some twice."
    ),
    "cpp_second_within_two_years": "A local measure: DfE does not publish it.",
    "cp_reviews_in_timescale": "Not in DfE's current releases (last published for England in 2015).",
    "mash_decided_within_one_working_day": "A local front-door measure: not collected nationally.",
    "mash_decided_within_rag": "A local front-door measure: not collected nationally.",
    "mash_contacts_nfa": "A local front-door measure: not collected nationally.",
    "mash_recontact_within_12_months": "A local front-door measure: not collected nationally.",
    "mash_referrer_satisfaction": "A local front-door measure: not collected nationally.",
}


@dataclass(frozen=True)
class Benchmark:
    """One published comparator for one indicator.

    `year` is the DfE reporting year ending 31 March (2025 = April 2024 to March 2025), or for the workforce
    census the year of its 30 September snapshot; `as_at` says which in words ("year to 31 March 2025",
    "31 March 2025", "30 September 2025"). `numerator` and `denominator` are None where not published (always for
    statistical neighbours, whose figure is a mean).
    """

    indicator_id: str
    area: str
    year: int
    as_at: str
    value: float
    numerator: float | None
    denominator: float | None
    source: str
    note: str

    @property
    def label(self) -> str:
        """The area with its date, as shown beside a figure: "England, year to 31 March 2025"."""
        return f"{self.area}, {self.as_at}"


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@functools.cache
def _rows() -> dict[str, tuple[Benchmark, ...]]:
    """Every row of data/benchmarks.csv by indicator, read once."""
    by_indicator: dict[str, list[Benchmark]] = {}
    text = (resources.files("openmash.performance") / "data" / "benchmarks.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(text.splitlines()):
        value = _number(row["value"])
        if value is None:
            raise ValueError(f"benchmarks.csv: no value for {row['indicator_id']} {row['area']} {row['year']}")
        if row["area"] not in AREAS:
            raise ValueError(f"benchmarks.csv: unknown area {row['area']!r}")
        by_indicator.setdefault(row["indicator_id"], []).append(
            Benchmark(
                indicator_id=row["indicator_id"],
                area=row["area"],
                year=int(row["year"]),
                as_at=row["as_at"],
                value=value,
                numerator=_number(row["numerator"]),
                denominator=_number(row["denominator"]),
                source=row["source"],
                note=row["note"],
            )
        )
    return {k: tuple(sorted(v, key=lambda b: (AREAS.index(b.area), b.year))) for k, v in by_indicator.items()}


def all_benchmarks() -> tuple[Benchmark, ...]:
    """Every published comparator, by indicator, area (England, North West, statistical neighbours) and year."""
    return tuple(b for rows in _rows().values() for b in rows)


def comparators(indicator_id: str, year: int) -> list[Benchmark]:
    """England, North West and statistical neighbours for the indicator, in that order, each for the latest year
    published at or before `year` (a 2027 scorecard shows the 2025 figures, labelled with their year).

    An area with nothing published by then is left out; an indicator with no comparators gives [] (see
    NOT_PUBLISHED for why).
    """
    rows = _rows().get(indicator_id, ())
    found = []
    for area in AREAS:
        earlier = [b for b in rows if b.area == area and b.year <= year]
        if earlier:
            found.append(max(earlier, key=lambda b: b.year))
    return found


def england_series(indicator_id: str) -> list[Benchmark]:
    """England's published figures for the indicator, oldest year first, for a trend line."""
    return [b for b in _rows().get(indicator_id, ()) if b.area == "England"]
