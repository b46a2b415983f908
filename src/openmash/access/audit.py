"""Writing the audit trail. Every look at personal data, search, export and break-glass goes through here."""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from auditlog import get_logentry_model
from auditlog.context import _set_extra_data, auditlog_value
from django.db import models, transaction
from django.db.models.signals import pre_save
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


@contextlib.contextmanager
def history_context(context: dict[str, Any]) -> Iterator[None]:
    """Within this block the change history takes its actor (and the request's address) from `context`.

    django-auditlog's own `set_actor` and `set_extra_data` cannot be nested: leaving the inner block
    disconnects the inner signal receiver a second time instead of the outer one, and nothing resets the
    context. So each write inside a web request (whose middleware had already set the actor) left a receiver
    connected for good, and every later save in the process ran all of them. This puts back exactly what it
    found."""
    duid = ("openmash.history", uuid.uuid4().hex)
    token = auditlog_value.set({**context, "signal_duid": duid})
    log_entry = get_logentry_model()
    receiver = functools.partial(_set_extra_data, signal_duid=duid)
    pre_save.connect(receiver, sender=log_entry, dispatch_uid=duid, weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(sender=log_entry, dispatch_uid=duid)
        auditlog_value.reset(token)


@contextlib.contextmanager
def acting_as(actor: User) -> Iterator[None]:
    """Changes made within this block are `actor`'s, still from the request's address inside a web request."""
    outer = auditlog_value.get(None)
    if outer is not None and outer.get("actor") == actor:
        yield  # already theirs: the request's middleware set it
        return
    with history_context({"remote_addr": None, "remote_port": None, **(outer or {}), "actor": actor}):
        yield


def changes_by_acting_user[**P, R](service: Callable[P, R]) -> Callable[P, R]:
    """Attribute the change history (old and new values) written by a service to its `acting_user`.

    Web requests set the actor through middleware too; this covers commands, tasks and tests.
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        actor = kwargs.get("acting_user")
        if actor is None:
            return service(*args, **kwargs)
        with acting_as(actor):  # type: ignore[arg-type]
            return service(*args, **kwargs)

    return wrapper
