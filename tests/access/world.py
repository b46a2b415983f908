"""A small borough with one user per role and children in every access situation.

Built the way the records come about in real use, through the services, so the rules under test are the
real ones: the MASH records each child (casework.children.child_create) and, for the children who are held,
opens their referral to a team (casework.services.referral_create); a manager of that team's service
allocates them (workforce.services.child_allocate), and a manager restricts a record
(access.services.child_restrict). Where no service exists yet it writes with the ORM and says so:
accounts, services, teams and staff (set up by an administrator), and contacts and agency contributions
(the front door is not built yet).
"""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from django.test import Client
from django.utils import timezone

from openmash.access.services import child_restrict
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.core.codes import PrimaryNeed, ReferralSource
from openmash.front_door.models import AgencyContribution, Contact, ContributionShare, SharingLevel
from openmash.front_door.services import DecisionDetails, contact_decide, contact_record
from openmash.people.models import Child
from openmash.workforce.models import Service, StaffMember, Team
from openmash.workforce.services import child_allocate

from ..accounts.helpers import sign_in_verified

# username: (agency, roles, team key or None, job role)
ACCOUNTS: dict[str, tuple[str, list[str], str | None, str]] = {
    "sw": (Agency.CHILDRENS_SOCIAL_CARE, [Role.SOCIAL_WORKER], "team_a", "social_worker"),
    "tm": (Agency.CHILDRENS_SOCIAL_CARE, [Role.TEAM_MANAGER], "team_a", "team_manager"),
    "sm": (Agency.CHILDRENS_SOCIAL_CARE, [Role.SERVICE_MANAGER], "team_a", "service_manager"),
    "mash": (Agency.CHILDRENS_SOCIAL_CARE, [Role.MASH_PRACTITIONER], "mash", "mash_practitioner"),
    "mash_manager": (
        Agency.CHILDRENS_SOCIAL_CARE,
        [Role.MASH_PRACTITIONER, Role.TEAM_MANAGER],
        "mash",
        "team_manager",
    ),
    "cse": (Agency.CHILDRENS_SOCIAL_CARE, [Role.SOCIAL_WORKER], "cse", "social_worker"),
    "police": (Agency.POLICE, [Role.MASH_PRACTITIONER], None, ""),
    "health": (Agency.HEALTH, [Role.AGENCY_RESEARCHER], None, ""),
    "police_researcher": (Agency.POLICE, [Role.AGENCY_RESEARCHER], None, ""),
    "education": (Agency.EDUCATION, [Role.AGENCY_RESEARCHER], None, ""),
    "analyst": (Agency.CHILDRENS_SOCIAL_CARE, [Role.PERFORMANCE_ANALYST], None, ""),
    "cllr": (Agency.DEMOCRATIC_SERVICES, [Role.SCRUTINY_MEMBER], None, ""),
    "auditor": (Agency.CHILDRENS_SOCIAL_CARE, [Role.AUDITOR], None, ""),
    "admin": (Agency.CHILDRENS_SOCIAL_CARE, [Role.SYSTEM_ADMINISTRATOR], None, ""),
}
ROLES = ["anonymous", *ACCOUNTS]

# Child key: who should see that child's record (the declared policy, in data).
CHILD_VISIBLE_TO: dict[str, set[str]] = {
    "allocated": {"sw", "tm", "sm"},  # allocated to sw in team A
    "team": {"sw", "tm", "sm"},  # allocated to another worker in team A
    "same_service": {"tm", "sm"},  # team B, same service
    "other_service": set(),  # another service altogether
    "mash_recent": {"mash", "mash_manager", "police", "police_researcher"},  # police contact last week
    "mash_old": set(),  # contact two years ago, nothing open
    "health_referred": {"health", "mash", "mash_manager", "police", "police_researcher"},  # police contributed too
    "restricted": {"tm"},  # allocated to sw, restricted to tm by name
}


