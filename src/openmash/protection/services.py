"""Child protection actions: strategy discussions, Section 47 enquiries, conferences and plans.

Each function is one business action in one transaction; a refused action raises ServiceError and
changes nothing. Each asks the episode's state first (openmash.casework.episode.ensure_step), so an
impossible move, such as a conference with no enquiry or a review after the plan ended, is refused with a
message that says what to do first. Each stores the journey events of its change through
openmash.core.events.record_events, which checks every dated record in the episode: nothing before the
referral or after the closure, reviews within their plan, conferences on working days, never a child in
need plan and a child protection plan at once. Edits of a record someone may have opened in a form carry
the version they opened (openmash.core.locking).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from openmash.access import audit
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.access.policy import ensure_can_change
from openmash.accounts.models import Agency, User
from openmash.casework.episode import Step, ensure_step
from openmash.casework.models import Referral
from openmash.core.codes import CategoryOfAbuse
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError, ensure_not_in_future
from openmash.core.events import Event, EventType, episode_event, record_events
from openmash.core.locking import ensure_current, next_version
from openmash.people.models import Child

from .models import (
    ChildProtectionPlan,
    ChildProtectionReview,
    EmergencyProtection,
    EmergencyProtectionKind,
    PlanEndReason,
    PriorChildProtectionPlan,
    Section47Enquiry,
    Section47Outcome,
    StrategyDiscussion,
)
from .timescales import ICPC_WORKING_DAYS, conference_due

# Kept under its older name for callers that count from it.
ICPC_TIMESCALE_WORKING_DAYS = ICPC_WORKING_DAYS
# A local standard, but never less often than every 12 weeks (60 working days) nor more than daily.
MAX_VISIT_WORKING_DAYS = 60
CORE_GROUP_MAX = 40
CORE_GROUP_LINE = 200


def _open_referral(referral: Referral, step: Step, acting_user: User) -> Referral:
    referral = Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)
    ensure_can_change(acting_user, referral.child)
    if referral.closure_date is not None:
        raise ServiceError(f"You cannot {step}: this case was closed on {long_date(referral.closure_date)}")
    ensure_step(referral.pk, step)
    return referral


def _agencies(codes: Iterable[str]) -> list[str]:
    chosen = sorted({str(c) for c in codes})
    unknown = [c for c in chosen if c not in Agency.values]
    if unknown:
        raise ServiceError(f"Unknown agency: {', '.join(unknown)}", field="agencies_present")
    if not chosen:
        raise ServiceError("Select the agencies that took part in the discussion", field="agencies_present")
    return chosen


def _core_group(lines: Iterable[str]) -> list[str]:
    members = [" ".join(str(line).split()) for line in lines]
    members = [m for m in members if m]
    if len(members) > CORE_GROUP_MAX:
        raise ServiceError(f"A core group can list up to {CORE_GROUP_MAX} people", field="core_group")
    if any(len(m) > CORE_GROUP_LINE for m in members):
        raise ServiceError(f"Each core group member must be {CORE_GROUP_LINE} characters or fewer", field="core_group")
    return members


def _visit_frequency(days: int) -> int:
    if not 1 <= days <= MAX_VISIT_WORKING_DAYS:
        raise ServiceError(
            f"Visits must be every 1 to {MAX_VISIT_WORKING_DAYS} working days", field="visit_every_working_days"
        )
    return days


@transaction.atomic
@changes_by_acting_user
def strategy_discussion_record(
    *,
    referral: Referral,
    discussion_date: dt.date,
    outcome: StrategyDiscussion.Outcome | str,
    agencies_present: Iterable[str] = (Agency.CHILDRENS_SOCIAL_CARE,),
    notes: str = "",
    acting_user: User,
) -> StrategyDiscussion:
    referral = _open_referral(referral, Step.STRATEGY_DISCUSSION, acting_user)
    ensure_not_in_future(discussion_date, "discussion date", "discussion_date")
    if outcome not in StrategyDiscussion.Outcome.values:
        raise ServiceError("Select the outcome of the strategy discussion", field="outcome")
    discussion = StrategyDiscussion.objects.create(
        referral=referral,
        discussion_date=discussion_date,
        outcome=outcome,
        agencies_present=_agencies(agencies_present),
        notes=notes.strip(),
    )
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
    """Start a Section 47 enquiry. The conference is due 15 working days after the strategy discussion
    (conference_target_date, the census InitialCPCtarget) and 15 working days after the enquiry's start
    (conference_due_from_start); both are kept."""
    referral = _open_referral(referral, Step.START_S47, acting_user)
    ensure_not_in_future(start_date, "start date", "start_date")
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
        conference_target_date=conference_due(clock_start),
        conference_due_from_start=conference_due(start_date),
    )
    record_events(_s47_event(referral, enquiry))
    return enquiry


def _lock_enquiry(enquiry: Section47Enquiry, acting_user: User) -> Section47Enquiry:
    enquiry = Section47Enquiry.objects.select_for_update().select_related("referral__child").get(pk=enquiry.pk)
    ensure_can_change(acting_user, enquiry.referral.child)
    return enquiry


@transaction.atomic
@changes_by_acting_user
def section47_conference_not_required(*, enquiry: Section47Enquiry, acting_user: User) -> Section47Enquiry:
    enquiry = _lock_enquiry(enquiry, acting_user)
    if enquiry.conference_date is not None:
        raise ServiceError(f"A conference was already held on {long_date(enquiry.conference_date)}")
    enquiry.conference_not_required = True
    enquiry.version += 1
    enquiry.save(update_fields=["conference_not_required", "version", "updated_at"])
    record_events(_s47_event(enquiry.referral, enquiry))
    return enquiry


@transaction.atomic
@changes_by_acting_user
def section47_outcome_record(
    *,
    enquiry: Section47Enquiry,
    outcome: Section47Outcome | str,
    outcome_date: dt.date,
    expected_version: int | None = None,
    acting_user: User,
) -> Section47Enquiry:
    """Record what the enquiry found. Unless the child is judged at continuing risk of significant harm, no
    conference is held and the enquiry ends here; otherwise the conference is still to be recorded."""
    enquiry = _lock_enquiry(enquiry, acting_user)
    ensure_current(enquiry, expected_version, {"outcome": outcome, "outcome_date": outcome_date}, what="this enquiry")
    if enquiry.referral.closure_date is not None:
        raise ServiceError(f"This case was closed on {long_date(enquiry.referral.closure_date)}")
    if outcome not in Section47Outcome.values:
        raise ServiceError("Select what the enquiry found", field="outcome")
    if enquiry.conference_date is not None:
        raise ServiceError(
            f"The conference for this enquiry was held on {long_date(enquiry.conference_date)}; its outcome stands"
        )
    if outcome_date < enquiry.start_date:
        raise ServiceError(
            f"The outcome cannot be before the enquiry started ({long_date(enquiry.start_date)})",
            field="outcome_date",
        )
    ensure_not_in_future(outcome_date, "outcome date", "outcome_date")
    enquiry.outcome = outcome
    enquiry.outcome_date = outcome_date
    enquiry.conference_not_required = outcome != Section47Outcome.CONFERENCE
    fields = ["outcome", "outcome_date", "conference_not_required", "updated_at", *next_version(enquiry)]
    enquiry.save(update_fields=fields)
    record_events(_s47_event(enquiry.referral, enquiry))
    return enquiry


def previous_plans_count(child_id: int, before: dt.date, *, exclude_plan_id: int | None = None) -> int:
    """Child protection plans the child had before `before` (NumberOfPreviousCPP): this authority's own,
    and those recorded as held elsewhere. Counted from the history, never typed."""
    local = ChildProtectionPlan.objects.filter(referral__child_id=child_id, start_date__lt=before)
    if exclude_plan_id is not None:
        local = local.exclude(pk=exclude_plan_id)
    elsewhere = PriorChildProtectionPlan.objects.filter(child_id=child_id, start_date__lt=before)
    return local.count() + elsewhere.count()


def _plan_start_event(plan: ChildProtectionPlan) -> Event:
    return episode_event(
        plan.referral,
        EventType.CP_PLAN_START,
        plan.start_date,
        plan.pk,
        code=plan.initial_category,
        previous_plans=plan.number_of_previous_plans,
    )


@transaction.atomic
@changes_by_acting_user
def conference_record(
    *,
    enquiry: Section47Enquiry | None,
    conference_date: dt.date,
    plan_needed: bool,
    category: CategoryOfAbuse | str = "",
    notes: str = "",
    core_group: Iterable[str] = (),
    expected_version: int | None = None,
    acting_user: User,
) -> ChildProtectionPlan | None:
    """Record an initial child protection conference and, if it decides so, start the plan that day."""
    if enquiry is None:
        raise ServiceError("A conference needs a Section 47 enquiry for this child first")
    enquiry = _lock_enquiry(enquiry, acting_user)
    ensure_current(enquiry, expected_version, {"conference_notes": notes}, what="this enquiry")
    if enquiry.conference_date is not None:
        raise ServiceError(f"The conference for this enquiry was held on {long_date(enquiry.conference_date)}")
    if enquiry.conference_not_required:
        raise ServiceError("This enquiry was recorded as not needing a conference")
    referral = _open_referral(enquiry.referral, Step.CONFERENCE, acting_user)
    if conference_date < enquiry.start_date:
        raise ServiceError(
            f"The conference cannot be before the Section 47 enquiry started ({long_date(enquiry.start_date)})",
            field="conference_date",
        )
    ensure_not_in_future(conference_date, "conference date", "conference_date")
    if plan_needed and category not in CategoryOfAbuse.values:
        raise ServiceError("Select the category of abuse for the plan", field="category")
    members = _core_group(core_group)
    enquiry.conference_date = conference_date
    enquiry.conference_notes = notes.strip()
    if not enquiry.outcome:
        # The conference itself is the enquiry's finding that the child is at risk of significant harm.
        enquiry.outcome, enquiry.outcome_date = Section47Outcome.CONFERENCE, conference_date
    fields = ["conference_date", "conference_notes", "outcome", "outcome_date", "updated_at", *next_version(enquiry)]
    enquiry.save(update_fields=fields)
    conference = episode_event(referral, EventType.ICPC, conference_date, enquiry.pk, start_date=enquiry.start_date)
    if not plan_needed:
        record_events(conference)
        return None
    plan = ChildProtectionPlan.objects.create(
        referral=referral,
        section47=enquiry,
        start_date=conference_date,
        initial_category=category,
        latest_category=category,
        number_of_previous_plans=previous_plans_count(referral.child_id, conference_date),
        core_group=members,
        visit_every_working_days=settings.OPENMASH_CP_VISIT_WORKING_DAYS,
    )
    record_events(conference, _plan_start_event(plan))
    return plan


def _lock_plan(plan: ChildProtectionPlan, acting_user: User) -> ChildProtectionPlan:
    plan = ChildProtectionPlan.objects.select_for_update().select_related("referral__child").get(pk=plan.pk)
    ensure_can_change(acting_user, plan.referral.child)
    return plan


def _plan_ended(plan: ChildProtectionPlan, action: str) -> None:
    if plan.end_date is not None:
        raise ServiceError(f"You cannot {action}: this plan ended on {long_date(plan.end_date)}")


@transaction.atomic
@changes_by_acting_user
def cp_plan_update(
    *,
    plan: ChildProtectionPlan,
    core_group: Iterable[str],
    visit_every_working_days: int,
    expected_version: int | None = None,
    acting_user: User,
) -> ChildProtectionPlan:
    """Change the plan's core group and how often the child is visited."""
    plan = _lock_plan(plan, acting_user)
    members = _core_group(core_group)
    ensure_current(
        plan,
        expected_version,
        {"core_group": members, "visit_every_working_days": visit_every_working_days},
        what="this plan",
    )
    _plan_ended(plan, "change the plan")
    plan.core_group = members
    plan.visit_every_working_days = _visit_frequency(visit_every_working_days)
    plan.save(update_fields=["core_group", "visit_every_working_days", "updated_at", *next_version(plan)])
    return plan


