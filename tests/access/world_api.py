"""The partner API in the access world: a police system's token and a contact it sent.

The API takes a token in the Authorization header, never a browser session: every role, signed in or not,
gets 401 (a JSON problem) from its endpoints, 405 from the answer endpoint on GET (it takes only POST), and
404 at any address it does not have. Only the OpenAPI schema is open to all. tests/front_door/test_api.py
covers what each agency's token reaches.
"""

from __future__ import annotations

from typing import Any

from openmash.accounts.models import Agency
from openmash.front_door.api.services import api_token_issue, contact_send
from openmash.front_door.services import Referrer, ReportedChild

from .world import World


def build(world: World) -> None:
    issued = api_token_issue(agency=Agency.POLICE, name="Police case system", user=world.users["police"])
    sent = contact_send(
        token=issued.token,
        child=ReportedChild(first_name="Apichild", last_name="Testchild"),
        summary="Sent by the police system: the child was present at a domestic abuse call-out.",
        referrer=Referrer(name="PC Test"),
    )
    world.objects["api_contact"] = sent.contact


def _token(role: str, _kwargs: dict[str, Any]) -> str:
    return "token"


RULES = {
    "api:openapi-json": lambda role, _kwargs: "allow",
    "api:api-root": lambda role, _kwargs: "missing",
    "api:not_found": lambda role, _kwargs: "missing",
    "api:contacts_list": _token,
    # The same address as the list, which is what a GET reaches.
    "api:contacts_send": _token,
    "api:contacts_detail": _token,
    "api:information_requests_list": _token,
    "api:information_requests_answer": lambda role, _kwargs: "method",
}

VARIANTS = {
    "api:contacts_detail": lambda world: [({"reference": world.objects["api_contact"].reference}, "police")],
    "api:information_requests_answer": lambda world: [({"request_id": "1"}, "none")],
    "api:not_found": lambda world: [({"rest": "nothing-here"}, "none")],
}
