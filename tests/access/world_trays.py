"""The access world's additions for the work trays: who opens My work, each team's and service's tray, and
who may reallocate each of the world's children. Nothing is added to the world: its teams and children are
enough (tests/access/world.py)."""

from __future__ import annotations

from typing import Any

from .world import World

# Social workers holding cases: the one in team A and the one in the CSE team.
CASE_HOLDERS = {"sw", "cse"}

# Each team's tray: its team manager and the managers of its service (sm manages Safeguarding).
TEAM_TRAY: dict[str, set[str]] = {
    "team_a": {"tm", "sm"},
    "team_b": {"sm"},
    "cse": {"sm"},
    "assessment": {"sm"},
    "mash": {"mash_manager"},  # the MASH's team manager (the front door service has no service manager here)
    "disability": set(),
}
SERVICE_TRAY: dict[str, set[str]] = {"Safeguarding": {"sm"}, "Front door": set(), "Children with disabilities": set()}

# Reallocating moves an allocated child within the manager's service; a restricted record needs the manager
# named on it. Children with no allocation are not reallocated (they wait in a queue to be allocated).
REALLOCATORS: dict[str, set[str]] = {
    "allocated": {"tm", "sm"},
    "team": {"tm", "sm"},
    "same_service": {"tm", "sm"},
    "other_service": set(),
    "mash_recent": set(),
    "mash_old": set(),
    "health_referred": set(),
    "restricted": {"tm"},
}


def build(world: World) -> None:
    """Nothing to add."""


def _by_key(who: dict[str, set[str]]) -> Any:
    return lambda role, kwargs: "allow" if role in who[kwargs["_key"]] else "deny"


def _teams(world: World) -> list[tuple[dict[str, Any], str]]:
    return [({"team_id": team.pk}, key) for key, team in world.teams.items()]


def _services(world: World) -> list[tuple[dict[str, Any], str]]:
    services = {team.service for team in world.teams.values()}
    return [({"service_id": s.pk}, s.name) for s in sorted(services, key=lambda s: s.name)]


RULES = {
    "trays:my_work": lambda role, _kwargs: "allow" if role in CASE_HOLDERS else "deny",
    "trays:team": _by_key(TEAM_TRAY),
    "trays:service": _by_key(SERVICE_TRAY),
    "trays:reallocate": lambda role, kwargs: "allow" if role in REALLOCATORS[kwargs["_child_key"]] else "deny",
}

VARIANTS = {"trays:team": _teams, "trays:service": _services}
