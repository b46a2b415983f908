"""Correcting a record's census dates from the data-quality page.

`census_record_correct` changes the dates the CIN census takes from one referral, assessment, child in
need plan, Section 47 enquiry, child protection plan or review, for someone the access policy allows
(`can_correct_census_record`: whoever may change the child, or a performance analyst while the child has
a current census failure). It applies the same checks the casework and protection services apply to those
dates (not in the future, the order of dates within the record, and every rule of the episode through
openmash.core.events.record_events), stores the changed journey events as the services do (rebuilt from
the records, so `openmash journey check` stays clean), writes the audit trail, and has the child checked
against the census rules again once the change commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model

from openmash.access import audit
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.access.policy import can_change_child, can_correct_census_record
from openmash.accounts.models import User
from openmash.casework.models import Assessment, CINPlan, Referral
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError, ensure_not_in_future
from openmash.core.events import episode_events, record_events
from openmash.core.locking import next_version
from openmash.core.models import Versioned
from openmash.journey.rebuild import rebuild_events
from openmash.journey.schema import to_events
from openmash.people.models import Child
from openmash.protection.models import ChildProtectionPlan, ChildProtectionReview, Section47Enquiry

from .models import Finding
from .quality import refresh_after_commit

RecordType = Finding.RecordType


@dataclass(frozen=True)
class Item:
    """A census date of a record: the model field, how the page names it, and the census item."""

    field: str
    label: str
    census_item: str


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    noun: str
    referral_path: str  # from the record to its referral's key
    items: tuple[Item, ...]
    # (earlier, later, message): the order the services keep within the record.
    order: tuple[tuple[str, str, str], ...] = ()


KINDS: dict[str, Kind] = {
    RecordType.REFERRAL: Kind(
        Referral,
        "referral",
        "pk",
        (
            Item("referral_date", "Referral date", "CINreferralDate"),
            Item("closure_date", "Closure date", "CINclosureDate"),
            # The episode's own initial conference (one held without a Section 47 enquiry here).
            Item("initial_conference_date", "Initial conference date", "DateOfInitialCPC"),
        ),
        (
            ("referral_date", "closure_date", "The case cannot close before the referral date"),
            ("referral_date", "initial_conference_date", "The initial conference cannot be before the referral"),
        ),
    ),
    RecordType.ASSESSMENT: Kind(
        Assessment,
        "single assessment",
        "referral_id",
        (
            Item("start_date", "Assessment start date", "AssessmentActualStartDate"),
            Item("authorised_date", "Authorisation date", "AssessmentAuthorisationDate"),
        ),
        (("start_date", "authorised_date", "The assessment cannot be authorised before it started"),),
    ),
    RecordType.CIN_PLAN: Kind(
        CINPlan,
        "child in need plan",
        "referral_id",
        (
            Item("start_date", "Plan start date", "CINPlanStartDate"),
            Item("end_date", "Plan end date", "CINPlanEndDate"),
        ),
        (("start_date", "end_date", "The plan cannot end before it started"),),
    ),
    RecordType.SECTION47: Kind(
        Section47Enquiry,
        "Section 47 enquiry",
        "referral_id",
        (
            Item("start_date", "Enquiry start date", "S47ActualStartDate"),
            Item("conference_date", "Initial conference date", "DateOfInitialCPC"),
        ),
        (("start_date", "conference_date", "The initial conference cannot be before the enquiry started"),),
    ),
    RecordType.CP_PLAN: Kind(
        ChildProtectionPlan,
        "child protection plan",
        "referral_id",
        (
            Item("start_date", "Plan start date", "CPPstartDate"),
            Item("end_date", "Plan end date", "CPPendDate"),
        ),
        (("start_date", "end_date", "The plan cannot end before it started"),),
    ),
    RecordType.CP_REVIEW: Kind(
        ChildProtectionReview,
        "child protection review",
        "plan__referral_id",
        (Item("review_date", "Review date", "CPPreviewDate"),),
    ),
}


@dataclass(frozen=True)
class CensusRecord:
    """One record and the census dates it holds (only those recorded: a correction does not close a case)."""

    record_type: str
    kind: Kind
    record: Any
    child: Child
    referral_id: int
    items: tuple[Item, ...]

    def value(self, item: Item) -> dt.date | None:
        return getattr(self.record, item.field)


def census_record(record_type: str, record_id: int, *, lock: bool = False) -> CensusRecord | None:
    """The record and its census dates, or None if there is no such record."""
    kind = KINDS.get(record_type)
    if kind is None or not 0 < record_id < 2**63:
        return None
    rows = kind.model._default_manager.filter(pk=record_id)
    referral_id = rows.values_list(kind.referral_path, flat=True).first()
    if referral_id is None:
        return None
    if lock:
        # The referral first, as every change to an episode locks it.
        Referral.objects.select_for_update().filter(pk=referral_id).first()
        rows = rows.select_for_update()
    record = rows.first()
    if record is None:
        return None
    child = Child.objects.get(referrals__pk=referral_id)
    items = tuple(i for i in kind.items if getattr(record, i.field) is not None)
    return CensusRecord(record_type, kind, record, child, referral_id, items)


def _ensure_dates(found: CensusRecord, dates: dict[str, dt.date]) -> dict[str, dt.date]:
    """The new dates, checked as the services check them; refuses with the field's message."""
    names = {i.field: i for i in found.items}
    unknown = set(dates) - set(names)
    if unknown:
        raise ServiceError("Only the census dates shown can be corrected")
    merged: dict[str, dt.date] = {}
    for item in found.items:
        value = dates.get(item.field) or found.value(item)
        if value is None:
            raise ServiceError(f"Enter the {item.label.lower()}", field=item.field)
        ensure_not_in_future(value, item.label.lower(), item.field)
        merged[item.field] = value
    for earlier, later, message in found.kind.order:
        if earlier in merged and later in merged and merged[later] < merged[earlier]:
            raise ServiceError(f"{message} ({long_date(merged[earlier])})", field=later)
    if found.record_type == RecordType.REFERRAL:
        child = found.child
        referral_date = merged["referral_date"]
        birth = child.date_of_birth or child.expected_date_of_birth
        if birth is not None and referral_date < birth - dt.timedelta(days=280):
            raise ServiceError(
                "The referral date is more than 40 weeks before the child's (expected) date of birth",
                field="referral_date",
            )
        if child.date_of_death is not None and referral_date > child.date_of_death:
            raise ServiceError("The referral date is after the child's date of death", field="referral_date")
        overlapping = (
            Referral.objects.filter(child=child, referral_date__lt=referral_date, closure_date__gt=referral_date)
            .exclude(pk=found.referral_id)
            .first()
        )
        if overlapping is not None:
            raise ServiceError(
                f"The referral date overlaps an earlier referral that closed on {long_date(overlapping.closure_date)}",  # type: ignore[arg-type]
                field="referral_date",
            )
    return merged


