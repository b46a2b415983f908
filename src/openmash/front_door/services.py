"""Front door actions: contacts arriving, matched to a child, rated, checked with agencies and decided.

Each function is one business action in one transaction. A refused action raises ServiceError with
a message the practitioner can act on, and changes nothing. Each asks the access policy about every
object it touches. A contact becomes a journey event (through openmash.core.events.record_events) when
it is linked to a child.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import can_create_child, ensure_can_change
from openmash.accounts.models import Agency, User
from openmash.casework.children import normalise_postcode
from openmash.casework.models import Referral
from openmash.casework.services import referral_create
from openmash.core.codes import PrimaryNeed, ReferralSource
from openmash.core.dates import add_months, long_date
from openmash.core.errors import ServiceError
from openmash.core.events import Event, EventType, record_events
from openmash.people.identifiers import valid_nhs_number, valid_upn
from openmash.people.models import Adult, Child, Relationship
from openmash.workforce.models import Team, TeamKind

from . import timescales
from .models import (
    AgencyContribution,
    ConsentStatus,
    Contact,
    ContactAdult,
    ContactAdultRole,
    ContactChannel,
    ContributionShare,
    CumulativeConcernAlert,
    Disclosure,
    EarlyHelpOutcome,
    EarlyHelpPackage,
    FrontDoorSettings,
    InformationRequest,
    LawfulBasis,
    MatchDecision,
    RagRating,
    ReferrerFeedback,
    SharingLevel,
    YesNoUnknown,
)

# Agencies co-located in the MASH that the hub asks for checks (front-door notes, section 3).
CHECKING_AGENCIES = (
    Agency.POLICE,
    Agency.HEALTH,
    Agency.EDUCATION,
    Agency.PROBATION,
    Agency.HOUSING,
    Agency.CHILDRENS_SOCIAL_CARE,
    Agency.YOUTH_JUSTICE,
)
# Letters and digits that cannot be mistaken for one another when read out over the phone.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def _new_reference() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"MC-{body[:4]}-{body[4:]}"


def _ensure_front_door(user: User) -> None:
    if not policy.works_front_door(user):
        raise ServiceError("Only MASH practitioners can do this")


def _lock_contact(contact: Contact, user: User) -> Contact:
    """The contact, locked for this change, if the user may work on it (a restricted child's contact
    only by those named on the restriction)."""
    _ensure_front_door(user)
    locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
    if locked is None or policy.is_restricted_from(user, locked.child):
        raise ServiceError("That contact does not exist")
    return locked


def _require_open(contact: Contact) -> None:
    if contact.outcome:
        raise ServiceError(f"A decision was already recorded on {long_date(timezone.localdate(contact.decided_at))}")


def _contact_event(contact: Contact, child: Child) -> Event:
    return Event(
        event_type=EventType.CONTACT,
        # The day it arrived in England, whatever the clock of the server.
        event_date=timezone.localdate(contact.received_at),
        child_id=child.pk,
        la_child_id=child.la_child_id,
        source_id=contact.pk,
        team_id=contact.team_id,
        code=contact.source,
    )


def _had_referral_within_year(child: Child, received_at: dt.datetime) -> bool:
    day = timezone.localdate(received_at)
    return Referral.objects.filter(
        child=child, referral_date__gte=add_months(day, -12), referral_date__lte=day
    ).exists()


def _save_with_reference(contact: Contact) -> Contact:
    for _attempt in range(5):
        contact.reference = _new_reference()
        try:
            with transaction.atomic():
                contact.save(force_insert=True)
        except IntegrityError:
            if Contact.objects.filter(reference=contact.reference).exists():
                contact.pk = None
                continue
            raise
        return contact
    raise ServiceError("The contact could not be given a reference: please try again")


@transaction.atomic
@changes_by_acting_user
def contact_record(
    *,
    child: Child,
    received_at: dt.datetime,
    source: ReferralSource | str,
    referrer_name: str = "",
    referrer_agency: Agency | str = "",
    summary: str = "",
    team: Team | None = None,
    acting_user: User,
) -> Contact:
    """Record a contact about a child already on the register (a phone call or email to the MASH)."""
    if not can_create_child(acting_user):
        raise ServiceError("You do not have permission to record a contact")
    if policy.is_restricted_from(acting_user, child):
        raise ServiceError("That child does not exist")
    _check_contact_basics(received_at, source, referrer_agency)
    contact = _save_with_reference(
        Contact(
            child=child,
            channel=ContactChannel.RECORDED,
            received_at=received_at,
            source=source,
            referrer_name=referrer_name.strip(),
            referrer_agency=referrer_agency,
            summary=summary,
            team=team,
            submitted_by=acting_user,
            subject_first_name=child.first_name,
            subject_last_name=child.last_name,
            subject_date_of_birth=child.date_of_birth,
            match_decision=MatchDecision.LINKED,
            matched_at=timezone.now(),
            matched_by=acting_user,
            re_referral=_had_referral_within_year(child, received_at),
        )
    )
    record_events(_contact_event(contact, child))
    return contact


def _check_contact_basics(received_at: dt.datetime, source: str, referrer_agency: str) -> None:
    if timezone.is_naive(received_at):
        raise ValueError("received_at must carry its time zone")
    if received_at > timezone.now():
        raise ServiceError("The time the contact was received cannot be in the future", field="received_at")
    if source not in ReferralSource.values:
        raise ServiceError("Select where the contact came from", field="source")
    if referrer_agency and referrer_agency not in Agency.values:
        raise ServiceError("Select a valid agency", field="referrer_agency")


@dataclass(frozen=True)
class ReportedAdult:
    """An adult named in a contact, as the person contacting describes them."""

    first_name: str
    last_name: str
    role: ContactAdultRole | str
    date_of_birth: dt.date | None = None


@dataclass(frozen=True)
class ReportedChild:
    """The child a contact is about, as described by the person contacting."""

    first_name: str
    last_name: str
    date_of_birth: dt.date | None = None
    nhs_number: str = ""
    upn: str = ""
    address: str = ""
    postcode: str = ""
    school: str = ""
    # The age given when the date of birth is not known.
    age: int | None = None


@dataclass(frozen=True)
class Referrer:
    name: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""
    agency: Agency | str = ""


# Sources (N00128) by the agency a professional works for.
_SOURCE_FOR_AGENCY = {
    Agency.POLICE: ReferralSource.POLICE,
    Agency.HEALTH: ReferralSource.PRIMARY_HEALTH_OTHER,
    Agency.EDUCATION: ReferralSource.SCHOOLS,
    Agency.PROBATION: ReferralSource.OTHER_LEGAL,
    Agency.HOUSING: ReferralSource.HOUSING,
    Agency.YOUTH_JUSTICE: ReferralSource.LA_OTHER_INTERNAL,
    Agency.EARLY_HELP: ReferralSource.LA_EARLY_HELP,
    Agency.CHILDRENS_SOCIAL_CARE: ReferralSource.LA_SOCIAL_CARE,
}


PUBLIC_SOURCES = (
    ReferralSource.FAMILY,
    ReferralSource.ACQUAINTANCE,
    ReferralSource.SELF,
    ReferralSource.INDIVIDUAL_OTHER,
    ReferralSource.ANONYMOUS,
)


def source_for_agency(agency: str) -> str:
    return str(_SOURCE_FOR_AGENCY.get(agency, ReferralSource.OTHER))  # type: ignore[call-overload]


def _clean_subject(child: ReportedChild) -> ReportedChild:
    first, last = " ".join(child.first_name.split()), " ".join(child.last_name.split())
    if not first and not last:
        raise ServiceError("Enter the child's name, or as much of it as you know", field="subject_first_name")
    if len(first) > 100 or len(last) > 100:
        raise ServiceError("Names must be 100 characters or fewer", field="subject_first_name")
    if child.date_of_birth is not None:
        today = timezone.localdate()
        if child.date_of_birth > today + dt.timedelta(days=280):
            raise ServiceError("The date of birth is too far in the future", field="subject_date_of_birth")
        if child.date_of_birth < today.replace(year=today.year - 19):
            raise ServiceError(
                "The date of birth is for an adult: this is for concerns about children", field="subject_date_of_birth"
            )
    nhs = "".join(child.nhs_number.split())
    if nhs and not valid_nhs_number(nhs):
        raise ServiceError("The NHS number is not valid: check the 10 digits", field="subject_nhs_number")
    upn = "".join(child.upn.split()).upper()
    if upn and not valid_upn(upn):
        raise ServiceError("The UPN is not valid: check the 13 characters", field="subject_upn")
    postcode = normalise_postcode(child.postcode)
    if postcode and len(postcode) > 8:
        raise ServiceError("Enter a real postcode, like SW1A 1AA", field="subject_postcode")
    if len(child.address) > 200 or len(child.school) > 200:
        raise ServiceError("The address and school must be 200 characters or fewer", field="subject_address")
    if child.age is not None and not 0 <= child.age <= 17:
        raise ServiceError("The age must be between 0 and 17", field="subject_age")
    return ReportedChild(
        first, last, child.date_of_birth, nhs, upn, child.address.strip(), postcode, child.school.strip(), child.age
    )


@transaction.atomic
def contact_receive(
    *,
    channel: ContactChannel | str,
    child: ReportedChild,
    summary: str,
    referrer: Referrer,
    immediate_risk: bool = False,
    parents_aware: YesNoUnknown | str = "",
    adults: Sequence[ReportedAdult] = (),
    source: ReferralSource | str = "",
    acting_user: User | None = None,
) -> Contact:
    """A new contact through one of the ways in: the public form, the professional form or the partner API.

    The contact is not linked to a child yet: a MASH practitioner matches it to the register. Members of the
    public have no account (acting_user None); professionals and partner systems act as their account.
    """
    if channel not in ContactChannel.values or channel == ContactChannel.RECORDED:
        raise ServiceError("Unknown way in")
    if channel == ContactChannel.PUBLIC:
        if acting_user is not None and acting_user.is_authenticated:
            raise ServiceError("Signed-in staff use the professional referral form")
        # The reporter says how they know the child (family, acquaintance, the child, other) or stays anonymous.
        source = source or ReferralSource.INDIVIDUAL_OTHER
        if source not in PUBLIC_SOURCES:
            raise ServiceError("Select how you know the child", field="source")
        agency = ""
    else:
        if acting_user is None or not policy.can_refer(acting_user):
            raise ServiceError("You do not have permission to make a referral")
        agency = acting_user.agency
        source = source or source_for_agency(agency)
    if source not in ReferralSource.values:
        raise ServiceError("Select where the contact came from", field="source")
    summary = summary.strip()
    if len(summary) < 10:
        raise ServiceError("Describe your concern about the child", field="summary")
    if len(summary) > 10_000:
        raise ServiceError("The description must be 10,000 characters or fewer", field="summary")
    if parents_aware and parents_aware not in YesNoUnknown.values:
        raise ServiceError("Select whether the parents or carers know", field="parents_aware")
    if len(referrer.name) > 200 or len(referrer.role) > 200 or len(referrer.phone) > 40 or len(referrer.email) > 254:
        raise ServiceError("Your details are too long", field="referrer_name")
    subject = _clean_subject(child)
    for adult in adults:
        if adult.role not in ContactAdultRole.values:
            raise ServiceError("Select how each adult is involved", field="adults")
        if not adult.first_name.strip() and not adult.last_name.strip():
            raise ServiceError("Give a name for each adult you add", field="adults")
    contact = _save_with_reference(
        Contact(
            channel=channel,
            received_at=timezone.now(),
            source=source,
            referrer_name=referrer.name.strip(),
            referrer_role=referrer.role.strip(),
            referrer_email=referrer.email.strip(),
            referrer_phone=referrer.phone.strip(),
            referrer_agency=agency,
            submitted_by=acting_user,
            subject_first_name=subject.first_name,
            subject_last_name=subject.last_name,
            subject_date_of_birth=subject.date_of_birth,
            subject_age=subject.age,
            subject_nhs_number=subject.nhs_number,
            subject_upn=subject.upn,
            subject_address=subject.address,
            subject_postcode=subject.postcode,
            subject_school=subject.school,
            summary=summary,
            immediate_risk=immediate_risk,
            parents_aware=parents_aware,
            team=Team.objects.filter(kind=TeamKind.MASH).order_by("pk").first(),
        )
    )
    for adult in adults:
        person = Adult.objects.create(
            first_name=" ".join(adult.first_name.split())[:100] or "Unknown",
            last_name=" ".join(adult.last_name.split())[:100] or "Unknown",
            date_of_birth=adult.date_of_birth,
        )
        ContactAdult.objects.create(contact=contact, adult=person, role=adult.role)
    return contact


# Matching ----------------------------------------------------------------------------------------

# Facts on a contact that may update the child's record when the practitioner merges them in.
MERGEABLE = {
    "address": "subject_address",
    "postcode": "subject_postcode",
    "nhs_number": "subject_nhs_number",
    "upn": "subject_upn",
}


@transaction.atomic
@changes_by_acting_user
def contact_link(
    *,
    contact: Contact,
    child: Child,
    decision: MatchDecision | str = MatchDecision.LINKED,
    update_fields: Iterable[str] = (),
    acting_user: User,
) -> Contact:
    """Say who the contact is about: a child on the register (found by matching, or just recorded).

    With decision MERGED the facts named in `update_fields` (address, postcode, NHS number, UPN) are copied
    from the contact to the child's record. The decision, who made it and when are kept on the contact.
    """
    contact = _lock_contact(contact, acting_user)
    _require_open(contact)
    if contact.child_id is not None:
        raise ServiceError("This contact is already linked to a child")
    if decision not in MatchDecision.values:
        raise ServiceError("Select whether this is the child, a new child, or the child with new details")
    if policy.is_restricted_from(acting_user, child):
        raise ServiceError("That child does not exist")
    fields = list(update_fields)
    if decision == MatchDecision.MERGED:
        unknown = [f for f in fields if f not in MERGEABLE]
        if unknown or not fields:
            raise ServiceError("Select which details to update on the child's record", field="update_fields")
        child = Child.objects.select_for_update().get(pk=child.pk)
        for name in fields:
            value = getattr(contact, MERGEABLE[name])
            if not value:
                raise ServiceError(f"The contact gives no {name.replace('_', ' ')} to copy", field="update_fields")
            if name == "upn":
                child.upn_unknown = ""
            setattr(child, name, value)
        child.full_clean(exclude=["la_child_id"], validate_unique=False)
        child.save()
    elif fields:
        raise ServiceError("Only a merge updates the child's record", field="update_fields")
    contact.child = child
    contact.match_decision = decision
    contact.matched_at = timezone.now()
    contact.matched_by = acting_user
    contact.re_referral = _had_referral_within_year(child, contact.received_at)
    contact.save(update_fields=["child", "match_decision", "matched_at", "matched_by", "re_referral", "updated_at"])
    record_events(_contact_event(contact, child))
    return contact


# The MASH enquiry --------------------------------------------------------------------------------


@transaction.atomic
@changes_by_acting_user
def contact_rate(*, contact: Contact, rag: Contact.Rag | str, reason: str, acting_user: User) -> Contact:
    """Rate a contact red, amber or green, which sets when the decision is due. Each rating is kept."""
    contact = _lock_contact(contact, acting_user)
    _require_open(contact)
    if rag not in Contact.Rag.values:
        raise ServiceError("Select red, amber or green", field="rag")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why you gave this rating", field="reason")
    now = timezone.now()
    due = timescales.decision_due(contact.received_at, rag)
    RagRating.objects.create(
        contact=contact, rag=rag, rated_at=now, rated_by=acting_user, reason=reason, decision_due_at=due
    )
    contact.rag, contact.rated_at, contact.decision_due_at = rag, now, due
    contact.owner = contact.owner or acting_user
    contact.save(update_fields=["rag", "rated_at", "decision_due_at", "owner", "updated_at"])
    # Open checks keep pace with the new rating.
    for request in contact.information_requests.filter(status=InformationRequest.Status.OPEN):
        request.due_at = max(request.requested_at, timescales.check_due(request.requested_at, rag))
        request.save(update_fields=["due_at", "updated_at"])
    return contact


@transaction.atomic
@changes_by_acting_user
def information_requests_send(
    *, contact: Contact, agencies: Iterable[Agency | str], question: str = "", acting_user: User
) -> list[InformationRequest]:
    """Ask co-located agencies for their checks on the child in a contact, each with a due time."""
    contact = _lock_contact(contact, acting_user)
    _require_open(contact)
    if not contact.rag:
        raise ServiceError("Rate the contact before asking agencies for checks: the rating sets when they are due")
    wanted = list(dict.fromkeys(agencies))
    if not wanted:
        raise ServiceError("Select at least one agency", field="agencies")
    if any(a not in CHECKING_AGENCIES for a in wanted):
        raise ServiceError("Select agencies from the list", field="agencies")
    waiting = set(
        contact.information_requests.filter(status=InformationRequest.Status.OPEN).values_list("agency", flat=True)
    )
    already = [Agency(a).label for a in wanted if a in waiting]
    if already:
        raise ServiceError(f"Already waiting for: {', '.join(already)}", field="agencies")
    if len(question) > 2000:
        raise ServiceError("The question must be 2,000 characters or fewer", field="question")
    now = timezone.now()
    due = timescales.check_due(now, contact.rag)
    return [
        InformationRequest.objects.create(
            contact=contact,
            agency=agency,
            question=question.strip(),
            requested_at=now,
            requested_by=acting_user,
            due_at=due,
        )
        for agency in wanted
    ]


@transaction.atomic
@changes_by_acting_user
def information_request_answer(
    *,
    request: InformationRequest,
    summary: str,
    sharing_level: SharingLevel | str,
    shared_with: Iterable[Agency | str] = (),
    acting_user: User,
) -> AgencyContribution:
    """An agency researcher answers a request for their agency: the answer is a contribution about the child
    at the sharing level they choose."""
    request = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("contact")
        .filter(pk=request.pk)
        .first()
        or request
    )
    if not policy.answers_information_requests(acting_user, request.agency):
        raise ServiceError("Only a researcher for this agency can answer this request")
    contact = request.contact
    if contact.child_id is None:
        raise ServiceError("The MASH has not yet confirmed who this child is")
    if policy.is_restricted_from(acting_user, contact.child):
        raise ServiceError("That request does not exist")
    if request.status != InformationRequest.Status.OPEN:
        raise ServiceError("This request has already been answered or withdrawn")
    summary = summary.strip()
    if not summary:
        raise ServiceError("Enter what your agency knows (or that it holds nothing)", field="summary")
    if sharing_level not in SharingLevel.values:
        raise ServiceError("Select who may read your answer", field="sharing_level")
    partners = list(dict.fromkeys(shared_with))
    if sharing_level == SharingLevel.PARTNERS and not partners:
        raise ServiceError("Select the agencies to share with", field="shared_with")
    if sharing_level != SharingLevel.PARTNERS and partners:
        raise ServiceError("Only answers shared with named agencies name agencies", field="shared_with")
    if any(a not in Agency.values or a == Agency.DEMOCRATIC_SERVICES for a in partners):
        raise ServiceError("Select agencies from the list", field="shared_with")
    contribution = AgencyContribution.objects.create(
        child_id=contact.child_id,
        contact=contact,
        agency=request.agency,
        summary=summary,
        sharing_level=sharing_level,
        created_by=acting_user,
    )
    ContributionShare.objects.bulk_create(
        [ContributionShare(contribution=contribution, agency=a) for a in partners if a != request.agency]
    )
    request.status = InformationRequest.Status.ANSWERED
    request.answered_at = timezone.now()
    request.answered_by = acting_user
    request.response = contribution
    request.save(update_fields=["status", "answered_at", "answered_by", "response", "updated_at"])
    return contribution


@transaction.atomic
@changes_by_acting_user
def information_request_withdraw(*, request: InformationRequest, acting_user: User) -> InformationRequest:
    _lock_contact(request.contact, acting_user)
    request = InformationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != InformationRequest.Status.OPEN:
        raise ServiceError("Only a request still waiting for a reply can be withdrawn")
    request.status = InformationRequest.Status.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    return request


# The decision ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sharing:
    """One thing shared back with an agency or person after the decision, for the disclosure ledger."""

    recipient: str
    shared: str
    purpose: str
    lawful_basis: LawfulBasis | str
    consent: ConsentStatus | str
    recipient_agency: Agency | str = ""


@dataclass(frozen=True)
class DecisionDetails:
    """What the decision needs beyond the outcome: the early help agreed, the referral's primary need."""

    early_help_support: str = ""
    early_help_lead: Agency | str = Agency.EARLY_HELP
    primary_need: PrimaryNeed | str = ""
    sharing: Sequence[Sharing] = field(default_factory=tuple)
    # Where the referral waits; the Advice and Assessment team's queue unless said otherwise.
    referral_team: Team | None = None
    outcome_for_referrer: str = ""


