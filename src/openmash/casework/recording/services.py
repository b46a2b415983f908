"""Recording visits to the child and case notes.

Each function is one business action in one transaction, asks the access policy about the child first,
and refuses bad input with a ServiceError naming its field, changing nothing. A case note someone may
have opened in a form is saved only from the version they opened (openmash.core.locking).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import MANAGER_ROLES, Basis, basis_for, case_notes_scope, ensure_can_change
from openmash.accounts.models import User
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError, ensure_not_in_future
from openmash.core.locking import ensure_current, next_version
from openmash.people.models import Child
from openmash.workforce.models import StaffMember

from ..models import CaseNote, CaseNoteType, CINPlan, Referral, Visit, VisitPurpose

SUBJECT_MAX = 200
BODY_MAX = 50_000
VISIT_NOTES_MAX = 20_000
MAX_VISIT_WORKING_DAYS = 60
# The bases on which a manager holds the child (case_notes_scope shows them every note).
HOLDING_BASES = {Basis.ALLOCATED, Basis.TEAM, Basis.SERVICE, Basis.NAMED}


def _open_referral(child: Child) -> Referral | None:
    return Referral.objects.filter(child=child, closure_date__isnull=True).first()


def _not_before_birth(child: Child, day: dt.date, what: str, field: str) -> None:
    if child.date_of_birth is not None and day < child.date_of_birth:
        raise ServiceError(f"The {what} cannot be before the child was born", field=field)


@transaction.atomic
@changes_by_acting_user
def visit_record(
    *,
    child: Child,
    visit_date: dt.date,
    purpose: VisitPurpose | str,
    seen: bool,
    seen_alone: bool = False,
    visited_by: StaffMember | None,
    notes: str = "",
    acting_user: User,
) -> Visit:
    """Record a visit to the child. A visit at which the child was seen restarts the plan's visit clock."""
    ensure_can_change(acting_user, child)
    ensure_not_in_future(visit_date, "visit date", "visit_date")
    _not_before_birth(child, visit_date, "visit date", "visit_date")
    if purpose not in VisitPurpose.values:
        raise ServiceError("Select the purpose of the visit", field="purpose")
    if visited_by is None:
        raise ServiceError("Select who visited", field="visited_by")
    if visited_by.start_date > visit_date or (visited_by.end_date is not None and visited_by.end_date < visit_date):
        raise ServiceError(f"{visited_by.full_name} was not working here on that date", field="visited_by")
    if seen_alone and not seen:
        raise ServiceError("A child seen alone was seen: answer 'Yes' to whether the child was seen", field="seen")
    notes = notes.strip()
    if len(notes) > VISIT_NOTES_MAX:
        raise ServiceError(f"Notes must be {VISIT_NOTES_MAX:,} characters or fewer", field="notes")
    return Visit.objects.create(
        child=child,
        referral=_open_referral(child),
        visit_date=visit_date,
        purpose=purpose,
        seen=seen,
        seen_alone=seen_alone,
        visited_by=visited_by,
        recorded_by=acting_user,
        notes=notes,
    )


@transaction.atomic
@changes_by_acting_user
def cin_plan_visits_set(
    *, plan: CINPlan, visit_every_working_days: int, expected_version: int | None = None, acting_user: User
) -> CINPlan:
    """Change how often a child on a child in need plan is visited (in working days)."""
    plan = CINPlan.objects.select_for_update().select_related("referral__child").get(pk=plan.pk)
    ensure_can_change(acting_user, plan.referral.child)
    ensure_current(plan, expected_version, {"visit_every_working_days": visit_every_working_days}, what="this plan")
    if plan.end_date is not None:
        raise ServiceError(f"This plan ended on {long_date(plan.end_date)}")
    if not 1 <= visit_every_working_days <= MAX_VISIT_WORKING_DAYS:
        raise ServiceError(
            f"Visits must be every 1 to {MAX_VISIT_WORKING_DAYS} working days", field="visit_every_working_days"
        )
    plan.visit_every_working_days = visit_every_working_days
    plan.save(update_fields=["visit_every_working_days", "updated_at", *next_version(plan)])
    return plan


def _note_fields(note_type: str, occurred_on: dt.date, subject: str, body: str, child: Child) -> tuple[str, str]:
    if note_type not in CaseNoteType.values:
        raise ServiceError("Select the type of note", field="note_type")
    ensure_not_in_future(occurred_on, "date", "occurred_on")
    _not_before_birth(child, occurred_on, "date", "occurred_on")
    subject = " ".join(subject.split())
    if not subject:
        raise ServiceError("Enter a subject", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise ServiceError(f"The subject must be {SUBJECT_MAX} characters or fewer", field="subject")
    body = body.replace("\x00", "").strip()
    if not body:
        raise ServiceError("Enter the note", field="body")
    if len(body) > BODY_MAX:
        raise ServiceError(f"The note must be {BODY_MAX:,} characters or fewer", field="body")
    return subject, body


@transaction.atomic
@changes_by_acting_user
def case_note_add(
    *,
    child: Child,
    note_type: CaseNoteType | str,
    occurred_on: dt.date,
    subject: str,
    body: str,
    restricted: bool = False,
    acting_user: User,
) -> CaseNote:
    ensure_can_change(acting_user, child)
    subject, body = _note_fields(note_type, occurred_on, subject, body, child)
    return CaseNote.objects.create(
        child=child,
        referral=_open_referral(child),
        note_type=note_type,
        occurred_on=occurred_on,
        subject=subject,
        body=body,
        author=acting_user,
        restricted=restricted,
    )


def can_edit_note(user: User, note: CaseNote, basis: Basis | None) -> bool:
    """Its author, and the managers who hold the child (who may restrict a note further), as long as they may
    read it and record casework for the child."""
    scope = case_notes_scope(user, basis)
    if scope is None or not CaseNote.objects.filter(scope, pk=note.pk).exists():
        return False
    return note.author_id == user.pk or (user.has_role(*MANAGER_ROLES) and basis in HOLDING_BASES)


@transaction.atomic
@changes_by_acting_user
def case_note_edit(
    *,
    note: CaseNote,
    note_type: CaseNoteType | str,
    occurred_on: dt.date,
    subject: str,
    body: str,
    restricted: bool,
    expected_version: int | None,
    acting_user: User,
) -> CaseNote:
    note = CaseNote.objects.select_for_update().select_related("child").get(pk=note.pk)
    ensure_can_change(acting_user, note.child)
    if not can_edit_note(acting_user, note, basis_for(acting_user, note.child)):
        raise ServiceError("Only the note's author or a manager can change it")
    if note.restricted and not restricted and note.author_id != acting_user.pk:
        raise ServiceError("Only the note's author can lift its restriction", field="restricted")
    ensure_current(
        note,
        expected_version,
        {
            "note_type": note_type,
            "occurred_on": occurred_on,
            "subject": subject,
            "body": body,
            "restricted": restricted,
        },
        what="this note",
    )
    subject, body = _note_fields(note_type, occurred_on, subject, body, note.child)
    note.note_type = note_type
    note.occurred_on = occurred_on
    note.subject = subject
    note.body = body
    note.restricted = restricted
    note.save(
        update_fields=["note_type", "occurred_on", "subject", "body", "restricted", "updated_at", *next_version(note)]
    )
    return note
