"""A small front door for the CSE, cumulative-concern and measures tests: a MASH, a CSE team and the people in
them, and children with contacts recorded through the services.

Accounts, services, teams and staff are set up by an administrator (no service functions for them), so the
ORM; everything about children goes through the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import count

from django.test import Client
from django.utils import timezone

from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.front_door.models import Contact
from openmash.front_door.services import DecisionDetails, contact_decide, contact_record
from openmash.people.models import Child
from openmash.workforce.models import Service, StaffMember, Team

from ..accounts.helpers import sign_in_verified

_numbers = count(1)


@dataclass
class Hub:
    mash: User  # a MASH practitioner in children's social care
    mash_manager: User  # a MASH practitioner who manages the MASH team
    police: User  # a police officer working in the MASH
    cse: User  # a social worker in the CSE team
    cse_colleague: StaffMember
    sw: User  # a social worker in a child-in-need team
    health: User  # a health researcher
    mash_team: Team
    cse_team: Team
    cin_team: Team
    users: dict[str, User] = field(default_factory=dict)

    def client_for(self, user: User) -> Client:
        client = Client()
        sign_in_verified(client, user)
        return client


def _account(username: str, agency: str, roles: list[str], team: Team | None = None, job: str = "") -> User:
    user = User.objects.create_user(
        username=username, password="not-used", agency=agency, first_name=username.title(), last_name="Tester"
    )
    UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
    if team is not None:
        StaffMember.objects.create(
            user=user, first_name=username.title(), last_name="Tester", team=team, job_role=job,
            start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    return user


def build_hub() -> Hub:
    front_door = Service.objects.create(name="Front door")
    safeguarding = Service.objects.create(name="Safeguarding")
    mash_team = Team.objects.create(name="MASH", service=front_door, kind=Team.Kind.MASH)
    cse_team = Team.objects.create(name="Complex safeguarding", service=safeguarding, kind=Team.Kind.CSE)
    cin_team = Team.objects.create(name="Child in need", service=safeguarding, kind=Team.Kind.CHILD_IN_NEED)
    Team.objects.create(name="Advice and assessment", service=safeguarding, kind=Team.Kind.ASSESSMENT)
    hub = Hub(
        mash=_account("mash", Agency.CHILDRENS_SOCIAL_CARE, [Role.MASH_PRACTITIONER], mash_team, "mash_practitioner"),
        mash_manager=_account(
            "mash_manager",
            Agency.CHILDRENS_SOCIAL_CARE,
            [Role.MASH_PRACTITIONER, Role.TEAM_MANAGER],
            mash_team,
            "team_manager",
        ),
        police=_account("police", Agency.POLICE, [Role.MASH_PRACTITIONER]),
        cse=_account("cse", Agency.CHILDRENS_SOCIAL_CARE, [Role.SOCIAL_WORKER], cse_team, "social_worker"),
        cse_colleague=StaffMember.objects.create(
            first_name="Colm",
            last_name="Colleague",
            team=cse_team,
            job_role="social_worker",
            start_date=dt.date(2020, 1, 1),
        ),
        sw=_account("sw", Agency.CHILDRENS_SOCIAL_CARE, [Role.SOCIAL_WORKER], cin_team, "social_worker"),
        health=_account("health", Agency.HEALTH, [Role.AGENCY_RESEARCHER]),
        mash_team=mash_team,
        cse_team=cse_team,
        cin_team=cin_team,
    )
    return hub


def years_ago(years: int, days: int = 0) -> dt.date:
    """The date `years` whole years before today, then `days` further back."""
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


def new_child(
    hub: Hub, *, born: dt.date | None = None, expected: dt.date | None = None, disabilities: tuple[str, ...] = ()
) -> Child:
    """A child recorded by the MASH; an unborn one when `expected` (the expected date of birth) is given."""
    n = next(_numbers)
    return child_create(
        la_child_id=f"F{n:05d}",
        first_name=f"Child{n}",
        last_name="Frontdoor",
        date_of_birth=None if expected else born or years_ago(14, 30),
        expected_date_of_birth=expected,
        sex="U" if expected else "F",
        ethnicity="WBRI",
        postcode="ZZ1 1ZZ",
        disabilities=disabilities,
        acting_user=hub.mash,
    )


def contact(
    hub: Hub, child: Child, *, received_at: dt.datetime | None = None, agency: str = "", source: str = "8"
) -> Contact:
    return contact_record(
        child=child,
        received_at=received_at or timezone.now() - dt.timedelta(hours=2),
        source=source,
        referrer_agency=agency,
        acting_user=hub.mash,
    )


def decide(
    hub: Hub,
    item: Contact,
    outcome: str,
    *,
    decided_at: dt.datetime | None = None,
    details: DecisionDetails | None = None,
) -> Contact:
    return contact_decide(
        contact=item,
        outcome=outcome,
        rationale="Reasons recorded for the test",
        details=details,
        decided_at=decided_at or item.received_at + dt.timedelta(hours=1),
        acting_user=hub.mash,
    )
