"""The partner API's reads: an agency's own contacts and the MASH's requests addressed to it.

Each read of personal data writes an audit row as the token's account, with the basis "partner API". A contact
or request of another agency answers exactly like one that does not exist.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.front_door.models import Contact, ContactChannel, InformationRequest, PartnerApiToken
from openmash.front_door.services import outcome_for_referrer

BASIS = "partner API"
_REFERENCE = re.compile(r"[A-Z0-9-]{1,12}")
PAGE_SIZE = 50

ContactStatus = Literal["received", "under_review", "decided"]


class Forbidden(Exception):
    """The token's account may not do this at all (whatever the object): answered 403 with the reason."""


@dataclass(frozen=True)
class Page[T]:
    items: Sequence[T]
    count: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / PAGE_SIZE))


def _audit(token: PartnerApiToken, obj: Contact | InformationRequest, child_id: int | None, what: str) -> None:
    audit.record(
        user=token.acting_user,
        action=AuditEvent.Action.VIEW,
        obj=obj,
        child_id=child_id,
        summary=f"Partner API ({token.name}): {what}",
        detail={"page": "partner API", "basis": BASIS, "token": token.prefix},
    )


def own_contacts(*, token: PartnerApiToken) -> QuerySet[Contact]:
    """The agency's own contacts: made by its system, or by its staff through the referral form."""
    agency = token.agency
    return (
        Contact.objects.filter(referrer_agency=agency)
        .filter(Q(channel=ContactChannel.API) | Q(submitted_by__agency=agency))
        .filter(policy.unrestricted_or_named(token.acting_user))
        .select_related("feedback")
        .order_by("-received_at", "-id")
    )


_STATUS = {
    "received": Q(outcome="", rag="", child__isnull=True),
    "under_review": Q(outcome="") & (~Q(rag="") | Q(child__isnull=False)),
    "decided": ~Q(outcome=""),
}


def contact_status(contact: Contact) -> ContactStatus:
    if contact.outcome:
        return "decided"
    if contact.rag or contact.child_id is not None:
        return "under_review"
    return "received"


def contact_outcome(contact: Contact) -> str | None:
    """What the referrer was told of the decision (or would be): never the rationale or the MASH's notes."""
    if not contact.outcome:
        return None
    feedback = getattr(contact, "feedback", None)
    return feedback.outcome_told if feedback is not None else outcome_for_referrer(contact.outcome)


@transaction.atomic
def contact_page(*, token: PartnerApiToken, page: int, status: ContactStatus | None = None) -> Page[Contact]:
    contacts = own_contacts(token=token)
    if status is not None:
        contacts = contacts.filter(_STATUS[status])
    count = contacts.count()
    items = list(contacts[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    for contact in items:
        _audit(token, contact, contact.child_id, f"read contact {contact.reference} in the list")
    return Page(items=items, count=count, page=page)


@transaction.atomic
def own_contact(*, token: PartnerApiToken, reference: str) -> Contact:
    # A reference is short letters, digits and dashes; anything else cannot be one (and never reaches the database).
    if not _REFERENCE.fullmatch(reference):
        raise NotFound("No contact with that reference")
    contact = own_contacts(token=token).filter(reference=reference).first()
    if contact is None:
        raise NotFound("No contact with that reference")
    _audit(token, contact, contact.child_id, f"read contact {contact.reference}")
    return contact


def _ensure_researcher(token: PartnerApiToken) -> None:
    if not policy.answers_information_requests(token.acting_user, token.agency):
        raise Forbidden(
            "This token's account is not an agency researcher for its agency: only researchers see and answer "
            "the MASH's information requests"
        )


def _open_requests(token: PartnerApiToken) -> QuerySet[InformationRequest]:
    return (
        InformationRequest.objects.filter(agency=token.agency, status=InformationRequest.Status.OPEN)
        .filter(policy.unrestricted_or_named(token.acting_user, "contact__child"))
        .select_related("contact", "contact__child")
        .order_by("due_at", "id")
    )


@transaction.atomic
def open_request_page(*, token: PartnerApiToken, page: int) -> Page[InformationRequest]:
    """The MASH's open requests for this agency's checks, soonest due first."""
    _ensure_researcher(token)
    requests = _open_requests(token)
    count = requests.count()
    items = list(requests[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    for request in items:
        _audit(token, request, request.contact.child_id, f"read information request {request.pk}")
    return Page(items=items, count=count, page=page)


def request_to_answer(*, token: PartnerApiToken, request_id: int) -> InformationRequest:
    """One of this agency's requests (open or not), for its researcher to answer; another's is not found."""
    _ensure_researcher(token)
    request = (
        InformationRequest.objects.filter(pk=request_id, agency=token.agency)
        .filter(policy.unrestricted_or_named(token.acting_user, "contact__child"))
        .select_related("contact")
        .first()
    )
    if request is None:
        raise NotFound("No information request with that id")
    return request


@dataclass(frozen=True)
class RequestChild:
    first_name: str
    last_name: str
    date_of_birth: object
    nhs_number: str
    upn: str
    address: str
    postcode: str


def request_child(request: InformationRequest) -> RequestChild:
    """Who to look up: the child on the register once the MASH has matched the contact, else as reported."""
    child = request.contact.child
    if child is not None:
        return RequestChild(
            child.first_name,
            child.last_name,
            child.date_of_birth or child.expected_date_of_birth,
            child.nhs_number,
            child.upn,
            child.address,
            child.postcode,
        )
    c = request.contact
    return RequestChild(
        c.subject_first_name,
        c.subject_last_name,
        c.subject_date_of_birth,
        c.subject_nhs_number,
        c.subject_upn,
        c.subject_address,
        c.subject_postcode,
    )


def is_overdue(request: InformationRequest) -> bool:
    return request.due_at < timezone.now()
