"""CSE screening and the CSE team's cases: one business action per function, each in a transaction.

A refused action raises ServiceError with a message the practitioner can act on and changes nothing. Each asks
the access policy about the child it touches and writes the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.codes import Disability
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError
from openmash.front_door.models import Contact, CSECase, CSECaseClosure, CSERiskLevel, CSEScreening
from openmash.people.models import Child
from openmash.workforce.models import StaffMember, Team, TeamKind

from . import tool

CASE_LEVELS = (CSERiskLevel.MEDIUM, CSERiskLevel.HIGH)


def has_learning_disability(child: Child, vulnerabilities: Iterable[str]) -> bool:
    """A learning disability ticked on the screening or recorded on the child (census code LD)."""
    return tool.LEARNING_DISABILITY in vulnerabilities or child.disabilities.filter(code=Disability.LEARNING).exists()


def _ensure_works_on(user: User, child: Child, action: str) -> policy.Basis:
    if not policy.works_cse(user):
        raise ServiceError(f"Only MASH practitioners and the CSE team can {action}")
    basis = policy.basis_for(user, child)
    if not policy.works_on_cse(user, basis):
        raise ServiceError("That child does not exist")
    assert basis is not None
    return basis


@transaction.atomic
@changes_by_acting_user
def cse_screen(
    *,
    child: Child,
    contact: Contact | None,
    ratings: Mapping[str, int],
    vulnerabilities: Iterable[str],
    notes: str = "",
    acting_user: User,
) -> CSEScreening:
    """Screen a child for sexual exploitation: each indicator rated, vulnerabilities noted, and the risk level
    given by the authority's rules (front_door/cse/tool.py). An open CSE case takes the new level."""
    basis = _ensure_works_on(acting_user, child, "screen a child for CSE")
    if contact is not None and contact.child_id != child.pk:
        raise ServiceError("That contact is about another child")
    vulnerabilities = list(dict.fromkeys(vulnerabilities))
    problems = tool.check_answers(ratings, vulnerabilities)
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field=field)
    notes = notes.strip()
    if len(notes) > 5000:
        raise ServiceError("Notes must be 5,000 characters or fewer", field="notes")
    now = timezone.now()
    result = tool.assess(
        ratings,
        age=tool.age_on(child.date_of_birth, timezone.localdate(now)),
        learning_disability=has_learning_disability(child, vulnerabilities),
    )
    screening = CSEScreening.objects.create(
        child=child,
        contact=contact,
        screened_at=now,
        screened_by=acting_user,
        ratings={code: int(ratings[code]) for code in tool.INDICATOR_CODES},
        vulnerabilities=vulnerabilities,
        score=result.score,
        risk_level=result.level,
        notes=notes,
    )
    case = CSECase.objects.select_for_update().filter(child=child, closed_on__isnull=True).first()
    if case is not None and case.risk_level != result.level:
        case.risk_level = result.level
        case.save(update_fields=["risk_level", "updated_at"])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=screening,
        child_id=child.pk,
        summary=f"Screened {child.la_child_id} for CSE: {result.level.label}",
        detail={"page": "CSE screening", "basis": basis.value, "level": result.level.value, "score": result.score},
    )
    return screening


def _cse_team_for(user: User) -> Team:
    """The acting member's own CSE team, or the authority's CSE team for anyone else (the MASH)."""
    staff = getattr(user, "staff", None)
    if staff is not None and staff.team.kind == TeamKind.CSE:
        return staff.team
    team = Team.objects.filter(kind=TeamKind.CSE).order_by("pk").first()
    if team is None:
        raise ServiceError("No CSE team is set up: ask a system administrator to add one")
    return team


def _check_worker(worker: StaffMember, team: Team) -> None:
    today = timezone.localdate()
    if worker.team_id != team.pk or not worker.is_case_holder or (worker.end_date and worker.end_date < today):
        raise ServiceError(f"Choose a case-holding worker in {team.name}", field="worker")


