"""How an accepted recommendation joins the review's action plan (openmash.improvement), and how far each
has got. The future committee report reads `recommendation_progress` too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openmash.accounts.models import User

if TYPE_CHECKING:
    from .models import Recommendation, Review

# The recommendation's fields ensure_action may set.
ACTION_FIELDS: list[str] = []


def ensure_action(recommendation: Recommendation, *, acting_user: User) -> None:
    """Give an accepted recommendation its action in the review's action plan (made on first need)."""
    del recommendation, acting_user


@dataclass(frozen=True)
class Progress:
    """One recommendation and how far its action has got: the latest progress update, if any."""

    recommendation: Recommendation
    action_status: str
    latest_update: str
    latest_update_date: dt.date | None


def recommendation_progress(review: Review) -> list[Progress]:
    """Each accepted or partly accepted recommendation, in number order, with its action's latest progress."""
    return [
        Progress(recommendation=r, action_status=r.get_status_display(), latest_update="", latest_update_date=None)
        for r in review.recommendations.filter(response__in=r_accepting())
    ]


def r_accepting() -> list[str]:
    from .models import Recommendation

    return list(Recommendation.ACCEPTING)
