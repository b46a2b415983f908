"""Access actions: break glass, reviewing it, and restricting a record."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.people.models import Child

from . import audit, policy
from .models import AuditEvent, BreakGlassGrant, ChildRestriction

MIN_REASON_LENGTH = 20


def break_glass_open(*, user: User, la_child_id: str, reason: str) -> Child:
    """Open a record outside the user's scope for a stated reason, for a few hours.

    A missing child and a restricted one get the same answer. Every attempt is recorded, a refused
    one included (so the refusal is committed before the error is raised).
    """
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ServiceError(
            f"Explain why you need this record (at least {MIN_REASON_LENGTH} characters)", field="reason"
        )
    if not policy.may_break_glass(user):
        raise ServiceError("You cannot open individual children's records", field="la_child_id")
    with transaction.atomic():
        child = Child.objects.filter(la_child_id=la_child_id.strip()).first()
        if child is not None and not ChildRestriction.objects.filter(child=child).exists():
            grant = BreakGlassGrant.objects.create(
                user=user,
                child=child,
                reason=reason,
                expires_at=timezone.now() + dt.timedelta(hours=policy.BREAK_GLASS_HOURS),
            )
            audit.record(
                user=user,
                action=AuditEvent.Action.BREAK_GLASS,
                obj=grant,
                child_id=child.pk,
                reason=reason,
                summary=f"Break glass: opened {child.la_child_id} outside their access",
            )
            return child
        audit.record(
            user=user,
            action=AuditEvent.Action.DENIED,
            summary="Break glass refused: no such child",
            reason=reason,
            detail={"la_child_id": la_child_id},
        )
    raise ServiceError("No child found with that LA child ID", field="la_child_id")


@transaction.atomic
def break_glass_review(*, grant: BreakGlassGrant, acting_user: User) -> BreakGlassGrant:
    grant = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    if not policy.break_glass_reviewable_by(acting_user).filter(pk=grant.pk).exists():
        raise ServiceError("You cannot review this")
    if grant.reviewed_at is not None:
        raise ServiceError("This has already been reviewed")
    grant.reviewed_by = acting_user
    grant.reviewed_at = timezone.now()
    grant.save(update_fields=["reviewed_by", "reviewed_at"])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=grant,
        child_id=grant.child_id,
        summary="Reviewed a break-glass use",
    )
    return grant


@transaction.atomic
@audit.changes_by_acting_user
def child_restrict(*, child: Child, reason: str, allowed: list[User], acting_user: User) -> ChildRestriction:
    """Restrict a record to named users. The person restricting it is always one of them."""
    if not (policy.can_allocate(acting_user) and policy.can_change_child(acting_user, child)):
        raise ServiceError("Only a manager responsible for this child can restrict the record")
    if not reason.strip():
        raise ServiceError("Give the reason for restricting the record", field="reason")
    restriction, _ = ChildRestriction.objects.update_or_create(
        child=child, defaults={"reason": reason.strip(), "created_by": acting_user}
    )
    restriction.allowed_users.set({*allowed, acting_user})
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=restriction,
        child_id=child.pk,
        summary=f"Restricted the record of {child.la_child_id}",
        reason=reason,
        detail={"allowed": sorted(u.get_username() for u in {*allowed, acting_user})},
    )
    return restriction
