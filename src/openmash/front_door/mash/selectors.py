"""Reads for the MASH's own pages: the queue, one contact, matching candidates and the researchers' inbox.

Each read asks the access policy about what it returns and writes the audit trail, as journey/record.py
does: a contact's page with the basis on which the practitioner sees the child, every matching lookup as
a search, and the lists (queue, inbox) with the contacts or children they showed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.policy import Basis
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.people.matching import find_matches
from openmash.people.models import Child, Relationship

from .. import selectors as front_door_selectors
from ..models import AgencyContribution, Contact, ContactAdult, InformationRequest, RagRating

# Countdowns --------------------------------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def duration_words(seconds: float) -> str:
    """A length of time as a practitioner says it: "35 minutes", "2 hours 30 minutes", "3 days 4 hours".

    Whole units, rounded down; minutes are kept beside hours only while fewer than 4 hours are left, where
    they still matter."""
    total_minutes = int(abs(seconds)) // 60
    if total_minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(total_minutes, 60)
    if hours < 1:
        return _plural(minutes, "minute")
    if hours < 24:
        return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if hours < 4 and minutes else "")
    days, hours = divmod(hours, 24)
    return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")


def countdown(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """ "due in 2 hours" or "overdue by 3 hours"; empty when nothing is due yet (not rated)."""
    if due is None:
        return ""
    seconds = (due - (now or timezone.now())).total_seconds()
    words = duration_words(seconds)
    return f"overdue by {words}" if seconds < 0 else f"due in {words}"


# The queue ---------------------------------------------------------------------------------------


class QueueSection:
    ALL = "all"
    TO_MATCH = "to_match"
    TO_RATE = "to_rate"
    IN_ENQUIRY = "in_enquiry"


QUEUE_SECTIONS = {
    QueueSection.ALL: "All open contacts",
    QueueSection.TO_MATCH: "To match",
    QueueSection.TO_RATE: "To rate",
    QueueSection.IN_ENQUIRY: "In enquiry",
}
_SECTION_FILTERS = {
    QueueSection.ALL: Q(),
    QueueSection.TO_MATCH: Q(child__isnull=True),
    QueueSection.TO_RATE: Q(child__isnull=False, rag=""),
    QueueSection.IN_ENQUIRY: Q(child__isnull=False) & ~Q(rag=""),
}

# Contacts without a reference (loaded in bulk, for example) are addressed by their key instead.
_KEY = re.compile(r"^K(\d{1,12})$")


def contact_key(contact: Contact) -> str:
    """What a contact's address on the site carries: its reference, or K and its key if it has none."""
    return contact.reference or f"K{contact.pk}"


@dataclass(frozen=True)
class QueueRow:
    contact: Contact
    key: str
    child_name: str
    linked: bool
    overdue: bool
    countdown: str
    checks_outstanding: int

    @property
    def source(self) -> str:
        """Who the contact came from, briefly: the referrer's agency, or the kind of source without its examples."""
        if self.contact.referrer_agency:
            return str(self.contact.get_referrer_agency_display())
        return str(self.contact.get_source_display()).split(" (", 1)[0]


@dataclass(frozen=True)
class Queue:
    section: str
    counts: dict[str, int]
    page: Page[Any]
    rows: list[QueueRow]


