"""The database router: reports read from the replica when there is one; everything else uses the primary.

The `replica` database in tests is the primary's test database under a second name (tests/conftest.py),
so what is read through it can be compared with the primary and its queries counted on its own connection.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connections, router, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.models import Referral
from openmash.core.models import JourneyEvent
from openmash.core.routers import reporting_db, reporting_reads
from openmash.journey.selectors import journey_events
from openmash.people.models import Child
from openmash.performance import scorecard
from openmash.performance.models import ComputedFigures
from openmash.performance.periods import Period
from openmash.protection.models import ChildProtectionPlan
from openmash.workforce.models import Allocation

WITH_REPLICA = pytest.mark.django_db(databases=["default", "replica"])


@pytest.fixture
def replica(settings: Any) -> str:
    settings.OPENMASH_REPORTING_DATABASE = "replica"
    return "replica"


@pytest.fixture
def analyst(db: None) -> User:
    user = User.objects.create_user(username="analyst", agency=Agency.CHILDRENS_SOCIAL_CARE)
    UserRole.objects.create(user=user, role=Role.PERFORMANCE_ANALYST)
    return user


def test_without_a_replica_reports_read_from_the_primary() -> None:
    assert reporting_db() == "default"
    with reporting_reads():
        assert router.db_for_read(Child) == "default"


def test_reporting_reads_of_case_records_go_to_the_replica(replica: str) -> None:
    with reporting_reads():
        for model in (JourneyEvent, Child, Referral, ChildProtectionPlan, Allocation):
            assert router.db_for_read(model) == "replica", model


def test_reads_outside_a_report_stay_on_the_primary(replica: str) -> None:
    # A child's page or a search must show what was just recorded: never a lagging copy.
    assert router.db_for_read(Child) == "default"
    assert router.db_for_read(Referral) == "default"


def test_audit_trail_and_accounts_are_never_read_from_the_replica(replica: str) -> None:
    with reporting_reads():
        assert router.db_for_read(AuditEvent) == "default"
        assert router.db_for_read(User) == "default"
        assert router.db_for_read(UserRole) == "default"


def test_writes_always_go_to_the_primary(replica: str) -> None:
    with reporting_reads():
        for model in (Child, Referral, AuditEvent, User):
            assert router.db_for_write(model) == "default", model


@pytest.mark.django_db
def test_reads_inside_a_transaction_see_its_writes(replica: str) -> None:
    with reporting_reads(), transaction.atomic():
        assert router.db_for_read(Child) == "default"


def test_migrations_run_on_the_primary_only() -> None:
    assert router.allow_migrate("default", "people")
    assert not router.allow_migrate("replica", "people")
    assert not router.allow_migrate("replica", "access")


def test_leaving_the_block_restores_the_primary_even_after_an_error(replica: str) -> None:
    with pytest.raises(RuntimeError), reporting_reads():
        raise RuntimeError("report failed")
    assert router.db_for_read(Child) == "default"


@WITH_REPLICA
def test_scorecard_figures_are_read_through_the_replica(
    transactional_db: None, replica: str, full_journey: Referral, analyst: User
) -> None:
    today = dt.date(2025, 6, 1)  # the journey falls in the reporting year to 31 March 2025
    year = Period(2025)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        from_replica = scorecard.build(analyst, period=year, today=today)
    with CaptureQueriesContext(connections["default"]) as on_primary:
        scorecard.build(analyst, period=year, today=today)  # the figures are kept: only the state is checked

    assert on_replica.captured_queries, "the journey events were not read from the replica"
    read_there = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert "access_auditevent" not in read_there
    assert "accounts_user" not in read_there
    # The primary never read the journey tables.
    assert not any(JourneyEvent._meta.db_table in q["sql"] for q in on_primary.captured_queries)

    ComputedFigures.objects.all().delete()
    with override_settings(OPENMASH_REPORTING_DATABASE="default"):
        from_primary = scorecard.build(analyst, period=year, today=today)
    assert [(r.indicator.id, r.value) for r in from_replica.rows] == [
        (r.indicator.id, r.value) for r in from_primary.rows
    ]
    assert any(r.numerator not in (0, None) for r in from_replica.rows)


@WITH_REPLICA
def test_journey_events_read_the_same_rows_from_either_database(
    transactional_db: None, replica: str, full_journey: Referral
) -> None:
    with CaptureQueriesContext(connections["replica"]) as on_replica, reporting_reads():
        via_replica = journey_events()
    assert on_replica.captured_queries
    assert via_replica.equals(journey_events())
    assert via_replica.height > 0
