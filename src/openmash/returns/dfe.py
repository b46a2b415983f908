"""DfE's own Children in Need census validation rules, run over a census file.

The rules are DfE's, as published in the csc-validator-be-cin package (pinned in tools/cin-validator). That
package needs pandas 1.5 and numpy 1, which cannot live beside the application's, so it has an environment
of its own (`make env` builds it, by default at .venv-cin under the project root; the setting
OPENMASH_CIN_RULES_ENV moves it). `check` runs tools/cin-validator/openmash_cin_check.py there as a
subprocess and reads back its JSON. docs/returns.md explains the runner and its one-pass loader.

Our own checks over the records (openmash.returns.rules) stay separate: these run over the file itself,
as DfE's COLLECT will.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from django.conf import settings

RUNNER = Path(settings.PROJECT_DIR) / "tools" / "cin-validator" / "openmash_cin_check.py"

Loader = Literal["one-pass", "package"]


class DfeCheckUnavailable(RuntimeError):
    """The environment holding DfE's rules has not been built."""


class DfeCheckFailed(RuntimeError):
    """The rules could not be run over this file (unreadable file, unknown ruleset, the validator gave up)."""


@dataclass(frozen=True)
class Finding:
    rule: str
    kind: Literal["error", "query"]
    message: str
    la_child_id: str | None
    table: str | None
    fields: tuple[str, ...]
    # the flagged values and what locates the record (CINdetailsID, CINreferralDate, ...), as text
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    errors: int
    queries: int
    load_seconds: float
    rules_seconds: float
    # rules the package could not run over this file (it skips a rule that raises), with its message
    rules_not_run: tuple[str, ...] = ()


def ruleset_for(year: int | dt.date) -> str:
    """The ruleset for the collection year ending 31 March of `year` (or the year holding that date).

    2025 (1 April 2024 - 31 March 2025) is "cin2024_25". A date is placed in the collection year it falls in.
    """
    if isinstance(year, dt.date):
        year = year.year + (1 if (year.month, year.day) > (3, 31) else 0)
    return f"cin{year - 1}_{year % 100:02d}"


def environment_python() -> Path:
    return Path(settings.OPENMASH_CIN_RULES_ENV) / "bin" / "python"


def check(path: str | os.PathLike[str], *, ruleset: str, loader: Loader = "one-pass", timeout: float = 3600) -> Report:
    """DfE's rules over the census file at `path`, with the given ruleset (see ruleset_for)."""
    python = environment_python()
    if not python.exists():
        raise DfeCheckUnavailable(
            f"DfE's census rules are not installed: no {python}. Run `make env` to build their environment."
        )
    with tempfile.TemporaryDirectory(prefix="openmash-cin-") as work:
        out = Path(work) / "result.json"
        command = [str(python), str(RUNNER), os.fspath(path), "--ruleset", ruleset, "--loader", loader]
        command += ["--json", str(out)]
        # The package's tables depend on string hashing (it builds columns from a set): fix it, so a file
        # always gives the same report.
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        try:
            # our own runner and interpreter; the file's path is passed as one argument, never through a shell
            done = subprocess.run(  # noqa: S603
                command, capture_output=True, text=True, timeout=timeout, env=environment, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise DfeCheckFailed(f"DfE's rules took longer than {timeout:g} seconds") from error
        if not out.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise DfeCheckFailed(f"DfE's rules could not be run over {path}: {last}")
        result = json.loads(out.read_text(encoding="utf-8"))
    if result.get("failure"):
        raise DfeCheckFailed(f"DfE's validator gave up on {path}: {result['failure']}")
    return _report(result)


def _report(result: dict[str, Any]) -> Report:
    findings = [
        Finding(
            rule=item["rule"],
            kind=item["kind"],
            message=item["message"],
            la_child_id=item["la_child_id"],
            table=item["table"],
            fields=tuple(item["fields"]),
            values={key: value for key, value in item["values"].items() if value is not None},
        )
        for item in result["findings"]
    ]
    return Report(
        findings=findings,
        errors=result["counts"]["errors"],
        queries=result["counts"]["queries"],
        load_seconds=result["timings"]["load_seconds"],
        rules_seconds=result["timings"]["rules_seconds"],
        rules_not_run=tuple(result["rules_failed_to_run"]),
    )
