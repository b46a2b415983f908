"""Benchmark: the Children in Need census written from the database and checked with DfE's rules.

Not timed: the demo borough (`openmash generate --size borough --seed 1`) built into a temporary SQLite
database, and the bigger files grown from its 2024-25 export by repeating its children under new LAchildIDs
(tests/returns/census_files.grow).

Timed, each in its own process, with that process's peak resident memory:
- cin_export_borough_seconds: `write_census` for 2024-25 over the demo borough;
- cin_import_50k_seconds: the borough's export grown to 50,000 children, loaded by `openmash import
  cin-census`'s loader into an empty database (how the 50,000-child authority below is made);
- cin_export_50k_seconds: `write_census` for 2024-25 over that 50,000-child database;
- cin_validate_borough_seconds, cin_validate_50k_seconds: DfE's 2024-25 rules over the two exports, with the
  one-pass loader (openmash.returns.dfe's runner in the rules' environment, .venv-cin);
- cin_validate_5k_seconds and cin_validate_5k_package_loader_seconds: the same 5,000-child file with the
  one-pass loader and with the package's own loader (never at 50,000: about twenty minutes);
  cin_validate_5k_identical_findings is 1 when both give the same findings (the tests compare the tables
  themselves, value by value, with the runner's --compare-loaders).
The runner's own split of each check into load and rules seconds is printed too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # for tests.returns.census_files
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


def _django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    import django

    django.setup()


def export_in_process(database: Path, out: Path) -> int:
    """Child process: write the 2024-25 census from `database` to `out` (what the parent times)."""
    _django(database)
    from openmash.returns.census_export import write_census

    with out.open("wb") as file:
        summary = write_census(file, year=REFERENCE_DATE.year, generated_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
    print(json.dumps({"children": summary.children, "episodes": summary.episodes}))
    return 0


def import_in_process(database: Path, source: Path) -> int:
    """Child process: migrate an empty `database` and load `source` into it as a system administrator."""
    _django(database)
    from django.core.management import call_command

    from openmash.accounts.models import Role, User, UserRole
    from openmash.returns.census_import import import_census

    call_command("migrate", "--no-input", verbosity=0)
    user = User.objects.create_user(username="bench.import", password=None)
    UserRole.objects.create(user=user, role=Role.SYSTEM_ADMINISTRATOR)
    started = time.perf_counter()
    result = import_census(source, user=user)
    print(json.dumps({"children": result.children_in_file, "seconds": time.perf_counter() - started}))
    return 0


def timed_child(mode: str, figure: str, *args: Path) -> dict[str, object]:
    seconds, peak, stdout = run_measured([sys.executable, __file__, mode, *map(str, args)])
    print(f"bench: {figure}_seconds {seconds:.1f} s", flush=True)
    print(f"bench: {figure}_peak_mb {peak:.0f} MB", flush=True)
    return dict(json.loads(stdout.strip().splitlines()[-1]))


def build_borough(database: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "OPENMASH_DEMO": "1", "OPENMASH_INSECURE_HTTP": "1"}
    openmash = str(Path(sys.executable).with_name("openmash"))
    subprocess.run([openmash, "migrate", "--no-input", "-v", "0"], check=True, env=env)  # noqa: S603
    subprocess.run(  # noqa: S603
        [openmash, "generate", "--size", "borough", "--seed", "1", "--no-progress"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    import django

    django.setup()
    from tests.returns.census_files import grow

    with tempfile.TemporaryDirectory(prefix="openmash-bench-cin-") as work_dir:
        work = Path(work_dir)
        started = time.perf_counter()
        build_borough(work / "borough.sqlite3")
        print(f"demo borough built in {time.perf_counter() - started:.0f} s", flush=True)

        borough = work / "borough.xml"
        written = timed_child("--export", "cin_export_borough", work / "borough.sqlite3", borough)
        print(f"bench: cin_export_borough_children {written['children']} count", flush=True)
        validate(borough, "cin_validate_borough")

        small, grown = work / "cin-5k.xml", work / "cin-50k-grown.xml"
        grow(borough, small, 5_000)
        grow(borough, grown, 50_000)
        one_pass = validate(small, "cin_validate_5k")
        package = validate(small, "cin_validate_5k_package_loader", "--loader", "package")
        same = (one_pass["findings"], one_pass["rules_failed_to_run"]) == (
            package["findings"],
            package["rules_failed_to_run"],
        )
        print(f"bench: cin_validate_5k_findings {len(one_pass['findings'])} count", flush=True)
        print(f"bench: cin_validate_5k_identical_findings {int(same)} bool", flush=True)

        timed_child("--import", "cin_import_50k", work / "large.sqlite3", grown)
        large = work / "cin-50k.xml"
        written = timed_child("--export", "cin_export_50k", work / "large.sqlite3", large)
        print(f"bench: cin_export_50k_children {written['children']} count", flush=True)
        validate(large, "cin_validate_50k")
    return 0 if same else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] in {"--export", "--import"}:
        sys.path.insert(0, str(ROOT))
        task = export_in_process if sys.argv[1] == "--export" else import_in_process
        sys.exit(task(Path(sys.argv[2]), Path(sys.argv[3])))
    sys.exit(main())
