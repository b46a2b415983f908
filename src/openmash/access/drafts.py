"""Drafts of long forms (assessment analysis, case notes, conference notes), kept as they are typed.

A draft is readable by the user who typed it and nobody else; the caller decides whether this user may
work on the record at all (`allowed`) before anything is kept. Reopening a draft is audited like any other
view of casework text. The page's script (static/openmash/refer-draft.js) posts the form's inputs to a
view built with `draft_view` every few seconds, and once more as the tab is hidden or closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.models import FormDraft

from . import audit
from .models import AuditEvent

# A draft holds what was typed, field by field; anything bigger is not one of our forms.
MAX_FIELDS = 80
MAX_VALUE = 50_000


def expire_before(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.OPENMASH_DRAFT_DAYS)


def _clean(data: Mapping[str, str], fields: Collection[str]) -> dict[str, str]:
    """Only the form's own fields, as text without NUL characters (PostgreSQL's JSON cannot hold them)."""
    cleaned: dict[str, str] = {}
    for name, value in data.items():
        if name in fields and len(cleaned) < MAX_FIELDS:
            cleaned[name] = str(value).replace("\x00", "")[:MAX_VALUE]
    return cleaned


@transaction.atomic
def keep(*, form: str, data: Mapping[str, str], fields: Collection[str], allowed: bool, acting_user: User) -> FormDraft:
    """Keep what the user has typed so far (one draft per user and form, replaced each time)."""
    if not allowed:
        raise ServiceError("You cannot save a draft of this form")
    draft, _created = FormDraft.objects.update_or_create(
        user=acting_user, form=form[:40], defaults={"data": _clean(data, fields)}
    )
    return draft


@transaction.atomic
def discard(*, form: str, acting_user: User) -> None:
    """The form was saved for real (or abandoned): its draft goes."""
    FormDraft.objects.filter(user=acting_user, form=form[:40]).delete()


@transaction.atomic
def reopen(*, form: str, user: User, what: str) -> FormDraft | None:
    """The user's own unexpired draft of a form, if any; reopening it is recorded."""
    draft = FormDraft.objects.filter(user=user, form=form[:40], updated_at__gte=expire_before()).first()
    if draft is not None:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            obj=draft,
            summary=f"Reopened their draft of {what}",
            detail={"page": f"{form} draft", "basis": "their own draft"},
        )
    return draft


def draft_view(
    request: HttpRequest, *, form: str, fields: Collection[str], allowed: Callable[[User], bool]
) -> HttpResponse:
    """The body of a view the page's script posts to: 204 when kept, 404 for a user who may not."""
    user = request.user
    if not isinstance(user, User) or not allowed(user):
        raise Http404("Not found")
    keep(form=form, data=request.POST.dict(), fields=fields, allowed=True, acting_user=user)
    return HttpResponse(status=204)
