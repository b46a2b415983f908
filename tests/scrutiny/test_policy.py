"""Who may change and read reviews: the list a user is shown agrees with the review pages they may open."""

from __future__ import annotations

import pytest

from openmash.access import policy
from openmash.accounts.models import Agency, Role, User
from openmash.scrutiny import selectors, services
from openmash.scrutiny.models import Review

from .conftest import SCOPE, make_user


@pytest.mark.parametrize(
    ("agency", "roles", "manages"),
    [
        (Agency.CHILDRENS_SOCIAL_CARE, [Role.PERFORMANCE_ANALYST], True),
        (Agency.CHILDRENS_SOCIAL_CARE, [Role.SERVICE_MANAGER], True),
        (Agency.DEMOCRATIC_SERVICES, [Role.PERFORMANCE_ANALYST], False),
        (Agency.DEMOCRATIC_SERVICES, [Role.SCRUTINY_MEMBER], False),
        (Agency.DEMOCRATIC_SERVICES, [Role.SCRUTINY_MEMBER, Role.PERFORMANCE_ANALYST], False),
        (Agency.CHILDRENS_SOCIAL_CARE, [Role.TEAM_MANAGER], False),
        (Agency.CHILDRENS_SOCIAL_CARE, [Role.SOCIAL_WORKER], False),
        (Agency.POLICE, [Role.PERFORMANCE_ANALYST], False),
    ],
)
def test_who_manages_reviews(db: None, agency: str, roles: list[str], manages: bool) -> None:
    assert policy.can_manage_reviews(make_user("someone", agency, *roles)) is manages


def test_the_list_and_the_review_page_agree(officer: User, councillor: User, social_worker: User) -> None:
    manager = make_user("tm", Agency.CHILDRENS_SOCIAL_CARE, Role.TEAM_MANAGER)
    reviews = {}
    for status in Review.Status.values:
        reviews[status] = services.review_create(values={**SCOPE, "status": status}, acting_user=officer)
    on_it = services.review_create(values=SCOPE, acting_user=officer)
    services.member_add(review=on_it, user=councillor, acting_user=officer)
    for user in (officer, councillor, social_worker, manager):
        listed = set(selectors.reviews_for(user))
        openable = {r for r in Review.objects.all() if policy.can_view_review(user, r)}
        assert listed == openable, user.username
    assert set(selectors.reviews_for(councillor)) == {
        on_it,
        reviews["awaiting_response"],
        reviews["monitoring"],
        reviews["closed"],
    }
    assert len(selectors.reviews_for(manager)) == len(Review.Status.values) + 1
    assert not selectors.reviews_for(social_worker)
