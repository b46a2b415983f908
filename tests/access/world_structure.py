"""The access world's additions for the team structure: who sees the structure page, and who maintains which
service's teams and staff.

The world's service manager (sm) works in Team A, in the Safeguarding service: they maintain Safeguarding (its
teams and staff) and nothing else. The administrator maintains every service and is the only one who adds a
service. Nobody else maintains any of it; partner agencies, auditors and councillors do not see the structure.
"""

from __future__ import annotations

from typing import Any

from .world import World

# Children's social care staff and managers, its performance analysts and administrators.
SEE_STRUCTURE = {"sw", "tm", "sm", "mash", "mash_manager", "cse", "analyst", "admin"}
MAINTAINERS = {"sm", "admin"}


def allow_for(who: set[str]) -> Any:
    """As test_matrix.allow_for (not imported: test_matrix imports this module while it loads)."""
    return lambda role, _kwargs: "allow" if role in who else "deny"


def build(world: World) -> None:
    teams = world.teams
    world.objects["service_safeguarding"] = teams["team_a"].service
    world.objects["service_disability"] = teams["disability"].service
    world.objects["worker_team_a"] = world.users["sw"].staff  # type: ignore[attr-defined]
    world.objects["worker_disability"] = teams["disability"].staff.order_by("pk").first()


# Which of the world's objects each maintainer may change: the service manager only their own service's.
def _maintains(role: str, kwargs: dict[str, Any]) -> str:
    if role == "admin":
        return "allow"
    if role == "sm" and kwargs["_key"].endswith(("safeguarding", "team_a", "team_b")):
        return "allow"
    return "deny"


def _services(world: World) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"service_id": world.objects["service_safeguarding"].pk}, "service_safeguarding"),
        ({"service_id": world.objects["service_disability"].pk}, "service_disability"),
    ]


def _teams(world: World) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"team_id": world.teams["team_a"].pk}, "team_team_a"),
        ({"team_id": world.teams["team_b"].pk}, "team_team_b"),
        ({"team_id": world.teams["disability"].pk}, "team_disability"),
        ({"team_id": world.teams["mash"].pk}, "team_mash"),
    ]


def _workers(world: World) -> list[tuple[dict[str, Any], str]]:
    return [
        ({"worker_id": world.objects["worker_team_a"].pk}, "worker_team_a"),
        ({"worker_id": world.objects["worker_disability"].pk}, "worker_disability"),
    ]


RULES = {
    "workforce:structure": allow_for(SEE_STRUCTURE),
    "workforce:services": allow_for(MAINTAINERS),
    "workforce:service_add": allow_for({"admin"}),
    "workforce:service_edit": _maintains,
    "workforce:team_add": allow_for(MAINTAINERS),
    "workforce:team": _maintains,
    "workforce:team_edit": _maintains,
    "workforce:worker_add": allow_for(MAINTAINERS),
    "workforce:worker_edit": _maintains,
}

VARIANTS = {
    "workforce:service_edit": _services,
    "workforce:team": _teams,
    "workforce:team_edit": _teams,
    "workforce:worker_edit": _workers,
}