def _open_contacts(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(outcome="").filter(policy.unrestricted_or_named(user))


@transaction.atomic
def mash_queue(*, user: User, section: str = QueueSection.ALL, page: str | int | None = 1, per_page: int = 25) -> Queue:
    """Every open contact the practitioner may work on: overdue first, then soonest due, then those not
    yet rated (immediate risk first, then oldest). Restricted children's contacts only for those named."""
    if not policy.works_front_door(user):
        raise NotFound("Not found")
    if section not in QUEUE_SECTIONS:
        section = QueueSection.ALL
    base = _open_contacts(user)
    counts = base.aggregate(
        **{key: Count("pk", filter=condition) for key, condition in _SECTION_FILTERS.items()},
    )
    contacts = (
        base.filter(_SECTION_FILTERS[section])
        .select_related("child")
        .annotate(
            checks_outstanding=Count(
                "information_requests", filter=Q(information_requests__status=InformationRequest.Status.OPEN)
            )
        )
        .order_by(F("decision_due_at").asc(nulls_last=True), "-immediate_risk", "received_at", "pk")
    )
    found = Paginator(contacts, per_page).get_page(page)
    now = timezone.now()
    rows = [
        QueueRow(
            contact=c,
            key=contact_key(c),
            child_name=c.child.full_name if c.child else (c.subject_name or "Name not known"),
            linked=c.child is not None,
            overdue=c.decision_due_at is not None and c.decision_due_at < now,
            countdown=countdown(c.decision_due_at, now),
            checks_outstanding=c.checks_outstanding,  # type: ignore[attr-defined]
        )
        for c in found.object_list
    ]
    if rows:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed the MASH queue ({len(rows)} contacts)",
            detail={"page": "MASH queue", "section": section, "contacts": [r.key for r in rows]},
        )
    return Queue(section=section, counts=counts, page=found, rows=rows)


# Matching ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdMember:
    name: str
    relationship: str


@dataclass(frozen=True)
class Candidate:
    """A child on the register who may be the one in a contact, with what is already known about them."""

    child: Child
    score: float
    method: str
    reasons: tuple[str, ...]
    school: str = ""
    household: tuple[HouseholdMember, ...] = ()

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def as_json(self) -> dict[str, Any]:
        c = self.child
        return {
            "id": c.pk,
            "la_child_id": c.la_child_id,
            "name": c.full_name,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "date_of_birth": c.date_of_birth.isoformat() if c.date_of_birth else "",
            "date_of_birth_text": f"{c.date_of_birth:%-d %B %Y}" if c.date_of_birth else "Unborn",
            "address": c.address,
            "postcode": c.postcode,
            "nhs_number": c.nhs_number,
            "upn": c.upn,
            "school": self.school,
            "household": [{"name": h.name, "relationship": h.relationship} for h in self.household],
            "score": self.percent,
            "method": self.method,
            "reasons": list(self.reasons),
        }


def _known_schools(child_ids: list[int]) -> dict[int, str]:
    """The school most recently given for each child on a contact."""
    schools: dict[int, str] = {}
    rows = (
        Contact.objects.filter(child_id__in=child_ids)
        .exclude(subject_school="")
        .order_by("child_id", "-received_at")
        .values_list("child_id", "subject_school")
    )
    for child_id, school in rows:
        if child_id is not None:
            schools.setdefault(child_id, school)
    return schools


@transaction.atomic
def match_candidates(
    *,
    user: User,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
    nhs_number: str = "",
    upn: str = "",
    la_child_id: str = "",
    limit: int = 10,
    context: str = "",
) -> list[Candidate]:
    """Children on the register who may be the one described, best first, with what is known about them
    (address, school, NHS number, household), for a MASH practitioner matching a contact.

    The whole register is searched (matching is the MASH's job), except restricted records the user is not
    named on. The lookup is recorded as a search, with what was given and how many were offered.
    """
    if not policy.works_front_door(user):
        raise NotFound("Not found")
    given: dict[str, Any] = {
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "date_of_birth": date_of_birth,
        "postcode": postcode.strip(),
        "nhs_number": "".join(nhs_number.split()),
        "upn": "".join(upn.split()).upper(),
        "la_child_id": "".join(la_child_id.split()).upper(),
    }
    # A few more than wanted, so records this user may not see do not leave the list short.
    found = find_matches(**given, limit=limit + 5)
    ids = [m.child_id for m in found]
    children = {
        c.pk: c
        for c in Child.objects.filter(pk__in=ids)
        .filter(policy.unrestricted_or_named(user, "pk"))
        .prefetch_related(
            Prefetch(
                "relationships",
                queryset=Relationship.objects.filter(
                    adult__isnull=False, lives_with_child=True, end_date__isnull=True
                ).select_related("adult"),
                to_attr="household_adults",
            )
        )
    }
    schools = _known_schools(list(children))
    candidates = [
        Candidate(
            child=children[m.child_id],
            score=m.score,
            method=m.method,
            reasons=tuple(m.reasons),
            school=schools.get(m.child_id, ""),
            household=tuple(
                HouseholdMember(r.adult.full_name, r.get_relationship_type_display())
                for r in children[m.child_id].household_adults
                if r.adult is not None
            ),
        )
        for m in found
        if m.child_id in children
    ][:limit]
    audit.record(
        user=user,
        action=AuditEvent.Action.SEARCH,
        summary=f"Matched a contact's child against the register: {given['first_name']} {given['last_name']}"[:300],
        detail={
            "page": context or "person matching",
            "query": {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in given.items() if v},
            "results": len(candidates),
            "children": [c.child.la_child_id for c in candidates],
        },
    )
    return candidates


