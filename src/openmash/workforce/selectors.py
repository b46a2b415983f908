"""Reads of the team structure: each checks the access policy and records the view in the audit trail.

The structure names members of staff (identifying), so every page that lists them is recorded, as a look at
a child's record is. A service or team out of the user's reach answers exactly as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import Agency, User

from .models import Allocation, Service, StaffJobRole, StaffMember, Team, TeamKind

# Newly qualified social workers in their Assessed and Supported Year in Employment; every other social work
# role is experienced. Managers and practitioners who are not social workers are neither.
SOCIAL_WORK_ROLES = frozenset({StaffJobRole.SOCIAL_WORKER, StaffJobRole.SENIOR_SOCIAL_WORKER, StaffJobRole.ASYE})


def experience(job_role: str) -> str:
    """'Newly qualified (ASYE)', 'Experienced' or '' from the job role."""
    if job_role == StaffJobRole.ASYE:
        return "Newly qualified (ASYE)"
    if job_role in SOCIAL_WORK_ROLES:
        return "Experienced"
    return ""


def in_post(today: dt.date) -> Q:
    """Staff in post on `today`: started, and not yet left."""
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))


def _view(user: User, summary: str, obj: Service | Team | StaffMember | None = None) -> None:
    audit.record(user=user, action=AuditEvent.Action.VIEW, obj=obj, summary=summary, detail={"page": "Team structure"})


# The structure along the child's journey ---------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """A step of the child's journey and the kinds of team that work there."""

    key: str
    title: str
    description: str
    kinds: tuple[TeamKind, ...]


STAGES: tuple[Stage, ...] = (
    Stage(
        "front_door",
        "Front door",
        "Every contact about a child comes to the Multi-Agency Safeguarding Hub (MASH), which decides what "
        "happens next: a referral for assessment, early help, or no further action.",
        (TeamKind.MASH,),
    ),
    Stage(
        "early_help",
        "Early help, beside the front door",
        "Families whose needs are below the threshold for social care get support agreed at the front door.",
        (TeamKind.EARLY_HELP,),
    ),
    Stage(
        "assessment",
        "Assessment",
        "A referral from the front door gets a single assessment (within 45 working days), and a Section 47 "
        "enquiry where a child may be suffering significant harm.",
        (TeamKind.ASSESSMENT,),
    ),
    Stage(
        "plans",
        "Child in need and child protection",
        "After the assessment, children in need of help have a child in need plan; children at risk of "
        "significant harm have a child protection plan.",
        (TeamKind.CHILD_IN_NEED, TeamKind.CHILD_PROTECTION),
    ),
    Stage(
        "specialist",
        "Specialist teams",
        "Children exploited outside the home, children in the youth justice system and disabled children are "
        "held by specialist teams, from assessment or from any plan.",
        (TeamKind.CSE, TeamKind.YOUTH_JUSTICE, TeamKind.DISABILITY),
    ),
)


@dataclass
class TeamFigures:
    team: Team
    headcount: int = 0
    fte: Decimal = Decimal("0.00")
    case_holders: int = 0
    case_holder_fte: Decimal = Decimal("0.00")
    agency: int = 0
    newly_qualified: int = 0
    children: int = 0

    @property
    def caseload(self) -> Decimal | None:
        """Children held per case-holding FTE (DfE CSWW); None without case-holding FTE."""
        if not self.case_holder_fte:
            return None
        return (Decimal(self.children) / self.case_holder_fte).quantize(Decimal("0.1"))


@dataclass
class StageView:
    stage: Stage
    teams: list[TeamFigures] = field(default_factory=list)


@dataclass(frozen=True)
class StructureView:
    stages: list[StageView]
    totals: TeamFigures
    may_manage: bool
    as_of: dt.date


def _figures(teams: QuerySet[Team], today: dt.date) -> dict[int, TeamFigures]:
    """Headcount, FTE, case holders and the children held, per team, in three queries whatever the size."""
    figures = {t.pk: TeamFigures(t) for t in teams}
    for member in StaffMember.objects.filter(in_post(today), team_id__in=figures).only(
        "team_id", "fte", "is_case_holder", "is_agency", "job_role"
    ):
        f = figures[member.team_id]
        f.headcount += 1
        f.fte += member.fte
        f.agency += member.is_agency
        f.newly_qualified += member.job_role == StaffJobRole.ASYE
        if member.is_case_holder:
            f.case_holders += 1
            f.case_holder_fte += member.fte
    held = (
        Allocation.objects.filter(end_date__isnull=True, team_id__in=figures).values("team_id").annotate(n=Count("pk"))
    )
    for row in held:
        figures[row["team_id"]].children = row["n"]
    return figures


@transaction.atomic
def structure(*, user: User) -> StructureView:
    """How the teams connect along the child's journey, each with its manager and figures."""
    if not policy.can_view_structure(user):
        raise NotFound("Not found")
    today = timezone.localdate()
    teams = Team.objects.select_related("service", "manager", "service__manager").order_by("name")
    figures = _figures(teams, today)
    by_kind: dict[str, list[TeamFigures]] = defaultdict(list)
    for f in figures.values():
        by_kind[f.team.kind].append(f)
    stages = [
        StageView(stage, sorted((f for k in stage.kinds for f in by_kind[k]), key=lambda f: f.team.name))
        for stage in STAGES
    ]
    totals = TeamFigures(Team(name="All teams"))
    for f in figures.values():
        for name in ("headcount", "fte", "case_holders", "case_holder_fte", "agency", "newly_qualified", "children"):
            setattr(totals, name, getattr(totals, name) + getattr(f, name))
    _view(user, "Viewed the team structure")
    return StructureView(stages, totals, policy.can_manage_structure(user), today)