@dataclass
class World:
    users: dict[str, User]
    children: dict[str, Child]
    teams: dict[str, Team]
    contributions: dict[str, AgencyContribution] = field(default_factory=dict)
    # Whatever the world_<area>.py modules add (see extra_builders).
    objects: dict[str, Any] = field(default_factory=dict)

    def client_for(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            sign_in_verified(client, self.users[role])
        return client


def _child(key: str, n: int, *, recorded_by: User) -> Child:
    return child_create(
        la_child_id=f"T{n:04d}",
        first_name=key.replace("_", " ").title().replace(" ", ""),
        last_name="Testchild",
        date_of_birth=dt.date(2015, 1, 1) + dt.timedelta(days=n),
        sex="F",
        ethnicity="WBRI",
        postcode="ZZ1 1ZZ",
        acting_user=recorded_by,
    )


def _user(username: str, agency: str, roles: list[str], *, team: Team | None = None, job_role: str = "") -> User:
    """An account, and a staff record in a team for those who have one (no service for either yet)."""
    user = User.objects.create_user(
        username=username,
        password="not-used-in-these-tests",
        agency=agency,
        first_name=username.title(),
        last_name="User",
    )
    UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
    if team is not None:
        StaffMember.objects.create(
            user=user, first_name=username, last_name="Staff", team=team, job_role=job_role,
            start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    return user


def _colleague(name: str, team: Team) -> StaffMember:
    return StaffMember.objects.create(
        first_name="Colleague", last_name=name, team=team, job_role="social_worker", start_date=dt.date(2020, 1, 1)
    )


def build_world() -> World:
    # Services, teams, accounts and staff: set up by an administrator, with no service functions yet.
    safeguarding = Service.objects.create(name="Safeguarding")
    front_door = Service.objects.create(name="Front door")
    disability = Service.objects.create(name="Children with disabilities")
    teams = {
        "team_a": Team.objects.create(name="Team A", service=safeguarding, kind=Team.Kind.CHILD_IN_NEED),
        "team_b": Team.objects.create(name="Team B", service=safeguarding, kind=Team.Kind.CHILD_PROTECTION),
        "mash": Team.objects.create(name="MASH", service=front_door, kind=Team.Kind.MASH),
        "cse": Team.objects.create(name="Complex safeguarding", service=safeguarding, kind=Team.Kind.CSE),
        "assessment": Team.objects.create(
            name="Advice and assessment", service=safeguarding, kind=Team.Kind.ASSESSMENT
        ),
        "disability": Team.objects.create(name="Disability", service=disability, kind=Team.Kind.DISABILITY),
    }
    users: dict[str, User] = {}
    for username, (agency, roles, team_key, job_role) in ACCOUNTS.items():
        team = teams[team_key] if team_key else None
        users[username] = _user(username, agency, roles, team=team, job_role=job_role)
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save()
    # A manager allocates only within their own service, so the disability service's child needs its own
    # manager. Not one of ACCOUNTS: the URL x role matrix is about those.
    disability_manager = _user(
        "disability_tm", Agency.CHILDRENS_SOCIAL_CARE, [Role.TEAM_MANAGER], team=teams["disability"],
        job_role="team_manager",
    )  # fmt: skip
    manager_of_service = {safeguarding.pk: users["tm"], disability.pk: disability_manager}

    mash = users["mash"]
    children = {key: _child(key, n, recorded_by=mash) for n, key in enumerate(CHILD_VISIBLE_TO, start=1)}
    sw_staff = users["sw"].staff  # type: ignore[attr-defined]
    held = [
        ("allocated", sw_staff),
        ("team", _colleague("A", teams["team_a"])),
        ("same_service", _colleague("B", teams["team_b"])),
        ("other_service", _colleague("D", teams["disability"])),
        ("restricted", sw_staff),
    ]
    referred = dt.date(2025, 1, 1)
    received = timezone.make_aware(dt.datetime(2025, 1, 1, 9, 0))
    for key, worker in held:
        child = children[key]
        # The contact that brought the child to the front door. While it is open the MASH may record the
        # referral; once decided, long ago, the MASH no longer sees the child.
        contact = contact_record(
            child=child, received_at=received, source=ReferralSource.SCHOOLS, team=worker.team, acting_user=mash
        )
        # Deciding "referral to social care" opens the referral in the team's queue.
        contact_decide(
            contact=contact,
            outcome=Contact.Outcome.REFERRAL,
            rationale="School reports injuries consistent with abuse",
            details=DecisionDetails(primary_need=PrimaryNeed.ABUSE_NEGLECT, referral_team=worker.team),
            decided_at=received + dt.timedelta(hours=2),
            acting_user=mash,
        )
        child_allocate(
            child=child, worker=worker, start_date=referred, acting_user=manager_of_service[worker.team.service_id]
        )
    child_restrict(
        child=children["restricted"], reason="Child of a staff member", allowed=[], acting_user=users["tm"]
    )  # tm, who restricts it, is always named on it

    # Agency contributions: no service yet (the front door is not built), so the ORM.
    now = timezone.now()
    contact_record(
        child=children["mash_recent"],
        received_at=now - dt.timedelta(days=7),
        source="6",
        referrer_agency=Agency.POLICE,
        acting_user=mash,
    )
    old = contact_record(
        child=children["mash_old"], received_at=now - dt.timedelta(days=730), source="2A", acting_user=mash
    )
    contact_decide(
        contact=old,
        outcome="nfa",
        rationale="Parent already working with the school",
        decided_at=now - dt.timedelta(days=729),
        acting_user=mash,
    )
    contact_record(
        child=children["health_referred"],
        received_at=now - dt.timedelta(days=3),
        source="3A",
        referrer_agency=Agency.HEALTH,
        acting_user=mash,
    )
    contributions = {
        "police_intel": AgencyContribution.objects.create(
            child=children["mash_recent"],
            agency=Agency.POLICE,
            summary="Police intelligence: associate of concern",
            sharing_level=SharingLevel.MASH_ONLY,
        ),
        "health_record": AgencyContribution.objects.create(
            child=children["health_referred"],
            agency=Agency.HEALTH,
            summary="Missed health appointments",
            sharing_level=SharingLevel.SAFEGUARDING,
        ),
        "police_shared": AgencyContribution.objects.create(
            child=children["health_referred"],
            agency=Agency.POLICE,
            summary="Domestic abuse call-out at the address",
            sharing_level=SharingLevel.PARTNERS,
        ),
        "police_private": AgencyContribution.objects.create(
            child=children["health_referred"],
            agency=Agency.POLICE,
            summary="Intelligence not for partners",
            sharing_level=SharingLevel.MASH_ONLY,
        ),
    }
    ContributionShare.objects.create(contribution=contributions["police_shared"], agency=Agency.HEALTH)
    world = World(users=users, children=children, teams=teams, contributions=contributions)
    for module in extra_modules():
        module.build(world)
    return world


def extra_modules() -> list[ModuleType]:
    """Each area's additions to the world: tests/access/world_<area>.py with `build(world)`, and optionally
    `RULES` (URL name to rule) and `VARIANTS` (URL name to a function giving (kwargs, key) pairs from the world)
    for the URL x role matrix."""
    here = Path(__file__).parent
    return [importlib.import_module(f"{__package__}.{p.stem}") for p in sorted(here.glob("world_*.py"))]
