"""How an accepted recommendation joins the review's action plan (openmash.improvement), and how far each
has got. The committee report reads `recommendation_progress` too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from openmash.accounts.models import User
from openmash.improvement import services as improvement
from openmash.improvement.models import Action, ActionPlan, PlanKind, ProgressUpdate

from .models import Recommendation, Review

ACTION_TITLE_MAX = 300


def _plan_for(review: Review, *, acting_user: User) -> ActionPlan:
    """The review's action plan, made the first time a recommendation is accepted. The review's row is locked
    so two acceptances at once make one plan."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.action_plan_id is not None:
        return ActionPlan.objects.get(pk=review.action_plan_id)
    plan = improvement.plan_create(
        title=f"Scrutiny review: {review.topic}"[:200],
        kind=PlanKind.SCRUTINY,
        description=f"The accepted recommendations of the scrutiny review “{review.topic}”.",
        acting_user=acting_user,
    )
    review.action_plan = plan
    review.save(update_fields=["action_plan", "updated_at"])
    return plan


def ensure_action(recommendation: Recommendation, *, acting_user: User) -> Action:
    """Give an accepted recommendation its action in the review's action plan (kept if it already has one).
    Sets `recommendation.action`; the caller saves the recommendation. The improvement services check that the
    user may write action plans."""
    if recommendation.action_id is not None:
        return Action.objects.get(pk=recommendation.action_id)
    plan = _plan_for(recommendation.review, acting_user=acting_user)
    title = f"Recommendation {recommendation.number}: {recommendation.text}"
    if len(title) > ACTION_TITLE_MAX:
        title = title[: ACTION_TITLE_MAX - 1] + "…"
    action = improvement.action_add(
        plan=plan,
        details=improvement.ActionDetails(
            title=title,
            description=f"{recommendation.text}\n\nThe executive's response: {recommendation.response_text}",
        ),
        acting_user=acting_user,
    )
    recommendation.action = action
    return action


@dataclass(frozen=True)
class Progress:
    """An accepted recommendation and how far its action has got."""

    recommendation: Recommendation
    action: Action | None
    latest: ProgressUpdate | None

    @property
    def status_label(self) -> str:
        if self.action is None:
            return "No action yet"
        return self.action.get_status_display()

    @property
    def line(self) -> str:
        """One line for an update report: the recommendation, where its action stands, and the latest news."""
        text = f"Recommendation {self.recommendation.number}: {self.status_label.lower()}"
        if self.latest is not None:
            text += f" ({self.latest.date:%d %B %Y}: {self.latest.summary})"
        return text

    @property
    def latest_date(self) -> dt.date | None:
        return self.latest.date if self.latest else None


def recommendation_progress(review: Review) -> list[Progress]:
    """Each accepted or partly accepted recommendation, in number order, with its action's latest progress
    update. Reviews hold no personal data of a child, so what may read the review may read this."""
    recommendations = (
        review.recommendations.filter(response__in=Recommendation.ACCEPTING)
        .select_related("action")
        .prefetch_related(Prefetch("action__updates", queryset=ProgressUpdate.objects.order_by("-date", "-id")))
        .order_by("number")
    )
    rows = []
    for r in recommendations:
        updates = list(r.action.updates.all()) if r.action is not None else []
        rows.append(Progress(recommendation=r, action=r.action, latest=updates[0] if updates else None))
    return rows


def progress_text(review: Review) -> str:
    """The progress of every accepted recommendation, a line each: a starting point for an update report."""
    return "\n".join(p.line for p in recommendation_progress(review))
