"""Reading casework for a user, through the access policy: the referrals waiting for allocation, a referral
with its assessments and plans, and an assessment with its timescales."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, DateField, Exists, Func, OuterRef, Q, QuerySet
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.calendar import add_working_days, working_days_between
from openmash.core.codes import AssessmentFactor
from openmash.core.dates import add_months
from openmash.workforce.models import Allocation, StaffMember

from .episode import EpisodeState, Step, episode_state
from .models import Assessment, CINPlan, Referral

# The front door's outcome for a contact that needs a strategy discussion (front_door ContactOutcome.STRATEGY).
# Casework sits below the front door, so it reads the referral's contact through the relation, not by import.
STRATEGY_OUTCOME = "strategy"


class _YearBefore(Func):
    """The same date a year earlier; 29 February gives 28 February (as the KPIs' 12 months before)."""

    output_field = DateField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CASE WHEN strftime('%%m-%%d', {sql}) = '02-29' THEN date({sql}, '-1 day', '-1 year') "
            f"ELSE date({sql}, '-1 year') END)",
            [*params, *params, *params],
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::date - interval '1 year')::date", params


def is_re_referral(referral: str = "") -> Exists:
    """Whether a referral is a re-referral: the child had another referral in the 12 months before it (CIN
    census; performance.kpis.re_referrals_flagged counts the same). Worked out, never stored, so a referral
    recorded late or removed changes the answer everywhere. `referral` is the path to the referral from the
    rows being annotated ("" for referrals themselves)."""
    at = f"{referral}__" if referral else ""
    return Exists(
        Referral.objects.filter(
            child_id=OuterRef(f"{at}child_id"),
            referral_date__lt=OuterRef(f"{at}referral_date"),
            referral_date__gte=_YearBefore(OuterRef(f"{at}referral_date")),
        )
    )


def _needs_strategy(referral: Referral) -> bool:
    return referral.contact is not None and referral.contact.outcome == STRATEGY_OUTCOME


@dataclass(frozen=True)
class WaitingReferral:
    referral: Referral
    days_waiting: int
    strategy: bool
    can_allocate: bool
    re_referral: bool = False


def _waiting(user: User) -> QuerySet[Referral]:
    scope = policy.referral_queue_scope(user)
    if scope is None:
        raise NotFound("Not found")
    allocated = Allocation.objects.filter(child_id=OuterRef("child_id"), end_date__isnull=True)
    return (
        Referral.objects.filter(scope, closure_date__isnull=True, team__isnull=False)
        .filter(~Exists(allocated))
        .filter(policy.unrestricted_or_named(user))
    )


@dataclass(frozen=True)
class Queue:
    page: Page[int]  # the referrals' keys, for the count and the pages
    rows: list[WaitingReferral]
    service_wide: bool  # a manager's whole service, or a social worker's own team


@transaction.atomic
def referrals_waiting(
    *, user: User, page: str | int | None = 1, per_page: int = 50, team_ids: Collection[int] | None = None
) -> Queue:
    """Open referrals with nobody allocated, in the teams of a manager's service (a social worker's own team),
    the longest waiting first; only those of `team_ids` if given (a team's tray). A restricted record is listed
    only for those named on it. Looking is recorded."""
    # Every waiting referral's key first (tens, or a few hundred), then the page's rows: ordered in one query,
    # PostgreSQL walked every open referral of the borough by date to find the few waiting (18 ms against 8).
    found_waiting = _waiting(user)
    if team_ids is not None:
        found_waiting = found_waiting.filter(team_id__in=list(team_ids))
    waiting = [pk for _day, pk in sorted(found_waiting.values_list("referral_date", "pk"))]
    found = Paginator(waiting, per_page).get_page(page)
    referrals = (
        Referral.objects.filter(pk__in=list(found))
        .select_related("child", "team", "contact")
        .annotate(re_referral=is_re_referral())
        .order_by("referral_date", "pk")
    )
    service_id = policy.manager_service_id(user)
    today = timezone.localdate()
    rows = [
        WaitingReferral(
            referral=r,
            days_waiting=(today - r.referral_date).days,
            strategy=_needs_strategy(r),
            # The queue holds only unallocated referrals in the user's scope with restricted ones filtered, so
            # a manager may allocate exactly those waiting in their own service (policy.can_allocate_child).
            can_allocate=service_id is not None and r.team is not None and r.team.service_id == service_id,
            re_referral=r.re_referral,
        )
        for r in referrals
    ]
    if rows:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed {found.paginator.count} referrals waiting for allocation",
            detail={"page": "referrals waiting", "children": [w.referral.child.la_child_id for w in rows]},
        )
    return Queue(page=found, rows=rows, service_wide=service_id is not None)


