"""Benchmark: build the borough (generate and load into a fresh, migrated SQLite database).

Runs `openmash generate --size borough` in its own process against a temporary database (never
var/) and reports wall time, journey events per second and the peak memory of that process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENMASH = Path(sys.executable).with_name("openmash")


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; return its wall seconds, its own peak resident memory (MB) and its stdout."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(args, stdout=out, env=env)  # noqa: S603 - our own command
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with exit code {process.returncode}")
    return seconds, usage.ru_maxrss / 1024, stdout  # ru_maxrss is in kilobytes on Linux


def environment(database: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env.setdefault("OPENMASH_DEMO", "1")
    return env


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="openmash-bench-") as tmp:
        env = environment(Path(tmp) / "borough.sqlite3")
        subprocess.run([str(OPENMASH), "migrate", "--no-input", "-v", "0"], env=env, check=True)  # noqa: S603
        seconds, peak_mb, stdout = run_measured(
            [str(OPENMASH), "generate", "--size", "borough", "--seed", "1", "--no-progress"], env
        )
    summary = json.loads(stdout)
    events = summary["counts"]["events"]
    print(f"bench: borough_build_seconds {seconds:.1f} s")
    print(f"bench: borough_events_per_second {events / seconds:.0f} events/s")
    print(f"bench: borough_peak_memory_mb {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
