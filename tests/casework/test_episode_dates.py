"""Casework refuses changes that would leave an episode's dates impossible, judging from every dated
record in the episode (protection's too, through the stored journey events), and changes nothing."""

import datetime as dt

import pytest

from openmash.accounts.models import User
from openmash.casework import services
from openmash.casework.models import CINPlan, Referral
from openmash.core.codes import ReasonForClosure
from openmash.core.errors import ServiceError
from openmash.core.models import JourneyEvent
from openmash.journey.rebuild import check_table
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion

D = dt.date


def _refused_and_unchanged(referral: Referral, call: object, match: str) -> ServiceError:
    events_before = list(JourneyEvent.objects.order_by("id").values())
    with pytest.raises(ServiceError, match=match) as err:
        call()  # type: ignore[operator]
    referral.refresh_from_db()
    assert list(JourneyEvent.objects.order_by("id").values()) == events_before
    assert check_table() == []
    return err.value


def _close(referral: Referral, day: dt.date, user: User) -> Referral:
    return services.referral_close(
        referral=referral, closure_date=day, reason=ReasonForClosure.SERVICES_CEASED, acting_user=user
    )


def test_a_case_cannot_close_before_a_later_strategy_discussion(referral: Referral, worker_user: User) -> None:
    protection.strategy_discussion_record(
        referral=referral,
        discussion_date=D(2024, 7, 1),
        outcome=StrategyDiscussion.Outcome.SECTION_17,
        acting_user=worker_user,
    )
    error = _refused_and_unchanged(
        referral,
        lambda: _close(referral, D(2024, 5, 2), worker_user),
        r"cannot close on 2 May 2024: the strategy discussion on 1 July 2024 is later",
    )
    assert error.field == "closure_date"
    assert referral.closure_date is None
    assert _close(referral, D(2024, 7, 1), worker_user).closure_date == D(2024, 7, 1)


def test_a_case_cannot_close_with_protection_work_open(referral: Referral, worker_user: User) -> None:
    u = worker_user
    s47 = protection.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=u)
    _refused_and_unchanged(
        referral,
        lambda: _close(referral, D(2024, 6, 3), u),
        r"Before the case can close, finish the Section 47 enquiry$",
    )
    plan = protection.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 20), plan_needed=True, category="NEG", acting_user=u
    )
    assert plan is not None
    _refused_and_unchanged(
        referral,
        lambda: _close(referral, D(2024, 6, 3), u),
        r"Before the case can close, finish the child protection plan$",
    )
    assert referral.closure_date is None


def test_a_child_on_a_protection_plan_cannot_start_a_child_in_need_plan(referral: Referral, worker_user: User) -> None:
    u = worker_user
    s47 = protection.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=u)
    protection.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 20), plan_needed=True, category="NEG", acting_user=u
    )
    error = _refused_and_unchanged(
        referral,
        lambda: services.cin_plan_start(referral=referral, start_date=D(2024, 6, 1), acting_user=u),
        r"This child is on a child protection plan; a child in need plan can start only once the protection plan",
    )
    assert error.field is None
    assert not CINPlan.objects.exists()


def test_a_child_in_need_plan_cannot_start_inside_an_earlier_protection_plan(
    referral: Referral, worker_user: User
) -> None:
    u = worker_user
    s47 = protection.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=u)
    plan = protection.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 20), plan_needed=True, category="NEG", acting_user=u
    )
    assert plan is not None
    protection.cp_plan_end(plan=plan, end_date=D(2024, 9, 2), acting_user=u)
    _refused_and_unchanged(
        referral,
        lambda: services.cin_plan_start(referral=referral, start_date=D(2024, 8, 1), acting_user=u),
        r"cannot start on 1 August 2024: the child protection plan from 20 May 2024 to 2 September 2024 covers",
    )
    # Stepping down to a child in need plan on the day the protection plan ends is the usual path.
    assert services.cin_plan_start(referral=referral, start_date=D(2024, 9, 2), acting_user=u).pk


def test_a_child_in_need_plan_cannot_start_before_the_referral(referral: Referral, worker_user: User) -> None:
    error = _refused_and_unchanged(
        referral,
        lambda: services.cin_plan_start(referral=referral, start_date=D(2024, 4, 30), acting_user=worker_user),
        r"child in need plan cannot be on 30 April 2024: that is before the referral date \(1 May 2024\)",
    )
    assert error.field == "start_date"
    assert not CINPlan.objects.exists()
