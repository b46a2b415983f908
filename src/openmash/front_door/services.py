"""Front door actions: recording a contact about a child, and deciding what happens next.

Each function is one business action in one transaction. A refused action raises ServiceError with
a message the practitioner can act on, and changes nothing. A contact is a journey event, stored
with the contact through openmash.core.events.record_events.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import can_create_child, ensure_can_change
from openmash.accounts.models import Agency, User
from openmash.core.codes import ReferralSource
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError
from openmash.core.events import Event, EventType, record_events
from openmash.people.models import Child
from openmash.workforce.models import Team

from .models import Contact


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
    """Record a contact: anyone who may record a new child at the front door may record a concern."""
    if not can_create_child(acting_user):
        raise ServiceError("You do not have permission to record a contact")
    if timezone.is_naive(received_at):
        raise ValueError("received_at must carry its time zone")
    if received_at > timezone.now():
        raise ServiceError("The time the contact was received cannot be in the future", field="received_at")
    if source not in ReferralSource.values:
        raise ServiceError("Select where the contact came from", field="source")
    if referrer_agency and referrer_agency not in Agency.values:
        raise ServiceError("Select a valid agency", field="referrer_agency")
    contact = Contact.objects.create(
        child=child,
        received_at=received_at,
        source=source,
        referrer_name=referrer_name.strip(),
        referrer_agency=referrer_agency,
        summary=summary,
        team=team,
    )
    record_events(
        Event(
            event_type=EventType.CONTACT,
            # The day it arrived in England, whatever the clock of the server.
            event_date=timezone.localdate(received_at),
            child_id=child.pk,
            la_child_id=child.la_child_id,
            source_id=contact.pk,
            team_id=team.pk if team else None,
            code=source,
        )
    )
    return contact


@transaction.atomic
@changes_by_acting_user
def contact_decide(
    *,
    contact: Contact,
    outcome: Contact.Outcome | str,
    decided_at: dt.datetime | None = None,
    acting_user: User,
) -> Contact:
    """Record what happens next. The outcome is not a journey event of its own: the chronology reads
    it from the contact."""
    contact = Contact.objects.select_for_update().select_related("child").get(pk=contact.pk)
    ensure_can_change(acting_user, contact.child)
    if contact.outcome:
        raise ServiceError(f"A decision was already recorded on {long_date(timezone.localdate(contact.decided_at))}")
    if outcome not in Contact.Outcome.values:
        raise ServiceError("Select what happens next", field="outcome")
    decided_at = decided_at or timezone.now()
    if decided_at < contact.received_at:
        raise ServiceError("The decision cannot be before the contact was received", field="decided_at")
    if decided_at > timezone.now():
        raise ServiceError("The decision cannot be in the future", field="decided_at")
    contact.outcome = outcome
    contact.decided_at = decided_at
    contact.decided_by = acting_user
    contact.save(update_fields=["outcome", "decided_at", "decided_by", "updated_at"])
    return contact
