"""The census data-quality check with DfE's validator: findings placed on the record they are about, one
child's refresh leaving the others' alone, the check after a change, and an analyst's correction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings

from openmash.access.models import AuditEvent
from openmash.access.policy import can_correct_census_record
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework import services as casework
from openmash.casework.children import child_create
from openmash.casework.models import CINPlan
from openmash.core.codes import AssessmentFactor, PrimaryNeed, ReferralSource
from openmash.core.errors import ServiceError
from openmash.core.events import replace_child_events
from openmash.journey.rebuild import check_table, rebuild_events
from openmash.journey.schema import to_events
from openmash.people.models import Child
from openmash.returns.models import Finding, FindingCount
from openmash.returns.quality import collection_year, refresh_all, refresh_children
from openmash.returns.services import census_record_correct
from openmash.workforce.models import Allocation

pytestmark = pytest.mark.django_db

# DfE rule 4012Q (a query): a child in need plan shown as starting and ending on the same day. The services
# allow it (a plan can end the day it starts), so it is a failure the records really can hold.
SAME_DAY_PLAN = "4012Q"


def _year_start() -> dt.date:
    return dt.date(collection_year() - 1, 4, 1)


def _plan_ended_same_day(child: Child, worker: User, manager: User) -> CINPlan:
    """A referral in the current census year, an authorised assessment and a plan that ended the day it started."""
    start = _year_start()
    referral = casework.referral_create(
        child=child,
        referral_date=start,
        source=ReferralSource.POLICE,
        primary_need=PrimaryNeed.ABUSE_NEGLECT,
        acting_user=worker,
    )
    assessment = casework.assessment_start(referral=referral, start_date=start, acting_user=worker)
    casework.assessment_update(
        assessment=assessment,
        analysis="Mother is the subject of domestic abuse.",
        factors=[AssessmentFactor.DOMESTIC_ABUSE_PARENT],
        child_seen=True,
        child_seen_date=start,
        seen_alone=True,
        expected_version=None,
        acting_user=worker,
    )
    casework.assessment_submit(assessment=assessment, expected_version=None, acting_user=worker)
    casework.assessment_authorise(
        assessment=assessment,
        authorised_date=start + dt.timedelta(days=10),
        child_in_need=True,
        acting_user=manager,
    )
    plan = casework.cin_plan_start(referral=referral, start_date=start + dt.timedelta(days=11), acting_user=worker)
    return casework.cin_plan_end(plan=plan, end_date=plan.start_date, acting_user=worker)


def _second_child(worker: User) -> Child:
    other = child_create(
        la_child_id="C200",
        first_name="Bilal",
        last_name="Khan",
        date_of_birth=dt.date(2016, 2, 3),
        sex="M",
        ethnicity="APKN",
        postcode="AB1 2CD",
        acting_user=worker,
    )
    staff = worker.staff  # type: ignore[attr-defined]
    Allocation.objects.create(child=other, worker=staff, team=staff.team, start_date=_year_start())
    return other


@pytest.fixture
def analyst(db: None) -> User:
    user = User.objects.create_user(
        username="analyst", password="a-long-test-password", agency=Agency.CHILDRENS_SOCIAL_CARE
    )
    UserRole.objects.create(user=user, role=Role.PERFORMANCE_ANALYST)
    return user


def _failures(child: Child, rule: str = SAME_DAY_PLAN) -> list[Finding]:
    return list(Finding.objects.filter(child=child, rule=rule))


def test_full_check_places_each_failure_on_its_record_and_counts_it(
    child: Child, worker_user: User, manager_user: User
) -> None:
    plan = _plan_ended_same_day(child, worker_user, manager_user)

    refresh_all()

    [finding] = _failures(child)
    assert finding.kind == "query"
    assert (finding.record_type, finding.record_id) == ("cin_plan", plan.pk)
    assert finding.team == worker_user.staff.team  # type: ignore[attr-defined]
    assert finding.values["CINPlanEndDate"] == plan.start_date.isoformat()
    # Findings about the return as a whole (no child) are not listed.
    assert not Finding.objects.filter(child__isnull=True).exists()
    counts = FindingCount.objects.filter(rule=SAME_DAY_PLAN)
    assert [(c.team_id, c.count) for c in counts] == [(finding.team_id, 1)]


def test_one_childs_check_replaces_only_that_childs_failures(
    child: Child, worker_user: User, manager_user: User
) -> None:
    other = _second_child(worker_user)
    plan = _plan_ended_same_day(child, worker_user, manager_user)
    _plan_ended_same_day(other, worker_user, manager_user)
    refresh_all()
    assert _failures(child)
    assert _failures(other)
    counted = FindingCount.objects.count()

    # Corrected behind the page's back (as a fix in another system would be), then checked.
    CINPlan.objects.filter(pk=plan.pk).update(end_date=plan.start_date + dt.timedelta(days=30))
    refresh_children([child.pk])

    assert not _failures(child)
    assert len(_failures(other)) == 1
    assert FindingCount.objects.count() == counted  # the trend is kept by full checks only


def test_a_change_to_a_child_is_checked_once_it_commits(
    child: Child, worker_user: User, manager_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        override_settings(OPENMASH_DATA_QUALITY_ON_CHANGE=True),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        _plan_ended_same_day(child, worker_user, manager_user)
    assert len(_failures(child)) == 1
    assert callbacks  # the check waited for the commit


def test_no_check_after_a_change_while_switched_off(child: Child, worker_user: User, manager_user: User) -> None:
    with override_settings(OPENMASH_DATA_QUALITY_ON_CHANGE=False):
        _plan_ended_same_day(child, worker_user, manager_user)
    assert not Finding.objects.exists()


def test_an_analyst_corrects_a_failing_record_and_the_failure_goes(
    child: Child, worker_user: User, manager_user: User, analyst: User, django_capture_on_commit_callbacks: Any
) -> None:
    plan = _plan_ended_same_day(child, worker_user, manager_user)
    refresh_all()
    assert can_correct_census_record(analyst, child)
    new_end = plan.start_date + dt.timedelta(days=40)

    with django_capture_on_commit_callbacks(execute=True):
        census_record_correct(
            record_type="cin_plan", record_id=plan.pk, dates={"end_date": new_end}, acting_user=analyst
        )

    plan.refresh_from_db()
    assert plan.end_date == new_end
    assert not _failures(child)
    assert check_table(child_ids=[child.pk]) == []  # the journey events follow the record
    event = AuditEvent.objects.filter(user=analyst, action=AuditEvent.Action.CHANGE).get()
    assert event.child_id == child.pk
    assert event.detail["census_failure_right"] is True
    assert event.detail["changes"] == {"end_date": [str(plan.start_date), str(new_end)]}


def test_an_impossible_correction_is_refused_and_changes_nothing(
    child: Child, worker_user: User, manager_user: User, analyst: User
) -> None:
    plan = _plan_ended_same_day(child, worker_user, manager_user)
    refresh_all()
    before = plan.end_date

    with pytest.raises(ServiceError, match="cannot end before it started"):
        census_record_correct(
            record_type="cin_plan",
            record_id=plan.pk,
            dates={"end_date": plan.start_date - dt.timedelta(days=1)},
            acting_user=analyst,
        )
    # Before the referral: the episode's own rules refuse it, as they refuse the social worker.
    with pytest.raises(ServiceError):
        census_record_correct(
            record_type="cin_plan",
            record_id=plan.pk,
            dates={"start_date": _year_start() - dt.timedelta(days=5)},
            acting_user=analyst,
        )
    plan.refresh_from_db()
    assert plan.end_date == before
    assert not AuditEvent.objects.filter(user=analyst, action=AuditEvent.Action.CHANGE).exists()


def test_an_analyst_may_not_correct_a_record_without_a_failure(
    child: Child, worker_user: User, manager_user: User, analyst: User
) -> None:
    plan = _plan_ended_same_day(child, worker_user, manager_user)
    # Not checked yet: no current failure, so no right to the record.
    assert not can_correct_census_record(analyst, child)
    with pytest.raises(ServiceError, match="permission"):
        census_record_correct(
            record_type="cin_plan",
            record_id=plan.pk,
            dates={"end_date": plan.start_date + dt.timedelta(days=3)},
            acting_user=analyst,
        )
    refresh_all()
    # With a failure on the child, still only the record the failure points at.
    with pytest.raises(ServiceError, match="permission"):
        census_record_correct(
            record_type="referral",
            record_id=plan.referral_id,
            dates={"referral_date": _year_start() + dt.timedelta(days=1)},
            acting_user=analyst,
        )


def test_records_loaded_in_bulk_are_checked_once_they_commit(
    child: Child, worker_user: User, manager_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    _plan_ended_same_day(child, worker_user, manager_user)  # the check after each change is off
    assert not Finding.objects.exists()
    events = list(to_events(rebuild_events(child_ids=[child.pk])))

    with override_settings(OPENMASH_DATA_QUALITY_ON_CHANGE=True), django_capture_on_commit_callbacks(execute=True):
        # As a census import stores the events of the records it has just written.
        replace_child_events([child.pk], events)

    assert len(_failures(child)) == 1
