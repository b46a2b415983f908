"""Reading scrutiny reviews, through the access policy. A review the user may not read answers as missing."""

from __future__ import annotations

from django.db.models import QuerySet

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User

from .actions import Progress, recommendation_progress
from .models import Recommendation, Review

__all__ = ["Progress", "recommendation_for", "recommendation_progress", "review_for", "reviews_for"]


def reviews_for(user: User) -> QuerySet[Review]:
    """The reviews the user may read, newest first."""
    scope = policy.reviews_scope(user)
    if scope is None:
        return Review.objects.none()
    return Review.objects.filter(scope).distinct().order_by("-created_at", "-pk")


def review_for(user: User, review_id: int) -> Review:
    # A number past the database's integer is no review (and must not reach the query).
    review = Review.objects.filter(pk=review_id).first() if 0 < review_id < 2**63 else None
    if review is None or not policy.can_view_review(user, review):
        raise NotFound("There is no such review")
    return review


def recommendation_for(user: User, review: Review, number: int) -> Recommendation:
    recommendation = review.recommendations.filter(number=number).first() if 0 < number < 2**31 else None
    if recommendation is None or not policy.can_view_review(user, review):
        raise NotFound("There is no such recommendation")
    return recommendation
