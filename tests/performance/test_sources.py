"""The same journeys give the same figures from every source: the live database, a Parquet file of its
events (whole, or only the rows a period needs) and a Children in Need census file holding them."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command

from openmash.demo.generator import Options, build_borough
from openmash.journey.census import CensusError, read_census
from openmash.journey.schema import EventType
from openmash.journey.selectors import journey_events
from openmash.performance import inputs as sources
from openmash.performance.periods import Period
from openmash.performance.registry import INDICATORS, figure
from openmash.performance.sources import available, figure_from

from .cin_xml import census_xml

AS_OF = dt.date(2026, 11, 26)
# The sample return published with liiatools (MIT): one child, schema-valid, its dates made up.
SAMPLE = Path(__file__).parent / "data" / "sample-cin-2022.xml"
PERIODS = [
    Period(2025),
    Period(2026),
    Period(2026, 3),
    Period(2026, 4, as_of=dt.date(2026, 2, 10)),
    Period(2027, as_of=AS_OF),
    Period(2027, 2),
]
FROM_EVENTS = [i for i in INDICATORS if i.needs in {"events", "population"}]
# What a census file does not hold, whatever the journeys: contacts and strategy discussions.
NOT_IN_CENSUS = {EventType.CONTACT.value, EventType.STRATEGY_DISCUSSION.value}


def _pair(measure: object) -> tuple[float, float] | None:
    return None if measure is None else (measure.numerator, measure.denominator)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_database_parquet_and_census_give_the_same_figures(tmp_path: Path) -> None:
    call_command("generate", "--size", "small", "--as-of", AS_OF.isoformat(), "--no-progress", stdout=StringIO())
    database = sources.from_database()
    parquet_path = tmp_path / "events.parquet"
    journey_events().write_parquet(parquet_path)
    census_path = tmp_path / "cin.xml"
    census_path.write_bytes(census_xml(database.events, dt.date(2027, 3, 31)))
    parquet = sources.from_parquet(parquet_path, population=database.population)
    census = sources.from_cin_census(census_path, population=database.population)

    compared = 0
    for period in PERIODS:
        for indicator in FROM_EVENTS:
            expected = _pair(figure(indicator, database, period))
            assert _pair(figure(indicator, parquet, period)) == expected, (indicator.id, period)
            from_census = _pair(figure_from(indicator, census, period))
            if available(indicator, census):
                assert from_census == expected, (indicator.id, period)
                compared += 1
            else:
                assert from_census is None, indicator.id
        headline = _pair(figure(INDICATORS[0], database, period))
        assert headline is not None
        assert headline[1] > 0, "the borough has referrals in every period compared"
    assert compared >= 4 * len(PERIODS)
    # What a census cannot hold is not available from it, rather than nothing.
    for absent in ("contacts", "contact_conversion", "average_caseload", "mash_decided_within_one_working_day"):
        indicator = next(i for i in INDICATORS if i.id == absent)
        assert figure_from(indicator, census, Period(2026)) is None
        assert figure_from(indicator, database, Period(2026)) is not None


@pytest.mark.django_db
def test_census_events_are_the_stored_events_less_what_a_census_cannot_hold(tmp_path: Path) -> None:
    call_command("generate", "--size", "small", "--as-of", AS_OF.isoformat(), "--no-progress", stdout=StringIO())
    stored = journey_events()
    path = tmp_path / "cin.xml"
    path.write_bytes(census_xml(stored, dt.date(2027, 3, 31)))
    read = read_census(path)
    # Everything but the made-up keys, teams, workers and the assessment's "child in need" outcome.
    columns = ["event_type", "event_date", "la_child_id", "start_date", "code", "factors", "flag", "previous_plans"]
    no_outcome = (
        pl.when(pl.col("event_type") == EventType.ASSESSMENT_AUTHORISED.value).then(None).otherwise(pl.col("flag"))
    )
    expected = (
        stored.filter(~pl.col("event_type").cast(pl.String).is_in(NOT_IN_CENSUS))
        .with_columns(flag=no_outcome)
        .select(columns)
    )
    assert read.select(columns).sort(columns).equals(expected.sort(columns))
    # Keys are consistent within the file: an episode's events share its child, and ends meet their starts.
    assert read.group_by("episode_id").agg(pl.col("child_id").n_unique())["child_id"].max() == 1
    ends = read.filter(pl.col("event_type") == EventType.CP_PLAN_END.value).select("source_id", "start_date")
    starts = read.filter(pl.col("event_type") == EventType.CP_PLAN_START.value).select(
        "source_id", start_date="event_date"
    )
    assert ends.join(starts, on=["source_id", "start_date"], how="anti").is_empty()
    # The same file gives the same keys every time.
    assert read_census(path).equals(read)


@pytest.fixture(scope="module")
def small_events(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, Path]:
    events = build_borough(Options(size="small", seed=1, as_of=AS_OF)).events()
    path = tmp_path_factory.mktemp("events") / "events.parquet"
    events.write_parquet(path)
    return events, path


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.key}-{p.as_of}")
def test_reading_only_the_periods_rows_gives_the_whole_files_figures(
    small_events: tuple[pl.DataFrame, Path], period: Period
) -> None:
    events, path = small_events
    whole = sources.Inputs(events=events, population=2_000)
    subset = sources.from_parquet_period(path, period, population=2_000)
    assert subset.events.height < events.height
    for indicator in FROM_EVENTS:
        assert _pair(figure(indicator, subset, period)) == _pair(figure(indicator, whole, period)), indicator.id
    team = int(events["team_id"].drop_nulls()[0])
    for indicator in FROM_EVENTS:
        if indicator.by_team:
            assert _pair(figure(indicator, subset, period, team)) == _pair(figure(indicator, whole, period, team))


def test_the_sample_census_file_maps_onto_the_journey_events() -> None:
    events = read_census(SAMPLE)
    rows = {(str(r["event_type"]), r["start_date"]): r for r in events.iter_rows(named=True)}
    d = dt.date
    referral = rows[("referral", None)]
    assert (referral["event_date"], referral["code"], referral["flag"]) == (d(1970, 10, 6), "1A", False)
    assert referral["la_child_id"] == "DfEX0000001"
    closed = rows[("referral_closed", d(1970, 10, 6))]
    assert (closed["event_date"], closed["code"]) == (d(1971, 2, 27), "RC1")
    authorised = rows[("assessment_authorised", d(1970, 6, 3))]
    assert (authorised["event_date"], authorised["factors"]) == (d(1971, 7, 18), ["2A", "2B"])
    assert rows[("s47_start", None)]["flag"] is False
    assert rows[("icpc", d(1970, 6, 2))]["event_date"] == d(1970, 6, 17)
    # The conference recorded on the referral itself has no enquiry to count from.
    assert rows[("icpc", None)]["event_date"] == d(1970, 12, 6)
    plan = rows[("cp_plan_start", None)]
    assert (plan["event_date"], plan["code"], plan["previous_plans"]) == (d(1970, 2, 17), "PHY", 10)
    assert rows[("cp_review", d(1970, 2, 17))]["event_date"] == d(1971, 2, 15)
    assert rows[("cp_plan_end", d(1970, 2, 17))]["event_date"] == d(1971, 3, 14)
    assert rows[("cin_plan_end", d(1971, 1, 24))]["event_date"] == d(1971, 1, 26)
    assert events["episode_id"].unique().to_list() == [1]
    assert events.filter(pl.col("event_type") == "referral")["source_id"].to_list() == [1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<Message><Children><Child><CINdetails/></Child></Children></Message>", "no LAchildID"),
        (
            "<Message><Children><Child><ChildIdentifiers><LAchildID>A1</LAchildID></ChildIdentifiers>"
            "<CINdetails><ReferralNFA>false</ReferralNFA></CINdetails></Child></Children></Message>",
            "Child A1: CINdetails has no CINreferralDate",
        ),
        (
            "<Message><Children><Child><ChildIdentifiers><LAchildID>A1</LAchildID></ChildIdentifiers>"
            "<CINdetails><CINreferralDate>31/03/2025</CINreferralDate></CINdetails></Child></Children></Message>",
            "'31/03/2025' is not a date",
        ),
        ("<Returns><Child/></Returns>", "not a CIN census file"),
        ("<Message><Children>", "not well-formed XML"),
    ],
)
def test_a_file_that_is_not_a_readable_census_says_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(text)
    with pytest.raises(CensusError, match=message):
        read_census(path)
