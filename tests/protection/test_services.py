import datetime as dt

import pytest

from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.core.errors import ServiceError
from openmash.protection import services
from openmash.protection.models import ChildProtectionPlan, StrategyDiscussion

D = dt.date


def test_conference_for_a_child_with_no_enquiry_is_refused(referral: Referral, worker_user: User) -> None:
    with pytest.raises(ServiceError, match="needs a Section 47 enquiry"):
        services.conference_record(
            enquiry=None,
            conference_date=D(2024, 5, 20),
            plan_needed=True,
            category="NEG",
            acting_user=worker_user,
        )
    assert not ChildProtectionPlan.objects.exists()


def test_conference_target_is_15_working_days_after_the_strategy_discussion(
    referral: Referral, worker_user: User
) -> None:
    sd = services.strategy_discussion_record(
        referral=referral,
        discussion_date=D(2024, 5, 2),
        outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=worker_user,
    )
    s47 = services.section47_start(
        referral=referral, start_date=D(2024, 5, 3), strategy_discussion=sd, acting_user=worker_user
    )
    # 6 May 2024 and 27 May 2024 are bank holidays.
    assert s47.conference_target_date == D(2024, 5, 24)


def test_conference_cannot_precede_the_enquiry_or_fall_at_a_weekend(referral: Referral, worker_user: User) -> None:
    s47 = services.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=worker_user)
    with pytest.raises(ServiceError, match="before the Section 47 enquiry started"):
        services.conference_record(
            enquiry=s47, conference_date=D(2024, 5, 7), plan_needed=False, acting_user=worker_user
        )
    with pytest.raises(ServiceError, match="weekends"):
        services.conference_record(
            enquiry=s47, conference_date=D(2024, 5, 25), plan_needed=False, acting_user=worker_user
        )
    s47.refresh_from_db()
    assert s47.conference_date is None


def test_plan_starts_on_the_conference_day_and_counts_previous_plans(full_journey: Referral, worker_user: User) -> None:
    from openmash.casework.services import referral_create

    first = full_journey.cp_plans.get()
    assert first.start_date == D(2024, 5, 21)
    assert first.number_of_previous_plans == 0
    second_referral = referral_create(
        child=full_journey.child,
        referral_date=D(2025, 3, 3),
        source="6",
        primary_need="N1",
        acting_user=worker_user,
    )
    s47 = services.section47_start(referral=second_referral, start_date=D(2025, 3, 3), acting_user=worker_user)
    plan = services.conference_record(
        enquiry=s47, conference_date=D(2025, 3, 14), plan_needed=True, category="EMO", acting_user=worker_user
    )
    assert plan is not None
    assert plan.number_of_previous_plans == 1
    assert plan.start_date == D(2025, 3, 14)


def test_plan_ending_before_or_on_its_start_is_refused(referral: Referral, worker_user: User) -> None:
    s47 = services.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=worker_user)
    plan = services.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 20), plan_needed=True, category="NEG", acting_user=worker_user
    )
    assert plan is not None
    for bad in (D(2024, 5, 19), D(2024, 5, 20)):
        with pytest.raises(ServiceError, match=r"must end after the day it started \(20 May 2024\)"):
            services.cp_plan_end(plan=plan, end_date=bad, acting_user=worker_user)
    plan.refresh_from_db()
    assert plan.end_date is None


def test_review_must_follow_the_plan_start_and_updates_category(referral: Referral, worker_user: User) -> None:
    s47 = services.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=worker_user)
    plan = services.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 20), plan_needed=True, category="NEG", acting_user=worker_user
    )
    assert plan is not None
    with pytest.raises(ServiceError, match="must be after the plan started"):
        services.cp_plan_review(plan=plan, review_date=D(2024, 5, 20), acting_user=worker_user)
    services.cp_plan_review(plan=plan, review_date=D(2024, 8, 19), latest_category="MUL", acting_user=worker_user)
    plan.refresh_from_db()
    assert plan.latest_category == "MUL"
    assert plan.initial_category == "NEG"


def test_only_one_open_enquiry_per_case(referral: Referral, worker_user: User) -> None:
    services.section47_start(referral=referral, start_date=D(2024, 5, 8), acting_user=worker_user)
    with pytest.raises(ServiceError, match="already has a Section 47 enquiry in progress"):
        services.section47_start(referral=referral, start_date=D(2024, 5, 9), acting_user=worker_user)