def _assessment_team() -> Team | None:
    return Team.objects.filter(kind=TeamKind.ASSESSMENT).order_by("pk").first()


def _record_disclosure(contact: Contact, share: Sharing, user: User, at: dt.datetime) -> Disclosure:
    if share.lawful_basis not in LawfulBasis.values:
        raise ServiceError("Select the lawful basis for each thing shared", field="sharing")
    if share.consent not in ConsentStatus.values:
        raise ServiceError("Say whether consent was given for each thing shared", field="sharing")
    if share.recipient_agency and share.recipient_agency not in Agency.values:
        raise ServiceError("Select a valid agency", field="sharing")
    if not share.recipient.strip() or not share.shared.strip() or not share.purpose.strip():
        raise ServiceError("Say who it was shared with, what was shared and why", field="sharing")
    assert contact.child_id is not None
    return Disclosure.objects.create(
        child_id=contact.child_id,
        contact=contact,
        recipient_agency=share.recipient_agency,
        recipient=share.recipient.strip()[:200],
        shared=share.shared.strip(),
        purpose=share.purpose.strip()[:300],
        lawful_basis=share.lawful_basis,
        consent=share.consent,
        shared_at=at,
        shared_by=user,
    )


@dataclass(frozen=True)
class DecisionResult:
    contact: Contact
    referral: Referral | None
    early_help: EarlyHelpPackage | None
    feedback_link_token: str | None
    concern: CumulativeConcernAlert | None


