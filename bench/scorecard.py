"""Benchmark: the quarterly scorecard page over the demo borough, as a team manager.

Not timed: builds the borough (`openmash generate --size borough --seed 1`) into a temporary SQLite database,
or uses DATABASE_URL if set (a PostgreSQL database is created if missing; the borough is built if the database
is empty). The account is the manager of the team holding the most children.

Timed, in this process, through Django's test client (middleware, the view and its template; no network), the
default scorecard (the last complete quarter, the whole authority, its 8-quarter trend):
- scorecard_ms, scorecard_p95_ms: warm, the figures already computed for this state of the records (they are
  read back from the cache), REPEATS loads after one warm-up; also the median CPU time of this process and the
  queries one load asks.
- scorecard_cold_ms: the first load after a change to the records (a member of staff's record saved), which
  computes every indicator for the nine quarters afresh and stores them; the median of COLD_REPEATS changes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

OPENMASH = Path(sys.executable).with_name("openmash")
REPEATS = 15
COLD_REPEATS = 3
USERNAME = "bench.scorecard.tm"


def _ensure_postgres_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _build(env: dict[str, str]) -> None:
    run = [str(OPENMASH)]
    subprocess.run([*run, "migrate", "--no-input", "-v", "0"], check=True, env=env)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*run, "generate", "--size", "borough", "--seed", "1", "--no-progress", "--if-empty"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _team_manager() -> tuple[Any, Any]:
    """A team manager's account linked to a member of staff of the team holding the most children."""
    import datetime as dt

    from django.db.models import Count, Q

    from openmash.accounts.models import Agency, Role, User, UserRole
    from openmash.workforce.models import Allocation, StaffMember

    busiest = (
        Allocation.objects.filter(end_date__isnull=True)
        .values("worker__team")
        .annotate(n=Count("pk"))
        .order_by("-n", "worker__team")
        .first()
    )
    assert busiest is not None, "the borough has no allocated children"
    team_id = busiest["worker__team"]
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"agency": Agency.CHILDRENS_SOCIAL_CARE})
    UserRole.objects.get_or_create(user=user, role=Role.TEAM_MANAGER)
    staff = (
        StaffMember.objects.filter(team_id=team_id)
        .filter(Q(user__isnull=True) | Q(user=user))
        .order_by("-job_role", "pk")  # the team's manager if it has one free of an account
        .first()
    )
    if staff is None:
        staff = StaffMember.objects.create(
            first_name="Bench", last_name="Manager", team_id=team_id, job_role="team_manager",
            is_case_holder=False, start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    if staff.user_id is None and not StaffMember.objects.filter(user=user).exists():
        staff.user = user
        staff.save(update_fields=["user", "updated_at"])
    return user, staff


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Bench", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


def _cold(client: Any, url: str, staff: Any) -> list[float]:
    """The first load after each of COLD_REPEATS changes to the records."""
    from openmash.performance.cache import fingerprint

    times = []
    for _ in range(COLD_REPEATS):
        before = fingerprint()
        staff.save(update_fields=["updated_at"])  # a correction to a record: the figures must be computed again
        assert fingerprint() != before, "the change did not reach the cache's fingerprint"
        started = time.perf_counter()
        _get(client, url)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _warm(client: Any, url: str) -> tuple[float, float, float, int]:
    """Median and 95th percentile of the server time with the figures cached, the median CPU time of this
    process, and the queries one load asks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _get(client, url)
    times, cpu = [], []
    for _ in range(REPEATS):
        started, started_cpu = time.perf_counter(), time.process_time()
        _get(client, url)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1], statistics.median(cpu), len(captured)


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="openmash-bench-") as tmp:
        if url.startswith(("postgres://", "postgresql://")):
            _ensure_postgres_database(url)
            database = "postgresql"
        elif url.startswith("sqlite:///"):
            database = "sqlite"
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'borough.sqlite3'}"
            database = "sqlite"
        os.environ.setdefault("OPENMASH_DEMO", "1")
        os.environ.setdefault("OPENMASH_INSECURE_HTTP", "1")
        os.environ["OPENMASH_ALLOWED_HOSTS"] = "testserver"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")
        _build(dict(os.environ))

        import django

        django.setup()
        from django.urls import reverse

        from openmash.core.models import JourneyEvent

        user, staff = _team_manager()
        client = _client(user)
        page = reverse("performance:scorecard")
        print(f"bench: scorecard_database {database}")
        print(f"bench: scorecard_events {JourneyEvent.objects.count()} events")
        cold = _cold(client, page, staff)
        median, p95, cpu, queries = _warm(client, page)
        print(f"bench: scorecard_ms {median:.1f} ms")
        print(f"bench: scorecard_p95_ms {p95:.1f} ms")
        print(f"bench: scorecard_cpu_ms {cpu:.1f} ms")
        print(f"bench: scorecard_queries {queries} queries")
        print(f"bench: scorecard_cold_ms {statistics.median(cold):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
