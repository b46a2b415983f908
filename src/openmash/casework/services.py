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
from types import EllipsisType

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import ensure_can_authorise, ensure_can_change
from openmash.accounts.models import User
from openmash.core.codes import AssessmentFactor, PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError, ensure_not_in_future
from openmash.core.events import EventType, episode_conference_source_id, episode_event, record_events
from openmash.core.locking import Difference, EditConflict, ensure_current, next_version
from openmash.people.models import Child
from openmash.workforce.models import StaffMember, Team

from .episode import Step, ensure_step
from .models import Assessment, AssessmentFactorRecord, AssessmentOutcome, CINPlan, Referral

# The longest analysis a form accepts (several thousand words is a long assessment; this is far beyond).
ANALYSIS_MAX = 100_000


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
    ensure_step(referral.pk, Step.CLOSE)
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
def referral_record_initial_conference(*, referral: Referral, conference_date: dt.date, acting_user: User) -> Referral:
    """Record an initial child protection conference held in this episode without a Section 47 enquiry
    recorded here (a child transferred in after the other authority's enquiry): the census's
    episode-level DateOfInitialCPC. A conference that follows an enquiry is recorded on the enquiry."""
    referral = _lock_referral(referral)
    ensure_can_change(acting_user, referral.child)
    _require_open(referral, "record a conference")
    if referral.no_further_action:
        raise ServiceError("This referral was marked no further action, so it cannot have a conference")
    ensure_not_in_future(conference_date, "conference date", "conference_date")
    referral.initial_conference_date = conference_date
    referral.save(update_fields=["initial_conference_date", "updated_at"])
    # Before the referral, at a weekend or on a bank holiday: refused by the episode check.
    record_events(episode_event(referral, EventType.ICPC, conference_date, episode_conference_source_id(referral.pk)))
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
    if referral.assessments.filter(authorised_date__isnull=True).exists():
        raise ServiceError("This referral already has an assessment in progress")
    ensure_step(referral.pk, Step.START_ASSESSMENT)
    ensure_not_in_future(start_date, "start date", "start_date")
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


def _lock_assessment(assessment: Assessment) -> Assessment:
    """The assessment and its referral, both locked (the referral first, as every episode change does)."""
    referral_id = Assessment.objects.filter(pk=assessment.pk).values_list("referral_id", flat=True).get()
    Referral.objects.select_for_update().filter(pk=referral_id).first()
    return Assessment.objects.select_for_update().select_related("referral__child").get(pk=assessment.pk)


def _factor_codes(factors: Iterable[AssessmentFactor | str]) -> list[str]:
    """Known codes, each once; "No factors identified" only on its own (CIN census rule 8890)."""
    codes = sorted({str(c) for c in factors})
    unknown = [c for c in codes if c not in AssessmentFactor.values]
    if unknown:
        raise ServiceError(f"Unknown factor code: {', '.join(unknown)[:200]}", field="factors")
    if AssessmentFactor.NO_FACTORS in codes and len(codes) > 1:
        raise ServiceError("'No factors identified' cannot be combined with other factors", field="factors")
    return codes


def _recorded_factors(assessment: Assessment) -> list[str]:
    return sorted(assessment.factors.values_list("code", flat=True))


def _factor_labels(codes: Iterable[str]) -> str:
    return "; ".join(AssessmentFactor(c).label for c in sorted(codes, key=AssessmentFactor.values.index)) or "None"


def _ensure_editable(assessment: Assessment) -> None:
    if assessment.authorised_date is not None:
        raise ServiceError(f"This assessment was authorised on {long_date(assessment.authorised_date)}")
    if assessment.submitted_at is not None:
        raise ServiceError(
            "This assessment is waiting for a manager to authorise it. "
            "Ask them to return it to you if it needs changing."
        )


