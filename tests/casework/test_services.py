import datetime as dt

import pytest

from openmash.accounts.models import User
from openmash.casework import services
from openmash.casework.models import Assessment, Referral
from openmash.core.codes import PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.core.errors import ServiceError
from openmash.people.models import Child

D = dt.date


def test_a_child_cannot_have_two_open_referrals(referral: Referral, child: Child, worker_user: User) -> None:
    with pytest.raises(ServiceError, match="already has an open referral from 1 May 2024"):
        services.referral_create(
            child=child,
            referral_date=D(2024, 6, 1),
            source=ReferralSource.SCHOOLS,
            primary_need=PrimaryNeed.ABUSE_NEGLECT,
            acting_user=worker_user,
        )
    assert Referral.objects.filter(child=child).count() == 1


def test_primary_need_is_required_unless_no_further_action(child: Child, worker_user: User) -> None:
    with pytest.raises(ServiceError) as err:
        services.referral_create(child=child, referral_date=D(2024, 6, 1), source="6", acting_user=worker_user)
    assert err.value.field == "primary_need"
    nfa = services.referral_create(
        child=child, referral_date=D(2024, 6, 1), source="6", no_further_action=True, acting_user=worker_user
    )
    assert nfa.no_further_action


def test_no_further_action_referrals_cannot_have_assessments(child: Child, worker_user: User) -> None:
    nfa = services.referral_create(
        child=child, referral_date=D(2024, 6, 1), source="6", no_further_action=True, acting_user=worker_user
    )
    with pytest.raises(ServiceError, match="no further action"):
        services.assessment_start(referral=nfa, start_date=D(2024, 6, 2), acting_user=worker_user)
    assert not Assessment.objects.exists()


def test_assessment_cannot_start_before_the_referral(referral: Referral, worker_user: User) -> None:
    with pytest.raises(ServiceError, match=r"before the referral date \(1 May 2024\)"):
        services.assessment_start(referral=referral, start_date=D(2024, 4, 30), acting_user=worker_user)


def test_only_one_assessment_in_progress(referral: Referral, worker_user: User) -> None:
    services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    with pytest.raises(ServiceError, match="already has an assessment in progress"):
        services.assessment_start(referral=referral, start_date=D(2024, 5, 11), acting_user=worker_user)


def test_case_cannot_close_with_an_open_assessment(referral: Referral, worker_user: User) -> None:
    services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    with pytest.raises(ServiceError, match="Before the case can close, finish the assessment"):
        services.referral_close(
            referral=referral,
            closure_date=D(2024, 6, 1),
            reason=ReasonForClosure.SERVICES_CEASED,
            acting_user=worker_user,
        )
    referral.refresh_from_db()
    assert referral.closure_date is None


def test_closure_after_assessment_needs_an_assessment(referral: Referral, worker_user: User) -> None:
    with pytest.raises(ServiceError, match="needs a completed assessment"):
        services.referral_close(
            referral=referral,
            closure_date=D(2024, 6, 1),
            reason=ReasonForClosure.NFA_AFTER_ASSESSMENT,
            acting_user=worker_user,
        )


def test_a_new_referral_cannot_overlap_a_closed_one(full_journey: Referral, worker_user: User) -> None:
    with pytest.raises(ServiceError, match="overlaps an earlier referral"):
        services.referral_create(
            child=full_journey.child,
            referral_date=D(2025, 1, 1),
            source="6",
            primary_need="N1",
            acting_user=worker_user,
        )
    again = services.referral_create(
        child=full_journey.child,
        referral_date=D(2025, 3, 1),
        source="6",
        primary_need="N1",
        acting_user=worker_user,
    )
    assert again.pk != full_journey.pk


def test_cin_plan_cannot_end_before_it_starts(referral: Referral, worker_user: User) -> None:
    plan = services.cin_plan_start(referral=referral, start_date=D(2024, 6, 1), acting_user=worker_user)
    with pytest.raises(ServiceError, match=r"cannot end before it started \(1 June 2024\)"):
        services.cin_plan_end(plan=plan, end_date=D(2024, 5, 31), acting_user=worker_user)


def test_future_dates_are_refused(referral: Referral, worker_user: User) -> None:
    with pytest.raises(ServiceError, match="cannot be in the future"):
        services.assessment_start(
            referral=referral, start_date=dt.date.today() + dt.timedelta(days=1), acting_user=worker_user
        )


def test_someone_without_access_to_the_child_cannot_record_casework(referral: Referral) -> None:
    stranger = User.objects.create_user(username="stranger", password="x" * 20)
    with pytest.raises(ServiceError, match="do not have permission"):
        services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=stranger)
    assert not Assessment.objects.exists()


def test_changes_are_kept_with_who_made_them(referral: Referral, worker_user: User) -> None:
    from auditlog.models import LogEntry

    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    entry = LogEntry.objects.get_for_object(a).get()
    assert entry.actor == worker_user
    assert entry.changes_dict["start_date"] == ["None", "2024-05-10"]


def test_an_internal_review_date_is_kept_until_changed(referral: Referral, worker_user: User) -> None:
    assessment = services.assessment_start(referral=referral, start_date=D(2024, 5, 2), acting_user=worker_user)
    answers = {"analysis": "", "factors": [], "child_seen": None, "expected_version": None}
    with pytest.raises(ServiceError, match="on or after the assessment started") as err:
        services.assessment_update(
            assessment=assessment, internal_review_date=D(2024, 5, 1), acting_user=worker_user, **answers
        )
    assert err.value.field == "internal_review_date"
    services.assessment_update(
        assessment=assessment, internal_review_date=D(2024, 6, 3), acting_user=worker_user, **answers
    )
    services.assessment_update(assessment=assessment, acting_user=worker_user, **answers)
    assessment.refresh_from_db()
    assert assessment.internal_review_date == D(2024, 6, 3)
    services.assessment_update(assessment=assessment, internal_review_date=None, acting_user=worker_user, **answers)
    assessment.refresh_from_db()
    assert assessment.internal_review_date is None
