"""The published comparators beside each indicator: England, North West and statistical neighbours.

The expected figures are copied from DfE's releases as quoted in the KPI reference notes (Children in need
2023-2025 tables C1-D7, Children's social work workforce), and the statistical-neighbour means from the notes'
own table for Bury's 2025 neighbours, so a wrong row in data/benchmarks.csv fails here."""

from __future__ import annotations

import pytest

from openmash.performance import benchmarks, registry
from openmash.performance.benchmarks import (
    AREAS,
    NOT_PUBLISHED,
    Benchmark,
    all_benchmarks,
    comparators,
    england_series,
)

E, NW, SN = AREAS


@pytest.mark.parametrize(
    ("indicator", "area", "year", "value"),
    [
        ("rereferral_rate", E, 2025, 22.6),
        ("rereferral_rate", E, 2024, 22.4),
        ("rereferral_rate", E, 2023, 22.4),
        ("rereferral_rate", NW, 2025, 21.7),
        ("rereferral_rate", SN, 2025, 22.9),
        ("referrals_per_10000", E, 2025, 519.4),
        ("referrals_per_10000", NW, 2025, 529.1),
        ("referrals_per_10000", SN, 2025, 555.8),
        ("referrals_nfa", E, 2025, 6.5),
        ("referrals_nfa", NW, 2025, 5.1),
        ("referrals_nfa", SN, 2025, 3.2),
        ("assessments_within_45wd", E, 2025, 85.7),
        ("assessments_within_45wd", NW, 2025, 81.9),
        ("cse_per_10000", E, 2023, 12.6),
        ("cse_per_10000", E, 2024, 11.5),
        ("cse_per_10000", E, 2025, 10.2),
        ("cse_per_10000", NW, 2023, 14.4),
        ("cse_per_10000", NW, 2025, 13.0),
        ("cin_per_10000", E, 2025, 330.3),
        ("cin_per_10000", NW, 2025, 383.7),
        ("cin_per_10000", SN, 2025, 338.3),
        ("s47_per_10000", E, 2025, 189.3),
        ("s47_per_10000", NW, 2025, 221.6),
        ("s47_to_icpc", E, 2025, 31.3),
        ("s47_to_icpc", NW, 2025, 32.6),
        ("icpc_within_15wd", E, 2023, 78.5),
        ("icpc_within_15wd", E, 2025, 81.4),
        ("icpc_within_15wd", NW, 2025, 76.8),
        ("cpp_per_10000", E, 2025, 40.6),
        ("cpp_per_10000", NW, 2025, 50.9),
        ("cpp_per_10000", SN, 2025, 36.8),
        ("cpp_second_or_subsequent", E, 2025, 24.5),
        ("cpp_second_or_subsequent", E, 2024, 24.7),
        ("cpp_second_or_subsequent", E, 2023, 23.6),
        ("cpp_second_or_subsequent", NW, 2025, 23.3),
        ("cpp_second_or_subsequent", SN, 2025, 23.8),
        ("cpp_two_years_at_end", E, 2025, 4.4),
        ("cpp_two_years_at_end", NW, 2025, 4.2),
        ("cpp_open_two_years", E, 2025, 2.3),
        ("cpp_open_two_years", E, 2024, 2.6),
        ("cpp_open_two_years", E, 2023, 2.2),
        ("cpp_open_two_years", NW, 2025, 2.0),
        ("cpp_open_two_years", SN, 2025, 2.2),
        ("average_caseload", E, 2025, 15.2),
        ("average_caseload", E, 2024, 15.4),
        ("average_caseload", E, 2023, 16.0),
        ("average_caseload", NW, 2025, 15.8),
        ("average_caseload", SN, 2025, 16.2),
    ],
)
def test_comparator_is_the_published_figure(indicator: str, area: str, year: int, value: float) -> None:
    shown = {b.area: b for b in comparators(indicator, year)}
    assert shown[area].year == year
    assert shown[area].value == value