@transaction.atomic
@changes_by_acting_user
def assessment_update(
    *,
    assessment: Assessment,
    analysis: str,
    factors: Iterable[AssessmentFactor | str],
    child_seen: bool | None,
    child_seen_date: dt.date | None = None,
    seen_alone: bool | None = None,
    internal_review_date: dt.date | EllipsisType | None = ...,
    expected_version: int | None,
    acting_user: User,
) -> Assessment:
    """The social worker records the analysis, the factors identified and whether the child was seen (and
    seen alone), as far as they have got: what is missing is asked for when it is submitted. The date
    of an internal review (the census's AssessmentInternalReviewDate) is kept as it was when not given.

    Refused with EditConflict, listing what changed, when someone saved it after this person opened it.
    """
    assessment = _lock_assessment(assessment)
    ensure_can_change(acting_user, assessment.referral.child)
    _ensure_editable(assessment)
    analysis = analysis.replace("\x00", "").replace("\r\n", "\n").strip()
    if len(analysis) > ANALYSIS_MAX:
        raise ServiceError(f"The analysis must be {ANALYSIS_MAX:,} characters or fewer", field="analysis")
    codes = _factor_codes(factors)
    if child_seen is not True:
        # Nothing about a visit that did not happen (the database refuses it too).
        child_seen_date = None
        seen_alone = None
    elif child_seen_date is not None:
        ensure_not_in_future(child_seen_date, "date the child was seen", "child_seen_date")
        referred = assessment.referral.referral_date
        if child_seen_date < referred:
            raise ServiceError(
                f"The date the child was seen must be on or after the referral ({long_date(referred)})",
                field="child_seen_date",
            )
    yours = {
        "analysis": analysis,
        "child_seen": child_seen,
        "child_seen_date": child_seen_date,
        "seen_alone": seen_alone,
    }
    if not isinstance(internal_review_date, EllipsisType):
        if internal_review_date is not None:
            ensure_not_in_future(internal_review_date, "date of the internal review", "internal_review_date")
            if internal_review_date < assessment.start_date:
                raise ServiceError(
                    f"The internal review must be on or after the assessment started "
                    f"({long_date(assessment.start_date)})",
                    field="internal_review_date",
                )
        yours["internal_review_date"] = internal_review_date
    saved_codes = _recorded_factors(assessment)
    try:
        ensure_current(assessment, expected_version, yours, what="this assessment")
    except EditConflict as conflict:
        if saved_codes != codes:
            conflict.differences.append(
                Difference("factors", "Factors identified", _factor_labels(saved_codes), _factor_labels(codes))
            )
        raise
    for name, value in yours.items():
        setattr(assessment, name, value)
    assessment.save(update_fields=[*yours, "updated_at", *next_version(assessment)])
    if saved_codes != codes:
        # One by one, so the change history keeps each factor added or taken away.
        for record in assessment.factors.exclude(code__in=codes):
            record.delete()
        for code in sorted(set(codes) - set(saved_codes)):
            AssessmentFactorRecord.objects.create(assessment=assessment, code=code)
    return assessment


def missing_for_submission(assessment: Assessment) -> list[tuple[str, str]]:
    """What must be recorded before the assessment goes to a manager: (field, message) pairs."""
    missing = []
    if not assessment.analysis.strip():
        missing.append(("analysis", "Enter your analysis"))
    if not assessment.factors.exists():
        missing.append(("factors", "Select the factors identified, or 'No factors identified'"))
    if assessment.child_seen is None:
        missing.append(("child_seen", "Select whether the child was seen"))
    elif assessment.child_seen:
        if assessment.child_seen_date is None:
            missing.append(("child_seen_date", "Enter the date the child was seen"))
        if assessment.seen_alone is None:
            missing.append(("seen_alone", "Select whether the child was seen alone"))
    return missing


