"""Run the benchmarks: `make bench` runs them all, `make bench ONLY=name` one of them.

Each benchmark is a script bench/<name>.py run in its own process (so its peak memory is its own)
that prints its figures as lines `bench: <figure> <value> <unit>`.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[Path]:
    return sorted(
        p for p in HERE.glob("*.py") if p.name not in {"run.py", "__init__.py"} and not p.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    available = {p.stem: p for p in benchmarks()}
    chosen = argv or list(available)
    unknown = [name for name in chosen if name not in available]
    if unknown:
        print(f"Unknown benchmark: {', '.join(unknown)}. Available: {', '.join(available)}", file=sys.stderr)
        return 2
    failures = 0
    for name in chosen:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(available[name])], check=False)  # noqa: S603
        print(f"bench: {name}_wall_seconds {time.perf_counter() - started:.1f} s", flush=True)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
