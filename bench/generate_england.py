"""Benchmark: England's journey events (12,183,016 children) written to Parquet.

Runs `openmash generate --size england` in its own process, writing to a temporary file, and reports
wall time, events per second and the peak memory of that process.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from generate_borough import OPENMASH, environment, run_measured


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="openmash-bench-") as tmp:
        out = Path(tmp) / "england-events.parquet"
        # The database is never touched for England; point it at the temporary folder all the same.
        env = environment(Path(tmp) / "unused.sqlite3")
        seconds, peak_mb, stdout = run_measured(
            [str(OPENMASH), "generate", "--size", "england", "--seed", "1", "--out", str(out), "--no-progress"], env
        )
        size_mb = out.stat().st_size / 2**20
    summary = json.loads(stdout)
    events = summary["counts"]["events"]
    print(f"bench: england_build_seconds {seconds:.1f} s")
    print(f"bench: england_events_per_second {events / seconds:.0f} events/s")
    print(f"bench: england_peak_memory_mb {peak_mb:.0f} MB")
    print(f"bench: england_parquet_mb {size_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
