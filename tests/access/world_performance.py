"""The access world's additions for performance: who sees the scorecard, downloads it, opens the children
behind a figure, writes narratives, sets owners and targets, and freezes a period.

Everyone signed in sees the scorecard (small numbers hidden for councillors and partners). Downloads are for
analysts, managers and councillors. Only managers in children's services see the children behind a figure, and
only for indicators built from records. With no owner set, managers and analysts write narratives; analysts and
service managers set owners and targets and freeze a finished period.
"""

from __future__ import annotations

from typing import Any

from .world import ACCOUNTS, World

ALL_SIGNED_IN = set(ACCOUNTS)
DOWNLOADERS = {"tm", "sm", "mash_manager", "analyst", "cllr"}
DRILLERS = {"tm", "sm", "mash_manager"}
WRITERS = {"tm", "sm", "mash_manager", "analyst"}
MANAGERS = {"sm", "analyst"}
PERIOD = "2025-Q4"  # January to March 2025: finished


def allow_for(who: set[str], otherwise: str = "deny") -> Any:
    """As test_matrix.allow_for (not imported: test_matrix imports this module while it loads)."""
    return lambda role, _kwargs: "allow" if role in who else otherwise


def build(world: World) -> None:
    """Nothing to add: the world's journeys are what the figures count."""


def _drill(role: str, kwargs: dict[str, Any]) -> str:
    return "allow" if role in DRILLERS and kwargs["_key"] == "from_records" else "deny"


RULES = {
    "performance:scorecard": allow_for(ALL_SIGNED_IN),
    "performance:headlines": allow_for(set(), otherwise="redirect"),
    "performance:download": allow_for(DOWNLOADERS),
    "performance:indicator": allow_for(ALL_SIGNED_IN),
    "performance:children": _drill,
    "performance:narrative": allow_for(WRITERS),
    "performance:freeze": allow_for(MANAGERS),
}

VARIANTS = {
    "performance:download": lambda _world: [({"fmt": "csv"}, "csv"), ({"fmt": "xlsx"}, "xlsx")],
    "performance:indicator": lambda _world: [({"indicator_id": "rereferral_rate"}, "rereferral_rate")],
    "performance:children": lambda _world: [
        ({"period_key": PERIOD, "indicator_id": "rereferral_rate"}, "from_records"),
        ({"period_key": PERIOD, "indicator_id": "mash_contacts_nfa"}, "from_front_door_counts"),
    ],
    "performance:narrative": lambda _world: [({"period_key": PERIOD, "indicator_id": "rereferral_rate"}, "narrative")],
    "performance:freeze": lambda _world: [({"period_key": PERIOD}, "freeze")],
}
