"""Reading a child's visits and case notes through the access policy; every look is recorded."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.people.models import Child
from openmash.workforce.models import StaffMember

from ..models import CaseNote, CINPlan, Visit
from .services import can_edit_note


@dataclass(frozen=True)
class ChildRecord:
    child: Child
    access: policy.ChildAccess


def _child(user: User, la_child_id: str, *, change: bool = False) -> ChildRecord:
    child = Child.objects.filter(la_child_id=la_child_id).first()
    basis = policy.basis_for(user, child) if child is not None else None
    if child is None or basis is None:
        raise NotFound("No child with that ID")
    access = policy.child_access(user, basis)
    if not access.casework or (change and not access.change):
        raise NotFound("No child with that ID")
    return ChildRecord(child, access)


def _record_view(user: User, record: ChildRecord, page: str, **detail: object) -> None:
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=record.child,
        child_id=record.child.pk,
        summary=f"Viewed {page} for {record.child.la_child_id}",
        detail={"page": page, "basis": record.access.basis.value, **detail},
    )


@dataclass(frozen=True)
class Visits:
    record: ChildRecord
    visits: list[Visit]
    cin_plan: CINPlan | None


@transaction.atomic
def child_visits(*, user: User, la_child_id: str) -> Visits:
    """The visits to a child, latest first, for those who may read the child's casework."""
    record = _child(user, la_child_id)
    visits = list(Visit.objects.filter(child=record.child).select_related("visited_by", "recorded_by"))
    cin_plan = CINPlan.objects.filter(referral__child=record.child, end_date__isnull=True).first()
    _record_view(user, record, "visits", visits=len(visits))
    return Visits(record, visits, cin_plan)


@transaction.atomic
def child_for_recording(*, user: User, la_child_id: str, page: str) -> ChildRecord:
    """A child whose casework this user may record (NotFound otherwise); the view is recorded."""
    record = _child(user, la_child_id, change=True)
    _record_view(user, record, page)
    return record


def visitors(user: User, child: Child) -> QuerySet[StaffMember]:
    """Who may have visited: current staff of the user's service, and the child's allocated worker."""
    today = timezone.localdate()
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    staff = StaffMember.objects.filter(user=user).select_related("team").first()
    allocated = Q(allocations__child=child, allocations__end_date__isnull=True)
    mine = Q(team__service_id=staff.team.service_id) if staff is not None and staff.team.service_id else Q(pk=None)
    return (
        StaffMember.objects.filter(current)
        .filter(mine | allocated | Q(user=user))
        .select_related("team")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


@dataclass(frozen=True)
class Notes:
    record: ChildRecord
    notes: list[CaseNote]
    editable: set[int]


@transaction.atomic
def child_notes(*, user: User, la_child_id: str) -> Notes:
    """The case notes this user may read (policy.case_notes_scope), latest first; the look is recorded."""
    record = _child(user, la_child_id)
    scope = policy.case_notes_scope(user, record.access.basis)
    if scope is None:
        raise NotFound("No child with that ID")
    notes = list(CaseNote.objects.filter(scope, child=record.child).select_related("author"))
    editable = {
        n.pk
        for n in notes
        if record.access.change and (n.author_id == user.pk or can_edit_note(user, n, record.access.basis))
    }
    _record_view(user, record, "case notes", notes=[n.pk for n in notes])
    return Notes(record, notes, editable)


@transaction.atomic
def note_for_edit(*, user: User, note_id: int) -> tuple[CaseNote, ChildRecord]:
    """A case note this user may change (its author, or a manager holding the child), else NotFound."""
    if not 0 < note_id < 2**63:
        raise NotFound("Not found")
    note = CaseNote.objects.select_related("child", "author").filter(pk=note_id).first()
    if note is None:
        raise NotFound("Not found")
    record = _child(user, note.child.la_child_id, change=True)
    if not can_edit_note(user, note, record.access.basis):
        raise NotFound("Not found")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=note,
        child_id=note.child_id,
        summary=f"Opened a case note to edit for {note.child.la_child_id}",
        detail={"page": "edit case note", "basis": record.access.basis.value},
    )
    return note, record
