"""The MASH's pages in the access world: a contact still to match, a rated contact waiting for police and health
checks, a contact whose health check was answered for safeguarding, and an open contact about a restricted
child. Built through the services, as a MASH practitioner and the agencies' researchers would.

Each contact is about a child of its own, so the world's other children keep the visibility
CHILD_VISIBLE_TO declares for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openmash.access.services import child_restrict
from openmash.accounts.models import Agency
from openmash.casework.children import child_create
from openmash.core.codes import ReferralSource
from openmash.front_door.mash.selectors import contact_key
from openmash.front_door.models import ContactChannel, SharingLevel
from openmash.front_door.services import (
    Referrer,
    ReportedChild,
    contact_rate,
    contact_receive,
    contact_record,
    information_request_answer,
    information_requests_send,
)

MASH = {"mash", "mash_manager", "police"}
RESEARCHERS = {"health", "police_researcher", "education"}


def _child(world: Any, first: str, n: int) -> Any:
    return child_create(
        la_child_id=f"M{n:04d}",
        first_name=first,
        last_name="Mashtest",
        date_of_birth=dt.date(2016, 3, n),
        sex="M",
        ethnicity="WBRI",
        postcode="ZZ9 9ZZ",
        address=f"{n} Hub Street",
        acting_user=world.users["mash"],
    )


def build(world: Any) -> None:
    mash = world.users["mash"]
    now = timezone.now()
    # On the register already: the child the unmatched contact is about.
    on_register = _child(world, "Matchable", 1)
    unlinked = contact_receive(
        channel=ContactChannel.PUBLIC,
        child=ReportedChild(
            first_name="Matchable", last_name="Mashtest", date_of_birth=dt.date(2016, 3, 1), postcode="ZZ9 9ZZ",
            address="1 New Road",
        ),
        summary="Neighbour hears shouting and crying late at night",
        referrer=Referrer(name="A Neighbour", phone="01234 567890"),
        source=ReferralSource.ACQUAINTANCE,
    )  # fmt: skip

    rated_child = _child(world, "Rated", 2)
    rated = contact_record(
        child=rated_child,
        received_at=now - dt.timedelta(hours=1),
        source=ReferralSource.SCHOOLS,
        referrer_agency=Agency.EDUCATION,
        summary="Bruising seen by the class teacher",
        acting_user=mash,
    )
    contact_rate(contact=rated, rag="amber", reason="Injury with an explanation to check", acting_user=mash)
    police_request, health_request = information_requests_send(
        contact=rated,
        agencies=[Agency.POLICE, Agency.HEALTH],
        question="Any incidents at the address?",
        acting_user=mash,
    )

    answered_child = _child(world, "Answered", 3)
    answered = contact_record(
        child=answered_child,
        received_at=now - dt.timedelta(hours=2),
        source=ReferralSource.POLICE,
        referrer_agency=Agency.POLICE,
        acting_user=mash,
    )
    contact_rate(contact=answered, rag="red", reason="Domestic abuse incident, children present", acting_user=mash)
    (answered_request,) = information_requests_send(contact=answered, agencies=[Agency.HEALTH], acting_user=mash)
    health_answer = information_request_answer(
        request=answered_request,
        summary="Health visitor worried about weight loss",
        sharing_level=SharingLevel.SAFEGUARDING,
        acting_user=world.users["health"],
    )

    # An open contact about a child whose record a MASH manager restricted (a staff member's child).
    restricted_child = _child(world, "Restricted", 4)
    restricted = contact_record(
        child=restricted_child, received_at=now - dt.timedelta(hours=3), source=ReferralSource.GP, acting_user=mash
    )
    child_restrict(
        child=restricted_child, reason="Child of a MASH colleague", allowed=[], acting_user=world.users["mash_manager"]
    )

    world.objects.update(
        {
            "mash_on_register": on_register,
            "mash_unlinked": unlinked,
            "mash_rated": rated,
            "mash_police_request": police_request,
            "mash_health_request": health_request,
            "mash_answered": answered,
            "mash_answered_request": answered_request,
            "mash_health_answer": health_answer,
            "mash_restricted": restricted,
        }
    )


def _contacts(world: Any) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"key": contact_key(world.objects["mash_unlinked"])}, "unlinked"),
        ({"key": contact_key(world.objects["mash_rated"])}, "rated"),
        ({"key": contact_key(world.objects["mash_restricted"])}, "restricted"),
    ]


def _requests(world: Any) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"request_id": world.objects["mash_police_request"].pk}, "police_open"),
        ({"request_id": world.objects["mash_health_request"].pk}, "health_open"),
        ({"request_id": world.objects["mash_answered_request"].pk}, "health_answered"),
    ]


def _contact_rule(role: str, kwargs: dict[str, Any]) -> str:
    who = {"mash_manager"} if kwargs["_key"] == "restricted" else MASH
    return "allow" if role in who else "deny"


def _new_child_rule(role: str, kwargs: dict[str, Any]) -> str:
    # A contact already linked sends the practitioner back to it; only an unmatched one has the form.
    allowed = _contact_rule(role, kwargs)
    if allowed == "allow" and kwargs["_key"] != "unlinked":
        return "redirect"
    return allowed


_ANSWERER = {"police_open": "police_researcher", "health_open": "health", "health_answered": "health"}


def _request_rule(role: str, kwargs: dict[str, Any]) -> str:
    return "allow" if role == _ANSWERER[kwargs["_key"]] else "deny"


def _method_only(_role: str, _kwargs: dict[str, Any]) -> str:
    return "method"


def _allow(who: set[str]) -> Any:
    return lambda role, _kwargs: "allow" if role in who else "deny"


RULES = {
    "front_door:queue": _allow(MASH),
    "front_door:contact_new": _allow(MASH),
    "front_door:suggest": _allow(MASH),
    "front_door:contact": _contact_rule,
    "front_door:contact_new_child": _new_child_rule,
    # Forms on the contact page post here; a GET is not accepted.
    "front_door:contact_match": _method_only,
    "front_door:contact_rate": _method_only,
    "front_door:contact_requests": _method_only,
    "front_door:contact_decide": _method_only,
    "front_door:inbox": _allow(RESEARCHERS),
    "front_door:request_answer": _request_rule,
}

VARIANTS = {
    "front_door:contact": _contacts,
    "front_door:contact_new_child": _contacts,
    "front_door:contact_match": lambda world: _contacts(world)[:1],
    "front_door:contact_rate": lambda world: _contacts(world)[:1],
    "front_door:contact_requests": lambda world: _contacts(world)[:1],
    "front_door:contact_decide": lambda world: _contacts(world)[:1],
    "front_door:request_answer": _requests,
}
