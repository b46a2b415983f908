"""Casework actions: referrals, single assessments and child in need plans.

Each function is one business action in one transaction. A refused action raises ServiceError
with a message a social worker can act on, and changes nothing. Each stores the journey events of
its change through openmash.core.events.record_events, which first checks every dated record in
the episode (so casework never reads protection's records to know, for example, whether a child
protection plan is still open).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import ensure_can_authorise, ensure_can_change
from openmash.accounts.models import User
from openmash.core.codes import AssessmentFactor, PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError, ensure_not_in_future
from openmash.core.events import EventType, episode_event, record_events
from openmash.people.models import Child
from openmash.workforce.models import StaffMember, Team

from .models import Assessment, AssessmentFactorRecord, CINPlan, Referral


def _lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("child").get(pk=referral.pk)


def _require_open(referral: Referral, action: str) -> None:
    if referral.closure_date is not None:
        raise ServiceError(f"You cannot {action}: this referral was closed on {long_date(referral.closure_date)}")


@transaction.atomic
@changes_by_acting_user
def referral_create(
    *,
    child: Child,
    referral_date: dt.date,
    source: ReferralSource | str,
    primary_need: PrimaryNeed | str = "",
    no_further_action: bool = False,
    team: Team | None = None,
    acting_user: User,
) -> Referral:
    """Open a new referral (CIN episode) for a child who has no open episode."""
    ensure_can_change(acting_user, child)
    ensure_not_in_future(referral_date, "referral date", "referral_date")
    if source not in ReferralSource.values:
        raise ServiceError("Select where the referral came from", field="source")
    if primary_need and primary_need not in PrimaryNeed.values:
        raise ServiceError("Select a valid primary need", field="primary_need")
    if not primary_need and not no_further_action:
        raise ServiceError("Select the child's primary need", field="primary_need")
    birth = child.date_of_birth or child.expected_date_of_birth
    if birth is not None and referral_date < birth - dt.timedelta(days=280):
        raise ServiceError(
            "The referral date is more than 40 weeks before the child's (expected) date of birth",
            field="referral_date",
        )
    if child.date_of_death is not None and referral_date > child.date_of_death:
        raise ServiceError("The referral date is after the child's date of death", field="referral_date")
    Child.objects.select_for_update().filter(pk=child.pk).first()
    open_episode = Referral.objects.filter(child=child, closure_date__isnull=True).first()
    if open_episode is not None:
        raise ServiceError(
            f"{child.full_name} already has an open referral from {long_date(open_episode.referral_date)}. "
            "Record new concerns on that referral, or close it first."
        )
    last_closed = Referral.objects.filter(child=child, closure_date__gt=referral_date).first()
    if last_closed is not None:
        raise ServiceError(
            f"The referral date overlaps an earlier referral that closed on {long_date(last_closed.closure_date)}",  # type: ignore[arg-type]
            field="referral_date",
        )
    referral = Referral.objects.create(
        child=child,
        referral_date=referral_date,
        source=source,
        primary_need=primary_need,
        no_further_action=no_further_action,
        team=team,
    )
    record_events(
        episode_event(referral, EventType.REFERRAL, referral_date, referral.pk, code=source, flag=no_further_action)
    )
    return referral


@transaction.atomic
@changes_by_acting_user
def referral_close(
    *, referral: Referral, closure_date: dt.date, reason: ReasonForClosure | str, acting_user: User
) -> Referral:
    """Close an episode. Everything in it must be finished first (CIN rules 8867, 8868)."""
    referral = _lock_referral(referral)
    ensure_can_change(acting_user, referral.child)
    _require_open(referral, "close it again")
    if reason not in ReasonForClosure.values:
        raise ServiceError("Select the reason for closing the case", field="reason")
    if closure_date < referral.referral_date:
        raise ServiceError(
            f"The case cannot close before the referral date ({long_date(referral.referral_date)})",
            field="closure_date",
        )
    ensure_not_in_future(closure_date, "closure date", "closure_date")
    after_assessment = {ReasonForClosure.NFA_AFTER_ASSESSMENT, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT}
    if reason in after_assessment and not referral.assessments.exists():
        raise ServiceError("This reason needs a completed assessment", field="reason")
    referral.closure_date = closure_date
    referral.closure_reason = reason
    referral.save(update_fields=["closure_date", "closure_reason", "updated_at"])
    # Whether everything in the episode is finished, and nothing is dated after the closure, is
    # decided from the episode's events: assessments and plans here, and protection's records too.
    record_events(
        episode_event(
            referral,
            EventType.REFERRAL_CLOSED,
            closure_date,
            referral.pk,
            start_date=referral.referral_date,
            code=reason,
        )
    )
    return referral


@transaction.atomic
@changes_by_acting_user
def assessment_start(
    *, referral: Referral, start_date: dt.date, worker: StaffMember | None = None, acting_user: User
) -> Assessment:
    referral = _lock_referral(referral)
    ensure_can_change(acting_user, referral.child)
    _require_open(referral, "start an assessment")
    if referral.no_further_action:
        raise ServiceError("This referral was marked no further action, so it cannot have an assessment")
    ensure_not_in_future(start_date, "start date", "start_date")
    if referral.assessments.filter(authorised_date__isnull=True).exists():
        raise ServiceError("This referral already has an assessment in progress")
    assessment = Assessment.objects.create(referral=referral, start_date=start_date, worker=worker)
    record_events(
        episode_event(
            referral,
            EventType.ASSESSMENT_START,
            start_date,
            assessment.pk,
            worker_id=worker.pk if worker else None,
        )
    )
    return assessment


@transaction.atomic
@changes_by_acting_user
def assessment_authorise(
    *,
    assessment: Assessment,
    authorised_date: dt.date,
    factors: Iterable[AssessmentFactor | str],
    child_in_need: bool,
    acting_user: User,
) -> Assessment:
    """A manager authorises a completed assessment and records the factors identified."""
    assessment = Assessment.objects.select_for_update().select_related("referral__child").get(pk=assessment.pk)
    ensure_can_authorise(acting_user, assessment.referral.child)
    if assessment.authorised_date is not None:
        raise ServiceError(f"This assessment was already authorised on {long_date(assessment.authorised_date)}")
    if authorised_date < assessment.start_date:
        raise ServiceError(
            f"The assessment cannot be authorised before it started ({long_date(assessment.start_date)})",
            field="authorised_date",
        )
    ensure_not_in_future(authorised_date, "authorisation date", "authorised_date")
    codes = sorted(set(factors))
    if not codes:
        raise ServiceError("Select the factors identified, or 'No factors identified'", field="factors")
    unknown = [c for c in codes if c not in AssessmentFactor.values]
    if unknown:
        raise ServiceError(f"Unknown factor code: {', '.join(unknown)}", field="factors")
    if AssessmentFactor.NO_FACTORS in codes and len(codes) > 1:
        raise ServiceError("'No factors identified' cannot be combined with other factors", field="factors")
    assessment.authorised_date = authorised_date
    assessment.authorised_by = acting_user
    assessment.child_in_need = child_in_need
    assessment.save(update_fields=["authorised_date", "authorised_by", "child_in_need", "updated_at"])
    AssessmentFactorRecord.objects.bulk_create(AssessmentFactorRecord(assessment=assessment, code=c) for c in codes)
    record_events(
        episode_event(
            assessment.referral,
            EventType.ASSESSMENT_AUTHORISED,
            authorised_date,
            assessment.pk,
            start_date=assessment.start_date,
            worker_id=assessment.worker_id,
            flag=child_in_need,
            factors=tuple(codes),
        )
    )
    return assessment


@transaction.atomic
@changes_by_acting_user
def cin_plan_start(*, referral: Referral, start_date: dt.date, acting_user: User) -> CINPlan:
    referral = _lock_referral(referral)
    ensure_can_change(acting_user, referral.child)
    _require_open(referral, "start a child in need plan")
    if referral.no_further_action:
        raise ServiceError("This referral was marked no further action, so it cannot have a plan")
    ensure_not_in_future(start_date, "start date", "start_date")
    if referral.cin_plans.filter(end_date__isnull=True).exists():
        raise ServiceError("This child already has a child in need plan in place")
    plan = CINPlan.objects.create(referral=referral, start_date=start_date)
    record_events(episode_event(referral, EventType.CIN_PLAN_START, start_date, plan.pk))
    return plan


@transaction.atomic
@changes_by_acting_user
def cin_plan_end(*, plan: CINPlan, end_date: dt.date, acting_user: User) -> CINPlan:
    plan = CINPlan.objects.select_for_update().select_related("referral__child").get(pk=plan.pk)
    ensure_can_change(acting_user, plan.referral.child)
    if plan.end_date is not None:
        raise ServiceError(f"This plan already ended on {long_date(plan.end_date)}")
    if end_date < plan.start_date:
        raise ServiceError(f"The plan cannot end before it started ({long_date(plan.start_date)})", field="end_date")
    ensure_not_in_future(end_date, "end date", "end_date")
    plan.end_date = end_date
    plan.save(update_fields=["end_date", "updated_at"])
    record_events(episode_event(plan.referral, EventType.CIN_PLAN_END, end_date, plan.pk, start_date=plan.start_date))
    return plan
