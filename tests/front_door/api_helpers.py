"""Partner API test helpers: agencies' accounts and tokens, a MASH practitioner, and requests with a key."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.front_door import services as front_door
from openmash.front_door.api.services import api_token_issue
from openmash.front_door.models import Contact, InformationRequest, PartnerApiToken
from openmash.people.models import Child
from openmash.workforce.models import Service, StaffMember, Team

API = "/api/v1"


def account(username: str, agency: str, *roles: str, team: Team | None = None) -> User:
    user = User.objects.create_user(username=username, password="not-used-here", agency=agency)
    UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
    if team is not None:
        StaffMember.objects.create(
            user=user, first_name=username, last_name="Staff", team=team, job_role="mash_practitioner",
            start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    return user


@dataclass
class Partners:
    """Two partner systems (police and health, each through a researcher account), the police account for a
    second system that is not a researcher, and the MASH practitioner who works the contacts."""

    police_key: str
    health_key: str
    police_referrer_key: str
    police_token: PartnerApiToken
    health_token: PartnerApiToken
    mash: User
    police_user: User
    health_user: User


def build_partners() -> Partners:
    service = Service.objects.create(name="Front door")
    mash_team = Team.objects.create(name="MASH", service=service, kind=Team.Kind.MASH)
    Team.objects.create(name="Advice and assessment", service=service, kind=Team.Kind.ASSESSMENT)
    mash = account("mash", Agency.CHILDRENS_SOCIAL_CARE, Role.MASH_PRACTITIONER, team=mash_team)
    police_user = account("police-system", Agency.POLICE, Role.AGENCY_RESEARCHER)
    health_user = account("health-system", Agency.HEALTH, Role.AGENCY_RESEARCHER)
    police_officer = account("police-officer", Agency.POLICE, Role.MASH_PRACTITIONER)
    police = api_token_issue(agency=Agency.POLICE, name="Police case system", user=police_user)
    health = api_token_issue(agency=Agency.HEALTH, name="Health record system", user=health_user)
    referrer = api_token_issue(agency=Agency.POLICE, name="Police custody system", user=police_officer)
    return Partners(
        police_key=police.key,
        health_key=health.key,
        police_referrer_key=referrer.key,
        police_token=police.token,
        health_token=health.token,
        mash=mash,
        police_user=police_user,
        health_user=health_user,
    )


def call(method: str, path: str, key: str | None, body: Any = None, **headers: str) -> Any:
    client = Client()
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    kwargs: dict[str, Any] = {"headers": headers}
    if body is not None:
        kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method.lower())(API + path, **kwargs)


def contact_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "child": {
            "first_name": "Ava",
            "last_name": "Testchild",
            "date_of_birth": "2016-05-04",
            "nhs_number": "943 476 5919",
            "address": "1 Test Street, Testtown",
            "postcode": "zz1 1zz",
        },
        "concern": "Officers attended a domestic abuse call-out; the child was present and frightened.",
        "immediate_risk": False,
        "parents_aware": "yes",
        "referrer": {"name": "PC Lee Harper", "role": "Response officer", "email": "lee.harper@police.example"},
        "adults": [{"first_name": "Mark", "last_name": "Testadult", "role": "alleged_perpetrator"}],
    }
    body.update(changes)
    return body


def registered_child(mash: User, n: int = 1) -> Child:
    return child_create(
        la_child_id=f"API{n:04d}",
        first_name="Ava",
        last_name="Testchild",
        date_of_birth=dt.date(2016, 5, 4),
        sex="F",
        ethnicity="WBRI",
        postcode="ZZ1 1ZZ",
        acting_user=mash,
    )


def enquiry_with_requests(mash: User, contact: Contact, child: Child, agencies: list[str]) -> list[InformationRequest]:
    """The MASH links the contact to the child, rates it and asks the agencies for their checks."""
    front_door.contact_link(contact=contact, child=child, acting_user=mash)
    front_door.contact_rate(contact=contact, rag="amber", reason="Repeat call-outs", acting_user=mash)
    return front_door.information_requests_send(
        contact=contact, agencies=agencies, question="Any incidents at the address?", acting_user=mash
    )


def recorded_contact(mash: User, child: Child, agency: str) -> Contact:
    """A contact a MASH practitioner typed in from a phone call by the agency."""
    return front_door.contact_record(
        child=child,
        received_at=timezone.now() - dt.timedelta(hours=1),
        source="6",
        referrer_agency=agency,
        acting_user=mash,
    )
