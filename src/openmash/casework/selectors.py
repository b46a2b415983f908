"""Reading casework for a user, through the access policy: the referrals waiting for allocation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
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


def _needs_strategy(referral: Referral) -> bool:
    return referral.contact is not None and referral.contact.outcome == STRATEGY_OUTCOME


@dataclass(frozen=True)
class WaitingReferral:
    referral: Referral
    days_waiting: int
    strategy: bool
    can_allocate: bool


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
def referrals_waiting(*, user: User, page: str | int | None = 1, per_page: int = 50) -> Queue:
    """Open referrals with nobody allocated, in the teams of a manager's service (a social worker's own team),
    the longest waiting first. A restricted record is listed only for those named on it. Looking is recorded."""
    # Every waiting referral's key first (tens, or a few hundred), then the page's rows: ordered in one query,
    # PostgreSQL walked every open referral of the borough by date to find the few waiting (18 ms against 8).
    waiting = [pk for _day, pk in sorted(_waiting(user).values_list("referral_date", "pk"))]
    found = Paginator(waiting, per_page).get_page(page)
    referrals = (
        Referral.objects.filter(pk__in=list(found))
        .select_related("child", "team", "contact")
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
    today = timezone.localdate()
    workers = (
        StaffMember.objects.filter(team__service_id=service_id, is_case_holder=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("team")
        .annotate(caseload=Count("allocations", filter=Q(allocations__end_date__isnull=True)))
        .order_by("team__name", "last_name", "first_name", "pk")
    )
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
        workers=[WorkerChoice(w, w.caseload) for w in workers],
        strategy=_needs_strategy(referral),
    )


def earliest_start(referral: Referral, current: Allocation | None) -> dt.date:
    """An allocation starts no earlier than the referral (or the current allocation, which it ends)."""
    return max(referral.referral_date, current.start_date) if current is not None else referral.referral_date
