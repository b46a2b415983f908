"""What is due and when: the dates a social worker's tray and the child's record show, counted in working
days across Christmas, Easter and substitute bank holidays, and in calendar months for reviews."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openmash.accounts.models import User
from openmash.casework import services as casework
from openmash.casework.children import child_create
from openmash.casework.models import Referral, Visit
from openmash.core.codes import CategoryOfAbuse, PrimaryNeed, ReferralSource
from openmash.journey.due import DueKind, by_child, cp_review_due, due_items, visit_due
from openmash.people.models import Child
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion
from openmash.workforce.models import Allocation


def _referral(child: Child, user: User, day: dt.date) -> Referral:
    return casework.referral_create(
        child=child,
        referral_date=day,
        source=ReferralSource.POLICE,
        primary_need=PrimaryNeed.ABUSE_NEGLECT,
        acting_user=user,
    )


def test_an_assessment_started_before_christmas_is_due_45_working_days_later(child: Child, worker_user: User) -> None:
    referral = _referral(child, worker_user, dt.date(2024, 12, 18))
    casework.assessment_start(referral=referral, start_date=dt.date(2024, 12, 20), acting_user=worker_user)
    [item] = due_items([child.pk])
    assert item.kind is DueKind.ASSESSMENT
    # 25 and 26 December and 1 January are not working days: 21 February without them, 26 February with.
    assert item.due == dt.date(2025, 2, 26)
    # From the referral (Working Together 2023): two working days earlier.
    assert item.also_due == dt.date(2025, 2, 24)
    assert item.overdue(dt.date(2025, 2, 27))
    assert not item.overdue(dt.date(2025, 2, 26))


def test_conference_due_dates_skip_substitute_bank_holidays(child: Child, worker_user: User) -> None:
    referral = _referral(child, worker_user, dt.date(2022, 12, 21))
    discussion = protection.strategy_discussion_record(
        referral=referral,
        discussion_date=dt.date(2022, 12, 23),
        outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=worker_user,
    )
    protection.section47_start(
        referral=referral, start_date=dt.date(2023, 1, 3), strategy_discussion=discussion, acting_user=worker_user
    )
    [item] = [i for i in due_items([child.pk]) if i.kind is DueKind.ICPC]
    # Christmas 2022 fell on a Sunday and New Year's Day too: 26 and 27 December and 2 January were holidays.
    assert item.due == dt.date(2023, 1, 18)
    assert item.also_due == dt.date(2023, 1, 24)  # 15 working days from the enquiry's start


def test_review_dates_run_three_months_then_six() -> None:
    assert cp_review_due(dt.date(2024, 11, 30), None) == dt.date(2025, 2, 28)  # no 30 February
    assert cp_review_due(dt.date(2024, 11, 30), dt.date(2025, 2, 20)) == dt.date(2025, 8, 20)


def test_visits_fall_due_by_the_plans_frequency_across_easter() -> None:
    # Good Friday 18 April and Easter Monday 21 April 2025; early May bank holiday 5 May.
    assert visit_due(dt.date(2025, 4, 10), None, 10) == dt.date(2025, 4, 28)
    assert visit_due(dt.date(2025, 4, 10), dt.date(2025, 4, 22), 10) == dt.date(2025, 5, 7)


def test_a_plan_lists_its_review_and_the_visit_due_after_the_last_time_the_child_was_seen(
    child: Child, worker_user: User
) -> None:
    referral = _referral(child, worker_user, dt.date(2025, 3, 3))
    discussion = protection.strategy_discussion_record(
        referral=referral,
        discussion_date=dt.date(2025, 3, 4),
        outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=worker_user,
    )
    enquiry = protection.section47_start(
        referral=referral, start_date=dt.date(2025, 3, 4), strategy_discussion=discussion, acting_user=worker_user
    )
    plan = protection.conference_record(
        enquiry=enquiry,
        conference_date=dt.date(2025, 3, 20),
        plan_needed=True,
        category=CategoryOfAbuse.NEGLECT,
        acting_user=worker_user,
    )
    assert plan is not None
    staff = worker_user.staff  # type: ignore[attr-defined]
    Visit.objects.create(child=child, referral=referral, visit_date=dt.date(2025, 4, 22), purpose="cp_plan", seen=True)
    # A visit at which the child was not seen does not reset the clock.
    Visit.objects.create(
        child=child, referral=referral, visit_date=dt.date(2025, 5, 1), purpose="cp_plan", seen=False, visited_by=staff
    )
    items = {i.kind: i for i in due_items([child.pk])}
    assert set(items) == {DueKind.CP_REVIEW, DueKind.CP_VISIT}
    assert items[DueKind.CP_REVIEW].due == dt.date(2025, 6, 20)
    assert items[DueKind.CP_VISIT].due == dt.date(2025, 5, 7)
    # Soonest first, grouped by child for a tray.
    assert [i.kind for i in by_child(due_items([child.pk]))[child.pk]] == [DueKind.CP_VISIT, DueKind.CP_REVIEW]
    assert due_items([child.pk + 1000]) == []


def test_a_visit_to_an_expectant_mother_counts_for_her_unborn_child(worker_user: User) -> None:
    unborn = child_create(
        la_child_id="U100",
        first_name="Baby",
        last_name="Jones",
        expected_date_of_birth=dt.date(2025, 9, 1),
        sex="U",
        acting_user=worker_user,
    )
    staff = worker_user.staff  # type: ignore[attr-defined]
    Allocation.objects.create(child=unborn, worker=staff, team=staff.team, start_date=dt.date(2025, 4, 1))
    referral = _referral(unborn, worker_user, dt.date(2025, 4, 1))
    plan = casework.cin_plan_start(referral=referral, start_date=dt.date(2025, 4, 1), acting_user=worker_user)
    Visit.objects.create(
        child=unborn, referral=referral, visit_date=dt.date(2025, 4, 22), purpose="cin_plan", seen=False
    )
    [item] = due_items([unborn.pk])
    assert item.kind is DueKind.CIN_VISIT
    assert item.due == visit_due(plan.start_date, dt.date(2025, 4, 22), plan.visit_every_working_days)


def test_a_child_in_need_plan_is_visited_as_often_as_the_authority_sets(
    child: Child, worker_user: User, settings: Any
) -> None:
    settings.OPENMASH_CIN_VISIT_WORKING_DAYS = 15
    referral = _referral(child, worker_user, dt.date(2025, 4, 1))
    plan = casework.cin_plan_start(referral=referral, start_date=dt.date(2025, 4, 10), acting_user=worker_user)
    assert plan.visit_every_working_days == 15
    [item] = due_items([child.pk])
    # 15 working days after 10 April 2025, past Good Friday and Easter Monday.
    assert item.due == dt.date(2025, 5, 6)
