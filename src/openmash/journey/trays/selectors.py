"""Reading the work trays: a social worker's own children and what is due for them, a team's caseloads and
its manager's queues, a service's teams, and the choice of worker when a child is reallocated.

Each tray is read in a fixed number of queries whatever the number of children or workers: the allocations,
the open referrals (with whether each is a re-referral), the episodes' states, the open plans, the due dates
(journey.due.due_items, one call) and the assessments awaiting authorisation, each one query over the whole
set. Every read asks the access policy first and records the view in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils.timezone import localdate

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.casework.episode import episode_states
from openmash.casework.models import Assessment, CINPlan, Referral
from openmash.casework.selectors import (
    Queue,
    WaitingReferral,
    WorkerChoice,
    is_re_referral,
    referrals_waiting,
    service_case_holders,
)
from openmash.core.calendar import working_days_between
from openmash.core.codes import CategoryOfAbuse
from openmash.people.models import Child
from openmash.protection.models import ChildProtectionPlan
from openmash.workforce.models import Allocation, Service, StaffMember, Team

from ..due import DueItem, DueKind, due_items, today

NO_OPEN_CASE = "No open case"
# Stands for an LA child ID in a reversed URL (letters and digits, as the converter accepts).
_SLOT = "LACHILDID0SLOT"
# Timescales counted in working days; reviews are counted in months.
WORKING_DAY_KINDS = frozenset({DueKind.ASSESSMENT, DueKind.ICPC, DueKind.CP_VISIT, DueKind.CIN_VISIT})


@dataclass(frozen=True)
class Due:
    """One item due for a child, seen from today."""

    item: DueItem
    child: Child
    today: dt.date

    @property
    def overdue(self) -> bool:
        return self.item.overdue(self.today)

    @property
    def days(self) -> int:
        """Calendar days overdue (if overdue) or left."""
        return abs(self.item.days_left(self.today))

    @property
    def working_days(self) -> int | None:
        """Working days overdue or left, where the timescale is counted in working days."""
        if self.item.kind not in WORKING_DAY_KINDS:
            return None
        return abs(working_days_between(self.today, self.item.due))


def overdue_first(items: Iterable[Due]) -> list[Due]:
    """The most overdue first, then the soonest due."""
    return sorted(items, key=lambda d: (d.item.due, d.child.full_name, d.item.kind))


@dataclass(frozen=True)
class Case:
    """A child a worker holds, with where the case stands."""

    child: Child
    allocation: Allocation
    referral: Referral | None
    status: str
    plan: str
    category: str
    next_due: Due | None

    @property
    def re_referral(self) -> bool:
        return bool(self.referral is not None and getattr(self.referral, "re_referral", False))


@dataclass(frozen=True)
class MyWork:
    worker: StaffMember
    cases: list[Case]
    due: list[Due]

    @property
    def overdue(self) -> int:
        return sum(1 for d in self.due if d.overdue)


def _cases(allocations: list[Allocation], on: dt.date) -> tuple[list[Case], list[Due]]:
    """Each allocated child's case and everything due for them, in a fixed number of queries."""
    child_ids = [a.child_id for a in allocations]
    referrals = {
        r.child_id: r
        for r in Referral.objects.filter(child_id__in=child_ids, closure_date__isnull=True).annotate(
            re_referral=is_re_referral()
        )
    }
    states = episode_states(r.pk for r in referrals.values())
    cp_plans = {
        p["referral__child_id"]: p
        for p in ChildProtectionPlan.objects.filter(referral__child_id__in=child_ids, end_date__isnull=True).values(
            "referral__child_id", "start_date", "latest_category"
        )
    }
    cin_plans = {
        p["referral__child_id"]: p
        for p in CINPlan.objects.filter(referral__child_id__in=child_ids, end_date__isnull=True).values(
            "referral__child_id", "start_date"
        )
    }
    children = {a.child_id: a.child for a in allocations}
    due = [Due(item, children[item.child_id], on) for item in due_items(child_ids)]
    first_due: dict[int, Due] = {}
    for d in sorted(due, key=lambda d: d.item.due):
        first_due.setdefault(d.item.child_id, d)
    cases = []
    for a in allocations:
        referral = referrals.get(a.child_id)
        plan = category = ""
        if a.child_id in cp_plans:
            cp = cp_plans[a.child_id]
            plan = f"Child protection plan since {cp['start_date']:%-d %B %Y}"
            category = CategoryOfAbuse(cp["latest_category"]).label
        elif a.child_id in cin_plans:
            plan = f"Child in need plan since {cin_plans[a.child_id]['start_date']:%-d %B %Y}"
        cases.append(
            Case(
                child=a.child,
                allocation=a,
                referral=referral,
                status=states[referral.pk].status if referral is not None else NO_OPEN_CASE,
                plan=plan,
                category=category,
                next_due=first_due.get(a.child_id),
            )
        )
    return cases, overdue_first(due)


