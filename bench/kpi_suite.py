"""Benchmark: every events-based KPI over England's journey events, for the latest complete reporting year.

England's events (`openmash generate --size england --seed 1`, about 56 million rows) are written once
to var/bench/ and reused on later runs (the output says which). The computation runs in its own
process, so its peak memory is its own: it scans the Parquet file lazily, loading only the rows and
columns the year's indicators read (openmash.performance.inputs.period_events), then computes every
events-based indicator in the registry (`openmash kpi` does the same for any source).

It also times the slow reference implementation (tests/performance/reference.py) beside the engine on
the demo borough's events, built in memory, for the same year, and checks they agree.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # for tests.performance.reference

from generate_borough import OPENMASH, environment, run_measured  # noqa: E402

# A fixed as-of date, so a cached file stays the same data however long it is kept.
AS_OF = dt.date(2026, 12, 1)
SEED = 1
CACHE = ROOT / "var" / "bench" / f"england-seed{SEED}-{AS_OF.isoformat()}.parquet"
MIN_REFERRALS = 3_000_000
YEARS = 5


def _setup() -> None:
    os.environ.setdefault("OPENMASH_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")
    import django

    django.setup()


def measure(path: Path, year: int) -> int:
    """In the measured process: load the year's rows and compute every events-based indicator."""
    _setup()
    from openmash.demo.params import ENGLAND_POPULATION
    from openmash.performance.inputs import from_parquet_period
    from openmash.performance.periods import Period
    from openmash.performance.registry import INDICATORS, figure

    period = Period(year)
    started, cpu = time.perf_counter(), time.process_time()
    # Whole-authority figures: the team column is not read.
    inputs = from_parquet_period(path, period, population=ENGLAND_POPULATION, teams=False)
    loaded = time.perf_counter()
    figures = {}
    for indicator in INDICATORS:
        if indicator.needs in {"events", "population"}:
            m = figure(indicator, inputs, period)
            figures[indicator.id] = None if m is None else [m.numerator, m.denominator]
    finished = time.perf_counter()
    print(
        json.dumps(
            {
                "seconds": finished - started,
                "cpu_seconds": time.process_time() - cpu,
                "load_seconds": loaded - started,
                "rows": inputs.events.height,
                "figures": figures,
            }
        )
    )
    return 0


def england_file() -> tuple[Path, str]:
    if CACHE.is_file():
        return CACHE, f"reused {CACHE.relative_to(ROOT)}"
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    partial = CACHE.with_name(CACHE.name + ".building")
    env = environment(CACHE.parent / "unused.sqlite3")
    args = ["generate", "--size", "england", "--seed", str(SEED), "--as-of", AS_OF.isoformat()]
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own command
        [str(OPENMASH), *args, "--out", str(partial), "--no-progress"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    partial.replace(CACHE)
    return CACHE, f"generated {CACHE.relative_to(ROOT)} in {time.perf_counter() - started:.0f} s (kept for next time)"


def referrals_over(path: Path, year: int) -> int:
    import polars as pl

    start, end = dt.date(year - YEARS, 4, 1), dt.date(year, 3, 31)
    return (
        pl.scan_parquet(path)
        .filter((pl.col("event_type").cast(pl.String) == "referral") & pl.col("event_date").is_between(start, end))
        .select(pl.len())
        .collect()
        .item()
    )


def borough_reference_and_engine(year: int) -> tuple[float, float, int]:
    """Seconds for the reference and for the engine over the demo borough's events; how many indicators."""
    _setup()
    from tests.performance import reference as ref
    from tests.performance.test_kpis import KPIS

    from openmash.demo.generator import Options, build_borough
    from openmash.performance.periods import Period

    events = build_borough(Options(size="borough", seed=SEED, as_of=AS_OF)).events()
    rows = events.to_dicts()
    period = Period(year)
    start, end = ref.bounds(year)
    started = time.perf_counter()
    expected = {name: reference(rows, start, end) for name, (_, reference) in KPIS.items()}
    reference_seconds = time.perf_counter() - started
    started = time.perf_counter()
    got = {name: engine(events, period) for name, (engine, _) in KPIS.items()}
    engine_seconds = time.perf_counter() - started
    differ = [n for n in KPIS if (got[n].numerator, got[n].denominator) != tuple(expected[n])]
    if differ:
        raise SystemExit(f"the engine and the reference differ on the borough: {', '.join(differ)}")
    return reference_seconds, engine_seconds, len(KPIS)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--measure"]:
        return measure(Path(argv[1]), int(argv[2]))
    path, how = england_file()
    print(f"England's journey events: {how}", flush=True)
    year = AS_OF.year if dt.date(AS_OF.year, 3, 31) < AS_OF else AS_OF.year - 1  # the latest complete year
    referrals = referrals_over(path, year)
    print(f"bench: kpi_suite_england_referrals_{YEARS}_years {referrals} referrals")
    if referrals < MIN_REFERRALS:
        print(f"note: fewer than {MIN_REFERRALS:,} referrals in the {YEARS} reporting years to 31 March {year}")
    env = dict(os.environ)
    seconds, peak_mb, stdout = run_measured([sys.executable, __file__, "--measure", str(path), str(year)], env)
    result = json.loads(stdout)
    print(f"reporting year {year - 1} to {year}: {len(result['figures'])} indicators over {result['rows']:,} rows")
    print(f"bench: kpi_suite_england_seconds {result['seconds']:.2f} s")
    print(f"bench: kpi_suite_england_load_seconds {result['load_seconds']:.2f} s")
    # CPU time of both cores together: steadier than wall time when other work shares the machine.
    print(f"bench: kpi_suite_england_cpu_seconds {result['cpu_seconds']:.2f} s")
    print(f"bench: kpi_suite_england_peak_mb {peak_mb:.0f} MB")
    print(f"bench: kpi_suite_england_process_seconds {seconds:.1f} s")
    reference_seconds, engine_seconds, count = borough_reference_and_engine(year)
    print(f"borough, reporting year {year - 1} to {year}: {count} indicators, reference and engine agree")
    print(f"bench: kpi_reference_borough_seconds {reference_seconds:.2f} s")
    print(f"bench: kpi_engine_borough_seconds {engine_seconds:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