@transaction.atomic
@changes_by_acting_user
def contact_decide(
    *,
    contact: Contact,
    outcome: Contact.Outcome | str,
    rationale: str = "",
    details: DecisionDetails | None = None,
    decided_at: dt.datetime | None = None,
    acting_user: User,
) -> Contact:
    """Record what happens next (see contact_decide_with_result for what the decision created)."""
    return contact_decide_with_result(
        contact=contact,
        outcome=outcome,
        rationale=rationale,
        details=details,
        decided_at=decided_at,
        acting_user=acting_user,
    ).contact


@transaction.atomic
@changes_by_acting_user
def contact_decide_with_result(
    *,
    contact: Contact,
    outcome: Contact.Outcome | str,
    rationale: str = "",
    details: DecisionDetails | None = None,
    decided_at: dt.datetime | None = None,
    acting_user: User,
) -> DecisionResult:
    """Decide a contact, with its rationale, and do what the decision means:

    - early help: a targeted support package is recorded (closed later with an outcome);
    - referral to children's social care: a referral opens in the Advice and Assessment team's queue;
    - strategy discussion: the referral opens and goes to protection for the discussion;
    - every decision: what is shared back with agencies goes to the disclosure ledger; the referrer is
      told the outcome and offered the survey; the cumulative-concern check runs.
    """
    details = details or DecisionDetails()
    locked = Contact.objects.select_for_update(of=("self",)).select_related("child").filter(pk=contact.pk).first()
    if locked is None:
        raise ServiceError("That contact does not exist")
    contact = locked
    if contact.child is None:
        raise ServiceError("Confirm who the child is (match the contact) before deciding")
    ensure_can_change(acting_user, contact.child)
    _require_open(contact)
    if outcome not in Contact.Outcome.values:
        raise ServiceError("Select what happens next", field="outcome")
    rationale = rationale.strip()
    if not rationale:
        raise ServiceError("Give the reasons for the decision", field="rationale")
    decided_at = decided_at or timezone.now()
    if decided_at < contact.received_at:
        raise ServiceError("The decision cannot be before the contact was received", field="decided_at")
    if decided_at > timezone.now():
        raise ServiceError("The decision cannot be in the future", field="decided_at")

    referral = early_help = None
    if outcome == Contact.Outcome.EARLY_HELP:
        support = details.early_help_support.strip()
        if not support:
            raise ServiceError("Describe the early help agreed: who will do what", field="early_help_support")
        if details.early_help_lead not in Agency.values:
            raise ServiceError("Select the lead agency for the early help", field="early_help_lead")
        early_help = EarlyHelpPackage.objects.create(
            contact=contact,
            child=contact.child,
            lead_agency=details.early_help_lead,
            support=support,
            started_on=timezone.localdate(decided_at),
        )
    elif outcome in (Contact.Outcome.REFERRAL, Contact.Outcome.STRATEGY):
        referral = referral_create(
            child=contact.child,
            referral_date=timezone.localdate(decided_at),
            source=contact.source,
            primary_need=details.primary_need or PrimaryNeed.NOT_STATED,
            team=details.referral_team or _assessment_team(),
            acting_user=acting_user,
        )
        referral.contact = contact
        referral.save(update_fields=["contact", "updated_at"])
    # Saved after the referral: opening it needs the MASH's sight of the child, which an open contact gives.
    contact.outcome = outcome
    contact.decided_at = decided_at
    contact.decided_by = acting_user
    contact.decision_rationale = rationale
    contact.save(update_fields=["outcome", "decided_at", "decided_by", "decision_rationale", "updated_at"])
    for share in details.sharing:
        _record_disclosure(contact, share, acting_user, decided_at)
    token = _notify_referrer(contact, details.outcome_for_referrer, acting_user, decided_at)
    concern = cumulative_concern_check(child=contact.child, acting_user=acting_user)
    return DecisionResult(contact, referral, early_help, token, concern)


