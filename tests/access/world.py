"""A small borough with one user per role and children in every access situation.

Built with the services where an action exists, so the rules under test are the real ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.test import Client
from django.utils import timezone

from openmash.access.models import ChildRestriction
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.front_door.models import AgencyContribution, ContributionShare, SharingLevel
from openmash.front_door.services import contact_decide, contact_record
from openmash.people.models import Child
from openmash.workforce.models import Allocation, Service, StaffMember, Team

from ..accounts.helpers import sign_in_verified

# username: (agency, roles, team key or None, job role)
ACCOUNTS: dict[str, tuple[str, list[str], str | None, str]] = {
    "sw": (Agency.CHILDRENS_SOCIAL_CARE, [Role.SOCIAL_WORKER], "team_a", "social_worker"),
    "tm": (Agency.CHILDRENS_SOCIAL_CARE, [Role.TEAM_MANAGER], "team_a", "team_manager"),
    "sm": (Agency.CHILDRENS_SOCIAL_CARE, [Role.SERVICE_MANAGER], "team_a", "service_manager"),
    "mash": (Agency.CHILDRENS_SOCIAL_CARE, [Role.MASH_PRACTITIONER], "mash", "mash_practitioner"),
    "police": (Agency.POLICE, [Role.MASH_PRACTITIONER], None, ""),
    "health": (Agency.HEALTH, [Role.AGENCY_RESEARCHER], None, ""),
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
    "mash_recent": {"mash", "police"},  # contact last week, not allocated
    "mash_old": set(),  # contact two years ago, nothing open
    "health_referred": {"health", "mash", "police"},  # contact made by health, recent
    "restricted": {"tm"},  # allocated to sw, restricted to tm by name
}


@dataclass
class World:
    users: dict[str, User]
    children: dict[str, Child]
    teams: dict[str, Team]
    contributions: dict[str, AgencyContribution] = field(default_factory=dict)

    def client_for(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            sign_in_verified(client, self.users[role])
        return client


def _child(key: str, n: int) -> Child:
    return Child.objects.create(
        la_child_id=f"T{n:04d}",
        first_name=key.replace("_", " ").title().replace(" ", ""),
        last_name="Testchild",
        date_of_birth=dt.date(2015, 1, 1) + dt.timedelta(days=n),
        sex="F",
        ethnicity="WBRI",
        postcode="ZZ1 1ZZ",
    )


def build_world() -> World:
    safeguarding = Service.objects.create(name="Safeguarding")
    front_door = Service.objects.create(name="Front door")
    disability = Service.objects.create(name="Children with disabilities")
    teams = {
        "team_a": Team.objects.create(name="Team A", service=safeguarding, kind=Team.Kind.CHILD_IN_NEED),
        "team_b": Team.objects.create(name="Team B", service=safeguarding, kind=Team.Kind.CHILD_PROTECTION),
        "mash": Team.objects.create(name="MASH", service=front_door, kind=Team.Kind.MASH),
        "disability": Team.objects.create(name="Disability", service=disability, kind=Team.Kind.DISABILITY),
    }
    users: dict[str, User] = {}
    for username, (agency, roles, team_key, job_role) in ACCOUNTS.items():
        user = User.objects.create_user(
            username=username,
            password="not-used-in-these-tests",
            agency=agency,
            first_name=username.title(),
            last_name="User",
        )
        if username == "admin":
            user.is_staff = user.is_superuser = True
            user.save()
        UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
        if team_key:
            StaffMember.objects.create(
                user=user,
                first_name=username,
                last_name="Staff",
                team=teams[team_key],
                job_role=job_role,
                start_date=dt.date(2020, 1, 1),
            )
        users[username] = user
    colleague_a = StaffMember.objects.create(
        first_name="Colleague",
        last_name="A",
        team=teams["team_a"],
        job_role="social_worker",
        start_date=dt.date(2020, 1, 1),
    )
    colleague_b = StaffMember.objects.create(
        first_name="Colleague",
        last_name="B",
        team=teams["team_b"],
        job_role="social_worker",
        start_date=dt.date(2020, 1, 1),
    )
    colleague_d = StaffMember.objects.create(
        first_name="Colleague",
        last_name="D",
        team=teams["disability"],
        job_role="social_worker",
        start_date=dt.date(2020, 1, 1),
    )
    children = {key: _child(key, n) for n, key in enumerate(CHILD_VISIBLE_TO, start=1)}
    sw_staff = users["sw"].staff  # type: ignore[attr-defined]
    start = dt.date(2025, 1, 1)
    for key, worker in [
        ("allocated", sw_staff),
        ("team", colleague_a),
        ("same_service", colleague_b),
        ("other_service", colleague_d),
        ("restricted", sw_staff),
    ]:
        Allocation.objects.create(child=children[key], worker=worker, team=worker.team, start_date=start)
    now = timezone.now()
    mash = users["mash"]
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
    contact_decide(contact=old, outcome="nfa", decided_at=now - dt.timedelta(days=729), acting_user=mash)
    contact_record(
        child=children["health_referred"],
        received_at=now - dt.timedelta(days=3),
        source="3A",
        referrer_agency=Agency.HEALTH,
        acting_user=mash,
    )
    restriction = ChildRestriction.objects.create(child=children["restricted"], reason="Child of a staff member")
    restriction.allowed_users.set([users["tm"]])
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
    return World(users=users, children=children, teams=teams, contributions=contributions)
