"""Reads that check the policy and write the audit trail in one call."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from openmash.accounts.models import User
from openmash.people.models import Child

from . import audit, policy
from .models import AuditEvent


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
def children_search(*, user: User, query: str) -> QuerySet[Child]:
    """Children matching the query that the user may see; the search itself is recorded."""
    from openmash.people.selectors import child_search

    results = child_search(query=query).filter(pk__in=policy.visible_children(user).values("pk"))
    audit.record(
        user=user,
        action=AuditEvent.Action.SEARCH,
        summary=f"Searched for children: {query[:100]}",
        detail={"query": query, "results": results.count()},
    )
    return results


@transaction.atomic
def who_viewed(*, user: User, la_child_id: str, limit: int = 500) -> tuple[Child, list[AuditEvent]]:
    """The child and the latest audit events about them, for managers in scope and auditors.

    Auditors may look up any child's trail; anyone else answers as for a missing child. Looking is
    itself recorded.
    """
    child = Child.objects.filter(la_child_id=la_child_id).first()
    if child is None or not policy.can_see_who_viewed(user, child):
        raise NotFound("No child with that ID")
    events = list(AuditEvent.objects.filter(child_id=child.pk).select_related("user").order_by("-at", "-id")[:limit])
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=child,
        child_id=child.pk,
        summary=f"Viewed who has seen the record of {child.la_child_id}",
        detail={"page": "who viewed"},
    )
    return child, events


def audit_events_between(*, user: User, start: dt.date, end: dt.date) -> QuerySet[AuditEvent]:
    if not policy.can_export(user, policy.Export.AUDIT_LOG):
        raise NotFound("Not found")
    return AuditEvent.objects.filter(at__date__gte=start, at__date__lte=end).order_by("at", "id")