# One contact -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    request: InformationRequest
    overdue: bool
    countdown: str
    answer: AgencyContribution | None


@dataclass
class ContactPage:
    """Everything the contact page shows one practitioner, with their access worked out once."""

    contact: Contact
    key: str
    basis: Basis
    adults: list[ContactAdult]
    ratings: list[RagRating]
    requests: list[RequestRow]
    candidates: list[Candidate] = field(default_factory=list)
    overdue: bool = False
    countdown: str = ""
    referral_team: str = ""


def _contact_by_key(key: str) -> Contact | None:
    numbered = _KEY.match(key)
    qs = Contact.objects.select_related("child", "decided_by")
    if numbered:
        return qs.filter(pk=int(numbered.group(1)), reference__isnull=True).first()
    return qs.filter(reference=key).first()


def contact_for_work(*, user: User, key: str) -> tuple[Contact, Basis]:
    """A contact a MASH practitioner may work on (NotFound otherwise), and the basis on which they see its
    child: the MASH's own for a contact not yet matched."""
    if not policy.works_front_door(user):
        raise NotFound("Not found")
    contact = _contact_by_key(key)
    if contact is None:
        raise NotFound("No contact with that reference")
    if contact.child is None:
        return contact, Basis.MASH
    basis = policy.basis_for(user, contact.child)
    # Sight through their agency alone, or through break glass, is not sight of the MASH's work.
    if basis is None or basis in (Basis.AGENCY, Basis.BREAK_GLASS):
        raise NotFound("No contact with that reference")
    return contact, basis


@transaction.atomic
def contact_page(*, user: User, key: str, with_candidates: bool = True) -> ContactPage:
    """A contact for its page: fetched, checked and audited (with the basis) once."""
    contact, basis = contact_for_work(user=user, key=key)
    child = contact.child
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=contact,
        child_id=child.pk if child else None,
        summary=f"Viewed MASH contact {contact_key(contact)}",
        detail={"page": "MASH contact", "basis": basis.value},
    )
    answers: dict[int, AgencyContribution] = {}
    if child is not None:
        visible = front_door_selectors.visible_contributions(user=user, child=child, basis=basis)
        answers = {c.pk: c for c in visible.filter(contact=contact)}
    now = timezone.now()
    requests = [
        RequestRow(
            request=r,
            overdue=r.status == InformationRequest.Status.OPEN and r.due_at < now,
            countdown=countdown(r.due_at, now) if r.status == InformationRequest.Status.OPEN else "",
            answer=answers.get(r.response_id) if r.response_id else None,
        )
        for r in contact.information_requests.select_related("answered_by").order_by("requested_at", "agency")
    ]
    page = ContactPage(
        contact=contact,
        key=contact_key(contact),
        basis=basis,
        adults=list(contact.adults.select_related("adult").order_by("role", "id")),
        ratings=list(contact.ratings.select_related("rated_by").order_by("-rated_at", "-id")),
        requests=requests,
        overdue=contact.is_open and contact.decision_due_at is not None and contact.decision_due_at < now,
        countdown=countdown(contact.decision_due_at, now) if contact.is_open else "",
    )
    if child is None and contact.is_open and with_candidates:
        page.candidates = match_candidates(
            user=user,
            first_name=contact.subject_first_name,
            last_name=contact.subject_last_name,
            date_of_birth=contact.subject_date_of_birth,
            postcode=contact.subject_postcode,
            nhs_number=contact.subject_nhs_number,
            upn=contact.subject_upn,
            context=f"matching contact {page.key}",
        )
    referral = getattr(contact, "referral", None) if contact.outcome else None
    if referral is not None and referral.team_id is not None:
        page.referral_team = referral.team.name
    return page


