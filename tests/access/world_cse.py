"""CSE screening, the CSE team's cases and cumulative-concern alerts in the access-test borough.

Built through the services: the MASH records each child and a contact about them, screens them for CSE
(front_door.cse.services.cse_screen), the CSE team opens cases, and three contacts decided no further action
raise a cumulative-concern alert (front_door.services.contact_decide). A MASH manager restricts one child of
each kind, naming only themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from openmash.access.services import child_restrict
from openmash.accounts.models import Agency, User
from openmash.casework.children import child_create
from openmash.front_door.cse.services import cse_case_open, cse_screen
from openmash.front_door.cse.tool import INDICATOR_CODES
from openmash.front_door.models import Contact, CumulativeConcernAlert
from openmash.front_door.services import contact_decide, contact_record
from openmash.people.models import Child

from .world import World

Rule = Callable[[str, dict[str, Any]], str]
# MASH practitioners of any agency, and the social worker in the CSE team.
CSE_WORKERS = {"mash", "mash_manager", "police", "cse"}
MASH = {"mash", "mash_manager", "police"}

HIGH = {code: 3 if code in ("missing", "coercion", "gifts") else 1 for code in INDICATOR_CODES}


def _child(n: int, first_name: str, mash: User) -> Child:
    today = timezone.localdate()
    return child_create(
        la_child_id=f"CSE{n:03d}",
        first_name=first_name,
        last_name="Cseworld",
        date_of_birth=today.replace(year=today.year - 14) - dt.timedelta(days=40),
        sex="F",
        ethnicity="WBRI",
        postcode="ZZ9 9ZZ",
        acting_user=mash,
    )


def _recent_contact(child: Child, mash: User, days_ago: int = 2, agency: str = "") -> Contact:
    return contact_record(
        child=child,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        source="8",
        referrer_agency=agency,
        acting_user=mash,
    )


def _screened_case(child: Child, world: World) -> Any:
    mash, cse = world.users["mash"], world.users["cse"]
    contact = _recent_contact(child, mash)
    screening = cse_screen(
        child=child, contact=contact, ratings=HIGH, vulnerabilities=["prior_abuse"], acting_user=mash
    )
    return cse_case_open(screening=screening, worker=cse.staff, acting_user=cse)  # type: ignore[attr-defined]


def _concern(child: Child, mash: User) -> CumulativeConcernAlert:
    now = timezone.now()
    for days_ago, agency, source in ((100, Agency.POLICE, "6"), (60, Agency.HEALTH, "3A"), (5, Agency.POLICE, "6")):
        contact = contact_record(
            child=child, received_at=now - dt.timedelta(days=days_ago), source=source, referrer_agency=agency,
            acting_user=mash,
        )  # fmt: skip
        contact_decide(
            contact=contact,
            outcome=Contact.Outcome.NO_FURTHER_ACTION,
            rationale="Below the threshold for social care on its own",
            decided_at=now - dt.timedelta(days=days_ago) + dt.timedelta(hours=3),
            acting_user=mash,
        )
    return CumulativeConcernAlert.objects.get(child=child)


def build(world: World) -> None:
    mash, manager = world.users["mash"], world.users["mash_manager"]
    referred = _child(1, "Ruby", mash)
    cse_screen(
        child=referred,
        contact=_recent_contact(referred, mash),
        ratings=HIGH,
        vulnerabilities=[],
        acting_user=mash,
    )
    open_case = _screened_case(_child(2, "Orla", mash), world)
    hidden = _child(3, "Hana", mash)
    hidden_case = _screened_case(hidden, world)
    child_restrict(child=hidden, reason="Child of a staff member", allowed=[], acting_user=manager)

    concern = _concern(_child(4, "Cara", mash), mash)
    hidden_concern_child = _child(5, "Hettie", mash)
    hidden_concern = _concern(hidden_concern_child, mash)
    child_restrict(child=hidden_concern_child, reason="High-profile family", allowed=[], acting_user=manager)
    world.objects.update(
        cse_referred=referred,
        cse_case=open_case,
        cse_case_restricted=hidden_case,
        concern=concern,
        concern_restricted=hidden_concern,
    )


def _keyed(who: dict[str, set[str]]) -> Rule:
    return lambda role, kwargs: "allow" if role in who[kwargs["_key"]] else "deny"


RULES: dict[str, Rule] = {
    "front_door:cse_queue": lambda role, _kwargs: "allow" if role in CSE_WORKERS else "deny",
    "front_door:cse_screen": lambda role, _kwargs: "allow" if role in CSE_WORKERS else "deny",
    # A restricted child's case only for the manager named on the restriction.
    "front_door:cse_case": _keyed({"open": CSE_WORKERS, "restricted": {"mash_manager"}}),
    "front_door:concerns": lambda role, _kwargs: "allow" if role in MASH else "deny",
    "front_door:concern": _keyed({"open": MASH, "restricted": {"mash_manager"}}),
}

VARIANTS: dict[str, Callable[[World], list[tuple[dict[str, Any], str]]]] = {
    "front_door:cse_case": lambda w: [
        ({"case_id": w.objects["cse_case"].pk}, "open"),
        ({"case_id": w.objects["cse_case_restricted"].pk}, "restricted"),
    ],
    "front_door:concern": lambda w: [
        ({"alert_id": w.objects["concern"].pk}, "open"),
        ({"alert_id": w.objects["concern_restricted"].pk}, "restricted"),
    ],
}
