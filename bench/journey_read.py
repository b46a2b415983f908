"""Benchmark: read the borough's journey events from the database and compute the headline KPIs.

This is what the headline-figures page and every scorecard pay per request. Builds the borough into
a temporary SQLite database first (not timed), then times, in this process:
- journey_events() over the whole borough: one query of the stored journey-events table;
- rebuild_events() over the whole borough: assembling the same events from every source table, as
  every read did before the services stored them (and as `openmash journey check` still does);
- journey_events() of the kinds the headline-figures page reads (all but contacts);
- five headline KPI functions over the table for the last complete reporting year.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENMASH = Path(sys.executable).with_name("openmash")
REPEATS = 5


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="openmash-bench-") as tmp:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'borough.sqlite3'}"
        os.environ.setdefault("OPENMASH_DEMO", "1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")
        for args in (
            ["migrate", "--no-input", "-v", "0"],
            ["generate", "--size", "borough", "--seed", "1", "--no-progress"],
        ):
            subprocess.run([str(OPENMASH), *args], check=True, stdout=subprocess.DEVNULL)  # noqa: S603

        import django

        django.setup()
        import datetime as dt

        from openmash.core.dates import reporting_year_of
        from openmash.core.events import EventType
        from openmash.journey.rebuild import rebuild_events
        from openmash.journey.selectors import journey_events
        from openmash.performance import kpis

        reads, rebuilds, headline_reads = [], [], []
        for _ in range(REPEATS):
            started = time.perf_counter()
            events = journey_events()
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            rebuilt = rebuild_events()
            rebuilds.append(time.perf_counter() - started)
            started = time.perf_counter()
            journey_events(event_types=[t for t in EventType if t != EventType.CONTACT])
            headline_reads.append(time.perf_counter() - started)
        if not events.equals(rebuilt):
            raise SystemExit("the stored events differ from the rebuilt ones: run `openmash journey check`")
        year = reporting_year_of(dt.date.today()) - 1  # noqa: DTZ011
        computes = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            kpis.re_referral_rate(events, year)
            kpis.assessments_within_45_working_days(events, year)
            kpis.cp_plans_second_or_subsequent(events, year)
            kpis.cp_plans_ceased_two_years_or_more(events, year)
            kpis.cp_plans_open_two_years_at_31_march(events, year)
            computes.append(time.perf_counter() - started)
    print(f"bench: journey_events_rows {events.height} rows")
    print(f"bench: journey_events_read_median_ms {statistics.median(reads) * 1000:.0f} ms")
    print(f"bench: journey_events_rebuild_median_ms {statistics.median(rebuilds) * 1000:.0f} ms")
    print(f"bench: journey_events_headline_read_median_ms {statistics.median(headline_reads) * 1000:.0f} ms")
    print(f"bench: headline_kpis_median_ms {statistics.median(computes) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