def _open_allocations(user: User, **where: object) -> list[Allocation]:
    """Current allocations, leaving out the children on a restricted record the user is not named on."""
    return list(
        Allocation.objects.filter(end_date__isnull=True, **where)
        .filter(policy.unrestricted_or_named(user, "child"))
        .select_related("child", "worker")
        .order_by("child__last_name", "child__first_name", "child_id")
    )


@transaction.atomic
def my_work(*, user: User) -> MyWork:
    """The children allocated to this social worker now, each with its status, plan and next item due, and
    everything due for them, overdue first (NotFound for anyone who does not hold cases)."""
    if not policy.holds_cases(user):
        raise NotFound("Not found")
    worker: StaffMember = user.staff
    on = today()
    cases, due = _cases(_open_allocations(user, worker=worker), on)
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed my work ({len(cases)} children)",
        detail={"page": "my work", "children": [c.child.la_child_id for c in cases]},
    )
    return MyWork(worker=worker, cases=cases, due=due)


# Team and service trays --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldChild:
    """A child a worker holds, as a team's tray names them (to open their record or reallocate them)."""

    la_child_id: str
    full_name: str
    record_url: str
    reallocate_url: str


@dataclass(frozen=True)
class Caseload:
    worker: StaffMember
    children: int
    overdue: int
    # The children themselves, on a team's own tray (to open or reallocate); restricted ones only if named.
    held: tuple[HeldChild, ...] = ()

    @property
    def per_fte(self) -> Decimal | None:
        """Cases per full-time equivalent (DfE CSWW): a 0.5 FTE worker with 8 children carries 16."""
        if not self.worker.fte:
            return None
        return (Decimal(self.children) / self.worker.fte).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Awaiting:
    """An assessment submitted to a manager and not yet authorised."""

    assessment: Assessment
    child: Child
    re_referral: bool
    url: str
    waiting_days: int


@dataclass
class TeamWork:
    team: Team
    caseloads: list[Caseload] = field(default_factory=list)
    awaiting: list[Awaiting] = field(default_factory=list)
    waiting: list[WaitingReferral] = field(default_factory=list)

    @property
    def children(self) -> int:
        return sum(c.children for c in self.caseloads)

    @property
    def fte(self) -> Decimal:
        return sum((c.worker.fte for c in self.caseloads), Decimal(0))

    @property
    def per_fte(self) -> Decimal | None:
        return (Decimal(self.children) / self.fte).quantize(Decimal("0.1")) if self.fte else None

    @property
    def overdue(self) -> int:
        return sum(c.overdue for c in self.caseloads)


def assessment_url(assessment: Assessment, child: Child) -> str:
    """The assessment's own page where there is one, else the child's record."""
    try:
        return reverse("casework:assessment", kwargs={"assessment_id": assessment.pk})
    except NoReverseMatch:
        return reverse("journey:child_detail", kwargs={"la_child_id": child.la_child_id})


