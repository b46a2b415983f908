"""Shared fixtures: a social worker to act as, and a child allocated to them with a whole journey built
through the services; plus the test-only switches the suite needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from openmash.accounts.models import Role, User, UserRole
from openmash.casework import services as casework
from openmash.casework.models import Referral
from openmash.core.codes import (
    AssessmentFactor,
    CategoryOfAbuse,
    PrimaryNeed,
    ReasonForClosure,
    ReferralSource,
)
from openmash.people.models import Child
from openmash.people.services import child_create
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion
from openmash.workforce.models import Allocation, Service, StaffMember, Team


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests create many accounts and need no protection from brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _set_sqlite_audit_guard(item: pytest.Item, enforced: int) -> None:
    from django.db import OperationalError, connection
    from pytest_django.plugin import blocking_manager_key

    if connection.vendor != "sqlite":
        return
    with item.config.stash[blocking_manager_key].unblock():
        # After the last test the test database is already gone (an in-memory one cannot even be
        # opened again): nothing to guard then.
        try:
            tables = connection.introspection.table_names()
        except OperationalError:
            return
        if "openmash_audit_guard" in tables:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE openmash_audit_guard SET enforced = %s", [enforced])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Browser tests commit real rows, and the database is emptied after each. On SQLite the audit
    trail's delete guard (migration access 0002) is lifted for that flush only and put back after."""
    transactional = "transactional_db" in getattr(item, "fixturenames", ())
    if transactional:
        _set_sqlite_audit_guard(item, 0)
    try:
        yield
    finally:
        if transactional:
            _set_sqlite_audit_guard(item, 1)


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
    casework.assessment_authorise(
        assessment=a,
        authorised_date=dt.date(2024, 6, 20),
        child_in_need=True,
        factors=[AssessmentFactor.DOMESTIC_ABUSE_PARENT, AssessmentFactor.CSE],
        acting_user=manager_user,
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