@dataclass(frozen=True)
class WorkerChoice:
    worker: StaffMember
    caseload: int

    @property
    def label(self) -> str:
        children = "child" if self.caseload == 1 else "children"
        return f"{self.worker.full_name}, {self.worker.team.name} ({self.caseload} {children})"


@dataclass(frozen=True)
class Allocating:
    referral: Referral
    current: Allocation | None
    workers: list[WorkerChoice]
    strategy: bool
    re_referral: bool = False


def service_case_holders(service_id: int) -> list[WorkerChoice]:
    """The case holders of a service still in post, each with the number of children they hold now (read at
    the moment of choosing, so a manager allocating sees today's caseloads)."""
    today = timezone.localdate()
    workers = (
        StaffMember.objects.filter(team__service_id=service_id, is_case_holder=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("team")
        .annotate(caseload=Count("allocations", filter=Q(allocations__end_date__isnull=True)))
        .order_by("team__name", "last_name", "first_name", "pk")
    )
    return [WorkerChoice(w, w.caseload) for w in workers]


@transaction.atomic
def referral_for_allocation(*, user: User, referral_id: int) -> Allocating:
    """An open referral whose child this manager may allocate, with the case holders of their service and
    their caseloads (NotFound otherwise); the view is recorded."""
    service_id = policy.manager_service_id(user)
    if service_id is None or not 0 < referral_id < 2**63:
        raise NotFound("Not found")
    referral = (
        Referral.objects.select_related("child", "team", "contact")
        .filter(pk=referral_id, closure_date__isnull=True)
        .first()
    )
    if referral is None or not policy.can_allocate_child(user, referral.child, to_service_id=service_id):
        raise NotFound("Not found")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=referral,
        child_id=referral.child_id,
        summary=f"Viewed allocating {referral.child.la_child_id}",
        detail={"page": "allocate"},
    )
    return Allocating(
        referral=referral,
        current=referral.child.allocations.filter(end_date__isnull=True).select_related("worker").first(),
        workers=service_case_holders(service_id),
        strategy=_needs_strategy(referral),
        re_referral=Referral.objects.filter(pk=referral.pk).filter(is_re_referral()).exists(),
    )


def earliest_start(referral: Referral, current: Allocation | None) -> dt.date:
    """An allocation starts no earlier than the referral (or the current allocation, which it ends)."""
    return max(referral.referral_date, current.start_date) if current is not None else referral.referral_date


# Referrals, assessments and plans ----------------------------------------------------------------------

# Working Together 2023: an assessment is completed within 45 working days (openmash.journey.due counts the
# same timescale for the work trays).
ASSESSMENT_WORKING_DAYS = 45


@dataclass(frozen=True)
class Casework:
    """One user's access to a child's casework, worked out once for a page."""

    basis: policy.Basis
    change: bool
    authorise: bool


def _casework_access(user: User, referral: Referral) -> Casework | None:
    basis = policy.basis_for(user, referral.child)
    if basis is None or not policy.casework_visible(user, basis):
        return None
    change = policy.child_access(user, basis).change
    return Casework(basis=basis, change=change, authorise=change and policy.can_authorise(user, referral.child))