# The researchers' inbox --------------------------------------------------------------------------

RECENT_ANSWERS = 20


@dataclass(frozen=True)
class InboxRow:
    request: InformationRequest
    child_name: str
    overdue: bool
    countdown: str


@dataclass(frozen=True)
class Inbox:
    open: list[InboxRow]
    answered: list[InboxRow]


def _child_name(contact: Contact) -> str:
    return contact.child.full_name if contact.child else (contact.subject_name or "Name not known")


@transaction.atomic
def researcher_inbox(*, user: User) -> Inbox:
    """The MASH's requests addressed to the researcher's agency: open ones due soonest first, then the
    latest answered. Restricted children's requests only for those named on the restriction."""
    if not policy.answers_information_requests(user):
        raise NotFound("Not found")
    mine = (
        InformationRequest.objects.filter(agency=user.agency)
        .filter(policy.unrestricted_or_named(user, "contact__child"))
        .select_related("contact", "contact__child", "answered_by")
    )
    now = timezone.now()
    open_rows = [
        InboxRow(r, _child_name(r.contact), r.due_at < now, countdown(r.due_at, now))
        for r in mine.filter(status=InformationRequest.Status.OPEN).order_by("due_at", "pk")
    ]
    answered_rows = [
        InboxRow(r, _child_name(r.contact), False, "")
        for r in mine.filter(status=InformationRequest.Status.ANSWERED).order_by("-answered_at", "-pk")[:RECENT_ANSWERS]
    ]
    shown = open_rows + answered_rows
    if shown:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed {len(shown)} information requests for {user.get_agency_display()}",
            detail={"page": "information requests", "requests": [r.request.pk for r in shown]},
        )
    return Inbox(open=open_rows, answered=answered_rows)


@dataclass(frozen=True)
class RequestPage:
    request: InformationRequest
    contact: Contact
    child: Child | None
    adults: list[ContactAdult]
    overdue: bool
    countdown: str
    answer: AgencyContribution | None

    @property
    def child_name(self) -> str:
        return _child_name(self.contact)


@transaction.atomic
def request_for_answer(*, user: User, request_id: int) -> RequestPage:
    """A request addressed to the researcher's agency, with what they need to search their own records:
    the child's identifiers and the adults named. Another agency's request answers as a missing one."""
    request = (
        InformationRequest.objects.select_related("contact", "contact__child", "response").filter(pk=request_id).first()
    )
    if request is None or not policy.answers_information_requests(user, request.agency):
        raise NotFound("No request with that number")
    contact = request.contact
    child = contact.child
    if policy.is_restricted_from(user, child):
        raise NotFound("No request with that number")
    basis = policy.basis_for(user, child) if child is not None else None
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=request,
        child_id=child.pk if child else None,
        summary=f"Viewed information request {request.pk} for {request.get_agency_display()}",
        detail={"page": "information request", "basis": basis.value if basis else "request for their agency"},
    )
    now = timezone.now()
    is_open = request.status == InformationRequest.Status.OPEN
    return RequestPage(
        request=request,
        contact=contact,
        child=child,
        adults=list(contact.adults.select_related("adult").order_by("role", "id")),
        overdue=is_open and request.due_at < now,
        countdown=countdown(request.due_at, now) if is_open else "",
        # Their own agency's answer: the researcher always sees what their agency gave.
        answer=request.response if request.response and request.response.agency == user.agency else None,
    )
