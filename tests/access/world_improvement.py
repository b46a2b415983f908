"""The access world's additions for action plans and inspections.

Team and service managers and performance analysts in children's social care write plans, actions, progress
and inspections; councillors and auditors read them; nobody else is offered them (the pages answer as if
missing). Plans are about the service, never a child, so no child situation changes the answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openmash.improvement import services
from openmash.improvement.services import ActionDetails

from .world import World

EDITORS = {"tm", "sm", "mash_manager", "analyst"}
READERS = EDITORS | {"cllr", "auditor"}


def allow_for(who: set[str], otherwise: str = "deny") -> Any:
    """As test_matrix.allow_for (not imported: test_matrix imports this module while it loads)."""
    return lambda role, _kwargs: "allow" if role in who else otherwise


def readers_of_existing(role: str, kwargs: dict[str, Any]) -> str:
    """A plan that does not exist answers like one the role may not see."""
    return "allow" if role in READERS and kwargs["_key"] != "missing" else "deny"


def build(world: World) -> None:
    sm = world.users["sm"]
    inspection = services.inspection_record(
        authority="Northshire",
        la_code="999",
        framework="ilacs",
        inspection_type="Standard",
        published=dt.date(2024, 5, 1),
        judgements={"overall": "requires_improvement", "leaders": "good"},
        areas_for_improvement=["Management oversight of decisions at the front door"],
        acting_user=sm,
    )
    plan = services.plan_create(title="Safeguarding action plan", kind="safeguarding", owner=sm, acting_user=sm)
    action = services.action_add(
        plan=plan,
        details=ActionDetails(title="Audit threshold decisions", due_date=dt.date(2024, 1, 31), rag="amber"),
        acting_user=sm,
    )
    services.progress_record(
        action=action,
        date=dt.date.today(),
        summary="First audit done",
        status="in_progress",
        rag="amber",
        acting_user=sm,
    )
    world.objects["improvement"] = {"plan": plan, "action": action, "inspection": inspection}


def _objects(world: World) -> dict[str, Any]:
    found: dict[str, Any] = world.objects["improvement"]
    return found


RULES = {
    "improvement:plans": allow_for(READERS),
    "improvement:plan_create": allow_for(EDITORS),
    "improvement:plan_edit": allow_for(EDITORS),
    "improvement:plan": readers_of_existing,
    "improvement:action_add": allow_for(EDITORS),
    "improvement:plan_export": allow_for(READERS),
    "improvement:action": allow_for(READERS),
    "improvement:action_edit": allow_for(EDITORS),
    "improvement:progress": allow_for(EDITORS),
    "improvement:attention": allow_for(READERS),
    "improvement:inspections": allow_for(READERS),
    "improvement:compare": allow_for(READERS),
    "improvement:inspection_create": allow_for(EDITORS),
    "improvement:inspections_load": allow_for(EDITORS),
    "improvement:inspection": allow_for(READERS),
    "improvement:plan_from_inspection": allow_for(EDITORS),
}

VARIANTS = {
    "improvement:plan": lambda w: [({"plan_id": _objects(w)["plan"].pk}, "plan"), ({"plan_id": 999999}, "missing")],
    "improvement:action_add": lambda w: [({"plan_id": _objects(w)["plan"].pk}, "plan")],
    "improvement:plan_edit": lambda w: [({"plan_id": _objects(w)["plan"].pk}, "plan")],
    "improvement:plan_export": lambda w: [({"plan_id": _objects(w)["plan"].pk}, "plan")],
    "improvement:action": lambda w: [({"action_id": _objects(w)["action"].pk}, "action")],
    "improvement:action_edit": lambda w: [({"action_id": _objects(w)["action"].pk}, "action")],
    "improvement:progress": lambda w: [({"action_id": _objects(w)["action"].pk}, "action")],
    "improvement:inspection": lambda w: [({"inspection_id": _objects(w)["inspection"].pk}, "inspection")],
    "improvement:plan_from_inspection": lambda w: [({"inspection_id": _objects(w)["inspection"].pk}, "inspection")],
}