@transaction.atomic
@changes_by_acting_user
def cp_plan_review(
    *,
    plan: ChildProtectionPlan,
    review_date: dt.date,
    latest_category: CategoryOfAbuse | str = "",
    notes: str = "",
    expected_version: int | None = None,
    acting_user: User,
) -> ChildProtectionReview:
    plan = _lock_plan(plan, acting_user)
    if expected_version is not None and latest_category:
        ensure_current(plan, expected_version, {"latest_category": latest_category}, what="this plan")
    if plan.end_date is not None:
        raise ServiceError(f"This plan ended on {long_date(plan.end_date)}; it cannot be reviewed")
    _open_referral(plan.referral, Step.REVIEW_CP_PLAN, acting_user)
    ensure_not_in_future(review_date, "review date", "review_date")
    if plan.reviews.filter(review_date=review_date).exists():
        raise ServiceError("A review is already recorded on that date", field="review_date")
    if latest_category:
        if latest_category not in CategoryOfAbuse.values:
            raise ServiceError("Select a valid category of abuse", field="latest_category")
        # The latest category reaches the journey events with the plan's end (cp_plan_end's code).
        plan.latest_category = latest_category
        plan.save(update_fields=["latest_category", "updated_at", *next_version(plan)])
    review = ChildProtectionReview.objects.create(plan=plan, review_date=review_date, notes=notes.strip())
    record_events(episode_event(plan.referral, EventType.CP_REVIEW, review_date, review.pk, start_date=plan.start_date))
    return review