_OUTCOME_FOR_REFERRER = {
    Contact.Outcome.NO_FURTHER_ACTION: (
        "We have looked at your concern and decided no further action is needed by children's services."
    ),
    Contact.Outcome.ADVICE: "We have given advice and pointed the family to services that can help.",
    Contact.Outcome.EARLY_HELP: "The family has been offered early help.",
    Contact.Outcome.REFERRAL: "Your concern has been passed to a social work team for an assessment.",
    Contact.Outcome.STRATEGY: "Your concern has been passed to a social work team, who are acting on it.",
    Contact.Outcome.ALREADY_OPEN: "Your concern has been passed to the child's social worker.",
    Contact.Outcome.OTHER_LA: "Your concern has been passed to the council where the child lives.",
}


def outcome_for_referrer(outcome: str) -> str:
    """What a referrer may be told of an outcome: the kind of decision, never the family's details."""
    return _OUTCOME_FOR_REFERRER.get(outcome, "")  # type: ignore[call-overload]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _notify_referrer(contact: Contact, told: str, user: User, at: dt.datetime) -> str | None:
    """Tell the referrer the outcome (for a named referrer with a way to reach them) and return the one-off
    survey token; the ledger records that the outcome was shared."""
    if not (contact.referrer_email or contact.referrer_phone or contact.submitted_by_id):
        return None
    told = told.strip() or outcome_for_referrer(contact.outcome)
    token = secrets.token_urlsafe(24)
    ReferrerFeedback.objects.create(contact=contact, token_hash=_token_hash(token), outcome_told=told, notified_at=at)
    assert contact.child_id is not None
    Disclosure.objects.create(
        child_id=contact.child_id,
        contact=contact,
        recipient_agency=contact.referrer_agency,
        recipient=(contact.referrer_name or "The referrer")[:200],
        shared=told,
        purpose="Telling the referrer the outcome of their contact (Working Together 2023)",
        lawful_basis=LawfulBasis.SAFEGUARDING,
        consent=ConsentStatus.NOT_NEEDED,
        shared_at=at,
        shared_by=user,
    )
    return token


