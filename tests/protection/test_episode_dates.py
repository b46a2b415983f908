"""Protection refuses changes that would leave an episode's dates impossible, naming the record in the
way and its date, and changes nothing."""

import datetime as dt
from collections.abc import Callable

import pytest

from openmash.accounts.models import User
from openmash.casework import services as casework
from openmash.casework.models import Referral
from openmash.core.errors import ServiceError
from openmash.core.models import JourneyEvent
from openmash.journey.rebuild import check_table
from openmash.protection import services
from openmash.protection.models import (
    ChildProtectionPlan,
    ChildProtectionReview,
    Section47Enquiry,
    StrategyDiscussion,
)

D = dt.date


def _refused(call: Callable[[], object], match: str) -> ServiceError:
    """The call is refused with a matching message and leaves the stored events as they were."""
    events_before = list(JourneyEvent.objects.order_by("id").values())
    with pytest.raises(ServiceError, match=match) as err:
        call()
    assert list(JourneyEvent.objects.order_by("id").values()) == events_before
    assert check_table() == []
    return err.value


def _plan(referral: Referral, user: User) -> ChildProtectionPlan:
    s47 = services.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=user)
    plan = services.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 20), plan_needed=True, category="NEG", acting_user=user
    )
    assert plan is not None
    return plan


def test_a_plan_cannot_end_before_its_last_review(referral: Referral, worker_user: User) -> None:
    plan = _plan(referral, worker_user)
    services.cp_plan_review(plan=plan, review_date=D(2024, 8, 20), acting_user=worker_user)
    error = _refused(
        lambda: services.cp_plan_end(plan=plan, end_date=D(2024, 6, 3), acting_user=worker_user),
        r"cannot end on 3 June 2024: it has a review conference on 20 August 2024",
    )
    assert error.field == "end_date"
    plan.refresh_from_db()
    assert plan.end_date is None
    # Ending the plan at its last review is fine.
    assert services.cp_plan_end(plan=plan, end_date=D(2024, 8, 20), acting_user=worker_user).end_date


def test_an_ended_plan_takes_no_review(referral: Referral, worker_user: User) -> None:
    plan = _plan(referral, worker_user)
    services.cp_plan_end(plan=plan, end_date=D(2024, 6, 3), acting_user=worker_user)
    _refused(
        lambda: services.cp_plan_review(plan=plan, review_date=D(2024, 8, 20), acting_user=worker_user),
        r"This plan ended on 3 June 2024; it cannot be reviewed",
    )
    assert not ChildProtectionReview.objects.exists()


def test_conferences_are_not_held_on_bank_holidays(referral: Referral, worker_user: User) -> None:
    s47 = services.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=worker_user)
    error = _refused(
        lambda: services.conference_record(
            enquiry=s47, conference_date=D(2024, 5, 27), plan_needed=True, category="NEG", acting_user=worker_user
        ),
        r"27 May 2024 is a bank holiday \(Spring Bank Holiday\)",
    )
    assert error.field == "conference_date"
    s47.refresh_from_db()
    assert s47.conference_date is None
    assert not ChildProtectionPlan.objects.exists()


def test_review_conferences_are_not_held_on_bank_holidays_or_weekends(referral: Referral, worker_user: User) -> None:
    plan = _plan(referral, worker_user)
    _refused(
        lambda: services.cp_plan_review(plan=plan, review_date=D(2024, 8, 26), acting_user=worker_user),
        r"26 August 2024 is a bank holiday \(Late Summer Bank Holiday\)",
    )
    _refused(
        lambda: services.cp_plan_review(plan=plan, review_date=D(2024, 8, 24), acting_user=worker_user),
        r"24 August 2024 is a Saturday: conferences are not held at weekends",
    )
    assert not ChildProtectionReview.objects.exists()


def test_nothing_is_dated_before_the_referral(referral: Referral, worker_user: User) -> None:
    error = _refused(
        lambda: services.strategy_discussion_record(
            referral=referral,
            discussion_date=D(2024, 4, 29),
            outcome=StrategyDiscussion.Outcome.SECTION_47,
            acting_user=worker_user,
        ),
        r"The strategy discussion cannot be on 29 April 2024: that is before the referral date \(1 May 2024\)",
    )
    assert error.field == "discussion_date"
    _refused(
        lambda: services.section47_start(referral=referral, start_date=D(2024, 4, 30), acting_user=worker_user),
        r"Section 47 enquiry cannot be on 30 April 2024: that is before the referral date \(1 May 2024\)",
    )
    assert not StrategyDiscussion.objects.exists()
    assert not Section47Enquiry.objects.exists()


def test_an_enquiry_cannot_start_before_its_strategy_discussion(referral: Referral, worker_user: User) -> None:
    sd = services.strategy_discussion_record(
        referral=referral,
        discussion_date=D(2024, 5, 10),
        outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=worker_user,
    )
    _refused(
        lambda: services.section47_start(
            referral=referral, start_date=D(2024, 5, 9), strategy_discussion=sd, acting_user=worker_user
        ),
        r"cannot start before the strategy discussion that decided on it \(10 May 2024\)",
    )
    assert not Section47Enquiry.objects.exists()


def test_a_protection_plan_cannot_start_inside_a_child_in_need_plan(referral: Referral, worker_user: User) -> None:
    cin = casework.cin_plan_start(referral=referral, start_date=D(2024, 5, 2), acting_user=worker_user)
    s47 = services.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=worker_user)

    def conference() -> object:
        return services.conference_record(
            enquiry=s47, conference_date=D(2024, 5, 20), plan_needed=True, category="NEG", acting_user=worker_user
        )

    _refused(conference, r"End the child in need plan that started on 2 May 2024 before starting")
    casework.cin_plan_end(plan=cin, end_date=D(2024, 7, 1), acting_user=worker_user)
    _refused(
        conference,
        r"cannot start on 20 May 2024: the child in need plan from 2 May 2024 to 1 July 2024 covers that date",
    )
    s47.refresh_from_db()
    assert s47.conference_date is None
    assert not ChildProtectionPlan.objects.exists()