@transaction.atomic
@changes_by_acting_user
def cp_plan_end(
    *,
    plan: ChildProtectionPlan,
    end_date: dt.date,
    reason: PlanEndReason | str = PlanEndReason.NO_LONGER_AT_RISK,
    expected_version: int | None = None,
    acting_user: User,
) -> ChildProtectionPlan:
    plan = _lock_plan(plan, acting_user)
    ensure_current(plan, expected_version, {"end_date": end_date, "end_reason": reason}, what="this plan")
    if plan.end_date is not None:
        raise ServiceError(f"This plan already ended on {long_date(plan.end_date)}")
    _open_referral(plan.referral, Step.END_CP_PLAN, acting_user)
    if reason not in PlanEndReason.values:
        raise ServiceError("Select why the plan is ending", field="reason")
    if end_date <= plan.start_date:
        raise ServiceError(f"A plan must end after the day it started ({long_date(plan.start_date)})", field="end_date")
    ensure_not_in_future(end_date, "end date", "end_date")
    plan.end_date = end_date
    plan.end_reason = reason
    plan.save(update_fields=["end_date", "end_reason", "updated_at", *next_version(plan)])
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


@transaction.atomic
@changes_by_acting_user
def prior_plan_record(
    *,
    child: Child,
    authority: str,
    start_date: dt.date,
    end_date: dt.date,
    category: CategoryOfAbuse | str = "",
    acting_user: User,
) -> PriorChildProtectionPlan:
    """Record a child protection plan the child had before this authority's record (usually in another
    authority). Each later plan's number of previous plans is counted again."""
    ensure_can_change(acting_user, child)
    authority = " ".join(authority.split())
    if not authority:
        raise ServiceError("Enter the local authority that held the plan", field="authority")
    if len(authority) > 120:
        raise ServiceError("The local authority must be 120 characters or fewer", field="authority")
    ensure_not_in_future(start_date, "start date", "start_date")
    ensure_not_in_future(end_date, "end date", "end_date")
    if end_date <= start_date:
        raise ServiceError("The plan must end after the day it started", field="end_date")
    if category and category not in CategoryOfAbuse.values:
        raise ServiceError("Select a valid category of abuse", field="category")
    overlapping = ChildProtectionPlan.objects.filter(referral__child=child, start_date__lt=end_date).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=start_date)
    )
    if overlapping.exists():
        raise ServiceError(
            "These dates overlap a child protection plan recorded here. Check the dates", field="start_date"
        )
    prior = PriorChildProtectionPlan.objects.create(
        child=child,
        authority=authority,
        start_date=start_date,
        end_date=end_date,
        category=category,
        recorded_by=acting_user,
    )
    recount = []
    for plan in (
        ChildProtectionPlan.objects.select_for_update().filter(referral__child=child).select_related("referral__child")
    ):
        count = previous_plans_count(child.pk, plan.start_date, exclude_plan_id=plan.pk)
        if count != plan.number_of_previous_plans:
            plan.number_of_previous_plans = count
            plan.save(update_fields=["number_of_previous_plans", "updated_at"])
            recount.append(_plan_start_event(plan))
    if recount:
        record_events(*recount)
    return prior


