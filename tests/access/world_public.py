"""The ways in, for the URL x role matrix and the hostile-input walk.

Adds a referral the police account made and the MASH decided (its survey is answered from "Your
referrals"), and a member of the public's decided report with its one-off survey link. The children they
are about are new ones, outside the world's child situations, so no other page's rule changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openmash.casework.children import child_create
from openmash.front_door import services as fd

from .world import ACCOUNTS, World

# Signed-in professionals whose work involves children: the ones who may refer (policy.can_refer).
REFERRERS = {"sw", "tm", "sm", "mash", "mash_manager", "cse", "police", "police_researcher", "health", "education"}
SIGNED_IN = set(ACCOUNTS)


def _decided(world: World, *, by: str | None, n: int) -> tuple[str, str]:
    mash = world.users["mash"]
    contact = fd.contact_receive(
        channel="professional" if by else "public",
        child=fd.ReportedChild(first_name="Wayin", last_name=f"Child{n}"),
        summary="A concern sent through one of the ways in",
        referrer=fd.Referrer(email="" if by else "reporter@example.com"),
        acting_user=world.users[by] if by else None,
    )
    child = child_create(
        la_child_id=f"W{n:04d}", first_name="Wayin", last_name=f"Child{n}", date_of_birth=dt.date(2016, 1, n),
        sex="F", ethnicity="WBRI", postcode="ZZ1 1ZZ", acting_user=mash,
    )  # fmt: skip
    fd.contact_link(contact=contact, child=child, acting_user=mash)
    result = fd.contact_decide_with_result(
        contact=contact, outcome="advice", rationale="Advice given", acting_user=mash
    )
    assert contact.reference is not None
    assert result.feedback_link_token is not None
    return contact.reference, result.feedback_link_token


def build(world: World) -> None:
    world.objects["police_referral"], _ = _decided(world, by="police", n=1)
    _, world.objects["public_survey_token"] = _decided(world, by=None, n=2)


def _public(role: str, _kwargs: dict[str, Any]) -> str:
    """Anyone may report; a professional signed in is sent to the referral form; other staff are told how."""
    return "redirect" if role in REFERRERS else "allow"


def _referrers(otherwise: str = "deny") -> Any:
    return lambda role, _kwargs: "allow" if role in REFERRERS else otherwise


def _referrers_redirected(role: str, _kwargs: dict[str, Any]) -> str:
    # With nothing in the session the check and confirmation pages send the professional back.
    return "redirect" if role in REFERRERS else "deny"


RULES = {
    "front_door:report": _public,
    "front_door:report_check": _public,
    "front_door:report_done": _public,
    # The one-off link is the key: whoever holds it, signed in or not.
    "front_door:survey": lambda role, kwargs: "allow",
    "front_door:survey_thanks": lambda role, kwargs: "allow",
    "front_door:refer": _referrers(),
    "front_door:refer_check": _referrers_redirected,
    "front_door:refer_done": _referrers_redirected,
    "front_door:refer_draft": lambda role, kwargs: "method",
    "front_door:my_referrals": _referrers(),
    # Only the professional who made the referral.
    "front_door:referral_survey": lambda role, kwargs: "allow" if role == "police" else "deny",
}

VARIANTS = {
    "front_door:survey": lambda world: [({"token": world.objects["public_survey_token"]}, "open")],
    "front_door:referral_survey": lambda world: [({"reference": world.objects["police_referral"]}, "police")],
}