@pytest.mark.parametrize(
    ("indicator", "year", "numerator", "denominator"),
    [
        ("rereferral_rate", 2025, 142_900, 632_830),
        ("rereferral_rate", 2023, 143_770, 640_430),
        ("cpp_second_or_subsequent", 2024, 15_330, 62_110),
        ("cpp_open_two_years", 2025, 1_130, 49_420),
        ("assessments_within_45wd", 2025, 555_820, 648_830),
        ("cpp_two_years_at_end", 2025, 2_710, 62_300),
        ("average_caseload", 2025, 321_661, 21_105.4),
        ("s47_to_icpc", 2025, 72_100, 230_590),
        ("s47_to_icpc", 2024, 72_250, 224_520),
    ],
)
def test_england_counts_are_the_published_ones(indicator: str, year: int, numerator: float, denominator: float) -> None:
    england = comparators(indicator, year)[0]
    assert (england.area, england.numerator, england.denominator) == (E, numerator, denominator)


SCALE = {"percent": 100, "per_10000": 10_000, "mean": 1}


def test_every_figure_agrees_with_its_own_numerator_and_denominator() -> None:
    # Counts for England and regions are rounded to the nearest 10, so a percentage may move by a few hundredths.
    checked = 0
    for b in all_benchmarks():
        if b.numerator is None or b.denominator is None:
            continue
        scale = SCALE[registry.BY_ID[b.indicator_id].unit]
        assert b.value == pytest.approx(b.numerator / b.denominator * scale, abs=0.15), b
        checked += 1
    assert checked > 40


def test_a_later_scorecard_shows_the_latest_published_year_labelled_with_it() -> None:
    shown = comparators("rereferral_rate", 2027)
    assert [b.area for b in shown] == [E, NW, SN]
    assert [b.year for b in shown] == [2025, 2025, 2025]
    assert shown[0].label == "England, year to 31 March 2025"


def test_each_area_takes_its_own_latest_year_at_or_before_the_one_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    def row(area: str, year: int, value: float) -> Benchmark:
        return Benchmark("rereferral_rate", area, year, f"year to 31 March {year}", value, None, None, "C1", "")

    published = (row(E, 2023, 1.0), row(E, 2025, 2.0), row(NW, 2024, 3.0), row(SN, 2026, 4.0))
    monkeypatch.setattr(benchmarks, "_rows", lambda: {"rereferral_rate": published})
    assert [(b.area, b.year) for b in comparators("rereferral_rate", 2024)] == [(E, 2023), (NW, 2024)]
    assert [(b.area, b.year) for b in comparators("rereferral_rate", 2027)] == [(E, 2025), (NW, 2024), (SN, 2026)]


def test_a_year_before_the_area_published_anything_shows_the_areas_that_had() -> None:
    # Assessments within 45 working days: England and North West for 2025 only.
    assert comparators("assessments_within_45wd", 2024) == []
    assert [b.area for b in comparators("assessments_within_45wd", 2026)] == [E, NW]


def test_nothing_before_the_first_published_year() -> None:
    assert comparators("rereferral_rate", 2022) == []


def test_workforce_figures_are_labelled_with_their_september_census() -> None:
    england = comparators("average_caseload", 2025)[0]
    assert england.as_at == "30 September 2025"
    assert comparators("cpp_per_10000", 2025)[0].as_at == "31 March 2025"


def test_unknown_indicator_has_no_comparators() -> None:
    assert comparators("no_such_indicator", 2025) == []
    assert england_series("no_such_indicator") == []


def test_indicators_not_published_nationally_have_none() -> None:
    for indicator in ("contacts", "domestic_abuse_at_assessment", "mash_contacts_nfa"):
        assert comparators(indicator, 2025) == []


def test_england_series_is_oldest_first_and_england_only() -> None:
    series = england_series("average_caseload")
    assert [(b.year, b.value) for b in series] == [(2023, 16.0), (2024, 15.4), (2025, 15.2)]
    assert {b.area for b in series} == {E}


def test_every_row_is_for_an_indicator_in_the_registry() -> None:
    assert {b.indicator_id for b in all_benchmarks()} <= set(registry.BY_ID)
    assert set(NOT_PUBLISHED) <= set(registry.BY_ID)


def test_every_indicator_has_comparators_or_says_why_not() -> None:
    with_rows = {b.indicator_id for b in all_benchmarks()}
    assert not with_rows & set(NOT_PUBLISHED)
    assert set(registry.BY_ID) == with_rows | set(NOT_PUBLISHED)


def test_statistical_neighbour_figures_are_means_without_counts() -> None:
    neighbours = [b for b in all_benchmarks() if b.area == SN]
    assert neighbours
    assert all(b.numerator is None and b.denominator is None for b in neighbours)
    assert all("statistical neighbour model 2025" in b.note for b in neighbours)