@transaction.atomic
@changes_by_acting_user
def emergency_protection_record(
    *,
    child: Child,
    kind: EmergencyProtectionKind | str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    acting_user: User,
) -> EmergencyProtection:
    """Record an emergency protection order or a period of police protection for a child. It is linked to
    the child's case open on its start date, where there is one."""
    ensure_can_change(acting_user, child)
    if kind not in EmergencyProtectionKind.values:
        raise ServiceError("Select an emergency protection order or police protection", field="kind")
    ensure_not_in_future(start_date, "start date", "start_date")
    if end_date is not None:
        ensure_not_in_future(end_date, "end date", "end_date")
        if end_date < start_date:
            raise ServiceError("The end date must be on or after the start date", field="end_date")
    if child.date_of_birth is None or start_date < child.date_of_birth:
        raise ServiceError("The start date must be on or after the child's date of birth", field="start_date")
    referral = (
        Referral.objects.filter(child=child, referral_date__lte=start_date)
        .filter(Q(closure_date__isnull=True) | Q(closure_date__gte=start_date))
        .order_by("-referral_date")
        .first()
    )
    record = EmergencyProtection.objects.create(
        child=child, kind=kind, start_date=start_date, end_date=end_date, referral=referral, recorded_by=acting_user
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=record,
        child_id=child.pk,
        summary=f"Recorded {record.get_kind_display().lower()} for {child.la_child_id}",
        detail={"kind": record.kind},
    )
    return record
