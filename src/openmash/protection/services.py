"""Child protection actions: strategy discussions, Section 47 enquiries, conferences and plans.

Each function is one business action in one transaction; a refused action raises ServiceError and
changes nothing. Each stores the journey events of its change through
openmash.core.events.record_events, which first checks every dated record in the episode: nothing
before the referral or after the closure, reviews within their plan, conferences on working days,
never a child in need plan and a child protection plan at once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import ensure_can_change
from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.core.calendar import add_working_days
from openmash.core.codes import CategoryOfAbuse
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError, ensure_not_in_future
from openmash.core.events import Event, EventType, episode_event, record_events

from .models import ChildProtectionPlan, ChildProtectionReview, Section47Enquiry, StrategyDiscussion

# Working Together 2023: an initial conference within 15 working days of the strategy discussion.
ICPC_TIMESCALE_WORKING_DAYS = 15


def _open_referral(referral: Referral, action: str, user: User) -> Referral:
    referral = Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)
    ensure_can_change(user, referral.child)
    if referral.closure_date is not None:
        raise ServiceError(f"You cannot {action}: this case was closed on {long_date(referral.closure_date)}")
    if referral.no_further_action:
        raise ServiceError(f"You cannot {action}: this referral was marked no further action")
    return referral


@transaction.atomic
@changes_by_acting_user
def strategy_discussion_record(
    *,
    referral: Referral,
    discussion_date: dt.date,
    outcome: StrategyDiscussion.Outcome | str,
    acting_user: User,
) -> StrategyDiscussion:
    referral = _open_referral(referral, "record a strategy discussion", acting_user)
    ensure_not_in_future(discussion_date, "discussion date", "discussion_date")
    if outcome not in StrategyDiscussion.Outcome.values:
        raise ServiceError("Select the outcome of the strategy discussion", field="outcome")
    discussion = StrategyDiscussion.objects.create(referral=referral, discussion_date=discussion_date, outcome=outcome)
    record_events(episode_event(referral, EventType.STRATEGY_DISCUSSION, discussion_date, discussion.pk, code=outcome))
    return discussion


def _s47_event(referral: Referral, enquiry: Section47Enquiry) -> Event:
    return episode_event(
        referral, EventType.S47_START, enquiry.start_date, enquiry.pk, flag=enquiry.conference_not_required
    )


@transaction.atomic
@changes_by_acting_user
def section47_start(
    *,
    referral: Referral,
    start_date: dt.date,
    strategy_discussion: StrategyDiscussion | None = None,
    acting_user: User,
) -> Section47Enquiry:
    """Start a Section 47 enquiry; the conference target is 15 working days after the strategy discussion."""
    referral = _open_referral(referral, "start a Section 47 enquiry", acting_user)
    ensure_not_in_future(start_date, "start date", "start_date")
    if referral.section47s.filter(conference_date__isnull=True, conference_not_required=False).exists():
        raise ServiceError("This child already has a Section 47 enquiry in progress")
    if strategy_discussion is not None and strategy_discussion.referral_id != referral.pk:
        raise ServiceError("That strategy discussion belongs to another case", field="strategy_discussion")
    if strategy_discussion is not None and start_date < strategy_discussion.discussion_date:
        raise ServiceError(
            "A Section 47 enquiry cannot start before the strategy discussion that decided on it "
            f"({long_date(strategy_discussion.discussion_date)})",
            field="start_date",
        )
    clock_start = strategy_discussion.discussion_date if strategy_discussion else start_date
    enquiry = Section47Enquiry.objects.create(
        referral=referral,
        strategy_discussion=strategy_discussion,
        start_date=start_date,
        conference_target_date=add_working_days(clock_start, ICPC_TIMESCALE_WORKING_DAYS),
    )
    record_events(_s47_event(referral, enquiry))
    return enquiry


@transaction.atomic
@changes_by_acting_user
def section47_conference_not_required(*, enquiry: Section47Enquiry, acting_user: User) -> Section47Enquiry:
    enquiry = Section47Enquiry.objects.select_for_update().select_related("referral__child").get(pk=enquiry.pk)
    ensure_can_change(acting_user, enquiry.referral.child)
    if enquiry.conference_date is not None:
        raise ServiceError(f"A conference was already held on {long_date(enquiry.conference_date)}")
    enquiry.conference_not_required = True
    enquiry.save(update_fields=["conference_not_required", "updated_at"])
    record_events(_s47_event(enquiry.referral, enquiry))
    return enquiry


def _previous_plans(referral: Referral) -> int:
    return ChildProtectionPlan.objects.filter(referral__child_id=referral.child_id).count()


@transaction.atomic
@changes_by_acting_user
def conference_record(
    *,
    enquiry: Section47Enquiry | None,
    conference_date: dt.date,
    plan_needed: bool,
    category: CategoryOfAbuse | str = "",
    acting_user: User,
) -> ChildProtectionPlan | None:
    """Record an initial child protection conference and, if it decides so, start the plan that day."""
    if enquiry is None:
        raise ServiceError("A conference needs a Section 47 enquiry for this child first")
    enquiry = Section47Enquiry.objects.select_for_update().select_related("referral").get(pk=enquiry.pk)
    referral = _open_referral(enquiry.referral, "record a conference", acting_user)
    if enquiry.conference_date is not None:
        raise ServiceError(f"The conference for this enquiry was held on {long_date(enquiry.conference_date)}")
    if enquiry.conference_not_required:
        raise ServiceError("This enquiry was recorded as not needing a conference")
    if conference_date < enquiry.start_date:
        raise ServiceError(
            f"The conference cannot be before the Section 47 enquiry started ({long_date(enquiry.start_date)})",
            field="conference_date",
        )
    ensure_not_in_future(conference_date, "conference date", "conference_date")
    enquiry.conference_date = conference_date
    enquiry.save(update_fields=["conference_date", "updated_at"])
    conference = episode_event(referral, EventType.ICPC, conference_date, enquiry.pk, start_date=enquiry.start_date)
    if not plan_needed:
        record_events(conference)
        return None
    if category not in CategoryOfAbuse.values:
        raise ServiceError("Select the category of abuse for the plan", field="category")
    if referral.cp_plans.filter(end_date__isnull=True).exists():
        raise ServiceError("This child already has a child protection plan in place")
    plan = ChildProtectionPlan.objects.create(
        referral=referral,
        section47=enquiry,
        start_date=conference_date,
        initial_category=category,
        latest_category=category,
        number_of_previous_plans=_previous_plans(referral),
    )
    record_events(
        conference,
        episode_event(
            referral,
            EventType.CP_PLAN_START,
            conference_date,
            plan.pk,
            code=category,
            previous_plans=plan.number_of_previous_plans,
        ),
    )
    return plan


@transaction.atomic
@changes_by_acting_user
def cp_plan_review(
    *,
    plan: ChildProtectionPlan,
    review_date: dt.date,
    latest_category: CategoryOfAbuse | str = "",
    acting_user: User,
) -> ChildProtectionReview:
    plan = ChildProtectionPlan.objects.select_for_update().select_related("referral__child").get(pk=plan.pk)
    ensure_can_change(acting_user, plan.referral.child)
    if plan.end_date is not None:
        raise ServiceError(f"This plan ended on {long_date(plan.end_date)}; it cannot be reviewed")
    ensure_not_in_future(review_date, "review date", "review_date")
    if plan.reviews.filter(review_date=review_date).exists():
        raise ServiceError("A review is already recorded on that date", field="review_date")
    if latest_category:
        if latest_category not in CategoryOfAbuse.values:
            raise ServiceError("Select a valid category of abuse", field="latest_category")
        # The latest category reaches the journey events with the plan's end (cp_plan_end's code).
        plan.latest_category = latest_category
        plan.save(update_fields=["latest_category", "updated_at"])
    review = ChildProtectionReview.objects.create(plan=plan, review_date=review_date)
    record_events(episode_event(plan.referral, EventType.CP_REVIEW, review_date, review.pk, start_date=plan.start_date))
    return review


@transaction.atomic
@changes_by_acting_user
def cp_plan_end(*, plan: ChildProtectionPlan, end_date: dt.date, acting_user: User) -> ChildProtectionPlan:
    plan = ChildProtectionPlan.objects.select_for_update().select_related("referral__child").get(pk=plan.pk)
    ensure_can_change(acting_user, plan.referral.child)
    if plan.end_date is not None:
        raise ServiceError(f"This plan already ended on {long_date(plan.end_date)}")
    if end_date <= plan.start_date:
        raise ServiceError(f"A plan must end after the day it started ({long_date(plan.start_date)})", field="end_date")
    ensure_not_in_future(end_date, "end date", "end_date")
    plan.end_date = end_date
    plan.save(update_fields=["end_date", "updated_at"])
    record_events(
        episode_event(
            plan.referral,
            EventType.CP_PLAN_END,
            end_date,
            plan.pk,
            start_date=plan.start_date,
            code=plan.latest_category,
        )
    )
    return plan
