"""Shared fixtures: a social worker to act as, and a child allocated to them with a whole journey built
through the services; plus the test-only switches the suite needs."""

from __future__ import annotations

import copy
import datetime as dt
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from openmash.accounts.models import Role, User, UserRole
from openmash.casework import services as casework
from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.core.codes import (
    AssessmentFactor,
    CategoryOfAbuse,
    PrimaryNeed,
    ReasonForClosure,
    ReferralSource,
)
from openmash.people.models import Child
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion
from openmash.workforce.models import Allocation, Service, StaffMember, Team


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests create many accounts and need no protection from brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_immediately() -> Iterator[None]:
    """Background tasks run at once, inside the test, instead of waiting in the database for a worker."""
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """A `replica` database for the tests that ask for it: the primary's test database under a second
    name, like a read replica with no lag. Reads go there only where a test makes it the reporting
    database (settings.OPENMASH_REPORTING_DATABASE); settings add it only with DATABASE_REPLICA_URL."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        replica = copy.deepcopy(settings.DATABASES["default"])
        replica["TEST"] = {**replica.get("TEST", {}), "MIRROR": "default"}
        settings.DATABASES["replica"] = replica


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Django's test machinery flushes the database after each test that commits (browser tests).
    settings.OPENMASH_ALLOW_FLUSH = True
    # The census check after each change runs DfE's validator as a separate process: only the tests of it
    # switch it on (tests/returns/test_quality.py).
    settings.OPENMASH_DATA_QUALITY_ON_CHANGE = False


# PostgreSQL: the owner's credentials, kept while the tests run as the application's role.
_pg_owner: dict[str, str] = {}


def _connect_as(user: str, password: str) -> None:
    """Every connection from now on signs in as this role (connections share one settings dict)."""
    from django.db import connections

    for connection in connections.all():
        connection.close()
        connection.settings_dict["USER"] = user
        connection.settings_dict["PASSWORD"] = password


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """On PostgreSQL the suite runs as an application role like production's (docs/deploy.md,
    "Database roles"): DATABASE_URL's user creates and migrates the test database as its owner, then
    `openmash db grant-app-role` gives the role `<test database>_app` (or $OPENMASH_TEST_APP_ROLE)
    exactly the application's privileges, and every connection after that signs in as it."""
    from django.db import connection

    from openmash.access.roles import grant_app_role

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            app = None
        else:
            app = os.environ.get("OPENMASH_TEST_APP_ROLE") or f"{connection.settings_dict['NAME']}_app"
            password = secrets.token_urlsafe(24)
            quoted = connection.ops.quote_name(app)
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app])
                if cursor.fetchone() is None:
                    cursor.execute(f"CREATE ROLE {quoted}")
                cursor.execute(f"ALTER ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %s", [password])
            grant_app_role(app)
            _pg_owner.update(USER=connection.settings_dict["USER"], PASSWORD=connection.settings_dict["PASSWORD"])
            _connect_as(app, password)
    yield
    if app is not None:
        with django_db_blocker.unblock():
            # The owner drops the test database.
            _connect_as(_pg_owner["USER"], _pg_owner["PASSWORD"])


def _lift_audit_guards() -> Callable[[], None]:
    """Test-only: lift the audit trail's database guards (access migration 0003); return what puts
    them back.

    The application itself has no way to: on SQLite nothing in the database switches the triggers
    off, so they are dropped and then recreated from their own saved definitions; on PostgreSQL the
    application's role cannot touch them, so this acts as the owner and disables them."""
    from django.db import connection

    from openmash.access.guards import AUDIT_TABLES

    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            placeholders = ", ".join(["%s"] * len(AUDIT_TABLES))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",  # noqa: S608
                list(AUDIT_TABLES),
            )
            saved = cursor.fetchall()
            for name, _ in saved:
                cursor.execute(f"DROP TRIGGER {name}")

        def recreate() -> None:
            with connection.cursor() as cursor:
                for _, sql in saved:
                    cursor.execute(sql)

        return recreate

    app = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    _connect_as(_pg_owner["USER"], _pg_owner["PASSWORD"])
    with connection.cursor() as cursor:
        for table in AUDIT_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")

    def enable() -> None:
        with connection.cursor() as cursor:
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        _connect_as(*app)

    return enable


@contextmanager
def _audit_guards_lifted() -> Iterator[None]:
    restore = _lift_audit_guards()
    try:
        yield
    finally:
        restore()


@contextmanager
def _as_owner() -> Iterator[None]:
    """PostgreSQL: connect as the tables' owner for a while (SQLite has no roles: nothing to do).
    Only for tests that commit: it closes the connection."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    app = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    _connect_as(_pg_owner["USER"], _pg_owner["PASSWORD"])
    try:
        yield
    finally:
        _connect_as(*app)


@pytest.fixture
def as_db_owner() -> Callable[[], AbstractContextManager[None]]:
    """Act as the database's owner (PostgreSQL), as an administrator with the keys could."""
    return _as_owner


