"""The menu: only the pages the signed-in person may use, decided by the access policy."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from openmash.access import policy
from openmash.accounts.models import User


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {"navigation_items": []}
    items: list[tuple[str, str, dict[str, int]]] = []
    if policy.holds_cases(user):
        items.append(("My work", "trays:my_work", {}))
    team_id, service_id = policy.own_trays(user)
    if team_id is not None:
        items.append(("Team", "trays:team", {"team_id": team_id}))
    if service_id is not None:
        items.append(("Service", "trays:service", {"service_id": service_id}))
    if policy.may_see_children(user):
        items.append(("Find a child", "journey:child_search", {}))
    if policy.works_front_door(user):
        items.append(("MASH queue", "front_door:queue", {}))
    if policy.answers_information_requests(user):
        items.append(("Information requests", "front_door:inbox", {}))
    if policy.can_refer(user):
        items.append(("Refer a child", "front_door:refer", {}))
    if policy.manages_front_door(user):
        items.append(("Today at the front door", "front_door:flow", {}))
    if policy.referral_queue_scope(user) is not None:
        items.append(("Referrals waiting", "casework:queue", {}))
    if policy.sees_early_help(user):
        items.append(("Early help", "front_door:early_help", {}))
    if policy.works_cse(user):
        items.append(("CSE", "front_door:cse_queue", {}))
    if policy.works_front_door(user):
        items.append(("Cumulative concern", "front_door:concerns", {}))
    items.append(("Performance", "performance:scorecard", {}))
    if policy.can_view_improvement(user):
        items.append(("Action plans", "improvement:plans", {}))
    if policy.can_view_data_quality(user):
        items.append(("Census data quality", "returns:data_quality", {}))
    if policy.can_view_reviews(user):
        items.append(("Scrutiny reviews", "scrutiny:reviews", {}))
    if policy.can_view_reviews(user) and policy.is_scrutiny_only(user):
        # A councillor's own starting point; officers reach it from the reviews list.
        items.append(("Your scrutiny", "scrutiny:councillor", {}))
    if policy.can_view_structure(user):
        items.append(("Team structure", "workforce:structure", {}))
    if policy.can_search_disclosures(user):
        items.append(("Disclosure ledger", "front_door:disclosures", {}))
    if policy.can_review_break_glass(user):
        items.append(("Records opened outside access", "access:break_glass_reviews", {}))
    if policy.can_export(user, policy.Export.AUDIT_LOG):
        items.append(("Audit log", "access:audit_export", {}))
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {
        "navigation_items": [
            {"label": label, "url": reverse(name, kwargs=kwargs), "current": name == current}
            for label, name, kwargs in items
        ]
    }
