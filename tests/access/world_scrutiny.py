"""The access world's additions for scrutiny reviews: who reads a review and who changes it.

Officers who support scrutiny (the analyst and the service manager) open and change reviews. Team and service
managers and analysts read every review. A councillor reads the reviews they sit on and every review whose
report has gone to committee; never one in progress they are not on, and never a form. Everyone else has no
reviews at all.
"""

from __future__ import annotations

from typing import Any

from openmash.scrutiny import services
from openmash.scrutiny.models import Review

from .world import World

MANAGERS = {"sm", "analyst"}
READERS = {"tm", "sm", "mash_manager", "analyst"}
# Which reviews the councillor reads, by the key of the review in the world.
CLLR_READS = {"member", "published"}
REVIEWS = ("member", "published", "private")
ADD_PAGES = [
    "scrutiny:member_add",
    "scrutiny:officer_add",
    "scrutiny:meeting_add",
    "scrutiny:witness_add",
    "scrutiny:evidence_add",
    "scrutiny:finding_add",
    "scrutiny:recommendation_add",
    "scrutiny:update_report_add",
    "scrutiny:review_scope",
]


def allow_for(who: set[str], otherwise: str = "deny") -> Any:
    """As test_matrix.allow_for (not imported: test_matrix imports this module while it loads)."""
    return lambda role, _kwargs: "allow" if role in who else otherwise


def build(world: World) -> None:
    analyst = world.users["analyst"]
    reviews: dict[str, Review] = {}
    for key in REVIEWS:
        status = Review.Status.MONITORING if key == "published" else Review.Status.GATHERING
        reviews[key] = services.review_create(
            values={"topic": f"Review {key}", "status": status, "committee": "Children's scrutiny"},
            acting_user=analyst,
        )
        services.recommendation_add(review=reviews[key], text="Publish the MASH's timeliness", acting_user=analyst)
    services.member_add(review=reviews["member"], user=world.users["cllr"], is_chair=True, acting_user=analyst)
    world.objects["reviews"] = reviews


def _review_rule(role: str, kwargs: dict[str, Any]) -> str:
    if role in READERS or (role == "cllr" and kwargs["_key"] in CLLR_READS):
        return "allow"
    return "deny"


def _manager_rule(role: str, kwargs: dict[str, Any]) -> str:
    return "allow" if role in MANAGERS and kwargs["_key"] != "no_such" else "deny"


def _reviews(world: World) -> list[tuple[dict[str, Any], str]]:
    return [({"review_id": world.objects["reviews"][key].pk}, key) for key in REVIEWS]


def _recommendations(world: World) -> list[tuple[dict[str, Any], str]]:
    member = world.objects["reviews"]["member"].pk
    return [
        ({"review_id": member, "number": 1}, "member"),
        ({"review_id": world.objects["reviews"]["private"].pk, "number": 1}, "private"),
        ({"review_id": member, "number": 99}, "no_such"),
    ]


RULES = {
    "scrutiny:reviews": allow_for(READERS | {"cllr"}),
    "scrutiny:review_new": allow_for(MANAGERS),
    "scrutiny:review": _review_rule,
    "scrutiny:recommendation_respond": _manager_rule,
    **dict.fromkeys(ADD_PAGES, _manager_rule),
}

VARIANTS = {
    "scrutiny:review": _reviews,
    "scrutiny:recommendation_respond": _recommendations,
    **dict.fromkeys(ADD_PAGES, _reviews),
}
