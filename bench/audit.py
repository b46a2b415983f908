"""Benchmark: audit rows written per second, with the hash chain and without it.

Each row is written the way a service writes it: in its own transaction, through access.audit.record
(chained) or as the same INSERT with the chain columns filled with placeholders (unchained, the
baseline). Runs on a fresh SQLite file (one writer: SQLite lets one transaction write at a time) and,
if PostgreSQL answers at $OPENMASH_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres),
on a fresh PostgreSQL database with WRITERS threads at once, each transaction also spending WORK_MS on
other work while it holds its chain (as a service does between its audit row and its commit). For
contrast it measures PostgreSQL again with a single chain, which is what one global lock would give.
Finally it times `verify` over everything written.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

OPENMASH = Path(sys.executable).with_name("openmash")
SECONDS = 3.0
WRITERS = 8
WORK_MS = 5
POSTGRES = os.environ.get("OPENMASH_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "OPENMASH_DEMO": "1", "DJANGO_SETTINGS_MODULE": "openmash.settings"}


def _migrate_and_measure(url: str) -> int:
    """In processes of their own: Django's settings take the database from the environment once."""
    subprocess.run([str(OPENMASH), "migrate", "--no-input", "-v", "0"], check=True, env=_env(url))  # noqa: S603
    return subprocess.run([sys.executable, __file__, "--measure"], env=_env(url), check=False).returncode  # noqa: S603


def main() -> int:
    failures = 0
    with tempfile.TemporaryDirectory(prefix="openmash-bench-") as tmp:
        failures += _migrate_and_measure(f"sqlite:///{Path(tmp) / 'audit.sqlite3'}")
    database = f"openmash_bench_audit_{os.getpid()}"
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES, autocommit=True, connect_timeout=3)
    except Exception as exc:  # any failure to connect means: no PostgreSQL here
        print(f"PostgreSQL not reachable at {POSTGRES} ({type(exc).__name__}): SQLite figures only")
        return 1 if failures else 0
    with admin:
        admin.execute(f'CREATE DATABASE "{database}"')
        try:
            failures += _migrate_and_measure(POSTGRES.rsplit("/", 1)[0] + f"/{database}")
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return 1 if failures else 0


def measure() -> int:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from openmash.access import audit, chain
    from openmash.access.models import AuditEvent
    from openmash.accounts.models import User

    user = User.objects.create_user(username="bench.writer", password=None)
    vendor = connection.vendor
    counter = itertools.count(1)

    def work(ms: int) -> None:
        if ms:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(%s)", [ms / 1000])

    def chained(writer: int, ms: int) -> None:
        with transaction.atomic():
            audit.record(user=user, action=AuditEvent.Action.VIEW, summary="Viewed a child's record", child_id=writer)
            work(ms)

    def unchained(writer: int, ms: int) -> None:
        with transaction.atomic():
            AuditEvent(
                at=timezone.now(),
                user=user,
                username=user.username,
                action=AuditEvent.Action.VIEW,
                summary="Viewed a child's record",
                child_id=writer,
                # Placeholders in a chain of its own per writer: the same INSERT, no chain work.
                chain=1000 + writer,
                seq=next(counter),
                prev_hash="",
                hash="",
            ).save(force_insert=True)
            work(ms)

    def rate(write: Any, writers: int, ms: int) -> float:
        done = [0] * writers
        stop = time.perf_counter() + SECONDS

        def run(writer: int) -> None:
            try:
                while time.perf_counter() < stop:
                    write(writer, ms)
                    done[writer] += 1
            finally:
                connection.close()

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return sum(done) / (time.perf_counter() - started)

    if vendor == "sqlite":
        print(f"bench: audit_rows_per_second_unchained_sqlite {rate(unchained, 1, 0):.0f} rows/s")
        print(f"bench: audit_rows_per_second_sqlite {rate(chained, 1, 0):.0f} rows/s")
    else:
        w = WRITERS
        print(f"bench: audit_rows_per_second_unchained_pg_{w}_writers {rate(unchained, w, 0):.0f} rows/s")
        print(f"bench: audit_rows_per_second_pg_{w}_writers {rate(chained, w, 0):.0f} rows/s")
        tag = f"pg_{w}_writers_{WORK_MS}ms_work"
        print(f"bench: audit_rows_per_second_unchained_{tag} {rate(unchained, w, WORK_MS):.0f} rows/s")
        print(f"bench: audit_rows_per_second_{tag} {rate(chained, w, WORK_MS):.0f} rows/s")
        chains = chain.CHAINS
        chain.CHAINS = 1  # what one global lock would give
        try:
            print(f"bench: audit_rows_per_second_one_chain_{tag} {rate(chained, w, WORK_MS):.0f} rows/s")
        finally:
            chain.CHAINS = chains

    # The placeholder rows are not chained: verify the chained ones only.
    rows = AuditEvent.objects.filter(chain__lt=chain.CHAINS).count()
    started = time.perf_counter()
    report = chain.verify()
    elapsed = time.perf_counter() - started
    bad = [p for p in report.problems if p.chain < chain.CHAINS]
    if bad or report.rows - AuditEvent.objects.filter(chain__gte=chain.CHAINS).count() != rows:
        print(f"verify failed on the benchmark's own rows: {bad[:3]}", file=sys.stderr)
        return 1
    print(f"bench: audit_verify_rows_per_second_{vendor} {report.rows / elapsed:.0f} rows/s")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        sys.exit(measure())
    sys.exit(main())
