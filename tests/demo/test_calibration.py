"""The borough-size simulation lands on the national figures (in memory, no database)."""

from __future__ import annotations

import pytest

from openmash.demo import calibration
from openmash.demo.generator import Borough, Options
from openmash.demo.workforce import caseload_frames


@pytest.fixture(scope="module")
def achieved(borough: Borough, borough_options: Options) -> list[dict[str, object]]:
    horizon = borough_options.horizon
    return calibration.rates(
        borough.events(),
        horizon.year,
        borough_options.population,
        (*caseload_frames(borough.workforce), horizon.workforce_day),
    )


def test_every_rate_is_within_tolerance_for_seed_1(achieved: list[dict[str, object]]) -> None:
    misses = [r for r in achieved if not calibration.within_tolerance(r)]
    assert not misses, misses


def test_the_summary_lists_every_target_with_its_source(achieved: list[dict[str, object]]) -> None:
    names = [r["name"] for r in achieved]
    assert names[-1] == "average_caseload"
    assert len(names) == len(set(names)) == len(calibration.TARGETS) + 1
    assert all(r["source"] and r["unit"] in {"percent", "per_10000", "mean"} for r in achieved)


def test_tolerance_rules() -> None:
    row = {"unit": "percent", "target": 22.6, "achieved": 24.6}
    assert calibration.within_tolerance(row)
    assert not calibration.within_tolerance({**row, "achieved": 24.7})
    per = {"unit": "per_10000", "target": 519.4, "achieved": 571.3}
    assert calibration.within_tolerance(per)
    assert not calibration.within_tolerance({**per, "achieved": 571.4})
    assert not calibration.within_tolerance({**per, "achieved": None})


def test_the_population_alive_matches_the_size(borough: Borough, borough_options: Options) -> None:
    import polars as pl

    census = borough_options.horizon.census_day
    children = borough.frames.children
    alive = children.filter(
        (pl.col("birth") <= census) & (pl.col("birth") > pl.lit(census.replace(year=census.year - 18)))
    ).height
    assert abs(alive - borough_options.population) / borough_options.population < 0.01


def test_kpi_subset_gives_the_same_rates(borough: Borough, borough_options: Options) -> None:
    events = borough.events()
    year, population = borough_options.horizon.year, borough_options.population
    subset = calibration.kpi_subset(events, year)
    assert subset.height < events.height / 3
    assert calibration.rates(subset, year, population) == calibration.rates(events, year, population)
