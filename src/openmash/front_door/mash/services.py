"""The MASH's own actions beyond the front door's shared ones: recording a contact taken by phone or email,
and recording the child of a contact as a new child on the register.

Both build on front_door.services (the contact's checks, its reference, contact_link) so a contact
recorded here obeys the same rules as one arriving through any other way in.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.access.audit import changes_by_acting_user
from openmash.accounts.models import User
from openmash.casework.children import child_create
from openmash.core.codes import Ethnicity, ReferralSource, Sex
from openmash.core.errors import ServiceError
from openmash.people.models import Child
from openmash.workforce.models import Team, TeamKind

from .. import services as front_door
from ..models import Contact, ContactChannel, MatchDecision, YesNoUnknown
from ..services import Referrer, ReportedChild


def _ensure_front_door(user: User) -> None:
    if not policy.works_front_door(user):
        raise ServiceError("Only MASH practitioners can do this")


@transaction.atomic
@changes_by_acting_user
def contact_record_reported(
    *,
    child_reported: ReportedChild,
    referrer: Referrer,
    source: ReferralSource | str,
    summary: str,
    received_at: dt.datetime | None = None,
    immediate_risk: bool = False,
    parents_aware: YesNoUnknown | str = "",
    child: Child | None = None,
    acting_user: User,
) -> Contact:
    """A contact the MASH takes by phone, email or letter, recorded as the caller describes the child.

    With `child` (a suggestion the practitioner chose while typing) the contact is linked to that child at
    once, and the decision is kept as any other match; otherwise it waits in the queue to be matched.
    """
    _ensure_front_door(acting_user)
    received_at = received_at or timezone.now()
    # The checks every way in makes (front_door.services), so a recorded contact is held to the same rules.
    front_door._check_contact_basics(received_at, source, referrer.agency)
    summary = summary.strip()
    if len(summary) < 10:
        raise ServiceError("Describe the concern about the child", field="summary")
    if len(summary) > 10_000:
        raise ServiceError("The description must be 10,000 characters or fewer", field="summary")
    if parents_aware and parents_aware not in YesNoUnknown.values:
        raise ServiceError("Select whether the parents or carers know", field="parents_aware")
    if len(referrer.name) > 200 or len(referrer.role) > 200 or len(referrer.phone) > 40 or len(referrer.email) > 254:
        raise ServiceError("The referrer's details are too long", field="referrer_name")
    subject = front_door._clean_subject(child_reported)
    contact = front_door._save_with_reference(
        Contact(
            channel=ContactChannel.RECORDED,
            received_at=received_at,
            source=source,
            referrer_name=referrer.name.strip(),
            referrer_role=referrer.role.strip(),
            referrer_email=referrer.email.strip(),
            referrer_phone=referrer.phone.strip(),
            referrer_agency=referrer.agency,
            submitted_by=acting_user,
            subject_first_name=subject.first_name,
            subject_last_name=subject.last_name,
            subject_date_of_birth=subject.date_of_birth,
            subject_nhs_number=subject.nhs_number,
            subject_upn=subject.upn,
            subject_address=subject.address,
            subject_postcode=subject.postcode,
            subject_school=subject.school,
            summary=summary,
            immediate_risk=immediate_risk,
            parents_aware=parents_aware,
            owner=acting_user,
            team=Team.objects.filter(kind=TeamKind.MASH).order_by("pk").first(),
        )
    )
    if child is not None:
        contact = front_door.contact_link(
            contact=contact, child=child, decision=MatchDecision.LINKED, acting_user=acting_user
        )
    return contact


def _new_la_child_id() -> str:
    """A fresh LA child ID: N and nine digits (the demo borough's children are DB and eight)."""
    for _attempt in range(10):
        candidate = f"N{secrets.randbelow(10**9):09d}"
        if not Child.objects.filter(la_child_id=candidate).exists():
            return candidate
    raise ServiceError("A new LA child ID could not be found: please try again")


@transaction.atomic
@changes_by_acting_user
def contact_child_create(
    *,
    contact: Contact,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None = None,
    expected_date_of_birth: dt.date | None = None,
    sex: Sex | str = Sex.UNKNOWN,
    ethnicity: Ethnicity | str = Ethnicity.NOBT,
    nhs_number: str = "",
    upn: str = "",
    address: str = "",
    postcode: str = "",
    acting_user: User,
) -> Contact:
    """The contact's child is not on the register: record them (with a new LA child ID) and link the contact,
    in one transaction, so a refusal of either leaves neither."""
    _ensure_front_door(acting_user)
    if contact.child_id is not None:
        raise ServiceError("This contact is already linked to a child")
    if contact.outcome:
        raise ServiceError("A decision was already recorded on this contact")
    child = child_create(
        la_child_id=_new_la_child_id(),
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        expected_date_of_birth=expected_date_of_birth,
        sex=sex,
        ethnicity=ethnicity,
        nhs_number=nhs_number,
        upn=upn,
        address=address,
        postcode=postcode,
        acting_user=acting_user,
    )
    return front_door.contact_link(
        contact=contact, child=child, decision=MatchDecision.CREATED, acting_user=acting_user
    )