@transaction.atomic
@changes_by_acting_user
def assessment_submit(*, assessment: Assessment, expected_version: int | None, acting_user: User) -> Assessment:
    """The social worker sends the assessment to a manager for authorisation."""
    assessment = _lock_assessment(assessment)
    ensure_can_change(acting_user, assessment.referral.child)
    _ensure_editable(assessment)
    ensure_current(assessment, expected_version, {}, what="this assessment")
    missing = missing_for_submission(assessment)
    if missing:
        field = missing[0][0]
        raise ServiceError(f"Before you send it for authorisation: {'; '.join(m for _f, m in missing)}", field=field)
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = acting_user
    assessment.returned_reason = ""
    assessment.save(
        update_fields=["submitted_at", "submitted_by", "returned_reason", "updated_at", *next_version(assessment)]
    )
    return assessment


def _ensure_waiting(assessment: Assessment) -> None:
    if assessment.authorised_date is not None:
        raise ServiceError(f"This assessment was already authorised on {long_date(assessment.authorised_date)}")
    if assessment.submitted_at is None:
        raise ServiceError("This assessment has not been sent for authorisation yet")


@transaction.atomic
@changes_by_acting_user
def assessment_return(*, assessment: Assessment, reason: str, acting_user: User) -> Assessment:
    """A manager sends a submitted assessment back to the social worker, saying why."""
    assessment = _lock_assessment(assessment)
    ensure_can_authorise(acting_user, assessment.referral.child)
    _ensure_waiting(assessment)
    reason = reason.replace("\x00", "").strip()
    if not reason:
        raise ServiceError("Enter what needs to change before you can authorise it", field="reason")
    if len(reason) > 5000:
        raise ServiceError("The reason must be 5,000 characters or fewer", field="reason")
    assessment.submitted_at = None
    assessment.submitted_by = None
    assessment.returned_reason = reason
    assessment.save(
        update_fields=["submitted_at", "submitted_by", "returned_reason", "updated_at", *next_version(assessment)]
    )
    return assessment


@transaction.atomic
@changes_by_acting_user
def assessment_authorise(
    *,
    assessment: Assessment,
    authorised_date: dt.date,
    child_in_need: bool,
    expected_version: int | None = None,
    acting_user: User,
) -> Assessment:
    """A manager authorises a submitted assessment, with the factors its social worker recorded.

    Authorisation is a separate step by a separate person: not the social worker who holds the
    assessment, nor whoever sent it for authorisation.
    """
    assessment = _lock_assessment(assessment)
    ensure_can_authorise(acting_user, assessment.referral.child)
    _ensure_waiting(assessment)
    if acting_user.pk in {assessment.submitted_by_id, assessment.worker.user_id if assessment.worker else None}:
        raise ServiceError(
            "You cannot authorise an assessment you completed or sent for authorisation: another manager must"
        )
    ensure_current(assessment, expected_version, {}, what="this assessment")
    if authorised_date < assessment.start_date:
        raise ServiceError(
            f"The assessment cannot be authorised before it started ({long_date(assessment.start_date)})",
            field="authorised_date",
        )
    ensure_not_in_future(authorised_date, "authorisation date", "authorised_date")
    codes = _recorded_factors(assessment)
    if not codes:
        raise ServiceError("No factors were recorded: return the assessment so they can be added")
    assessment.authorised_date = authorised_date
    assessment.authorised_by = acting_user
    assessment.child_in_need = child_in_need
    assessment.save(
        update_fields=["authorised_date", "authorised_by", "child_in_need", "updated_at", *next_version(assessment)]
    )
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


# What each outcome does to the episode: the step it takes, and the reason code where it closes the case.
OUTCOME_STEPS: dict[str, Step] = {
    AssessmentOutcome.NO_FURTHER_ACTION: Step.CLOSE,
    AssessmentOutcome.EARLY_HELP: Step.CLOSE,
    AssessmentOutcome.CIN_PLAN: Step.START_CIN_PLAN,
    AssessmentOutcome.STRATEGY_DISCUSSION: Step.STRATEGY_DISCUSSION,
}
OUTCOME_CLOSURE: dict[str, ReasonForClosure] = {
    AssessmentOutcome.NO_FURTHER_ACTION: ReasonForClosure.NFA_AFTER_ASSESSMENT,
    AssessmentOutcome.EARLY_HELP: ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT,
}


