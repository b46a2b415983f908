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
- chronology_ms: the record of a child with 200 chronology entries (five episodes of statutory steps through
  the services, visits, case notes and agency information), read by the allocated social worker; then the same
  chronology filtered to visits, and printed as a PDF, beside an almost empty page. Also the 95th percentile
  and the median CPU time of the process (steadier than the clock on a shared machine). The child (LA child
  ID BENCHCHRON1, in a team of its own) is added to the database once and reused.
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
CHRONOLOGY_CHILD = "BENCHCHRON1"


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


def _measure(client: Any, url: str, params: dict[str, Any] | None = None) -> tuple[float, float, int, float]:
    """Median and 95th percentile of the server time, the queries one request asks, and the median CPU time of
    this process (the server's Python and, on SQLite, the database's work), which other load on a shared machine
    barely changes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> Any:
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        return response

    get()
    times, cpu = [], []
    for _ in range(REPEATS):
        started, started_cpu = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get()
    return statistics.median(times), statistics.quantiles(times, n=20)[-1], len(captured), statistics.median(cpu)


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


# The child's record and chronology -----------------------------------------------------------------


def _chronology_child() -> tuple[Any, Any]:
    """A child with 200 chronology entries and the social worker allocated to them; built once."""
    from django.db import transaction

    with transaction.atomic():
        return _build_chronology_child()


def _build_chronology_child() -> tuple[Any, Any]:
    import datetime as dt

    from django.utils import timezone

    from openmash.accounts.models import Agency, Role, User, UserRole
    from openmash.casework import services as casework
    from openmash.casework.children import child_create
    from openmash.casework.models import CaseNote, Visit
    from openmash.core.calendar import add_working_days
    from openmash.core.codes import AssessmentFactor, CategoryOfAbuse, PrimaryNeed, ReasonForClosure
    from openmash.core.events import EventType
    from openmash.core.models import JourneyEvent
    from openmash.front_door.models import AgencyContribution
    from openmash.people.models import Child
    from openmash.protection import services as protection
    from openmash.protection.models import StrategyDiscussion
    from openmash.workforce.models import Allocation, Service, StaffMember, Team

    def account(username: str, role: str, team: Team) -> User:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"agency": Agency.CHILDRENS_SOCIAL_CARE, "first_name": "Bench"}
        )
        UserRole.objects.get_or_create(user=user, role=role)
        if not StaffMember.objects.filter(user=user).exists():
            StaffMember.objects.create(
                user=user, first_name="Bench", last_name=username.split(".")[-1].title(), team=team,
                job_role="social_worker" if role == Role.SOCIAL_WORKER else "team_manager",
                start_date=dt.date(2015, 1, 1),
            )  # fmt: skip
        return user

    service, _ = Service.objects.get_or_create(name="Bench chronology service")
    team, _ = Team.objects.get_or_create(
        name="Bench chronology team", defaults={"service": service, "kind": Team.Kind.CHILD_IN_NEED}
    )
    worker = account("bench.chronology.sw", Role.SOCIAL_WORKER, team)
    manager = account("bench.chronology.tm", Role.TEAM_MANAGER, team)
    child = Child.objects.filter(la_child_id=CHRONOLOGY_CHILD).first()
    if child is not None:
        return child, worker
    child = child_create(
        la_child_id=CHRONOLOGY_CHILD, first_name="Bench", last_name="Chronology", date_of_birth=dt.date(2012, 3, 4),
        sex="F", ethnicity="WBRI", postcode="ZZ9 9ZZ", acting_user=worker,
    )  # fmt: skip
    staff = worker.staff  # type: ignore[attr-defined]
    Allocation.objects.create(child=child, worker=staff, team=team, start_date=dt.date(2016, 1, 1))

    # Five episodes, each through the services: referral, assessment, strategy discussion, Section 47 enquiry,
    # conference and plan, two reviews, the plan's end, the assessment's authorisation and closure.
    def d(year: int, month: int, day: int) -> dt.date:
        """That day, or the next working day (conferences are held on working days)."""
        return add_working_days(dt.date(year, month, day) - dt.timedelta(days=1), 1)

    for year in range(2016, 2021):
        u = worker
        referral = casework.referral_create(
            child=child, referral_date=d(year, 1, 11), source="6", primary_need=PrimaryNeed.ABUSE_NEGLECT, acting_user=u
        )
        assessment = casework.assessment_start(referral=referral, start_date=d(year, 1, 12), acting_user=u)
        sd = protection.strategy_discussion_record(
            referral=referral, discussion_date=d(year, 1, 13), outcome=StrategyDiscussion.Outcome.SECTION_47,
            acting_user=u,
        )  # fmt: skip
        s47 = protection.section47_start(
            referral=referral, start_date=d(year, 1, 13), strategy_discussion=sd, acting_user=u
        )
        plan = protection.conference_record(
            enquiry=s47, conference_date=d(year, 2, 1), plan_needed=True, category=CategoryOfAbuse.NEGLECT,
            acting_user=u,
        )  # fmt: skip
        assert plan is not None
        casework.assessment_update(
            assessment=assessment, analysis="Neglect at home; mother a victim of domestic abuse.",
            factors=[AssessmentFactor.DOMESTIC_ABUSE_PARENT], child_seen=True, child_seen_date=d(year, 1, 14),
            seen_alone=True, expected_version=None, acting_user=u,
        )  # fmt: skip
        casework.assessment_submit(assessment=assessment, expected_version=None, acting_user=u)
        casework.assessment_authorise(
            assessment=assessment, authorised_date=d(year, 3, 1), child_in_need=True, acting_user=manager
        )
        protection.cp_plan_review(plan=plan, review_date=d(year, 5, 1), acting_user=u)
        protection.cp_plan_review(plan=plan, review_date=d(year, 10, 1), acting_user=u)
        protection.cp_plan_end(plan=plan, end_date=d(year, 11, 1), acting_user=u)
        casework.referral_close(
            referral=referral, closure_date=d(year, 11, 1), reason=ReasonForClosure.SERVICES_CEASED, acting_user=u
        )
    events = JourneyEvent.objects.filter(child_id=child.pk).exclude(event_type=EventType.CONTACT).count()
    # The rest of the 200: visits, case notes (some restricted) and agency information, with the ORM (the
    # record reads them; how they are recorded is not what is measured).
    rest = 200 - events
    visits, notes = rest * 2 // 5, rest * 3 // 10
    contributions = rest - visits - notes
    start = dt.date(2016, 1, 15)
    Visit.objects.bulk_create(
        Visit(
            child=child,
            visit_date=start + dt.timedelta(days=30 * i),
            purpose=Visit.Purpose.CP_PLAN,
            seen=i % 5 != 0,
            visited_by=staff,
            recorded_by=worker,
            notes="Saw the child at home; the kitchen had food in it.",
        )
        for i in range(visits)
    )
    CaseNote.objects.bulk_create(
        CaseNote(
            child=child,
            note_type=CaseNote.NoteType.PHONE_CALL,
            occurred_on=start + dt.timedelta(days=37 * i),
            subject=f"Call {i + 1}",
            body="Spoke to the school about attendance and how the child is.\n\nNo change.",
            # A tenth restricted, all by the social worker, who reads what they wrote: all 200 entries are theirs.
            author=worker if i % 4 or i % 10 == 0 else manager,
            restricted=i % 10 == 0,
        )
        for i in range(notes)
    )
    made = AgencyContribution.objects.bulk_create(
        AgencyContribution(child=child, agency=("police", "health", "education")[i % 3], summary=f"Information {i}")
        for i in range(contributions)
    )
    for i, c in enumerate(made):
        when = dt.datetime(2016, 2, 1, 10, tzinfo=timezone.get_current_timezone()) + dt.timedelta(days=50 * i)
        AgencyContribution.objects.filter(pk=c.pk).update(created_at=when)
    return child, worker


def chronology_ms() -> None:
    from django.urls import reverse

    from openmash.journey.record import child_page

    child, worker = _chronology_child()
    entries = len(child_page(user=worker, la_child_id=child.la_child_id).chronology)
    print(f"bench: chronology_entries {entries} entries")
    client = _client(worker)
    record = reverse("journey:child_detail", args=[child.la_child_id])
    pdf = reverse("journey:chronology_pdf", args=[child.la_child_id])
    pages: dict[str, tuple[str, dict[str, Any] | None]] = {
        # For comparison: an almost empty page (the form to find a child), the cost of any request here.
        "chronology_baseline_empty_form": (reverse("journey:child_search"), None),
        "chronology": (record, None),
        "chronology_visits": (record, {"kind": "visit", "start_day": "1", "start_month": "1", "start_year": "2017"}),
        "chronology_pdf": (pdf, None),
    }
    for name, (url, params) in pages.items():
        median, p95, queries, cpu = _measure(client, url, params)
        print(f"bench: {name}_ms {median:.1f} ms")
        print(f"bench: {name}_p95_ms {p95:.1f} ms")
        print(f"bench: {name}_cpu_ms {cpu:.1f} ms")
        print(f"bench: {name}_queries {queries} queries")


FIGURES: list[Callable[[], None]] = [team_caseload_ms, chronology_ms]


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
