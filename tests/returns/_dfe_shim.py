"""TEMPORARY until openmash.returns.dfe lands: the same signatures over the validator runner."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Finding:
    rule: str
    kind: str
    message: str
    la_child_id: str | None
    table: str
    fields: tuple[str, ...]
    values: dict[str, str]


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)


def check(path: Path, *, ruleset: str) -> Report:
    out = subprocess.run(
        [str(ROOT / ".venv-cin/bin/python"), str(ROOT / "tools/cin-validator/openmash_cin_check.py"), str(path),
         "--ruleset", ruleset],
        capture_output=True, check=True, text=True,
    ).stdout
    data = json.loads(out)
    return Report([
        Finding(f["rule"], f["kind"], f["message"], f.get("la_child_id"), f.get("table") or "",
                tuple(f.get("fields") or ()), f.get("values") or {})
        for f in data["findings"]
    ])


def ruleset_for(year: int) -> str:
    return "cin2024_25"


def install() -> None:
    try:
        import openmash.returns.dfe  # noqa: F401
    except ImportError:
        module = types.ModuleType("openmash.returns.dfe")
        module.__dict__.update(check=check, ruleset_for=ruleset_for, Finding=Finding, Report=Report)
        sys.modules["openmash.returns.dfe"] = module
        import openmash.returns

        openmash.returns.dfe = module  # type: ignore[attr-defined]
