"""Benchmark: casework pages over the demo borough, one signed-in user at a time.

Not timed: builds the borough (`openmash generate --size borough --seed 1`) into a temporary SQLite database,
or uses DATABASE_URL if set (a PostgreSQL database is created if missing; the borough is built if the database
is empty). Each figure is its own function taking the prepared borough and printing its lines
`bench: <figure> <value> <unit>`; add a figure by adding a function to FIGURES.

Timed, in this process, through Django's test client (middleware, the view and its template; no network),
REPEATS times after one warm-up, the median (and the queries one request asks):
- team_caseload_ms: the work tray of the team holding the most children (caseloads by worker, weighted by
  FTE, the overdue items of every child the team holds, assessments awaiting authorisation and the
  referrals waiting), as the team's manager.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

OPENMASH = Path(sys.executable).with_name("openmash")
REPEATS = 15


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


def _account(username: str, roles: list[str], staff: Any) -> Any:
    """A signed-in user for a member of staff (linked to them unless they already have an account)."""
    from openmash.accounts.models import Agency, User, UserRole
    from openmash.workforce.models import StaffMember

    user, _ = User.objects.get_or_create(username=username, defaults={"agency": Agency.CHILDRENS_SOCIAL_CARE})
    for role in roles:
        UserRole.objects.get_or_create(user=user, role=role)
    if staff.user_id is None and not StaffMember.objects.filter(user=user).exists():
        staff.user = user
        staff.save(update_fields=["user"])
    return user


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


def _time(client: Any, url: str) -> tuple[float, int]:
    """The median time of a page over REPEATS requests after a warm-up, and the queries one request asks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    get()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        get()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get()
    return statistics.median(times), len(captured)


def team_caseload_ms() -> None:
    """The busiest team's tray, as its team manager."""
    import datetime as dt

    from django.db.models import Count, Q
    from django.urls import reverse

    from openmash.accounts.models import Role
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
    manager = (
        StaffMember.objects.filter(team_id=team_id)
        .filter(Q(user__isnull=True) | Q(user__username="bench.casework.tm"))
        .order_by("-job_role", "pk")  # the team's manager if it has one free of an account
        .first()
    )
    if manager is None:
        manager = StaffMember.objects.create(
            first_name="Bench", last_name="Manager", team_id=team_id, job_role="team_manager",
            is_case_holder=False, start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    client = _client(_account("bench.casework.tm", [Role.TEAM_MANAGER], manager))
    workers = StaffMember.objects.filter(team_id=team_id).count()
    median, queries = _time(client, reverse("trays:team", args=[team_id]))
    print(f"bench: team_caseload_children {busiest['n']} children")
    print(f"bench: team_caseload_workers {workers} staff")
    print(f"bench: team_caseload_queries {queries} queries")
    print(f"bench: team_caseload_ms {median:.1f} ms")


FIGURES: list[Callable[[], None]] = [team_caseload_ms]


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
        print(f"bench: casework_database {database}")
        for figure in FIGURES:
            figure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