@transaction.atomic
@changes_by_acting_user
def assessment_record_outcome(
    *, assessment: Assessment, outcome: AssessmentOutcome | str, decided_on: dt.date, acting_user: User
) -> Assessment:
    """What the authorised assessment leads to: no further action and closure (RC8), a child in need plan
    from `decided_on`, a strategy discussion (recorded by the protection pages), or a step down to early
    help (closure with RC9)."""
    assessment = _lock_assessment(assessment)
    referral = assessment.referral
    ensure_can_authorise(acting_user, referral.child)
    if assessment.authorised_date is None:
        raise ServiceError("Authorise the assessment before recording what it leads to")
    if assessment.outcome:
        raise ServiceError(f"The outcome of this assessment is already recorded: {assessment.get_outcome_display()}")
    if outcome not in AssessmentOutcome.values:
        raise ServiceError("Select what the assessment leads to", field="outcome")
    ensure_step(referral.pk, OUTCOME_STEPS[outcome])
    if decided_on < assessment.authorised_date:
        raise ServiceError(
            f"The date must be on or after the authorisation ({long_date(assessment.authorised_date)})",
            field="decided_on",
        )
    ensure_not_in_future(decided_on, "date", "decided_on")
    assessment.outcome = outcome
    assessment.save(update_fields=["outcome", "updated_at", *next_version(assessment)])
    try:
        if outcome in OUTCOME_CLOSURE:
            referral_close(
                referral=referral, closure_date=decided_on, reason=OUTCOME_CLOSURE[outcome], acting_user=acting_user
            )
        elif outcome == AssessmentOutcome.CIN_PLAN:
            cin_plan_start(referral=referral, start_date=decided_on, acting_user=acting_user)
    except ServiceError as exc:
        # The closure's or plan's own date refusals are about the date given here.
        if exc.field in {"closure_date", "start_date"}:
            exc.field = "decided_on"
        raise
    return assessment


@transaction.atomic
@changes_by_acting_user
def cin_plan_start(*, referral: Referral, start_date: dt.date, acting_user: User) -> CINPlan:
    referral = _lock_referral(referral)
    ensure_can_change(acting_user, referral.child)
    _require_open(referral, "start a child in need plan")
    if referral.no_further_action:
        raise ServiceError("This referral was marked no further action, so it cannot have a plan")
    ensure_step(referral.pk, Step.START_CIN_PLAN)
    ensure_not_in_future(start_date, "start date", "start_date")
    plan = CINPlan.objects.create(
        referral=referral, start_date=start_date, visit_every_working_days=settings.OPENMASH_CIN_VISIT_WORKING_DAYS
    )
    record_events(episode_event(referral, EventType.CIN_PLAN_START, start_date, plan.pk))
    return plan


@transaction.atomic
@changes_by_acting_user
def cin_plan_end(*, plan: CINPlan, end_date: dt.date, acting_user: User) -> CINPlan:
    plan = CINPlan.objects.select_for_update().select_related("referral__child").get(pk=plan.pk)
    ensure_can_change(acting_user, plan.referral.child)
    if plan.end_date is not None:
        raise ServiceError(f"This plan already ended on {long_date(plan.end_date)}")
    _lock_referral(plan.referral)
    ensure_step(plan.referral_id, Step.END_CIN_PLAN)
    if end_date < plan.start_date:
        raise ServiceError(f"The plan cannot end before it started ({long_date(plan.start_date)})", field="end_date")
    ensure_not_in_future(end_date, "end date", "end_date")
    plan.end_date = end_date
    plan.save(update_fields=["end_date", "updated_at"])
    record_events(episode_event(plan.referral, EventType.CIN_PLAN_END, end_date, plan.pk, start_date=plan.start_date))
    return plan
