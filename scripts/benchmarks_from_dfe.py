"""Rebuild src/openmash/performance/data/benchmarks.csv from DfE's published CSV files.

A one-off, run by hand when DfE publishes a new year (it is not part of the build or the tests):

    python scripts/benchmarks_from_dfe.py PATH/TO/DFE/CSVS > src/openmash/performance/data/benchmarks.csv

PATH/TO/DFE/CSVS holds the files listed in src/openmash/performance/data/SOURCES.md, unchanged from the
`data-raw/` folder of github.com/dfe-analytical-services/CSC_outcomes_and_enablers. Standard library only.

What it computes, for the years in YEARS:
- England and North West: the published percentages as DfE gives them (C1, D3, D5, CSWW), and rates per 10,000
  computed from the published count and the ONS mid-year estimate of children aged 0-17 for the year before the
  reporting year ends (DfE's convention), so England 2025 referrals 632,830 / 12,183,016 x 10,000 = 519.4.
  England and regional counts are rounded by DfE to the nearest 10. Table C4 publishes counts only, so its
  percentages are computed from them: initial conferences ÷ Section 47 enquiries, and conferences within 15
  working days = the 0-10 and 11-15 day bands ÷ all four bands.
- Statistical neighbours: the simple mean of the figures of COMPARATOR's neighbours in DfE's statistical neighbour
  model 2025 (sn_model_2025_wide.csv) that are published (not suppressed "c"); percentages are each authority's
  published percentage (or, for C4, its own counts), rates are each authority's own count over its own
  population. The same ten neighbours are used for every year. The mean is ours, not a DfE figure.
- Figures that are not in these files (tables C2 and D7) are copied from the Children in need 2025 release in
  PUBLISHED below. The C4 file is optional: without it, the C4 figures published in Children in need 2023 and
  2025 (PUBLISHED_C4) are used instead, for England and the North West only.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

COMPARATOR = "351"  # Bury (E08000002): the demo borough's comparator authority
REGION = "North West"
YEARS = (2023, 2024, 2025)

C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
C3 = "c3_factors_identified_at_end_of_assessment_2018_to_2025.csv"
D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
B1 = "b1_children_in_need_2013_to_2025.csv"
CSWW = "csww_indicators_2017_to_2025.csv"
ONS = "ons_mid-year_population_estimates_2012_to_2024.csv"
SN_MODEL = "sn_model_2025_wide.csv"
C4 = "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv"  # optional: see PUBLISHED_C4

FIELDS = ("indicator_id", "area", "year", "as_at", "value", "numerator", "denominator", "source", "note")

Row = dict[str, str]
# (indicator, source label, file, as_at kind, value column or None for a rate, numerator column, denominator column)
PERCENTS = (
    ("rereferral_rate", "table C1", C1, "year", "rereferral_percent", "rereferral_count", "referral_count"),
    ("referrals_nfa", "table C1", C1, "year", "no_further_action_percent", "no_further_action_count", "referral_count"),
    ("cpp_second_or_subsequent", "table D3", D3, "year", "CPP_subsequent_percent", "CPP_subsequent", "CPP_start"),
    ("cpp_open_two_years", "table D5", D5, "31march", "2_years_or_more_percent", "2_years_or_more", "CPP_At31"),
    ("average_caseload", "workforce census", CSWW, "30sept", "caseload_fte", "cases", "case_holders_fte"),
)
RATES = (
    ("referrals_per_10000", "table C1", C1, "year", "referral_count"),
    ("cse_per_10000", "table C3 (factor 11A)", C3, "year", "Child_sexual_exploitation"),
    ("cin_per_10000", "table B1", B1, "31march", "At31_episodes"),
    ("cpp_per_10000", "table D5 (plans open at 31 March, as table D1)", D5, "31march", "CPP_At31"),
)
C4_RATES = (("s47_per_10000", "table C4", C4, "year", "Section47"),)
# Table C4 publishes counts only: the percentages are ours, from the counts (and, for timeliness, the duration
# bands: within 15 working days = 0-10 and 11-15 days, of conferences with a band).
BANDS = ("Duration_0-10_days", "Duration_11-15_days", "Duration_16-20_days", "Duration_21+_days")
C4_PERCENTS = (
    ("s47_to_icpc", ("ICPC",), ("Section47",), "initial conferences in the year ÷ Section 47 enquiries in the year"),
    (
        "icpc_within_15wd",
        BANDS[:2],
        BANDS,
        "conferences within 15 working days of the enquiry's start ÷ those with a band",
    ),
)

# Published figures not in the files above: DfE Children in need 2025, tables C2, C4 and D7
# (England counts rounded to the nearest 10; the C2 percentage is computed from the published duration bands).
C2_NOTE = "% within 45 working days computed from the published duration bands (same day to 41-45 days)"
PUBLISHED: tuple[Row, ...] = (
    {"indicator_id": "assessments_within_45wd", "area": "England", "year": "2025", "value": "85.7",
     "numerator": "555820", "denominator": "648830", "source": "Children in need 2025, table C2", "note": C2_NOTE},
    {"indicator_id": "assessments_within_45wd", "area": "North West", "year": "2025", "value": "81.9",
     "source": "Children in need 2025, table C2", "note": C2_NOTE},
    {"indicator_id": "cpp_two_years_at_end", "area": "England", "year": "2025", "value": "4.4", "numerator": "2710",
     "denominator": "62300", "source": "Children in need 2025, table D7", "note": "plans ending in the year"},
    {"indicator_id": "cpp_two_years_at_end", "area": "North West", "year": "2025", "value": "4.2",
     "numerator": "410", "denominator": "9660", "source": "Children in need 2025, table D7",
     "note": "plans ending in the year"},
)  # fmt: skip
# Table C4 figures as published in Children in need 2023 and 2025, used only when the C4 file is not in the folder.
PUBLISHED_C4: tuple[Row, ...] = (
    {"indicator_id": "s47_per_10000", "area": "England", "year": "2025", "value": "189.3", "numerator": "230590",
     "denominator": "12183016", "source": "Children in need 2025, table C4; ONS mid-2024 population 0-17",
     "note": "rate computed from the published count and the ONS mid-2024 estimate"},
    {"indicator_id": "s47_per_10000", "area": "North West", "year": "2025", "value": "221.6", "numerator": "36060",
     "denominator": "1627558", "source": "Children in need 2025, table C4; ONS mid-2024 population 0-17",
     "note": "rate computed from the published count and the ONS mid-2024 estimate"},
    {"indicator_id": "s47_to_icpc", "area": "England", "year": "2025", "value": "31.3", "numerator": "72100",
     "denominator": "230590", "source": "Children in need 2025, table C4",
     "note": "initial conferences in the year ÷ Section 47 enquiries in the year (not linked child by child)"},
    {"indicator_id": "s47_to_icpc", "area": "North West", "year": "2025", "value": "32.6",
     "numerator": "11770", "denominator": "36060", "source": "Children in need 2025, table C4",
     "note": "initial conferences in the year ÷ Section 47 enquiries in the year (not linked child by child)"},
    {"indicator_id": "icpc_within_15wd", "area": "England", "year": "2023", "value": "78.5",
     "source": "Children in need 2023, table C4", "note": "from the Section 47 enquiry's start"},
    {"indicator_id": "icpc_within_15wd", "area": "England", "year": "2025", "value": "81.4", "numerator": "58670",
     "denominator": "72090", "source": "Children in need 2025, table C4",
     "note": "from the Section 47 enquiry's start; conferences with a duration band"},
    {"indicator_id": "icpc_within_15wd", "area": "North West", "year": "2025", "value": "76.8",
     "numerator": "9040", "denominator": "11770", "source": "Children in need 2025, table C4",
     "note": "from the Section 47 enquiry's start; conferences with a duration band"},
)  # fmt: skip
PUBLISHED_AS_AT = {
    "assessments_within_45wd": "year",
    "s47_per_10000": "year",
    "s47_to_icpc": "year",
    "icpc_within_15wd": "year",
    "cpp_two_years_at_end": "year",
}


def as_at(kind: str, year: int) -> str:
    return {
        "year": f"year to 31 March {year}",
        "31march": f"31 March {year}",
        "30sept": f"30 September {year}",
    }[kind]


def read(folder: Path, name: str) -> list[Row]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def number(text: str) -> float | None:
    """A published cell as a number, or None when suppressed or not available (c, z, x, :, u, blank)."""
    try:
        return float(text)
    except ValueError:
        return None


def fmt(value: float) -> str:
    return f"{value:.1f}"


def count(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else fmt(value)


class Areas:
    """Rows of one file by (year, England / region name / old LA code)."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows: dict[tuple[int, str], Row] = {}
        for row in rows:
            if row["time_identifier"] != "Reporting year":
                continue
            level = row["geographic_level"]
            key = {"National": "England", "Regional": row["region_name"], "Local authority": row["old_la_code"]}
            if level in key:
                self.rows[(int(row["time_period"]), key[level])] = row

    def get(self, year: int, area: str) -> Row | None:
        return self.rows.get((year, area))


