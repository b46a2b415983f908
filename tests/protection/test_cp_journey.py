"""Child protection through the services: the steps refused out of order, both conference dates across bank
holidays, review due dates, previous plans counted from the history, and edits that someone else overtook."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from openmash.accounts.models import Agency, User
from openmash.casework.models import Referral
from openmash.casework.services import referral_close
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.journey.due import DueKind, due_items
from openmash.protection import services
from openmash.protection.models import (
    ChildProtectionPlan,
    PlanEndReason,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from openmash.protection.timescales import cp_review_due

D = dt.date
POLICE_HEALTH_CSC = [Agency.POLICE, Agency.HEALTH, Agency.CHILDRENS_SOCIAL_CARE]


def _journey_check() -> str:
    out = StringIO()
    call_command("journey", "check", stdout=out)
    return out.getvalue()


def _s47(referral: Referral, user: User, discussed: dt.date, started: dt.date) -> Section47Enquiry:
    sd = services.strategy_discussion_record(
        referral=referral,
        discussion_date=discussed,
        outcome=StrategyDiscussion.Outcome.SECTION_47,
        agencies_present=POLICE_HEALTH_CSC,
        notes="Police and health agree the threshold for a Section 47 enquiry is met.",
        acting_user=user,
    )
    return services.section47_start(referral=referral, start_date=started, strategy_discussion=sd, acting_user=user)


def _plan(referral: Referral, user: User) -> ChildProtectionPlan:
    s47 = _s47(referral, user, D(2024, 5, 2), D(2024, 5, 3))
    plan = services.conference_record(
        enquiry=s47,
        conference_date=D(2024, 5, 21),
        plan_needed=True,
        category="NEG",
        notes="Neglect of basic care.",
        core_group=["Ann Smith, health visitor, Health", "  Bob  Jones, head teacher, Education "],
        acting_user=user,
    )
    assert plan is not None
    return plan


def test_strategy_discussion_keeps_the_agencies_and_notes(referral: Referral, worker_user: User) -> None:
    s47 = _s47(referral, worker_user, D(2024, 5, 2), D(2024, 5, 3))
    sd = s47.strategy_discussion
    assert sd is not None
    assert sd.agencies_present == sorted(POLICE_HEALTH_CSC)
    assert "threshold" in sd.notes
    with pytest.raises(ServiceError, match="Select the agencies") as err:
        services.strategy_discussion_record(
            referral=referral,
            discussion_date=D(2024, 5, 9),
            outcome="nfa",
            agencies_present=[],
            acting_user=worker_user,
        )
    assert err.value.field == "agencies_present"
    with pytest.raises(ServiceError, match="Unknown agency: fire"):
        services.strategy_discussion_record(
            referral=referral,
            discussion_date=D(2024, 5, 9),
            outcome="nfa",
            agencies_present=["fire"],
            acting_user=worker_user,
        )
    assert StrategyDiscussion.objects.count() == 1


def test_both_conference_dates_skip_christmas_and_new_year(referral: Referral, worker_user: User) -> None:
    # Christmas Day, Boxing Day 2024 and New Year's Day 2025 are bank holidays.
    s47 = _s47(referral, worker_user, D(2024, 12, 20), D(2024, 12, 23))
    assert s47.conference_target_date == D(2025, 1, 15)
    assert s47.conference_due_from_start == D(2025, 1, 16)


def test_both_conference_dates_skip_easter(referral: Referral, worker_user: User) -> None:
    # Good Friday 18 April and Easter Monday 21 April 2025.
    s47 = _s47(referral, worker_user, D(2025, 4, 10), D(2025, 4, 14))
    assert s47.conference_target_date == D(2025, 5, 6)  # early May bank holiday, 5 May, skipped too
    assert s47.conference_due_from_start == D(2025, 5, 8)


def test_both_conference_dates_skip_substitute_bank_holidays(referral: Referral, worker_user: User) -> None:
    # Boxing Day 2026 is a Saturday: the substitute day is Monday 28 December.
    with time_machine.travel(dt.datetime(2027, 2, 1, 12, tzinfo=dt.UTC), tick=False):
        s47 = _s47(referral, worker_user, D(2026, 12, 18), D(2026, 12, 21))
    # From Friday 18 December: 21-24 and 29-31 December, then 4-13 January (1 January is a holiday too);
    # counting 28 December would make it 12 January.
    assert s47.conference_target_date == D(2027, 1, 13)
    assert s47.conference_due_from_start == D(2027, 1, 14)
    due = [i for i in due_items([referral.child_id]) if i.kind == DueKind.ICPC]
    assert [(i.due, i.also_due) for i in due] == [(D(2027, 1, 13), D(2027, 1, 14))]


def test_a_conference_needs_an_enquiry_in_progress(referral: Referral, worker_user: User) -> None:
    s47 = _s47(referral, worker_user, D(2024, 5, 2), D(2024, 5, 3))
    services.section47_outcome_record(
        enquiry=s47,
        outcome=Section47Outcome.NOT_SUBSTANTIATED,
        outcome_date=D(2024, 5, 17),
        acting_user=worker_user,
    )
    s47.refresh_from_db()
    assert s47.conference_not_required
    with pytest.raises(ServiceError, match="recorded as not needing a conference"):
        services.conference_record(
            enquiry=s47, conference_date=D(2024, 5, 21), plan_needed=True, category="NEG", acting_user=worker_user
        )
    with pytest.raises(ServiceError, match="needs a Section 47 enquiry"):
        services.conference_record(
            enquiry=None, conference_date=D(2024, 5, 21), plan_needed=True, category="NEG", acting_user=worker_user
        )
    assert not ChildProtectionPlan.objects.exists()
    # The enquiry is finished: the case may start another, and close.
    assert "match the records" in _journey_check()


def test_the_conference_starts_the_plan_with_its_notes_core_group_and_visits(
    referral: Referral, worker_user: User, settings: object
) -> None:
    plan = _plan(referral, worker_user)
    s47 = Section47Enquiry.objects.get()
    assert s47.conference_notes == "Neglect of basic care."
    assert s47.outcome == Section47Outcome.CONFERENCE
    assert plan.core_group == ["Ann Smith, health visitor, Health", "Bob Jones, head teacher, Education"]
    assert plan.visit_every_working_days == 10
    with pytest.raises(ServiceError, match="conference for this enquiry was held on 21 May 2024"):
        services.conference_record(
            enquiry=s47, conference_date=D(2024, 5, 22), plan_needed=False, acting_user=worker_user
        )
    with pytest.raises(ServiceError, match="its outcome stands"):
        services.section47_outcome_record(
            enquiry=s47, outcome="unsubstantiated", outcome_date=D(2024, 5, 22), acting_user=worker_user
        )


def test_reviews_are_due_three_months_after_the_conference_then_every_six(
    referral: Referral, worker_user: User
) -> None:
    plan = _plan(referral, worker_user)
    assert cp_review_due(plan.start_date, None) == D(2024, 8, 21)

    def due() -> list[dt.date]:
        return [i.due for i in due_items([referral.child_id]) if i.kind == DueKind.CP_REVIEW]

    assert due() == [D(2024, 8, 21)]
    services.cp_plan_review(
        plan=plan, review_date=D(2024, 8, 20), latest_category="EMO", notes="Progress", acting_user=worker_user
    )
    assert due() == [D(2025, 2, 20)]
    services.cp_plan_review(plan=plan, review_date=D(2025, 2, 18), acting_user=worker_user)
    assert due() == [D(2025, 8, 18)]
    plan.refresh_from_db()
    assert plan.latest_category == "EMO"
    assert plan.reviews.first().notes == "Progress"  # type: ignore[union-attr]


def test_after_the_plan_ends_no_review_and_the_case_closes(referral: Referral, worker_user: User) -> None:
    plan = _plan(referral, worker_user)
    with pytest.raises(ServiceError, match="Before the case can close, finish the child protection plan"):
        referral_close(referral=referral, closure_date=D(2024, 9, 2), reason="RC7", acting_user=worker_user)
    with pytest.raises(ServiceError, match="Select why the plan is ending") as err:
        services.cp_plan_end(plan=plan, end_date=D(2024, 9, 2), reason="", acting_user=worker_user)
    assert err.value.field == "reason"
    services.cp_plan_end(plan=plan, end_date=D(2024, 9, 2), reason=PlanEndReason.CLOSED, acting_user=worker_user)
    plan.refresh_from_db()
    assert plan.end_reason == PlanEndReason.CLOSED
    with pytest.raises(ServiceError, match="This plan ended on 2 September 2024; it cannot be reviewed"):
        services.cp_plan_review(plan=plan, review_date=D(2024, 9, 3), acting_user=worker_user)
    with pytest.raises(ServiceError, match="You cannot change the plan: this plan ended on 2 September 2024"):
        services.cp_plan_update(plan=plan, core_group=[], visit_every_working_days=5, acting_user=worker_user)
    referral_close(referral=referral, closure_date=D(2024, 9, 2), reason="RC7", acting_user=worker_user)
    with pytest.raises(ServiceError, match="this case was closed on 2 September 2024"):
        services.strategy_discussion_record(
            referral=referral, discussion_date=D(2024, 9, 3), outcome="nfa", acting_user=worker_user
        )
    assert "match the records" in _journey_check()


def test_previous_plans_count_this_authoritys_and_those_held_elsewhere(
    full_journey: Referral, worker_user: User
) -> None:
    from openmash.casework.services import referral_create

    child = full_journey.child
    services.prior_plan_record(
        child=child,
        authority="Kent County Council",
        start_date=D(2019, 3, 1),
        end_date=D(2020, 2, 1),
        category="PHY",
        acting_user=worker_user,
    )
    # The plan already recorded here started later, so it now counts the one in Kent.
    first = full_journey.cp_plans.get()
    assert first.number_of_previous_plans == 1
    second_referral = referral_create(
        child=child, referral_date=D(2025, 3, 3), source="6", primary_need="N1", acting_user=worker_user
    )
    s47 = services.section47_start(referral=second_referral, start_date=D(2025, 3, 3), acting_user=worker_user)
    plan = services.conference_record(
        enquiry=s47, conference_date=D(2025, 3, 14), plan_needed=True, category="EMO", acting_user=worker_user
    )
    assert plan is not None
    assert plan.number_of_previous_plans == 2
    with pytest.raises(ServiceError, match="overlap a child protection plan recorded here"):
        services.prior_plan_record(
            child=child, authority="Kent", start_date=D(2024, 6, 1), end_date=D(2024, 7, 1), acting_user=worker_user
        )
    with pytest.raises(ServiceError, match="must end after the day it started"):
        services.prior_plan_record(
            child=child, authority="Kent", start_date=D(2018, 6, 1), end_date=D(2018, 6, 1), acting_user=worker_user
        )
    # The stored plan-start events carry the recounted numbers.
    assert "match the records" in _journey_check()


def test_an_edit_someone_else_overtook_is_refused_with_what_changed(referral: Referral, worker_user: User) -> None:
    plan = _plan(referral, worker_user)
    opened = plan.version
    services.cp_plan_update(
        plan=plan,
        core_group=["Ann Smith, health visitor, Health"],
        visit_every_working_days=5,
        expected_version=opened,
        acting_user=worker_user,
    )
    with pytest.raises(EditConflict) as err:
        services.cp_plan_update(
            plan=plan,
            core_group=["Ann Smith, health visitor, Health", "Carl Doe, GP, Health"],
            visit_every_working_days=10,
            expected_version=opened,
            acting_user=worker_user,
        )
    assert {d.field for d in err.value.differences} == {"core_group", "visit_every_working_days"}
    plan.refresh_from_db()
    assert plan.visit_every_working_days == 5
    assert plan.core_group == ["Ann Smith, health visitor, Health"]
    services.cp_plan_update(
        plan=plan,
        core_group=["Carl Doe, GP, Health"],
        visit_every_working_days=10,
        expected_version=err.value.current_version,
        acting_user=worker_user,
    )
    plan.refresh_from_db()
    assert plan.visit_every_working_days == 10
    with pytest.raises(ServiceError, match="every 1 to 60 working days"):
        services.cp_plan_update(plan=plan, core_group=[], visit_every_working_days=0, acting_user=worker_user)


def test_nothing_is_recorded_in_the_future(referral: Referral, worker_user: User) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ServiceError, match="cannot be in the future"):
        services.strategy_discussion_record(
            referral=referral, discussion_date=tomorrow, outcome="s47", acting_user=worker_user
        )
