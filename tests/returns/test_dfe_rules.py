"""DfE's census rules, run by the package in its own environment, over census files.

The one-pass loader must give the rules exactly the tables the package's own loader gives them, so every
file here is read both ways by the runner (--compare-loaders), under two string-hashing seeds (the
package's tables depend on them): the tables, value by value and type by type, and the findings must be
identical. These tests run the real subprocess: `make env` builds its environment.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from openmash.returns import dfe

from .census_files import borough_census

DATA = Path(__file__).parent / "data"
SAMPLE = Path(__file__).parents[1] / "performance" / "data" / "sample-cin-2022.xml"
BROKEN = DATA / "cin-broken-2025.xml"
EMPTY = DATA / "cin-empty-2025.xml"
NO_CHILD_ID = DATA / "cin-no-child-id-2025.xml"
RULESET = "cin2024_25"


def compare(path: Path, seed: str) -> dict[str, Any]:
    command = [str(dfe.environment_python()), str(dfe.RUNNER), str(path), "--ruleset", RULESET, "--compare-loaders"]
    environment = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)  # noqa: S603
    assert done.returncode in (0, 3), done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def borough_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("census") / "borough-2025.xml"
    path.write_bytes(borough_census(dt.date(2025, 3, 31)))
    return path


@pytest.mark.parametrize("seed", ["0", "1"])
@pytest.mark.parametrize("name", ["sample", "broken", "empty", "no-child-id", "borough"])
def test_one_pass_loader_gives_the_package_loaders_tables_and_findings(
    name: str, seed: str, borough_file: Path
) -> None:
    path = {"sample": SAMPLE, "broken": BROKEN, "empty": EMPTY, "no-child-id": NO_CHILD_ID, "borough": borough_file}
    result = compare(path[name], seed)
    comparison = result["comparison"]
    assert comparison["table_differences"] == []
    assert comparison["tables_identical"]
    assert comparison["findings_identical"]
    if name in {"sample", "broken", "borough"}:
        # a comparison that means something: the rules ran and found things
        assert result["failure"] is None
        assert result["counts"]["findings"] > 0
        assert result["counts"]["children"] > 0


def test_ruleset_follows_the_collection_year() -> None:
    assert dfe.ruleset_for(2025) == "cin2024_25"
    assert dfe.ruleset_for(dt.date(2025, 3, 31)) == "cin2024_25"
    assert dfe.ruleset_for(dt.date(2025, 4, 1)) == "cin2025_26"
    assert dfe.ruleset_for(2026) == "cin2025_26"


def _found(report: dfe.Report, rule: str, child: str | None = None) -> list[dfe.Finding]:
    return [f for f in report.findings if f.rule == rule and (child is None or f.la_child_id == child)]


def test_check_reports_each_broken_rule_with_the_record_it_concerns() -> None:
    report = dfe.check(BROKEN, ruleset=RULESET)
    assert report.errors == sum(f.kind == "error" for f in report.findings) > 0
    assert report.queries == sum(f.kind == "query" for f in report.findings) > 0
    # assessment authorised before it started, located by its episode's referral date
    (late,) = _found(report, "8608", "ORDER1")
    assert late.kind == "error"
    assert late.table == "Assessments"
    assert late.fields == ("AssessmentActualStartDate", "AssessmentAuthorisationDate")
    assert late.values["AssessmentActualStartDate"] == "2024-09-05"
    assert late.values["AssessmentAuthorisationDate"] == "2024-09-03"
    # closure before referral
    assert _found(report, "8630", "ORDER1")[0].values["CINreferralDate"] == "2024-09-10"
    # overlapping child protection plans
    assert {f.values["CPPID"] for f in _found(report, "8940", "PLANS2")} == {"1", "2", "3"}
    # an NFA referral with an assessment and a CIN plan
    assert _found(report, "8831", "NFA-3!")
    assert _found(report, "4000", "NFA-3!")
    # missing sex, and a sex given for an unborn child
    assert {f.la_child_id for f in _found(report, "4180")} == {"NFA-3!", "BARE4"}
    assert _found(report, "8750", "ORDER1")[0].values["Sex"] == "F"
    # two open CIN plans; a child with no episode at all
    assert len(_found(report, "4004", "PLANS2")) == 2
    assert _found(report, "8590", "BARE4")
    # only the first review date of a Reviews block is read, as the package reads it: the early
    # 2024-05-01 review is found, the later ones of that block never reach the rules
    reviews = [f.values["CPPreviewDate"] for f in _found(report, "8841", "PLANS2") if f.table == "Reviews"]
    assert reviews == ["2024-05-01"]
    assert _found(report, "8842Q", "PLANS2")[0].kind == "query"
    # a return-level query, not about any one child
    (sexes,) = _found(report, "2886Q")
    assert sexes.la_child_id is None
    assert sexes.table is None
    assert report.rules_seconds > 0


def test_the_package_loader_gives_the_same_report() -> None:
    one_pass = dfe.check(BROKEN, ruleset=RULESET)
    package = dfe.check(BROKEN, ruleset=RULESET, loader="package")
    assert one_pass.findings == package.findings
    assert one_pass.rules_not_run == package.rules_not_run


def test_an_empty_return_has_only_return_level_findings() -> None:
    report = dfe.check(EMPTY, ruleset=RULESET)
    assert all(f.la_child_id is None for f in report.findings)
    # its header's reference date is not 31 March
    (header,) = [f for f in report.findings if f.table == "Header"]
    assert header.rule == "100"
    assert header.values == {"ReferenceDate": "2025-03-30"}
    assert [f for f in report.findings if f.table is None]


def test_a_file_the_validator_gives_up_on_is_an_error_not_an_empty_report() -> None:
    with pytest.raises(dfe.DfeCheckFailed, match="gave up"):
        dfe.check(NO_CHILD_ID, ruleset=RULESET)


def test_an_unknown_ruleset_is_refused() -> None:
    with pytest.raises(dfe.DfeCheckFailed, match="unknown ruleset 'cin1999_00'"):
        dfe.check(BROKEN, ruleset="cin1999_00")


def test_a_missing_environment_says_how_to_build_it(tmp_path: Path) -> None:
    with (
        override_settings(OPENMASH_CIN_RULES_ENV=tmp_path / "nowhere"),
        pytest.raises(dfe.DfeCheckUnavailable, match="make env"),
    ):
        dfe.check(BROKEN, ruleset=RULESET)
