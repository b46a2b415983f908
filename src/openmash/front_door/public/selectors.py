"""Reads for the ways in: a professional's own referrals and their outcomes, their draft, and a survey.

A professional sees only the contacts they submitted themselves, with the outcome as the referrer was told
it (never the MASH's rationale or what other agencies said). Each read is recorded in the audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from openmash.access import audit
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.front_door.models import Contact, ContactChannel, FormDraft, ReferrerFeedback

from .services import drafts_expire_before

REFERENCE = re.compile(r"MC-[A-Z0-9]{4}-[A-Z0-9]{4}")


@dataclass(frozen=True)
class MyReferral:
    contact: Contact
    feedback: ReferrerFeedback | None

    @property
    def survey_open(self) -> bool:
        return self.feedback is not None and self.feedback.responded_at is None


def _own(user: User) -> list[Contact]:
    return list(
        Contact.objects.filter(submitted_by=user, channel=ContactChannel.PROFESSIONAL)
        .select_related("feedback")
        .order_by("-received_at", "-id")[:200]
    )


def _feedback(contact: Contact) -> ReferrerFeedback | None:
    try:
        return contact.feedback
    except ReferrerFeedback.DoesNotExist:
        return None


@transaction.atomic
def my_referrals(*, user: User) -> list[MyReferral]:
    """The referrals this professional made, newest first, with what they were told; the reading is recorded."""
    contacts = _own(user)
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed their own referrals ({len(contacts)})",
        detail={
            "page": "your referrals",
            "basis": "they made the referral",
            "contacts": [c.reference for c in contacts],
            "children": sorted({c.child_id for c in contacts if c.child_id is not None}),
        },
    )
    return [MyReferral(c, _feedback(c)) for c in contacts]


@transaction.atomic
def my_referral(*, user: User, reference: str, page: str) -> MyReferral:
    """One referral this professional made, by its reference (NotFound for anyone else's); recorded."""
    contact = None
    if REFERENCE.fullmatch(reference):
        contact = (
            Contact.objects.filter(submitted_by=user, channel=ContactChannel.PROFESSIONAL, reference=reference)
            .select_related("feedback")
            .first()
        )
    if contact is None:
        raise NotFound("No such referral")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=contact,
        child_id=contact.child_id,
        summary=f"Viewed {page} for their referral {contact.reference}",
        detail={"page": page, "basis": "they made the referral"},
    )
    return MyReferral(contact, _feedback(contact))


@transaction.atomic
def draft_for(*, user: User, form: str) -> FormDraft | None:
    """The user's own draft of a form, if they kept one and it has not expired; reopening it is recorded."""
    draft = FormDraft.objects.filter(user=user, form=form, updated_at__gte=drafts_expire_before()).first()
    if draft is not None:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            obj=draft,
            summary=f"Reopened their draft of the {form} form",
            detail={"page": f"{form} draft", "basis": "their own draft"},
        )
    return draft
