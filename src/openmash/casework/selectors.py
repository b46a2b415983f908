"""Reading casework for a user, through the access policy: the referrals waiting for allocation."""

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
from openmash.workforce.models import Allocation, StaffMember

from .models import Referral

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