@transaction.atomic
@changes_by_acting_user
def disclosure_record(*, contact: Contact, sharing: Sharing, acting_user: User) -> Disclosure:
    """Record something shared about a contact's child outside the decision (for example a later update)."""
    contact = _lock_contact(contact, acting_user)
    if contact.child is None:
        raise ServiceError("Confirm who the child is before sharing anything about them")
    ensure_can_change(acting_user, contact.child)
    return _record_disclosure(contact, sharing, acting_user, timezone.now())


@transaction.atomic
@changes_by_acting_user
def early_help_close(
    *, package: EarlyHelpPackage, closed_on: dt.date, outcome: EarlyHelpOutcome | str, acting_user: User
) -> EarlyHelpPackage:
    package = EarlyHelpPackage.objects.select_for_update(of=("self",)).select_related("child").get(pk=package.pk)
    if policy.works_front_door(acting_user):
        # The hub closes packages it agreed, however long ago: its usual sight of a child lasts 30 days.
        hidden = policy.is_restricted_from(acting_user, package.child)
    elif acting_user.agency == package.lead_agency:
        hidden = not policy.can_view_child(acting_user, package.child)
    else:
        raise ServiceError("Only the MASH or the lead agency can close this early help")
    if hidden:
        raise ServiceError("That early help does not exist")
    if package.closed_on is not None:
        raise ServiceError(f"This early help was closed on {long_date(package.closed_on)}")
    if outcome not in EarlyHelpOutcome.values:
        raise ServiceError("Select how the early help ended", field="outcome")
    if closed_on < package.started_on:
        raise ServiceError("The early help cannot close before it started", field="closed_on")
    if closed_on > timezone.localdate():
        raise ServiceError("The closing date cannot be in the future", field="closed_on")
    package.closed_on, package.outcome, package.closed_by = closed_on, outcome, acting_user
    package.save(update_fields=["closed_on", "outcome", "closed_by", "updated_at"])
    return package