# Maintaining it --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    teams: list[TeamFigures]
    may_change: bool


@transaction.atomic
def services_overview(*, user: User) -> list[ServiceRow]:
    """Every service with its manager and teams, saying which the user may change."""
    if not policy.can_manage_structure(user):
        raise NotFound("Not found")
    today = timezone.localdate()
    services = list(Service.objects.select_related("manager").order_by("name"))
    teams = Team.objects.select_related("manager").order_by("name")
    figures = _figures(teams, today)
    by_service: dict[int, list[TeamFigures]] = defaultdict(list)
    for f in figures.values():
        by_service[f.team.service_id].append(f)
    _view(user, "Viewed the services and teams")
    return [
        ServiceRow(s, sorted(by_service[s.pk], key=lambda f: f.team.name), policy.can_manage_structure(user, s.pk))
        for s in services
    ]


def service_for_change(*, user: User, service_id: int) -> Service:
    service = Service.objects.select_related("manager").filter(pk=service_id).first()
    if service is None or not policy.can_manage_structure(user, service.pk):
        raise NotFound("No such service")
    return service


def team_for_change(*, user: User, team_id: int) -> Team:
    team = Team.objects.select_related("service", "manager").filter(pk=team_id).first()
    if team is None or not policy.can_manage_structure(user, team.service_id):
        raise NotFound("No such team")
    return team


@dataclass(frozen=True)
class WorkerRow:
    worker: StaffMember
    children: int
    experience: str
    in_post: bool


@dataclass(frozen=True)
class TeamStaff:
    team: Team
    figures: TeamFigures
    current: list[WorkerRow]
    left: list[WorkerRow]


@transaction.atomic
def team_staff(*, user: User, team_id: int) -> TeamStaff:
    """A team's staff: those in post (or starting soon) first, then those who have left."""
    team = team_for_change(user=user, team_id=team_id)
    today = timezone.localdate()
    members = (
        StaffMember.objects.filter(team=team)
        .select_related("user")
        .annotate(children=Count("allocations", filter=Q(allocations__end_date__isnull=True)))
        .order_by("last_name", "first_name", "pk")
    )
    rows = [
        WorkerRow(
            m, m.children, experience(m.job_role), m.start_date <= today and (m.end_date is None or m.end_date >= today)
        )
        for m in members
    ]
    current = [r for r in rows if r.worker.end_date is None or r.worker.end_date >= today]
    left = [r for r in rows if r not in current]
    _view(user, f"Viewed the staff of {team.name}", team)
    return TeamStaff(team, _figures(Team.objects.filter(pk=team.pk), today)[team.pk], current, left)


@dataclass(frozen=True)
class WorkerView:
    worker: StaffMember
    children: int
    experience: str


@transaction.atomic
def worker_for_change(*, user: User, worker_id: int) -> WorkerView:
    worker = StaffMember.objects.select_related("team__service", "user").filter(pk=worker_id).first()
    if worker is None or not policy.can_manage_structure(user, worker.team.service_id):
        raise NotFound("No such member of staff")
    held = Allocation.objects.filter(worker=worker, end_date__isnull=True).count()
    _view(user, f"Opened {worker.full_name}'s details", worker)
    return WorkerView(worker, held, experience(worker.job_role))


# Choices for the forms ---------------------------------------------------------------------------------


def manageable_services(user: User) -> QuerySet[Service]:
    ids = policy.structure_service_ids(user)
    services = Service.objects.order_by("name")
    return services if ids is None else services.filter(pk__in=ids)


def manageable_teams(user: User) -> QuerySet[Team]:
    ids = policy.structure_service_ids(user)
    teams = Team.objects.select_related("service").order_by("service__name", "name")
    return teams if ids is None else teams.filter(service_id__in=ids)


SERVICE_MANAGER_ROLES = (StaffJobRole.SERVICE_MANAGER, StaffJobRole.TEAM_MANAGER)
# A senior social worker may act up as a team's manager.
TEAM_MANAGER_ROLES = (*SERVICE_MANAGER_ROLES, StaffJobRole.SENIOR_SOCIAL_WORKER)


def possible_managers(
    *, roles: tuple[str, ...], services: QuerySet[Service] | None = None, current: StaffMember | None = None
) -> QuerySet[StaffMember]:
    """Staff in post (or starting) in a manager's job role, in the services where given; and whoever manages
    now, so an edit does not silently drop them."""
    today = timezone.localdate()
    staff = StaffMember.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), job_role__in=roles)
    if services is not None:
        staff = staff.filter(team__service__in=services)
    if current is not None:
        staff = staff | StaffMember.objects.filter(pk=current.pk)
    return staff.select_related("team").order_by("last_name", "first_name", "pk")


def linkable_accounts(*, worker: StaffMember | None = None) -> QuerySet[User]:
    """Active children's social care accounts with no staff record (and the worker's own account)."""
    accounts = User.objects.filter(is_active=True, agency=Agency.CHILDRENS_SOCIAL_CARE)
    free = Q(staff__isnull=True)
    if worker is not None and worker.user_id is not None:
        free |= Q(pk=worker.user_id)
    return accounts.filter(free).order_by("last_name", "first_name", "username")
