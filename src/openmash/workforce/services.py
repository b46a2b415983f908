"""The workforce's business actions: allocating children to workers, and maintaining the team structure
(services, teams and the staff in them).

One function per action, each in a transaction, asking the access policy about every child and service it
touches and writing the audit trail. A refused action raises ServiceError with a message a manager can act
on, and changes nothing. Nobody is deleted: a member of staff who leaves gets an end date, so their
allocations keep naming them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.access.policy import can_allocate, can_allocate_child
from openmash.accounts.models import Agency, User
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError
from openmash.core.locking import ensure_current, next_version
from openmash.people.models import Child

from .models import Allocation, Service, StaffJobRole, StaffMember, Team, TeamKind


@transaction.atomic
@changes_by_acting_user
def child_allocate(*, child: Child, worker: StaffMember, start_date: dt.date, acting_user: User) -> Allocation:
    """Allocate a child to a worker; the current allocation, if any, ends that day.

    The policy is asked about the child and about where it goes: a manager allocates only children their
    service holds (or whose open referral waits in one of its teams) and only to workers in their service.
    """
    if not can_allocate(acting_user):
        raise ServiceError("Only a team or service manager can allocate children")
    worker = StaffMember.objects.select_related("team").get(pk=worker.pk)
    if not can_allocate_child(acting_user, child, to_service_id=worker.team.service_id):
        raise ServiceError(
            "You can only allocate children held in your service, to workers in your service", field="worker"
        )
    if not worker.is_case_holder:
        raise ServiceError(f"{worker.full_name} does not hold cases", field="worker")
    if worker.end_date is not None and worker.end_date < start_date:
        raise ServiceError(f"{worker.full_name} left on {long_date(worker.end_date)}", field="worker")
    current = Allocation.objects.select_for_update().filter(child=child, end_date__isnull=True).first()
    if current is not None:
        if current.worker_id == worker.pk:
            raise ServiceError(f"{child.full_name} is already allocated to {worker.full_name}", field="worker")
        if start_date < current.start_date:
            raise ServiceError(
                f"The new allocation cannot start before the current one ({long_date(current.start_date)})",
                field="start_date",
            )
        current.end_date = start_date
        current.save(update_fields=["end_date", "updated_at"])
    return Allocation.objects.create(child=child, worker=worker, team=worker.team, start_date=start_date)


# The team structure ------------------------------------------------------------------------------

NAME_MAX = 120
PERSON_NAME_MAX = 100


@dataclass(frozen=True)
class ServiceDetails:
    name: str
    manager: StaffMember | None = None


@dataclass(frozen=True)
class TeamDetails:
    name: str
    service: Service
    kind: str
    manager: StaffMember | None = None


@dataclass(frozen=True)
class WorkerDetails:
    first_name: str
    last_name: str
    team: Team
    job_role: str
    fte: Decimal | str
    is_case_holder: bool
    is_agency: bool
    start_date: dt.date
    end_date: dt.date | None = None
    user: User | None = None


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _ensure_manages(user: User, service: Service | int) -> None:
    service_id = service if isinstance(service, int) else service.pk
    if not policy.can_manage_structure(user, service_id):
        raise ServiceError("You can only change the services you manage: ask a system administrator")


def _clean_name(value: str, *, what: str, field: str, limit: int = NAME_MAX) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ServiceError(f"Enter the {what}", field=field)
    if len(name) > limit:
        raise ServiceError(f"The {what} must be {limit} characters or fewer", field=field)
    return name


def _ensure_current_manager(member: StaffMember | None, *, field: str) -> StaffMember | None:
    if member is None:
        return None
    member = StaffMember.objects.select_related("team").get(pk=member.pk)
    if member.end_date is not None and member.end_date < timezone.localdate():
        raise ServiceError(
            f"{member.full_name} left on {long_date(member.end_date)}: choose someone in post", field=field
        )
    return member


def _record(user: User, obj: Any, summary: str, detail: dict[str, Any]) -> None:
    audit.record(
        user=user,
        action=AuditEvent.Action.CHANGE,
        obj=obj,
        summary=summary,
        detail={"page": "Team structure", **detail},
    )


# Services ----------------------------------------------------------------------------------------


def _check_service(details: ServiceDetails, *, existing: Service | None) -> tuple[str, StaffMember | None]:
    name = _clean_name(details.name, what="name of the service", field="name")
    clash = Service.objects.filter(name__iexact=name)
    if existing is not None:
        clash = clash.exclude(pk=existing.pk)
    if clash.exists():
        raise ServiceError(f"There is already a service called {name}", field="name")
    return name, _ensure_current_manager(details.manager, field="manager")


@transaction.atomic
@changes_by_acting_user
def service_add(*, details: ServiceDetails, acting_user: User) -> Service:
    """Add a service area. Only an administrator adds services; its manager then maintains it."""
    if not policy.manages_whole_structure(acting_user):
        raise ServiceError("Only a system administrator can add a service")
    name, manager = _check_service(details, existing=None)
    service = Service.objects.create(name=name, manager=manager)
    _record(acting_user, service, f"Added the service {name}", {"manager": manager.pk if manager else None})
    return service


@transaction.atomic
@changes_by_acting_user
def service_change(
    *, service: Service, details: ServiceDetails, expected_version: int | None = None, acting_user: User
) -> Service:
    """Rename a service or change its manager."""
    _ensure_manages(acting_user, service)
    service = Service.objects.select_for_update().get(pk=service.pk)
    name, manager = _check_service(details, existing=service)
    ensure_current(service, expected_version, {"name": name, "manager": manager}, what="this service")
    before = {"name": service.name, "manager": service.manager_id}
    service.name, service.manager = name, manager
    service.save(update_fields=["name", "manager", *next_version(service)])
    _record(
        acting_user,
        service,
        f"Changed the service {name}",
        {"before": before, "after": {"name": name, "manager": manager.pk if manager else None}},
    )
    return service


# Teams -------------------------------------------------------------------------------------------


def _check_team(details: TeamDetails, *, existing: Team | None) -> tuple[str, StaffMember | None]:
    name = _clean_name(details.name, what="name of the team", field="name")
    clash = Team.objects.filter(name__iexact=name)
    if existing is not None:
        clash = clash.exclude(pk=existing.pk)
    if clash.exists():
        raise ServiceError(f"There is already a team called {name}", field="name")
    if details.kind not in TeamKind.values:
        raise ServiceError("Select the work the team does", field="kind")
    manager = _ensure_current_manager(details.manager, field="manager")
    if manager is not None and manager.team.service_id != details.service.pk:
        raise ServiceError(
            f"{manager.full_name} works in {manager.team.name}, outside {details.service.name}: "
            "move them into the service first, or choose a manager who works in it",
            field="manager",
        )
    return name, manager


@transaction.atomic
@changes_by_acting_user
def team_add(*, details: TeamDetails, acting_user: User) -> Team:
    """Add a team to a service the acting user maintains."""
    _ensure_manages(acting_user, details.service)
    name, manager = _check_team(details, existing=None)
    team = Team.objects.create(name=name, service=details.service, kind=details.kind, manager=manager)
    _record(
        acting_user,
        team,
        f"Added the team {name} to {details.service.name}",
        {"service": details.service.pk, "kind": details.kind, "manager": manager.pk if manager else None},
    )
    return team


@transaction.atomic
@changes_by_acting_user
def team_change(*, team: Team, details: TeamDetails, expected_version: int | None = None, acting_user: User) -> Team:
    """Rename a team, change its kind or manager, or move it to another service (both must be the user's)."""
    team = Team.objects.select_for_update().select_related("service").get(pk=team.pk)
    _ensure_manages(acting_user, team.service_id)
    _ensure_manages(acting_user, details.service)
    name, manager = _check_team(details, existing=team)
    submitted = {"name": name, "service": details.service, "kind": details.kind, "manager": manager}
    ensure_current(team, expected_version, submitted, what="this team")
    before = {"name": team.name, "service": team.service_id, "kind": team.kind, "manager": team.manager_id}
    team.name, team.service, team.kind, team.manager = name, details.service, details.kind, manager
    team.save(update_fields=["name", "service", "kind", "manager", *next_version(team)])
    after = {"name": name, "service": details.service.pk, "kind": details.kind, "manager": team.manager_id}
    _record(acting_user, team, f"Changed the team {name}", {"before": before, "after": after})
    return team


# Staff -------------------------------------------------------------------------------------------


def _clean_fte(value: Decimal | str) -> Decimal:
    message = "FTE must be a number from 0 to 1 with at most two decimal places, for example 0.6 for three days a week"
    try:
        fte = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ServiceError(message, field="fte") from None
    if not fte.is_finite() or fte < 0 or fte > 1 or fte != fte.quantize(Decimal("0.01")):
        raise ServiceError(message, field="fte")
    return fte.quantize(Decimal("0.01"))


def _check_user_link(user: User | None, worker: StaffMember | None) -> User | None:
    """Only an active account in children's social care with no other staff record can be linked: the link decides
    which children its holder sees (their own, their team's, their service's)."""
    if user is None:
        return None
    user = User.objects.select_for_update().get(pk=user.pk)
    other = StaffMember.objects.filter(user=user)
    if worker is not None:
        other = other.exclude(pk=worker.pk)
    if other.exists():
        raise ServiceError(f"The account {user.username} is already linked to another member of staff", field="user")
    if not user.is_active or user.agency != Agency.CHILDRENS_SOCIAL_CARE:
        raise ServiceError(
            f"The account {user.username} cannot be linked: only active children's social care accounts can",
            field="user",
        )
    return user


def _open_allocations(worker: StaffMember) -> Any:
    return Allocation.objects.select_for_update().filter(worker=worker, end_date__isnull=True)


def _held_message(worker: StaffMember, count: int, team: Team, what: str) -> str:
    return (
        f"{worker.full_name} still holds {_plural(count, 'child', 'children')} in {team.name}. "
        f"Allocate {'that child' if count == 1 else 'each of them'} to another worker in {team.name} "
        f"(Reallocate, from the team's work tray), then {what}"
    )


def _check_worker(details: WorkerDetails, existing: StaffMember | None) -> dict[str, Any]:
    first = _clean_name(details.first_name, what="first name", field="first_name", limit=PERSON_NAME_MAX)
    last = _clean_name(details.last_name, what="last name", field="last_name", limit=PERSON_NAME_MAX)
    if details.job_role not in StaffJobRole.values:
        raise ServiceError("Select the job role", field="job_role")
    fte = _clean_fte(details.fte)
    if details.start_date is None:
        raise ServiceError("Enter the start date", field="start_date")
    if details.end_date is not None and details.end_date < details.start_date:
        raise ServiceError(
            f"The date they left cannot be before they started ({long_date(details.start_date)})", field="end_date"
        )
    if details.start_date > timezone.localdate() + dt.timedelta(days=366):
        raise ServiceError("The start date must be within the next year", field="start_date")
    return {
        "first_name": first,
        "last_name": last,
        "team": details.team,
        "job_role": details.job_role,
        "fte": fte,
        "is_case_holder": bool(details.is_case_holder),
        "is_agency": bool(details.is_agency),
        "start_date": details.start_date,
        "end_date": details.end_date,
        "user": _check_user_link(details.user, existing),
    }


@transaction.atomic
@changes_by_acting_user
def worker_add(*, details: WorkerDetails, acting_user: User) -> StaffMember:
    """Add a member of staff to a team in a service the acting user maintains."""
    _ensure_manages(acting_user, details.team.service_id)
    values = _check_worker(details, None)
    worker = StaffMember.objects.create(**values)
    _record(
        acting_user,
        worker,
        f"Added {worker.full_name} to {details.team.name}",
        {"team": details.team.pk, "job_role": worker.job_role, "fte": str(worker.fte), "user": worker.user_id},
    )
    return worker


def _check_history(worker: StaffMember, values: dict[str, Any]) -> None:
    """The dates must still cover every child the worker has held: their allocations keep naming them."""
    held = Allocation.objects.filter(worker=worker)
    first = held.order_by("start_date").values_list("start_date", flat=True).first()
    if first is not None and values["start_date"] > first:
        raise ServiceError(
            f"{worker.full_name} was allocated a child on {long_date(first)}: the start date cannot be later",
            field="start_date",
        )
    end = values["end_date"]
    if end is not None:
        later = held.filter(Q(start_date__gt=end) | Q(end_date__gt=end)).order_by("-end_date").first()
        if later is not None:
            last = later.end_date or later.start_date
            raise ServiceError(
                f"{worker.full_name} held a child until {long_date(last)}: the date they left cannot be earlier",
                field="end_date",
            )


def _move_children(worker: StaffMember, old: Team, new: Team, on: dt.date) -> int:
    """Children held by a worker who moves team go with them: each open allocation ends in the old team on the day
    of the move and continues in the new one, so the allocations before it still name the team that held the child.
    """
    moved = 0
    for allocation in _open_allocations(worker).order_by("pk"):
        if allocation.start_date >= on:
            # Starting today or later: no time was spent in the old team, so there is no history to keep.
            allocation.team = new
            allocation.save(update_fields=["team", "updated_at"])
        else:
            allocation.end_date = on
            allocation.save(update_fields=["end_date", "updated_at"])
            Allocation.objects.create(child_id=allocation.child_id, worker=worker, team=new, start_date=on)
        moved += 1
    return moved


@transaction.atomic
@changes_by_acting_user
def worker_change(
    *, worker: StaffMember, details: WorkerDetails, expected_version: int | None = None, acting_user: User
) -> StaffMember:
    """Change a member of staff's details; a new team moves them (and the children they hold) today, and an end
    date records that they left (refused while they still hold children). Nobody is deleted."""
    worker = StaffMember.objects.select_for_update().select_related("team__service").get(pk=worker.pk)
    old_team = worker.team
    _ensure_manages(acting_user, old_team.service_id)
    new_team = Team.objects.select_related("service").get(pk=details.team.pk)
    _ensure_manages(acting_user, new_team.service_id)
    values = _check_worker(details, worker)
    ensure_current(worker, expected_version, values, what=f"{worker.full_name}'s details")
    _check_history(worker, values)
    today = timezone.localdate()
    held = _open_allocations(worker).count()
    if held and values["end_date"] is not None and worker.end_date != values["end_date"]:
        raise ServiceError(_held_message(worker, held, old_team, "record that they left"), field="end_date")
    if held and not values["is_case_holder"]:
        raise ServiceError(
            _held_message(worker, held, old_team, "record that they no longer hold cases"), field="is_case_holder"
        )
    if values["end_date"] is not None and values["end_date"] < today:
        managed = [t.name for t in Team.objects.filter(manager=worker)] + [
            s.name for s in Service.objects.filter(manager=worker)
        ]
        if managed:
            raise ServiceError(
                f"{worker.full_name} manages {', '.join(managed)}: choose a new manager there first", field="end_date"
            )
    before = {
        "team": old_team.pk,
        "job_role": worker.job_role,
        "fte": str(worker.fte),
        "end_date": str(worker.end_date) if worker.end_date else None,
        "user": worker.user_id,
    }
    if new_team.pk != old_team.pk and worker.managed_teams.filter(pk=old_team.pk).exists():
        raise ServiceError(
            f"{worker.full_name} manages {old_team.name}: choose a new manager for {old_team.name} first", field="team"
        )
    moved = _move_children(worker, old_team, new_team, today) if new_team.pk != old_team.pk else 0
    for name, value in values.items():
        setattr(worker, name, value)
    worker.save(update_fields=[*values, "updated_at", *next_version(worker)])
    after = {
        "team": new_team.pk,
        "job_role": worker.job_role,
        "fte": str(worker.fte),
        "end_date": str(worker.end_date) if worker.end_date else None,
        "user": worker.user_id,
        "children_moved": moved,
    }
    summary = f"Changed {worker.full_name}'s details"
    if new_team.pk != old_team.pk:
        summary = f"Moved {worker.full_name} from {old_team.name} to {new_team.name}"
    _record(acting_user, worker, summary, {"before": before, "after": after})
    return worker