# Cumulative concern ------------------------------------------------------------------------------

_SIBLINGS = ("sibling", "half_sibling")


def household_children(child: Child) -> list[int]:
    """The child and their brothers and sisters recorded on the register."""
    ids = {child.pk}
    ids.update(
        Relationship.objects.filter(
            child=child, relationship_type__in=_SIBLINGS, other_child__isnull=False
        ).values_list("other_child_id", flat=True)
    )
    ids.update(
        Relationship.objects.filter(other_child=child, relationship_type__in=_SIBLINGS).values_list(
            "child_id", flat=True
        )
    )
    return sorted(i for i in ids if i is not None)


def concern_window_start(now: dt.datetime, settings: FrontDoorSettings) -> dt.datetime:
    """Contacts received from this moment on count towards a cumulative concern raised at `now`."""
    return now - dt.timedelta(days=round(settings.concern_months * 30.44))


def concern_pattern(
    nfa: Iterable[tuple[int, str, str]], settings: FrontDoorSettings
) -> tuple[set[int], list[str]] | None:
    """The threshold itself: given a household's contacts in the window decided no further action, as
    (key, referrer agency, source), the contacts and agencies that make a cumulative concern, or None."""
    rows = list(nfa)
    if len(rows) < settings.concern_contacts:
        return None
    # A contact from the public has no agency; count it by its source instead.
    agencies = sorted({agency or f"source:{source}" for _pk, agency, source in rows})
    if len(agencies) < settings.concern_agencies:
        return None
    return {pk for pk, _a, _s in rows}, agencies


