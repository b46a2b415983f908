"""Writing the audit trail. Every look at personal data, search, export and break-glass goes through here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from auditlog.context import set_actor
from django.db import models, transaction
from django.utils import timezone

from openmash.accounts.models import User

from . import chain
from .models import AuditEvent


def record(
    *,
    user: User,
    action: AuditEvent.Action,
    summary: str,
    obj: models.Model | None = None,
    child_id: int | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event, linked into a hash chain. Call it inside the same transaction as the
    work it records: the chain it joins stays held until that transaction ends (see access.chain)."""
    event = AuditEvent(
        at=timezone.now(),
        user=user if user.pk else None,
        username=user.get_username(),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        child_id=child_id,
        summary=summary[:300],
        reason=reason,
        detail=detail or {},
    )
    # No savepoint: inside a service's transaction, a failure to audit fails the whole transaction.
    with transaction.atomic(savepoint=False):
        link = chain.next_link()
        event.chain, event.seq, event.prev_hash = link.chain, link.seq, link.prev_hash
        event.hash = chain.row_hash(
            chain=link.chain,
            seq=link.seq,
            prev_hash=link.prev_hash,
            content={name: getattr(event, name) for name in chain.HASHED_FIELDS},
        )
        event.save(force_insert=True)
    return event


def changes_by_acting_user[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Attribute the change history (old and new values) written by a service to its `acting_user`.

    Web requests set the actor through middleware too; this covers commands, tasks and tests.
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        actor = kwargs.get("acting_user")
        if actor is None:
            return service(*args, **kwargs)
        with set_actor(actor):
            return service(*args, **kwargs)

    return wrapper
