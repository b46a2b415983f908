"""`openmash kpi`: every indicator for the period containing a day, as JSON or CSV, from the database,
a Parquet file or a CIN census file; bad arguments end with one line and exit code 2."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from openmash.journey.selectors import journey_events
from openmash.performance import inputs as sources
from openmash.performance.periods import Period
from openmash.performance.registry import BY_ID, INDICATORS, figure
from openmash.workforce.models import Team

from .cin_xml import census_xml

AS_OF = dt.date(2026, 11, 26)
ASKED_FOR = ["rereferral_rate", "assessments_within_45wd", "cpp_second_or_subsequent", "cpp_two_years_at_end"]


def kpi(*args: str) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def kpi_json(*args: str) -> list[dict[str, Any]]:
    return json.loads(kpi(*args, "--format", "json"))


@pytest.fixture
def borough() -> None:
    call_command("generate", "--size", "small", "--as-of", AS_OF.isoformat(), "--no-progress", stdout=StringIO())


def _expected(measure: Any) -> tuple[Any, Any, Any]:
    if measure is None:
        return None, None, None
    value = None if measure.value is None else round(measure.value, 1)
    denominator = None if measure.unit == "count" else pytest.approx(measure.denominator, abs=0.01)
    return measure.numerator, denominator, value


@pytest.mark.django_db
@pytest.mark.usefixtures("borough")
def test_json_gives_every_indicator_as_the_registry_computes_it() -> None:
    printed = kpi_json("--as-of", "2026-03-31")
    assert [r["id"] for r in printed] == [i.id for i in INDICATORS]
    assert {"id", "name", "numerator", "denominator", "value", "unit"} <= set(printed[0])
    inputs = sources.from_database().upto(dt.date(2026, 3, 31))
    for row in printed:
        indicator = BY_ID[row["id"]]
        assert row["name"] == indicator.name
        assert row["unit"] == indicator.unit
        assert row.get("basis", "") == indicator.basis
        expected = _expected(figure(indicator, inputs, Period(2026)))
        assert (row["numerator"], row["denominator"], row["value"]) == expected, row["id"]
    by_id = {r["id"]: r for r in printed}
    for asked in [*ASKED_FOR, "average_caseload"]:
        assert by_id[asked]["value"] is not None, asked
    assert by_id["rereferral_rate"]["value"] == round(by_id["rereferral_rate"]["value"], 1)


@pytest.mark.django_db
@pytest.mark.usefixtures("borough")
def test_the_period_is_the_one_containing_the_day_cut_short_there() -> None:
    day = dt.date(2026, 8, 20)
    quarter = {r["id"]: r for r in kpi_json("--as-of", day.isoformat(), "--period", "quarter")}
    year = {r["id"]: r for r in kpi_json("--as-of", day.isoformat())}
    inputs = sources.from_database().upto(day)
    for period, printed in ((Period(2027, 2, as_of=day), quarter), (Period(2027, as_of=day), year)):
        for asked in ASKED_FOR:
            measure = figure(BY_ID[asked], inputs, period)
            assert (printed[asked]["numerator"], printed[asked]["denominator"]) == (
                measure.numerator,  # type: ignore[union-attr]
                measure.denominator,  # type: ignore[union-attr]
            )
    # 1 April to 20 August holds more referrals than 1 July to 20 August.
    assert year["rereferral_rate"]["denominator"] > quarter["rereferral_rate"]["denominator"]


@pytest.mark.django_db
@pytest.mark.usefixtures("borough")
def test_csv_has_a_header_and_the_same_figures() -> None:
    text = kpi("--as-of", "2026-03-31", "--format", "csv")
    lines = list(csv.reader(StringIO(text)))
    assert lines[0] == ["id", "name", "numerator", "denominator", "value", "unit", "basis"]
    as_json = kpi_json("--as-of", "2026-03-31")
    assert len(lines) == len(as_json) + 1
    for line, row in zip(lines[1:], as_json, strict=True):
        assert line[0] == row["id"]
        assert line[4] == ("" if row["value"] is None else str(row["value"]))


@pytest.mark.django_db
@pytest.mark.usefixtures("borough")
def test_team_filters_by_id_or_name_and_leaves_whole_authority_figures_null() -> None:
    team = Team.objects.filter(name__isnull=False).order_by("id").first()
    assert team is not None
    by_id = kpi_json("--as-of", "2026-03-31", "--team", str(team.id))
    by_name = kpi_json("--as-of", "2026-03-31", "--team", team.name.upper())
    everyone = {r["id"]: r for r in kpi_json("--as-of", "2026-03-31")}
    assert by_id == by_name
    inputs = sources.from_database().upto(dt.date(2026, 3, 31))
    for row in by_id:
        indicator = BY_ID[row["id"]]
        if not indicator.by_team:
            assert row["value"] is None, row["id"]
            assert row["numerator"] is None, row["id"]
            continue
        expected = _expected(figure(indicator, inputs, Period(2026), team.id))
        assert (row["numerator"], row["denominator"], row["value"]) == expected, row["id"]
    team_rows = {r["id"]: r for r in by_id}
    assert team_rows["rereferral_rate"]["denominator"] < everyone["rereferral_rate"]["denominator"]
    with pytest.raises(CommandError, match="Unknown team 'No such team'") as raised:
        kpi("--as-of", "2026-03-31", "--format", "json", "--team", "No such team")
    assert raised.value.returncode == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("borough")
def test_a_parquet_file_and_a_census_file_give_the_databases_figures(tmp_path: Path) -> None:
    events = journey_events()
    parquet, census = tmp_path / "events.parquet", tmp_path / "cin.xml"
    events.write_parquet(parquet)
    census.write_bytes(census_xml(events, dt.date(2026, 3, 31)))
    args = ("--as-of", "2026-03-31", "--population", "2000")
    database = {r["id"]: r for r in kpi_json(*args)}
    from_parquet = {r["id"]: r for r in kpi_json(*args, "--source", f"parquet:{parquet}")}
    from_census = {r["id"]: r for r in kpi_json(*args, "--source", f"cin:{census}")}
    for indicator in INDICATORS:
        row = database[indicator.id]
        if indicator.needs in {"events", "population"}:
            assert from_parquet[indicator.id] == row
        else:  # the workforce and the front door's records are only in the database
            assert from_parquet[indicator.id]["value"] is None
    for asked in ASKED_FOR:
        assert from_census[asked] == database[asked]
    for absent in ("contacts", "contact_conversion", "average_caseload"):
        assert database[absent]["numerator"] is not None
        assert from_census[absent]["numerator"] is None
        assert from_census[absent]["value"] is None
    with pytest.raises(CommandError, match="does not record teams") as raised:
        kpi(*args, "--format", "json", "--source", f"cin:{census}", "--team", "1")
    assert raised.value.returncode == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "31/03/2026"], "--as-of must be a date like 2025-12-31"),
        (["--as-of", "2026-02-30"], "--as-of must be a date"),
        (["--as-of", "2026-03-31", "--source", "parquet:/no/such/file.parquet"], "No file at /no/such/file.parquet"),
        (["--as-of", "2026-03-31", "--source", "cin:/no/such/cin.xml"], "No file at /no/such/cin.xml"),
        (["--as-of", "2026-03-31", "--source", "excel:x.xlsx"], "Unknown source 'excel:x.xlsx'"),
        (["--as-of", "2026-03-31", "--population", "0"], "--population must be a positive number"),
    ],
)
def test_bad_arguments_end_with_a_message_and_exit_code_2(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        kpi(*args, "--format", "json")
    assert raised.value.returncode == 2


def test_a_file_that_is_not_parquet_or_not_a_census_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "events.parquet"
    bad.write_text("not parquet")
    with pytest.raises(CommandError, match=r"events\.parquet is not a Parquet file of journey events"):
        kpi("--as-of", "2026-03-31", "--format", "json", "--source", f"parquet:{bad}")
    with pytest.raises(CommandError, match=r"events\.parquet is not well-formed XML"):
        kpi("--as-of", "2026-03-31", "--format", "json", "--source", f"cin:{bad}")


def test_from_the_shell_a_bad_argument_is_one_line_on_stderr_and_exit_code_2(tmp_path: Path) -> None:
    openmash = Path(sys.executable).with_name("openmash")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    for args in (
        ["--as-of", "2026-03-31", "--format", "json", "--source", "cin:/no/such/cin.xml"],
        ["--as-of", "yesterday", "--format", "csv", "--source", "parquet:/no/such.parquet"],
    ):
        done = subprocess.run(  # noqa: S603 - our own command
            [str(openmash), "kpi", *args], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == 2
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