def caseloads(teams: Collection[Team], on: dt.date, *, listed_for: User | None = None) -> dict[int, list[Caseload]]:
    """Each team's case holders with the children they hold now (agency workers included) and how many items
    are overdue for those children; a worker who has left or stopped holding cases is listed while they still
    hold a child. With `listed_for`, the children that user may see are listed under each worker. A fixed
    number of queries for any number of teams or children."""
    team_ids = [t.pk for t in teams]
    workers = (
        StaffMember.objects.filter(team_id__in=team_ids)
        .annotate(children=Count("allocations", filter=Q(allocations__end_date__isnull=True)))
        .filter(Q(children__gt=0) | (Q(is_case_holder=True) & (Q(end_date__isnull=True) | Q(end_date__gte=on))))
        .order_by("last_name", "first_name", "pk")
    )
    held_now = Allocation.objects.filter(end_date__isnull=True, worker__team_id__in=team_ids)
    worker_of = dict(held_now.values_list("child_id", "worker_id"))
    overdue = Counter(
        worker_of[i.child_id]
        for i in due_items(held_now.values("child_id"))
        if i.overdue(on) and i.child_id in worker_of
    )
    held: dict[int, list[HeldChild]] = defaultdict(list)
    if listed_for is not None:
        # Plain values, not model instances: a busy team holds several hundred children.
        rows = (
            Allocation.objects.filter(end_date__isnull=True, worker__team_id__in=team_ids)
            .filter(policy.unrestricted_or_named(listed_for, "child"))
            .order_by("child__last_name", "child__first_name", "child_id")
            .values_list("worker_id", "child__la_child_id", "child__first_name", "child__last_name")
        )
        # Each link from one reversed pattern: reversing twice for each of hundreds of children is most of
        # the page's time.
        record, move = (
            reverse(name, kwargs={"la_child_id": _SLOT}) for name in ("journey:child_detail", "trays:reallocate")
        )
        for worker_id, la_child_id, first, last in rows:
            held[worker_id].append(
                HeldChild(
                    la_child_id, f"{first} {last}", record.replace(_SLOT, la_child_id), move.replace(_SLOT, la_child_id)
                )
            )
    found: dict[int, list[Caseload]] = defaultdict(list)
    for w in workers:
        found[w.team_id].append(Caseload(w, w.children, overdue[w.pk], tuple(held.get(w.pk, ()))))
    return found


def awaiting_authorisation(user: User, teams: Collection[Team], on: dt.date) -> dict[int, list[Awaiting]]:
    """Assessments submitted and not yet authorised, by team (the team of the child's worker, or the team the
    referral waits in if nobody holds the child), the longest waiting first. Two queries."""
    team_ids = [t.pk for t in teams]
    held = Allocation.objects.filter(end_date__isnull=True)
    held_in_team = held.filter(worker__team_id__in=team_ids)
    assessments = (
        Assessment.objects.filter(submitted_at__isnull=False, authorised_date__isnull=True)
        .filter(
            Q(referral__child_id__in=held_in_team.values("child_id"))
            | (Q(referral__team_id__in=team_ids) & ~Exists(held.filter(child_id=OuterRef("referral__child_id"))))
        )
        .filter(policy.unrestricted_or_named(user, "referral__child"))
        .select_related("referral__child", "referral__team", "worker")
        .annotate(re_referral=is_re_referral("referral"))
        .order_by("submitted_at", "pk")
    )
    rows = list(assessments)
    team_of = dict(held_in_team.filter(child_id__in=[a.referral.child_id for a in rows]).values_list(
        "child_id", "worker__team_id"
    ))  # fmt: skip
    found: dict[int, list[Awaiting]] = defaultdict(list)
    for a in rows:
        child = a.referral.child
        team_id = team_of.get(child.pk, a.referral.team_id)
        assert a.submitted_at is not None
        found[team_id or 0].append(
            Awaiting(a, child, a.re_referral, assessment_url(a, child), (on - localdate(a.submitted_at)).days)
        )
    return found