def cumulative_concern_check(
    *, child: Child, acting_user: User, now: dt.datetime | None = None
) -> CumulativeConcernAlert | None:
    """Alert the hub when contacts about a child and their siblings, each decided no further action, pass the
    authority's threshold: so many contacts in so many months from so many agencies. An alert already raised
    for the same contacts is not raised again. Runs inside the decision's transaction."""
    s = FrontDoorSettings.current()
    now = now or timezone.now()
    family = household_children(child)
    nfa = Contact.objects.filter(
        child_id__in=family, outcome=Contact.Outcome.NO_FURTHER_ACTION, received_at__gte=concern_window_start(now, s)
    ).values_list("pk", "referrer_agency", "source")
    pattern = concern_pattern(nfa, s)
    if pattern is None:
        return None
    ids, agencies = pattern
    latest = CumulativeConcernAlert.objects.filter(child_id__in=family).order_by("-raised_at").first()
    if latest is not None and ids <= set(latest.contacts.values_list("pk", flat=True)):
        return None
    alert = CumulativeConcernAlert.objects.create(child=child, raised_at=now, agencies=agencies)
    alert.contacts.set(ids)
    return alert


@transaction.atomic
@changes_by_acting_user
def cumulative_concern_acknowledge(
    *, alert: CumulativeConcernAlert, action_taken: str, acting_user: User
) -> CumulativeConcernAlert:
    _ensure_front_door(acting_user)
    alert = CumulativeConcernAlert.objects.select_for_update(of=("self",)).select_related("child").get(pk=alert.pk)
    if policy.is_restricted_from(acting_user, alert.child):
        raise ServiceError("That alert does not exist")
    if alert.acknowledged_at is not None:
        raise ServiceError("This alert was already acknowledged")
    action_taken = action_taken.strip()
    if not action_taken:
        raise ServiceError("Say what the hub will do about the pattern", field="action_taken")
    alert.acknowledged_at, alert.acknowledged_by, alert.action_taken = timezone.now(), acting_user, action_taken
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken", "updated_at"])
    return alert


