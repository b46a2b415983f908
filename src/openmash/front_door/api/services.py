"""The partner API's writes: issuing and revoking tokens, and what a partner system sends through its token.

A key looks like `om_<prefix>_<secret>`. Only its SHA-256 hash and the 8-character prefix are kept; the prefix
finds the token, and the hashes are compared in constant time.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.audit import changes_by_acting_user
from openmash.accounts.models import Agency, User
from openmash.core.errors import ServiceError
from openmash.front_door import services as front_door
from openmash.front_door.models import (
    AgencyContribution,
    Contact,
    ContactChannel,
    InformationRequest,
    PartnerApiToken,
    SharingLevel,
    YesNoUnknown,
)

from .models import IdempotencyKey

_KEY = re.compile(r"om_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")
# Compared against when no token has the prefix, so an unknown key takes as long as a wrong one.
_NO_TOKEN_HASH = hashlib.sha256(b"no such token").hexdigest()
# last_used_at is written at most this often, not on every request.
_LAST_USED_EVERY = dt.timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: PartnerApiToken
    key: str  # shown once, never stored


def _may_act_for_api(user: User) -> bool:
    return policy.can_refer(user) or policy.answers_information_requests(user)


@transaction.atomic
def api_token_issue(*, agency: Agency | str, name: str, user: User, acting_user: User | None = None) -> IssuedToken:
    """A new key for a partner agency's system, acting as `user` (one of that agency's accounts)."""
    if agency not in Agency.values or agency == Agency.DEMOCRATIC_SERVICES:
        raise ServiceError("Choose a partner agency", field="agency")
    name = " ".join(name.split())
    if not name or len(name) > 100:
        raise ServiceError("Name the system that will use the token, in 100 characters or fewer", field="name")
    if user.agency != agency:
        raise ServiceError(f"{user.username} works for {user.get_agency_display()}, not {Agency(agency).label}")
    if not user.is_active or not _may_act_for_api(user):
        raise ServiceError(
            f"{user.username} cannot act for a partner system: the account must be active and its work must "
            "involve children (for example a MASH practitioner or an agency researcher)"
        )
    for _attempt in range(5):
        prefix = secrets.token_hex(4)
        key = f"om_{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = PartnerApiToken.objects.create(
                    agency=agency,
                    name=name,
                    prefix=prefix,
                    key_hash=key_hash(key),
                    acting_user=user,
                    created_by=acting_user,
                )
        except IntegrityError:
            continue  # the prefix was taken: draw another
        return IssuedToken(token=token, key=key)
    raise ServiceError("Could not draw an unused prefix: try again")


@transaction.atomic
def api_token_revoke(*, prefix: str) -> PartnerApiToken:
    """Stop a key working, at once. The token stays listed, with when it was revoked."""
    token = PartnerApiToken.objects.select_for_update().filter(prefix=prefix.strip()).first()
    if token is None:
        raise ServiceError(f"No token has the prefix {prefix!r}")
    if token.revoked_at is not None:
        raise ServiceError(f"The token {token.prefix} was already revoked on {token.revoked_at:%d/%m/%Y %H:%M}")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def token_for_key(key: str) -> PartnerApiToken | None:
    """The live token a key belongs to, or None (unknown, wrong, revoked, or its account can no longer act)."""
    match = _KEY.fullmatch(key)
    token = (
        PartnerApiToken.objects.select_related("acting_user").filter(prefix=match.group(1)).first() if match else None
    )
    matches = hmac.compare_digest(key_hash(key), token.key_hash if token else _NO_TOKEN_HASH)
    if token is None or not matches or token.revoked_at is not None:
        return None
    user = token.acting_user
    if not user.is_active or user.agency != token.agency or user.demo_refused() or not _may_act_for_api(user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_EVERY:
        PartnerApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@dataclass(frozen=True)
class SentContact:
    contact: Contact
    replayed: bool  # an earlier request with the same Idempotency-Key created it


class IdempotencyRace(Exception):
    """Another request with the same Idempotency-Key committed first; trying again replays its answer."""


def _retried_after_race[**P](send: Callable[P, SentContact]) -> Callable[P, SentContact]:
    @functools.wraps(send)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> SentContact:
        try:
            return send(*args, **kwargs)
        except IdempotencyRace:
            # A request with the same key committed while this one ran, and this one's work was rolled back:
            # the second try finds that request's contact and answers as a retry would.
            return send(*args, **kwargs)

    return wrapper


@_retried_after_race
@transaction.atomic
def contact_send(
    *,
    token: PartnerApiToken,
    child: front_door.ReportedChild,
    summary: str,
    referrer: front_door.Referrer,
    immediate_risk: bool = False,
    parents_aware: YesNoUnknown | str = "",
    adults: Sequence[front_door.ReportedAdult] = (),
    idempotency_key: str = "",
    fingerprint: str = "",
) -> SentContact:
    """A contact from a partner's system, through the front door's own way in; with an Idempotency-Key, a
    retry of the same contact answers with the first one, and a different contact under that key is refused."""
    if idempotency_key:
        earlier = IdempotencyKey.objects.filter(token=token, key=idempotency_key).select_related("contact").first()
        if earlier is not None:
            if not hmac.compare_digest(earlier.fingerprint, fingerprint) or earlier.contact is None:
                raise ServiceError(
                    "This Idempotency-Key was already used for a different contact: use a new key for each contact",
                    field="Idempotency-Key",
                )
            return SentContact(earlier.contact, replayed=True)
        try:
            # Taken first, so a second request with the key waits here (PostgreSQL) until this one ends.
            with transaction.atomic():
                record = IdempotencyKey.objects.create(token=token, key=idempotency_key, fingerprint=fingerprint)
        except IntegrityError as race:
            raise IdempotencyRace from race
    receive = changes_by_acting_user(front_door.contact_receive)
    contact = receive(
        channel=ContactChannel.API,
        child=child,
        summary=summary,
        referrer=front_door.Referrer(
            name=referrer.name, role=referrer.role, email=referrer.email, phone=referrer.phone, agency=token.agency
        ),
        immediate_risk=immediate_risk,
        parents_aware=parents_aware,
        adults=adults,
        acting_user=token.acting_user,
    )
    if idempotency_key:
        record.contact = contact
        record.save(update_fields=["contact"])
    return SentContact(contact, replayed=False)


def request_answer(
    *,
    token: PartnerApiToken,
    request: InformationRequest,
    answer: str,
    sharing_level: SharingLevel | str,
    shared_with: Iterable[Agency | str],
) -> AgencyContribution:
    """Answer one of the agency's open requests through the front door's own service (which checks the account
    is this agency's researcher and locks the request)."""
    return front_door.information_request_answer(
        request=request,
        summary=answer,
        sharing_level=sharing_level,
        shared_with=list(shared_with),
        acting_user=token.acting_user,
    )
