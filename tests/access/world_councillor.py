"""The access world's additions for the councillors' page (`scrutiny:councillor`): everyone with reviews to read
(the councillor, and the managers and analysts in children's services) reads it; everyone else finds nothing."""

from __future__ import annotations

from typing import Any

from .world import World

READERS = {"tm", "sm", "mash_manager", "analyst", "cllr"}


def build(world: World) -> None:
    """The page reads the reviews, plans and reports the other areas' additions make."""


def _rule(role: str, _kwargs: dict[str, Any]) -> str:
    return "allow" if role in READERS else "deny"


RULES = {"scrutiny:councillor": _rule}