def _store_episode_events(child_id: int, referral_id: int) -> None:
    """The episode's events as the records now imply them, stored where they differ (checked first)."""
    stored = {e.key: e for e in episode_events(referral_id)}
    rebuilt = [e for e in to_events(rebuild_events(child_ids=[child_id])) if e.episode_id == referral_id]
    changed = [e for e in rebuilt if stored.get(e.key) != e]
    if changed:
        record_events(*changed)


@transaction.atomic
@changes_by_acting_user
def census_record_correct(
    *, record_type: str, record_id: int, dates: dict[str, dt.date], reason: str = "", acting_user: User
) -> CensusRecord:
    """Correct a record's census dates (`dates`: model field to new date; others unchanged)."""
    found = census_record(record_type, record_id, lock=True)
    if found is None or not can_correct_census_record(acting_user, found.child):
        raise ServiceError("You do not have permission to change this record")
    by_analyst = not can_change_child(acting_user, found.child)
    if by_analyst and not Finding.objects.filter(record_type=record_type, record_id=record_id).exists():
        # The analyst's right reaches only the records a current failure points at.
        raise ServiceError("You do not have permission to change this record")
    merged = _ensure_dates(found, dates)
    before = {i.field: found.value(i) for i in found.items}
    changed = [name for name, value in merged.items() if before[name] != value]
    if not changed:
        return found
    record = found.record
    for name in changed:
        setattr(record, name, merged[name])
    extra = next_version(record) if isinstance(record, Versioned) else []
    extra += ["updated_at"] if hasattr(record, "updated_at") else []
    record.save(update_fields=[*changed, *extra])
    _store_episode_events(found.child.pk, found.referral_id)
    rules = sorted(set(Finding.objects.filter(child=found.child).values_list("rule", flat=True)))
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=record,
        child_id=found.child.pk,
        summary=f"Corrected the census dates of a {found.kind.noun} of {found.child.la_child_id}",
        reason=reason or ("CIN census data quality" + (f": rules {', '.join(rules)}" if rules else "")),
        detail={
            "record_type": record_type,
            "changes": {name: [str(before[name]), str(merged[name])] for name in changed},
            "census_failure_right": by_analyst,
        },
    )
    refresh_after_commit([found.child.pk])
    return found