# A tray lists every referral waiting in its teams on one page (a busy service has tens).
WAITING_PER_PAGE = 1000


def _teams_work(user: User, teams: list[Team], what: str, *, list_children: bool) -> tuple[list[TeamWork], Queue]:
    on = today()
    loads = caseloads(teams, on, listed_for=user if list_children else None)
    awaiting = awaiting_authorisation(user, teams, on)
    queue = referrals_waiting(user=user, per_page=WAITING_PER_PAGE, team_ids=[t.pk for t in teams])
    waiting: dict[int, list[WaitingReferral]] = defaultdict(list)
    for row in queue.rows:
        waiting[row.referral.team_id or 0].append(row)
    works = [
        TeamWork(
            team=team,
            caseloads=loads.get(team.pk, []),
            awaiting=awaiting.get(team.pk, []),
            waiting=waiting.get(team.pk, []),
        )
        for team in teams
    ]
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed the work of {what}",
        detail={
            "page": "work tray",
            "teams": [t.pk for t in teams],
            "children": sorted(
                {a.child.la_child_id for w in works for a in w.awaiting}
                | {c.la_child_id for w in works for load in w.caseloads for c in load.held}
            ),
        },
    )
    return works, queue


@transaction.atomic
def team_work(*, user: User, team_id: int) -> TeamWork:
    """A team's tray for its managers (NotFound for anyone else)."""
    team = Team.objects.select_related("service").filter(pk=team_id).first() if 0 < team_id < 2**63 else None
    if team is None or not policy.can_see_team_work(user, team):
        raise NotFound("Not found")
    return _teams_work(user, [team], team.name, list_children=True)[0][0]


def _oldest_first(row: Awaiting) -> tuple[dt.datetime, int]:
    submitted = row.assessment.submitted_at
    assert submitted is not None  # only submitted assessments await authorisation
    return submitted, row.assessment.pk


@dataclass(frozen=True)
class ServiceWork:
    service: Service
    teams: list[TeamWork]
    waiting: Queue

    @property
    def children(self) -> int:
        return sum(t.children for t in self.teams)

    @property
    def overdue(self) -> int:
        return sum(t.overdue for t in self.teams)

    @property
    def awaiting(self) -> list[Awaiting]:
        return sorted((a for t in self.teams for a in t.awaiting), key=_oldest_first)


@transaction.atomic
def service_work(*, user: User, service_id: int) -> ServiceWork:
    """A service's tray, team by team, for its managers (NotFound for anyone else)."""
    service = Service.objects.filter(pk=service_id).first() if 0 < service_id < 2**63 else None
    if service is None or not policy.can_see_service_work(user, service):
        raise NotFound("Not found")
    teams = list(Team.objects.filter(service=service).select_related("service").order_by("name"))
    works, queue = _teams_work(user, teams, service.name, list_children=False)
    return ServiceWork(service=service, teams=works, waiting=queue)


# Reallocation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reallocating:
    child: Child
    current: Allocation
    history: list[Allocation]
    workers: list[WorkerChoice]


@transaction.atomic
def child_for_reallocation(*, user: User, la_child_id: str) -> Reallocating:
    """An allocated child this manager may move to another worker in their service, with the service's case
    holders and their caseloads now, and the child's allocations so far (NotFound otherwise)."""
    service_id = policy.manager_service_id(user)
    child = Child.objects.filter(la_child_id=la_child_id).first() if service_id is not None else None
    if child is None or service_id is None:
        raise NotFound("Not found")
    history = list(child.allocations.select_related("worker", "team").order_by("-start_date", "-pk"))
    current = next((a for a in history if a.end_date is None), None)
    if current is None or not policy.can_allocate_child(user, child, to_service_id=service_id):
        raise NotFound("Not found")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=child,
        child_id=child.pk,
        summary=f"Viewed reallocating {child.la_child_id}",
        detail={"page": "reallocate"},
    )
    return Reallocating(child=child, current=current, history=history, workers=service_case_holders(service_id))
