"""Benchmark: DfE's Children in Need census rules over census files of 5,000 and 50,000 children.

Not timed: the census files. Until the census exporter has landed they are written from the demo generator's
journey events (tests/returns/census_files.py: a borough simulated in memory, no database), the 5,000 file
its first children, the 50,000 file its children repeated under new LAchildIDs.

Timed, each run in its own process (openmash.returns.dfe's runner in the rules' environment, .venv-cin),
with that process's peak resident memory:
- cin_validate_5k_seconds: load with the one-pass loader and run every rule of the 2024-25 ruleset;
- cin_validate_5k_package_loader_seconds: the same with the package's own loader;
- cin_validate_5k_identical_findings: 1 when both give the same findings, else 0 (the tests compare the
  tables themselves, value by value, with the runner's --compare-loaders);
- cin_validate_50k_seconds: the one-pass loader only (the package's loader takes about twenty minutes).
The runner's own split of each run into load and rules seconds is printed too.

Export figures (cin_export_borough_seconds, cin_export_50k_seconds, with peak MB) are printed once
openmash.returns.census_export.write_census exists: see EXPORT below.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.returns.census_files
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")

REFERENCE_DATE = dt.date(2025, 3, 31)
RULESET = "cin2024_25"


def run_measured(args: list[str]) -> tuple[float, float, str]:
    """Run a command; return its wall seconds, its own peak resident memory (MB) and its stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(args, stdout=out, env={**os.environ, "PYTHONHASHSEED": "0"})  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"{args[1]} failed ({code})")
    return seconds, usage.ru_maxrss / 1024, stdout


def validate(path: Path, figure: str, *extra: str) -> dict[str, object]:
    from openmash.returns import dfe

    python = dfe.environment_python()
    seconds, peak, stdout = run_measured([str(python), str(dfe.RUNNER), str(path), "--ruleset", RULESET, *extra])
    result = json.loads(stdout)
    assert result["failure"] is None, result["failure"]
    print(f"bench: {figure}_seconds {seconds:.1f} s", flush=True)
    print(f"bench: {figure}_peak_mb {peak:.0f} MB", flush=True)
    timings = result["timings"]
    print(f"bench: {figure}_load_seconds {timings['load_seconds']:.1f} s", flush=True)
    print(f"bench: {figure}_rules_seconds {timings['rules_seconds']:.1f} s", flush=True)
    return result


# EXPORT: the census exporter's figures. When openmash.returns.census_export exists, time write_census over
# the demo borough (a database built by `openmash generate --size borough`) and over 50,000 children, each in
# its own process, and print cin_export_borough_seconds / cin_export_50k_seconds with their _peak_mb; then
# validate the exported files instead of the generated ones.
def export_figures() -> None:
    if importlib.util.find_spec("openmash.returns.census_export") is None:
        print("cin export: openmash.returns.census_export is not there yet; no export figures", flush=True)
        return
    print("cin export: census_export exists but is not benchmarked here yet", flush=True)


def main() -> int:
    import django

    django.setup()
    from tests.returns.census_files import borough_census, grow

    export_figures()
    with tempfile.TemporaryDirectory(prefix="openmash-bench-cin-") as work:
        borough = Path(work) / "borough.xml"
        started = time.perf_counter()
        borough.write_bytes(borough_census(REFERENCE_DATE, size="borough"))
        small, large = Path(work) / "cin-5k.xml", Path(work) / "cin-50k.xml"
        grow(borough, small, 5_000)
        grow(borough, large, 50_000)
        print(f"cin files written in {time.perf_counter() - started:.0f} s", flush=True)

        one_pass = validate(small, "cin_validate_5k")
        package = validate(small, "cin_validate_5k_package_loader", "--loader", "package")
        same = (one_pass["findings"], one_pass["rules_failed_to_run"]) == (
            package["findings"],
            package["rules_failed_to_run"],
        )
        print(f"bench: cin_validate_5k_findings {len(one_pass['findings'])} count", flush=True)
        print(f"bench: cin_validate_5k_identical_findings {int(same)} bool", flush=True)
        validate(large, "cin_validate_50k")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