def _valid_key(pk: int) -> bool:
    return 0 < pk < 2**63


def previous_referral_within_year(referral: Referral) -> Referral | None:
    """The child's latest earlier referral in the 12 months before this one (a re-referral, as the DfE counts
    it: the earlier referral dated on or after this one's date less 12 calendar months). Derived, not stored."""
    since = add_months(referral.referral_date, -12)
    return (
        Referral.objects.filter(
            child_id=referral.child_id, referral_date__gte=since, referral_date__lt=referral.referral_date
        )
        .exclude(pk=referral.pk)
        .order_by("-referral_date", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ReferralPage:
    referral: Referral
    access: Casework
    state: EpisodeState
    assessments: list[Assessment]
    cin_plans: list[CINPlan]
    previous_referral: Referral | None

    def allowed(self, step: Step) -> bool:
        return self.access.change and self.state.refusal(step) is None

    @property
    def can_start_assessment(self) -> bool:
        return self.allowed(Step.START_ASSESSMENT)

    @property
    def can_start_cin_plan(self) -> bool:
        return self.allowed(Step.START_CIN_PLAN)

    @property
    def open_cin_plan(self) -> CINPlan | None:
        return next((p for p in self.cin_plans if p.end_date is None), None)

    @property
    def can_strategy(self) -> bool:
        return self.allowed(Step.STRATEGY_DISCUSSION)

    @property
    def can_close(self) -> bool:
        return self.access.change and not self.state.closed


def _referral_visible(user: User, referral_id: int) -> tuple[Referral, Casework]:
    referral = (
        Referral.objects.select_related("child", "team").filter(pk=referral_id).first()
        if _valid_key(referral_id)
        else None
    )
    access = _casework_access(user, referral) if referral is not None else None
    if referral is None or access is None:
        raise NotFound("Not found")
    return referral, access


def _record_view(user: User, obj: Referral | Assessment | CINPlan, child_id: int, page: str, basis: str) -> None:
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=obj,
        child_id=child_id,
        summary=f"Viewed {page} {obj.pk}",
        detail={"page": page, "basis": basis},
    )


@transaction.atomic
def referral_page(*, user: User, referral_id: int) -> ReferralPage:
    """A referral (CIN episode) with its assessments and plans, for a user who may read the child's casework
    (NotFound otherwise); the view is recorded."""
    referral, access = _referral_visible(user, referral_id)
    _record_view(user, referral, referral.child_id, "referral", access.basis.value)
    return ReferralPage(
        referral=referral,
        access=access,
        state=episode_state(referral.pk),
        assessments=list(referral.assessments.select_related("worker", "authorised_by", "submitted_by")),
        cin_plans=list(referral.cin_plans.all()),
        previous_referral=previous_referral_within_year(referral),
    )


@transaction.atomic
def referral_for_change(*, user: User, referral_id: int, page: str) -> ReferralPage:
    """A referral for a page that records casework on it: only for those who may change the child's record."""
    referral, access = _referral_visible(user, referral_id)
    if not access.change:
        raise NotFound("Not found")
    _record_view(user, referral, referral.child_id, page, access.basis.value)
    return ReferralPage(
        referral=referral,
        access=access,
        state=episode_state(referral.pk),
        assessments=[],
        cin_plans=list(referral.cin_plans.all()),
        previous_referral=None,
    )


@dataclass(frozen=True)
class Clock:
    """One basis of the 45-working-day timescale."""

    basis: str
    counted_from: dt.date
    due: dt.date
    finished: dt.date | None
    today: dt.date

    @property
    def working_days_taken(self) -> int | None:
        return None if self.finished is None else working_days_between(self.counted_from, self.finished)

    @property
    def in_time(self) -> bool:
        return (self.finished or self.today) <= self.due

    @property
    def overdue(self) -> bool:
        return self.finished is None and self.today > self.due

    @property
    def working_days_left(self) -> int:
        return working_days_between(self.today, self.due)


def assessment_clocks(assessment: Assessment, today: dt.date) -> list[Clock]:
    """45 working days from the assessment's start (the DfE's basis in the CIN census) and from the referral
    (Working Together 2023); the start-based clock first, as the work trays show it."""
    clocks = []
    for basis, start in (
        ("From the start of the assessment (DfE)", assessment.start_date),
        ("From the referral (Working Together 2023)", assessment.referral.referral_date),
    ):
        clocks.append(
            Clock(
                basis=basis,
                counted_from=start,
                due=add_working_days(start, ASSESSMENT_WORKING_DAYS),
                finished=assessment.authorised_date,
                today=today,
            )
        )
    return clocks


@dataclass(frozen=True)
class AssessmentPage:
    assessment: Assessment
    access: Casework
    clocks: list[Clock]
    factors: list[tuple[str, str]]
    user: User

    @property
    def referral(self) -> Referral:
        return self.assessment.referral

    @property
    def authorised(self) -> bool:
        return self.assessment.authorised_date is not None

    @property
    def submitted(self) -> bool:
        return self.assessment.submitted_at is not None and not self.authorised

    @property
    def can_edit(self) -> bool:
        return self.access.change and not self.submitted and not self.authorised

    @property
    def completed_it(self) -> bool:
        """This user sent it for authorisation or holds it: authorising it is for someone else."""
        a = self.assessment
        return self.user.pk in {a.submitted_by_id, a.worker.user_id if a.worker else None}

    @property
    def can_decide(self) -> bool:
        return self.access.authorise and self.submitted

    @property
    def can_record_outcome(self) -> bool:
        return self.access.authorise and self.authorised and not self.assessment.outcome


def _assessment_visible(user: User, assessment_id: int) -> tuple[Assessment, Casework]:
    assessment = (
        Assessment.objects.select_related(
            "referral__child", "referral__team", "worker", "submitted_by", "authorised_by"
        )
        .filter(pk=assessment_id)
        .first()
        if _valid_key(assessment_id)
        else None
    )
    access = _casework_access(user, assessment.referral) if assessment is not None else None
    if assessment is None or access is None:
        raise NotFound("Not found")
    return assessment, access


@transaction.atomic
def assessment_page(*, user: User, assessment_id: int, page: str = "assessment") -> AssessmentPage:
    """An assessment with both of its timescales, for a user who may read the child's casework (NotFound
    otherwise); the view is recorded."""
    assessment, access = _assessment_visible(user, assessment_id)
    _record_view(user, assessment, assessment.referral.child_id, page, access.basis.value)
    codes = sorted(assessment.factors.values_list("code", flat=True), key=AssessmentFactor.values.index)
    return AssessmentPage(
        assessment=assessment,
        access=access,
        clocks=assessment_clocks(assessment, timezone.localdate()),
        factors=[(c, AssessmentFactor(c).label) for c in codes],
        user=user,
    )


@transaction.atomic
def cin_plan_for_change(*, user: User, plan_id: int) -> tuple[CINPlan, Casework]:
    plan = CINPlan.objects.select_related("referral__child").filter(pk=plan_id).first() if _valid_key(plan_id) else None
    access = _casework_access(user, plan.referral) if plan is not None else None
    if plan is None or access is None or not access.change:
        raise NotFound("Not found")
    _record_view(user, plan, plan.referral.child_id, "end child in need plan", access.basis.value)
    return plan, access


def can_edit_assessment(*, user: User, assessment_id: int) -> bool:
    """Whether the user may record this assessment now (its analysis draft is kept only then). A question about
    permission, not a view of the record: nothing is audited."""
    assessment = (
        Assessment.objects.select_related("referral__child").filter(pk=assessment_id).first()
        if _valid_key(assessment_id)
        else None
    )
    if assessment is None or assessment.submitted_at is not None or assessment.authorised_date is not None:
        return False
    access = _casework_access(user, assessment.referral)
    return access is not None and access.change
