"""Benchmark: the oversight pages over the demo borough, as one signed-in user at a time.

Not timed: builds the borough (`openmash generate --size borough --seed 1`) into a temporary SQLite database,
or uses DATABASE_URL if set (a PostgreSQL database is created if missing; the borough is built if the database
is empty). The borough has no disclosure ledger or early help packages yet, so they are added in bulk: a
ledger row for every decided contact of the last year (two for referrals) and an open package for every
early help decision of the last six months. It allocates every referral at once, so the allocations of the
last fortnight's open referrals in the assessment teams are removed to give a queue. Accounts: a MASH
manager, an auditor and the team manager of the Advice and Assessment team with the longest queue.

Timed, in this process: the flow's counts alone (its selector); then each page through Django's test client
(middleware, the view and its template; no network), REPEATS times after one warm-up, median and 95th
percentile, and the queries each request asks (about ten of them are the session, the account, the menu and
the audit row any page pays, as the almost empty form to find a child, measured first, shows):
- today's flow at the front door (aggregates over every contact);
- the overdue contacts; the open early help;
- the disclosure ledger: one child's rows, one agency's rows over a month, and that month as a CSV file;
- the referrals waiting for allocation, and the allocation page for the first of them.
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


def _add_ledger_and_early_help(by: Any) -> tuple[int, int]:
    import datetime as dt

    from django.db.models import Q
    from django.utils import timezone

    from openmash.front_door.models import Contact, Disclosure, EarlyHelpPackage

    if Disclosure.objects.exists():
        return Disclosure.objects.count(), EarlyHelpPackage.objects.filter(closed_on__isnull=True).count()
    now = timezone.now()
    decided = Contact.objects.filter(~Q(outcome=""), child__isnull=False, decided_at__gte=now - dt.timedelta(days=365))
    rows = []
    for contact in decided.values("pk", "child_id", "outcome", "decided_at", "referrer_agency").iterator():
        told = Disclosure(
            child_id=contact["child_id"], contact_id=contact["pk"], recipient_agency=contact["referrer_agency"],
            recipient="The referrer", shared="The outcome of the contact", purpose="Telling the referrer the outcome",
            lawful_basis="safeguarding", consent="not_needed", shared_at=contact["decided_at"], shared_by=by,
        )  # fmt: skip
        rows.append(told)
        if contact["outcome"] in ("referral", "strategy"):
            rows.append(
                Disclosure(
                    child_id=contact["child_id"],
                    contact_id=contact["pk"],
                    recipient_agency="health",
                    recipient="GP practice",
                    shared="Referral to children's social care",
                    purpose="GP to review",
                    lawful_basis="s47",
                    consent="not_sought",
                    shared_at=contact["decided_at"],
                    shared_by=by,
                )
            )
    Disclosure.objects.bulk_create(rows, batch_size=5000)
    early = Contact.objects.filter(
        outcome="early_help", decided_at__gte=now - dt.timedelta(days=182), early_help__isnull=True
    ).values("pk", "child_id", "decided_at")
    EarlyHelpPackage.objects.bulk_create(
        [
            EarlyHelpPackage(
                contact_id=c["pk"],
                child_id=c["child_id"],
                support="Family support worker",
                started_on=timezone.localdate(c["decided_at"]),
            )
            for c in early
        ],
        batch_size=5000,
    )
    return len(rows), EarlyHelpPackage.objects.filter(closed_on__isnull=True).count()


def _users() -> dict[str, Any]:
    import datetime as dt

    from django.db.models import Count, Exists, OuterRef, Q

    from openmash.accounts.models import Agency, Role, User, UserRole
    from openmash.casework.models import Referral
    from openmash.workforce.models import Allocation, StaffMember, Team

    def account(username: str, roles: list[str], staff: StaffMember | None = None) -> User:
        user, _ = User.objects.get_or_create(username=username, defaults={"agency": Agency.CHILDRENS_SOCIAL_CARE})
        for role in roles:
            UserRole.objects.get_or_create(user=user, role=role)
        if staff is not None and staff.user_id is None and not StaffMember.objects.filter(user=user).exists():
            staff.user = user
            staff.save(update_fields=["user"])
        return user

    mash_team = Team.objects.filter(kind="mash").order_by("pk").first()
    assert mash_team is not None
    mash_staff = StaffMember.objects.filter(team=mash_team, user__isnull=True).order_by("pk").first()
    if mash_staff is None:
        mash_staff = StaffMember.objects.create(
            first_name="Bench", last_name="Manager", team=mash_team, job_role="team_manager",
            start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    open_assessment = Referral.objects.filter(closure_date__isnull=True, team__kind="assessment")
    # The borough allocates every referral the day it opens; the last fortnight's wait here instead.
    recent = open_assessment.filter(referral_date__gte=dt.date.today() - dt.timedelta(days=14))  # noqa: DTZ011
    Allocation.objects.filter(child_id__in=recent.values("child_id"), end_date__isnull=True).delete()
    waiting = open_assessment.filter(
        ~Exists(Allocation.objects.filter(child_id=OuterRef("child_id"), end_date__isnull=True))
    )
    busiest = waiting.values("team").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest is not None, "the borough has no referral waiting for allocation"
    tm_staff = StaffMember.objects.filter(team_id=busiest["team"]).filter(
        Q(user__isnull=True) | Q(user__username="bench.tm")
    ).order_by("pk").first()  # fmt: skip
    assert tm_staff is not None
    return {
        "manager": account("bench.mash.manager", [Role.MASH_PRACTITIONER, Role.TEAM_MANAGER], mash_staff),
        "auditor": account("bench.auditor", [Role.AUDITOR]),
        "tm": account("bench.tm", [Role.TEAM_MANAGER], tm_staff),
        "waiting": busiest["n"],
    }


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


def _time(client: Any, url: str, params: dict[str, str] | None = None) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> Any:
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        return response

    get()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        get()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get()
    return statistics.median(times), statistics.quantiles(times, n=20)[-1], len(captured)


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

        import datetime as dt

        import django

        django.setup()
        from django.urls import reverse
        from django.utils import timezone

        from openmash.casework.selectors import referrals_waiting
        from openmash.front_door.models import Contact, Disclosure
        from openmash.front_door.oversight.selectors import front_door_flow

        people = _users()
        ledger_rows, open_packages = _add_ledger_and_early_help(people["manager"])
        manager, auditor, tm = _client(people["manager"]), _client(people["auditor"]), _client(people["tm"])
        busy_child = (Disclosure.objects.values("child__la_child_id").order_by("-shared_at").first() or {}).get(
            "child__la_child_id", ""
        )
        today = timezone.localdate()
        month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        month = {
            "agency": "health",
            "start_day": "1", "start_month": str(month_start.month), "start_year": str(month_start.year),
            "end_day": str((today.replace(day=1) - dt.timedelta(days=1)).day),
            "end_month": str(month_start.month), "end_year": str(month_start.year),
        }  # fmt: skip
        first = referrals_waiting(user=people["tm"]).rows[0].referral
        pages = {
            # For comparison: an almost empty page (the form to find a child), the cost of any request here.
            "baseline_empty_form": (manager, reverse("journey:child_search"), None),
            "flow": (manager, reverse("front_door:flow"), None),
            "overdue": (manager, reverse("front_door:flow_overdue"), None),
            "early_help": (manager, reverse("front_door:early_help"), None),
            "ledger_child": (auditor, reverse("front_door:disclosures"), {"child": busy_child}),
            "ledger_agency_month": (auditor, reverse("front_door:disclosures"), month),
            "ledger_csv_month": (auditor, reverse("front_door:disclosures"), {**month, "download": "csv"}),
            "queue": (tm, reverse("casework:queue"), None),
            "allocate": (tm, reverse("casework:allocate", args=[first.pk]), None),
        }
        print(f"bench: oversight_database {database}")
        print(f"bench: oversight_contacts {Contact.objects.count()} rows")
        print(f"bench: oversight_ledger_rows {ledger_rows} rows")
        print(f"bench: oversight_open_early_help {open_packages} packages")
        print(f"bench: oversight_referrals_waiting {people['waiting']} referrals")
        selector = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            front_door_flow(user=people["manager"])
            selector.append((time.perf_counter() - started) * 1000)
        print(f"bench: oversight_flow_counts_median_ms {statistics.median(selector):.1f} ms")
        for name, (client, path, params) in pages.items():
            median, p95, queries = _time(client, path, params)
            print(f"bench: oversight_{name}_median_ms {median:.1f} ms")
            print(f"bench: oversight_{name}_p95_ms {p95:.1f} ms")
            print(f"bench: oversight_{name}_queries {queries} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