@pytest.fixture
def audit_guards_lifted() -> Callable[[], AbstractContextManager[None]]:
    """For tests that tamper with the audit trail the way someone with the database's keys could."""
    return _audit_guards_lifted


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Browser tests commit real rows, and the database is emptied after each: the audit trail's
    guards are lifted for that flush only (as the owner on PostgreSQL) and put back after."""
    from django.db import OperationalError, connection
    from pytest_django.plugin import blocking_manager_key

    marker = item.get_closest_marker("django_db")
    commits = "transactional_db" in getattr(item, "fixturenames", ()) or (
        marker is not None and bool(marker.kwargs.get("transaction", marker.args[0] if marker.args else False))
    )
    if not commits:
        yield
        return
    blocker = item.config.stash[blocking_manager_key]
    restore = None
    test_database = connection.settings_dict["NAME"]
    with blocker.unblock():
        # After the last test the test database is already gone (an in-memory one cannot even be
        # opened again): nothing to lift or put back then.
        try:
            tables = connection.introspection.table_names()
        except OperationalError:
            tables = []
        if "access_auditevent" in tables:
            restore = _lift_audit_guards()
    try:
        yield
    finally:
        # After the last test the test database is gone (and the settings name the real one again):
        # nothing to put back then.
        if restore is not None and connection.settings_dict["NAME"] == test_database:
            with blocker.unblock():
                restore()


@pytest.fixture
def worker_user(db: None) -> User:
    """A social worker who can sign in: password "a-long-test-password", and an authenticator app
    whose secret is `worker_user.totp_key` (bytes; codes from django_otp.oath.totp)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.create_user(
        username="worker", password="a-long-test-password", first_name="Wendy", last_name="Worker"
    )
    UserRole.objects.create(user=user, role=Role.SOCIAL_WORKER)
    service = Service.objects.create(name="Safeguarding")
    team = Team.objects.create(name="Child in need team 1", service=service, kind=Team.Kind.CHILD_IN_NEED)
    StaffMember.objects.create(
        user=user,
        first_name="Wendy",
        last_name="Worker",
        team=team,
        job_role="social_worker",
        start_date=dt.date(2020, 1, 1),
    )
    user.totp_key = b"openmash-test-secret"  # type: ignore[attr-defined]  # 20 bytes
    user.totp_device = TOTPDevice.objects.create(  # type: ignore[attr-defined]
        user=user, name="Test authenticator", key=user.totp_key.hex(), confirmed=True
    )
    return user


@pytest.fixture
def manager_user(worker_user: User) -> User:
    """The team manager of worker_user's team, who authorises assessments."""
    user = User.objects.create_user(
        username="manager", password="a-long-test-password", first_name="Mina", last_name="Manager"
    )
    UserRole.objects.create(user=user, role=Role.TEAM_MANAGER)
    StaffMember.objects.create(
        user=user,
        first_name="Mina",
        last_name="Manager",
        team=worker_user.staff.team,  # type: ignore[attr-defined]
        job_role="team_manager",
        is_case_holder=False,
        start_date=dt.date(2020, 1, 1),
    )
    return user


@pytest.fixture
def child(worker_user: User) -> Child:
    child = child_create(
        la_child_id="C100",
        first_name="Amelia",
        last_name="Jones",
        date_of_birth=dt.date(2015, 6, 1),
        sex="F",
        ethnicity="WBRI",
        postcode="AB1 2CD",
        acting_user=worker_user,
    )
    staff = worker_user.staff  # type: ignore[attr-defined]
    # Allocated with the ORM: through the services a manager allocates only a child whose referral waits in
    # their service, and a referral needs someone who already sees the child (the MASH, through a contact,
    # which has no service yet). tests/access/world.py builds that whole path.
    Allocation.objects.create(child=child, worker=staff, team=staff.team, start_date=dt.date(2024, 5, 1))
    return child


@pytest.fixture
def referral(child: Child, worker_user: User) -> Referral:
    return casework.referral_create(
        child=child,
        referral_date=dt.date(2024, 5, 1),
        source=ReferralSource.POLICE,
        primary_need=PrimaryNeed.ABUSE_NEGLECT,
        acting_user=worker_user,
    )


@pytest.fixture
def full_journey(referral: Referral, worker_user: User, manager_user: User) -> Referral:
    """Referral → assessment → strategy → S47 → ICPC and plan → review → plan end → closure."""
    u = worker_user
    a = casework.assessment_start(referral=referral, start_date=dt.date(2024, 5, 2), acting_user=u)
    casework.assessment_update(
        assessment=a,
        analysis="Mother is the subject of domestic abuse; Amelia is being exploited outside the home.",
        factors=[AssessmentFactor.DOMESTIC_ABUSE_PARENT, AssessmentFactor.CSE],
        child_seen=True,
        child_seen_date=dt.date(2024, 5, 3),
        seen_alone=True,
        expected_version=None,
        acting_user=u,
    )
    casework.assessment_submit(assessment=a, expected_version=None, acting_user=u)
    casework.assessment_authorise(
        assessment=a, authorised_date=dt.date(2024, 6, 20), child_in_need=True, acting_user=manager_user
    )
    sd = protection.strategy_discussion_record(
        referral=referral,
        discussion_date=dt.date(2024, 5, 3),
        outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=u,
    )
    s47 = protection.section47_start(
        referral=referral, start_date=dt.date(2024, 5, 3), strategy_discussion=sd, acting_user=u
    )
    plan = protection.conference_record(
        enquiry=s47,
        conference_date=dt.date(2024, 5, 21),
        plan_needed=True,
        category=CategoryOfAbuse.NEGLECT,
        acting_user=u,
    )
    assert plan is not None
    protection.cp_plan_review(plan=plan, review_date=dt.date(2024, 8, 20), acting_user=u)
    protection.cp_plan_end(plan=plan, end_date=dt.date(2025, 2, 10), acting_user=u)
    casework.referral_close(
        referral=referral,
        closure_date=dt.date(2025, 2, 10),
        reason=ReasonForClosure.SERVICES_CEASED,
        acting_user=u,
    )
    referral.refresh_from_db()
    return referral