def neighbours(folder: Path) -> list[str]:
    row = next(r for r in read(folder, SN_MODEL) if r["old_la_code"] == COMPARATOR)
    return [row[f"SN_{i}"] for i in range(1, 11)]


def sn_mean(values: list[float | None], label: str) -> tuple[str, str] | None:
    shown = [v for v in values if v is not None]
    if not shown:
        return None
    note = (
        f"simple mean of the {len(shown)} of {len(values)} statistical neighbours with a published figure "
        f"(DfE statistical neighbour model 2025, neighbours of Bury, LA {COMPARATOR}); {label}; not a DfE figure"
    )
    return fmt(sum(shown) / len(shown)), note


def rows(folder: Path) -> Iterator[Row]:
    sn = neighbours(folder)
    population = Areas(read(folder, ONS))

    def pop(year: int, area: str) -> float | None:
        row = population.get(year - 1, area)
        return number(row["population_estimate"]) if row else None

    def emit(indicator: str, area: str, year: int, kind: str, value: str, num: str, den: str, source: str,
             note: str) -> Row:  # fmt: skip
        return {"indicator_id": indicator, "area": area, "year": str(year), "as_at": as_at(kind, year),
                "value": value, "numerator": num, "denominator": den, "source": source, "note": note}  # fmt: skip

    for indicator, table, name, kind, value_col, num_col, den_col in PERCENTS:
        data = Areas(read(folder, name))
        source = f"DfE {table}; {name}"
        for year in YEARS:
            for area in ("England", REGION):
                row = data.get(year, area)
                if row is None or number(row[value_col]) is None:
                    continue
                note = (
                    "cases held ÷ case holders' full-time equivalent, as published"
                    if kind == "30sept"
                    else "percentage as published; counts rounded by DfE to the nearest 10"
                )
                yield emit(indicator, area, year, kind, fmt(float(row[value_col])), count(number(row[num_col])),
                           count(number(row[den_col])), source, note)  # fmt: skip
            figures = [number(r[value_col]) if (r := data.get(year, la)) else None for la in sn]
            if mean := sn_mean(figures, "each authority's published figure"):
                yield emit(indicator, "Statistical neighbours", year, kind, mean[0], "", "", source, mean[1])

    rates = RATES
    published_rows = PUBLISHED
    if (folder / C4).exists():
        rates += C4_RATES
        yield from c4_percents(folder, sn, emit)
    else:
        published_rows += PUBLISHED_C4

    for indicator, table, name, kind, count_col in rates:
        data = Areas(read(folder, name))
        for year in YEARS:
            source = f"DfE {table}; ONS mid-{year - 1} population aged 0-17; {name}; {ONS}"
            for area in ("England", REGION):
                row, children = data.get(year, area), pop(year, area)
                n = number(row[count_col]) if row else None
                if n is None or children is None:
                    continue
                note = (
                    f"rate computed from the published count (rounded to the nearest 10), ONS mid-{year - 1} estimate"
                )
                rate = fmt(n / children * 10000)
                yield emit(indicator, area, year, kind, rate, count(n), count(children), source, note)
            figures = []
            for la in sn:
                row, children = data.get(year, la), pop(year, la)
                n = number(row[count_col]) if row else None
                figures.append(n / children * 10000 if n is not None and children else None)
            if mean := sn_mean(figures, "each authority's count over its own population"):
                yield emit(indicator, "Statistical neighbours", year, kind, mean[0], "", "", source, mean[1])

    for published in published_rows:
        year = int(published["year"])
        yield {
            **dict.fromkeys(FIELDS, ""),
            **published,
            "as_at": as_at(PUBLISHED_AS_AT[published["indicator_id"]], year),
        }


