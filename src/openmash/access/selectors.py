"""Reads that check the policy and write the audit trail in one call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from openmash.accounts.models import User
from openmash.people.models import Child
from openmash.people.selectors import child_search

from . import audit, policy
from .models import AuditEvent, BreakGlassGrant


class NotFound(Http404):
    """Missing or not visible: the same answer either way, so nothing leaks."""


@transaction.atomic
def child_for_view(*, user: User, la_child_id: str, page: str) -> tuple[Child, policy.Basis]:
    """Fetch a child for a child-level page, or NotFound; records the view with its basis."""
    child = Child.objects.filter(la_child_id=la_child_id).first()
    basis = policy.basis_for(user, child) if child is not None else None
    if child is None or basis is None:
        raise NotFound("No child with that ID")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=child,
        child_id=child.pk,
        summary=f"Viewed {page} for {child.la_child_id}",
        detail={"page": page, "basis": basis.value},
    )
    return child, basis


@transaction.atomic
def children_search(*, user: User, query: str, page: str | int | None = 1, per_page: int = 20) -> Page[Child]:
    """One page of the children matching the query that the user may see; the search itself is recorded.

    Paginated in the database: one count and one slice, whatever the size of the borough.
    """
    results = child_search(query=query).filter(pk__in=policy.visible_children(user).values("pk"))
    found = Paginator(results, per_page).get_page(page)
    audit.record(
        user=user,
        action=AuditEvent.Action.SEARCH,
        summary=f"Searched for children: {query[:100]}",
        detail={"query": query, "results": found.paginator.count},
    )
    return found


@dataclass(frozen=True)
class WhoViewed:
    la_child_id: str
    child: Child | None  # None when the viewer may see the trail but not the child (an auditor)
    events: list[AuditEvent]


@transaction.atomic
def who_viewed(*, user: User, la_child_id: str, limit: int = 500) -> WhoViewed:
    """The latest audit events about a child, for managers in scope and auditors.

    Auditors may look up any child's trail by LA child ID, without the child's details; managers see it
    for children in their service. Anyone else answers as for a missing child. Looking is recorded.
    """
    found = Child.objects.filter(la_child_id=la_child_id).first()
    if found is None or not policy.can_see_who_viewed(user, found):
        raise NotFound("No child with that ID")
    basis = policy.basis_for(user, found)
    events = list(AuditEvent.objects.filter(child_id=found.pk).select_related("user").order_by("-at", "-id")[:limit])
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=found,
        child_id=found.pk,
        summary=f"Viewed who has seen the record of {found.la_child_id}",
        detail={"page": "who viewed", "basis": basis.value if basis else "information governance audit"},
    )
    return WhoViewed(la_child_id=found.la_child_id, child=found if basis else None, events=events)


@transaction.atomic
def child_for_restricting(*, user: User, la_child_id: str) -> Child:
    """A child whose record this manager may restrict (NotFound otherwise); the view is recorded."""
    found = Child.objects.filter(la_child_id=la_child_id).first()
    basis = policy.basis_for(user, found) if found is not None else None
    if found is None or basis is None or not policy.child_access(user, basis).restrict:
        raise NotFound("No child with that ID")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=found,
        child_id=found.pk,
        summary=f"Viewed restricting the record of {found.la_child_id}",
        detail={"page": "restrict record", "basis": basis.value},
    )
    return found


@transaction.atomic
def break_glass_uses_to_review(*, user: User, limit: int = 200) -> list[BreakGlassGrant]:
    """Break-glass uses by the people this manager oversees; reading them (reasons name children) is recorded."""
    grants = list(policy.break_glass_reviewable_by(user)[:limit])
    if grants:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed {len(grants)} break-glass uses to review",
            detail={"page": "break-glass reviews", "children": sorted({g.child.la_child_id for g in grants})},
        )
    return grants


def audit_events_between(*, user: User, start: dt.date, end: dt.date) -> QuerySet[AuditEvent]:
    if not policy.can_export(user, policy.Export.AUDIT_LOG):
        raise NotFound("Not found")
    return AuditEvent.objects.filter(at__date__gte=start, at__date__lte=end).order_by("at", "id")


def colleagues_in_service(*, user: User) -> QuerySet[User]:
    """Active accounts of staff in the manager's service, for naming on a restricted record."""
    service_id = policy.manager_service_id(user)
    if service_id is None:
        return User.objects.none()
    return (
        User.objects.filter(staff__team__service_id=service_id, is_active=True)
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name")
    )