# Referrer feedback -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyAnswers:
    acknowledged_in_time: bool | None
    ease: int | None
    spoke_to_social_worker: bool | None
    told_outcome: bool | None
    explained_clearly: int | None
    agree_with_decision: int | None
    overall: int | None
    comments: str = ""


def feedback_for_token(token: str) -> ReferrerFeedback | None:
    """The survey a one-off link belongs to, if it has not been answered yet."""
    if not token or len(token) > 100:
        return None
    return ReferrerFeedback.objects.filter(token_hash=_token_hash(token), responded_at__isnull=True).first()


@transaction.atomic
def feedback_submit(*, token: str, answers: SurveyAnswers) -> ReferrerFeedback:
    """The referrer answers the survey through their one-off link (no account needed); once only."""
    feedback = feedback_for_token(token)
    if feedback is None:
        raise ServiceError("This survey link has already been used or is not valid")
    feedback = ReferrerFeedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.responded_at is not None:
        raise ServiceError("This survey link has already been used or is not valid")
    return record_survey_answers(feedback, answers)


def record_survey_answers(feedback: ReferrerFeedback, answers: SurveyAnswers) -> ReferrerFeedback:
    """Check and keep the answers on a survey not yet answered (locked by the caller, who has checked who
    may answer it: the holder of the one-off link, or the signed-in professional who referred)."""
    for name in ("ease", "explained_clearly", "agree_with_decision", "overall"):
        value = getattr(answers, name)
        if value is not None and not 1 <= value <= 5:
            raise ServiceError("Choose a number from 1 to 5", field=name)
    if len(answers.comments) > 5000:
        raise ServiceError("Comments must be 5,000 characters or fewer", field="comments")
    for name in (
        "acknowledged_in_time",
        "ease",
        "spoke_to_social_worker",
        "told_outcome",
        "explained_clearly",
        "agree_with_decision",
        "overall",
    ):
        setattr(feedback, name, getattr(answers, name))
    feedback.comments = answers.comments.strip()
    feedback.responded_at = timezone.now()
    feedback.save()
    return feedback
