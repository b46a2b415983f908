"""The ways in: a member of the public reports a concern, a professional refers, drafts of the long form.

The contact itself is made by front_door.services.contact_receive; these add what belongs to each way in:
the public form's rate limit and honeypot, and the professional form's draft.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.audit import changes_by_acting_user
from openmash.accounts.models import User
from openmash.core.codes import ReferralSource
from openmash.core.errors import ServiceError
from openmash.front_door.models import (
    Contact,
    ContactChannel,
    FormDraft,
    ReferrerFeedback,
    YesNoUnknown,
)
from openmash.front_door.services import (
    Referrer,
    ReportedAdult,
    ReportedChild,
    SurveyAnswers,
    contact_receive,
    record_survey_answers,
)

from .models import PublicReportAttempt

logger = logging.getLogger(__name__)

REFER_FORM = "refer"
# A draft holds what was typed, field by field; anything bigger is not a referral form.
DRAFT_MAX_FIELDS = 80
DRAFT_MAX_VALUE = 10_000


class TooManyReports(ServiceError):
    """The client address has sent as many public reports as the window allows."""


# The public report -------------------------------------------------------------------------------


def client_key(address: str) -> str:
    """A keyed hash of a client address: the same client always gives the same key, and the address
    cannot be read back from it. An IPv6 client usually holds a whole /64, so that is what is counted."""
    address = address.strip()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        pass
    else:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
            address = str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
        elif isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            address = str(ip.ipv4_mapped)
    return hmac.new(settings.SECRET_KEY.encode(), f"report:{address}".encode(), hashlib.sha256).hexdigest()


def _lock_client(key: str) -> None:
    """Count and add for one client one transaction at a time. SQLite's write transactions already run
    one at a time (settings: transaction_mode IMMEDIATE); PostgreSQL takes a lock on the key until commit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(key[:15], 16)])


def _decoy_reference() -> str:
    """A reference shaped like a real one, for a report caught by the honeypot (nothing is stored)."""
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"MC-{body[:4]}-{body[4:]}"


@transaction.atomic
def public_report_submit(
    *,
    client_address: str,
    child: ReportedChild,
    summary: str,
    referrer: Referrer,
    source: ReferralSource | str,
    immediate_risk: bool,
    parents_aware: YesNoUnknown | str,
    adults: Sequence[ReportedAdult] = (),
    honeypot: bool = False,
    now: dt.datetime | None = None,
) -> str:
    """A member of the public reports a concern; returns the reference to give them.

    No more than settings.OPENMASH_REPORT_LIMIT reports from one client address in
    settings.OPENMASH_REPORT_WINDOW: the next is refused (TooManyReports) and changes nothing. A report
    that filled the honeypot counts against the limit and is answered as if it were taken, but nothing is
    made. Bad input is refused (ServiceError) and does not count.
    """
    now = now or timezone.now()
    key = client_key(client_address)
    _lock_client(key)
    recent = PublicReportAttempt.objects.filter(client=key, at__gt=now - settings.OPENMASH_REPORT_WINDOW).count()
    if recent >= settings.OPENMASH_REPORT_LIMIT:
        raise TooManyReports(
            "We cannot take another report from your internet connection just now. Try again in an hour, or "
            f"phone us on {settings.OPENMASH_FRONT_DOOR_PHONE}."
        )
    PublicReportAttempt.objects.create(client=key, at=now)
    if honeypot:
        # Nothing about the sender is logged; a rising count tells the operators bots have found the form.
        logger.warning("A public report filled the honeypot and was not taken")
        return _decoy_reference()
    contact = contact_receive(
        channel=ContactChannel.PUBLIC,
        child=child,
        summary=summary,
        referrer=referrer,
        immediate_risk=immediate_risk,
        parents_aware=parents_aware,
        adults=adults,
        source=source,
        acting_user=None,
    )
    assert contact.reference is not None
    return contact.reference


# The professional referral -----------------------------------------------------------------------


@transaction.atomic
@changes_by_acting_user
def professional_referral_submit(
    *,
    child: ReportedChild,
    summary: str,
    role: str,
    phone: str,
    immediate_risk: bool,
    parents_aware: YesNoUnknown | str,
    adults: Sequence[ReportedAdult] = (),
    acting_user: User,
) -> Contact:
    """A signed-in professional refers a child: the contact carries their name, agency and email from their
    account, and the role and phone they gave. Their draft of the form goes with it."""
    contact = contact_receive(
        channel=ContactChannel.PROFESSIONAL,
        child=child,
        summary=summary,
        referrer=Referrer(
            name=acting_user.get_full_name() or acting_user.get_username(),
            role=role,
            email=acting_user.email,
            phone=phone,
            agency=acting_user.agency,
        ),
        immediate_risk=immediate_risk,
        parents_aware=parents_aware,
        adults=adults,
        acting_user=acting_user,
    )
    FormDraft.objects.filter(user=acting_user, form=REFER_FORM).delete()
    return contact


# Drafts ------------------------------------------------------------------------------------------


def _clean_draft(data: Mapping[str, str], allowed: frozenset[str]) -> dict[str, str]:
    """Only the form's own fields, as text without NUL characters (PostgreSQL's JSON cannot hold them),
    each cut to a size no field of the form needs."""
    cleaned: dict[str, str] = {}
    for name, value in data.items():
        if name in allowed and len(cleaned) < DRAFT_MAX_FIELDS:
            cleaned[name] = str(value).replace("\x00", "")[:DRAFT_MAX_VALUE]
    return cleaned


@transaction.atomic
def draft_save(*, form: str, data: Mapping[str, str], fields: frozenset[str], acting_user: User) -> FormDraft:
    """Keep what the user has typed into a form so far (one draft per user and form, replaced each time)."""
    if form != REFER_FORM or not policy.can_refer(acting_user):
        raise ServiceError("You cannot save a draft of this form")
    draft, _created = FormDraft.objects.update_or_create(
        user=acting_user, form=form, defaults={"data": _clean_draft(data, fields)}
    )
    return draft


@transaction.atomic
def draft_discard(*, form: str, acting_user: User) -> None:
    FormDraft.objects.filter(user=acting_user, form=form).delete()


def drafts_expire_before(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.OPENMASH_DRAFT_DAYS)


@transaction.atomic
def ways_in_purge(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete drafts not saved for settings.OPENMASH_DRAFT_DAYS and rate-limit rows past their window;
    return how many of each went. Run daily (`openmash front-door-purge`)."""
    now = now or timezone.now()
    drafts, _ = FormDraft.objects.filter(updated_at__lt=drafts_expire_before(now)).delete()
    attempts, _ = PublicReportAttempt.objects.filter(at__lte=now - settings.OPENMASH_REPORT_WINDOW).delete()
    return drafts, attempts


# The referrer survey, answered by a signed-in professional ---------------------------------------


@transaction.atomic
def referral_survey_submit(*, contact: Contact, answers: SurveyAnswers, acting_user: User) -> ReferrerFeedback:
    """The professional who made a referral answers its survey from "Your referrals" (no link needed)."""
    feedback = (
        ReferrerFeedback.objects.select_for_update()
        .filter(contact_id=contact.pk, contact__submitted_by=acting_user, contact__channel=ContactChannel.PROFESSIONAL)
        .first()
    )
    if feedback is None or not acting_user.is_active:
        raise ServiceError("That referral does not exist")
    if feedback.responded_at is not None:
        raise ServiceError("You have already answered the survey about this referral")
    return record_survey_answers(feedback, answers)