def c4_percents(folder: Path, sn: list[str], emit: Callable[..., Row]) -> Iterator[Row]:
    data = Areas(read(folder, C4))
    source = f"DfE table C4; {C4}"

    def ratio(row: Row | None, num_cols: tuple[str, ...], den_cols: tuple[str, ...]) -> tuple[float, float] | None:
        if row is None:
            return None
        nums, dens = [number(row[c]) for c in num_cols], [number(row[c]) for c in den_cols]
        if None in nums or None in dens or not sum(d for d in dens if d is not None):
            return None
        return sum(n for n in nums if n is not None), sum(d for d in dens if d is not None)

    for indicator, num_cols, den_cols, what in C4_PERCENTS:
        for year in YEARS:
            for area in ("England", REGION):
                if found := ratio(data.get(year, area), num_cols, den_cols):
                    n, d = found
                    note = f"{what}; computed from the published counts (rounded by DfE to the nearest 10)"
                    yield emit(indicator, area, year, "year", fmt(n / d * 100), count(n), count(d), source, note)
            figures = [
                (f[0] / f[1] * 100 if (f := ratio(data.get(year, la), num_cols, den_cols)) else None) for la in sn
            ]
            if mean := sn_mean(figures, f"{what}, each authority's from its own counts"):
                yield emit(indicator, "Statistical neighbours", year, "year", mean[0], "", "", source, mean[1])


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = csv.DictWriter(sys.stdout, FIELDS, lineterminator="\n")
    out.writeheader()
    order: Callable[[Row], tuple[str, int, int]] = lambda r: (  # noqa: E731
        r["indicator_id"],
        ["England", REGION, "Statistical neighbours"].index(r["area"]),
        int(r["year"]),
    )
    out.writerows(sorted(rows(Path(argv[1])), key=order))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
