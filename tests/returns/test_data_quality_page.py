"""The data-quality page's list: a manager sees their team's children by name with a link to the record, and
the rest only as a count; an analyst sees failing records by LA child ID with the correction link only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.people.models import Child
from openmash.returns.models import Finding, FindingCount, Kind
from openmash.workforce.models import Allocation, Service, StaffMember, Team

from ..accounts.helpers import sign_in_verified

pytestmark = pytest.mark.django_db


def _finding(child: Child, referral: Referral | None, team: Team | None) -> Finding:
    return Finding.objects.create(
        child=child,
        team=team,
        rule="8606",
        kind=Kind.ERROR,
        message="Child referral date is more than 40 weeks before DOB or expected DOB",
        table="CINdetails",
        fields="CINreferralDate",
        values={"CINreferralDate": "2025-01-01"},
        record_type=Finding.RecordType.REFERRAL if referral else Finding.RecordType.CHILD,
        record_id=referral.pk if referral else None,
        found_at=timezone.now(),
    )


@pytest.fixture
def elsewhere(worker_user: User) -> Child:
    """A child held in another service, failing the same rule."""
    service = Service.objects.create(name="Disability")
    team = Team.objects.create(name="Disability team", service=service, kind=Team.Kind.DISABILITY)
    worker = StaffMember.objects.create(
        first_name="Other", last_name="Worker", team=team, job_role="social_worker", start_date=dt.date(2020, 1, 1)
    )
    other = child_create(
        la_child_id="C900",
        first_name="Zara",
        last_name="Elsewhere",
        date_of_birth=dt.date(2014, 1, 1),
        sex="F",
        ethnicity="WBRI",
        postcode="AB1 2CD",
        acting_user=worker_user,
    )
    Allocation.objects.create(child=other, worker=worker, team=team, start_date=dt.date(2024, 1, 1))
    _finding(other, None, team)
    return other


def _page(user: User, query: str = "") -> str:
    client = Client()
    sign_in_verified(client, user)
    response = client.get(reverse("returns:data_quality") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_team_manager_lists_their_teams_children_and_counts_the_rest(
    manager_user: User, referral: Referral, elsewhere: Child
) -> None:
    _finding(referral.child, referral, manager_user.staff.team)  # type: ignore[attr-defined]

    html = _page(manager_user)

    assert referral.child.full_name in html
    assert reverse("casework:referral", kwargs={"referral_id": referral.pk}) in html
    assert elsewhere.full_name not in html
    assert elsewhere.la_child_id not in html
    assert "1 failure about children outside your access is counted but not listed" in html
    assert AuditEvent.objects.filter(user=manager_user, summary="Viewed the census data-quality list").exists()


def test_an_analyst_sees_failing_records_by_id_and_only_the_correction_link(
    referral: Referral, elsewhere: Child, worker_user: User
) -> None:
    analyst = User.objects.create_user(username="analyst", password="x", agency=Agency.CHILDRENS_SOCIAL_CARE)
    UserRole.objects.create(user=analyst, role=Role.PERFORMANCE_ANALYST)
    _finding(referral.child, referral, worker_user.staff.team)  # type: ignore[attr-defined]

    html = _page(analyst, "?rule=8606")

    assert referral.child.la_child_id in html
    assert elsewhere.la_child_id in html
    assert referral.child.full_name not in html
    assert reverse("casework:referral", kwargs={"referral_id": referral.pk}) not in html
    assert reverse("returns:correct", kwargs={"record_type": "referral", "record_id": referral.pk}) in html
    assert "counted but not listed" not in html


def test_the_rule_filter_lists_only_that_rule(manager_user: User, referral: Referral) -> None:
    _finding(referral.child, referral, manager_user.staff.team)  # type: ignore[attr-defined]

    html = _page(manager_user, "?rule=4012Q")

    assert referral.child.full_name not in html
    assert "No failures you may see." in html


def test_the_trend_shows_each_full_checks_counts(manager_user: User) -> None:
    now = timezone.now()
    for day, errors, queries in ((dt.date(2026, 10, 1), 7, 3), (dt.date(2026, 11, 1), 4, 5)):
        FindingCount.objects.create(date=day, team=None, rule="8606", kind=Kind.ERROR, count=errors, recorded_at=now)
        FindingCount.objects.create(date=day, team=None, rule="8670Q", kind=Kind.QUERY, count=queries, recorded_at=now)

    html = _page(manager_user)

    assert "01 Oct 2026: 7 errors, 3 queries; 01 Nov 2026: 4 errors, 5 queries" in html  # the chart's description
    assert html.count('class="app-chart__line"') == 1