@transaction.atomic
@changes_by_acting_user
def cse_case_open(*, screening: CSEScreening, worker: StaffMember | None = None, acting_user: User) -> CSECase:
    """Open a case in the CSE team from a screening at medium or high risk, allocated now or later."""
    screening = CSEScreening.objects.select_for_update().select_related("child").get(pk=screening.pk)
    child = screening.child
    basis = _ensure_works_on(acting_user, child, "open a CSE case")
    if screening.risk_level not in CASE_LEVELS:
        raise ServiceError(
            "A CSE case opens on a screening at medium or high risk: screen again if concerns have grown"
        )
    newer = CSEScreening.objects.filter(child=child, screened_at__gt=screening.screened_at).order_by("-screened_at")
    if (latest := newer.first()) is not None:
        raise ServiceError(
            f"A newer screening was recorded on {long_date(timezone.localdate(latest.screened_at))}: work from that one"
        )
    if CSECase.objects.filter(child=child, closed_on__isnull=True).exists():
        raise ServiceError("This child already has an open CSE case")
    team = _cse_team_for(acting_user)
    if worker is not None:
        _check_worker(worker, team)
    case = CSECase.objects.create(
        child=child,
        screening=screening,
        team=team,
        worker=worker,
        opened_on=timezone.localdate(),
        risk_level=screening.risk_level,
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=case,
        child_id=child.pk,
        summary=f"Opened a CSE case for {child.la_child_id} in {team.name}",
        detail={"page": "CSE queue", "basis": basis.value, "worker": worker.pk if worker else None},
    )
    return case


def _lock_case_for_team(case: CSECase, user: User) -> CSECase:
    """The case, locked, if the user is in its CSE team and may work with the child; open cases only."""
    locked = CSECase.objects.select_for_update().select_related("child", "team").filter(pk=case.pk).first()
    if locked is None or not policy.works_on_cse(user, policy.basis_for(user, locked.child)):
        raise ServiceError("That case does not exist")
    if not policy.in_cse_team(user, locked.team_id):
        raise ServiceError(f"Only {locked.team.name} can change its cases")
    if locked.closed_on is not None:
        raise ServiceError(f"This case was closed on {long_date(locked.closed_on)}")
    return locked


@transaction.atomic
@changes_by_acting_user
def cse_case_allocate(*, case: CSECase, worker: StaffMember, acting_user: User) -> CSECase:
    """Give an open case to a case-holding worker in its CSE team."""
    case = _lock_case_for_team(case, acting_user)
    _check_worker(worker, case.team)
    case.worker = worker
    case.save(update_fields=["worker", "updated_at"])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=case,
        child_id=case.child_id,
        summary=f"Allocated the CSE case for {case.child.la_child_id} to {worker.full_name}",
        detail={"page": "CSE case", "worker": worker.pk},
    )
    return case


@transaction.atomic
@changes_by_acting_user
def cse_case_close(*, case: CSECase, closed_on: dt.date, reason: CSECaseClosure | str, acting_user: User) -> CSECase:
    """Close an open case with the reason it ended."""
    case = _lock_case_for_team(case, acting_user)
    if reason not in CSECaseClosure.values:
        raise ServiceError("Select why the case is closing", field="reason")
    if closed_on < case.opened_on:
        raise ServiceError(f"The case cannot close before it opened on {long_date(case.opened_on)}", field="closed_on")
    if closed_on > timezone.localdate():
        raise ServiceError("The closing date cannot be in the future", field="closed_on")
    case.closed_on, case.closure_reason = closed_on, reason
    case.save(update_fields=["closed_on", "closure_reason", "updated_at"])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=case,
        child_id=case.child_id,
        summary=f"Closed the CSE case for {case.child.la_child_id}: {CSECaseClosure(reason).label}",
        detail={"page": "CSE case", "reason": str(reason)},
    )
    return case
