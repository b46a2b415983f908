"""The child's record page: one selector that fetches, checks and audits once and gathers the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

from openmash.access import policy
from openmash.access import selectors as access_selectors
from openmash.access.policy import ChildAccess
from openmash.accounts.models import User
from openmash.core.codes import AssessmentFactor
from openmash.front_door import selectors as front_door_selectors
from openmash.front_door.cse import selectors as cse_selectors
from openmash.front_door.cse.selectors import ConcernPattern, CSEFlag
from openmash.front_door.models import AgencyContribution, Contact
from openmash.people.models import Child, Relationship

from .selectors import ChronologyEntry, child_chronology


@dataclass(frozen=True)
class ChildPage:
    """Everything a child's record page shows one user, with that user's access worked out once."""

    child: Child
    access: ChildAccess
    chronology: list[ChronologyEntry]
    relationships: list[Relationship]
    visible_sibling_ids: set[int]
    contributions: list[AgencyContribution]
    contacts: list[Contact]
    # The front door's CSE flag (None for those who may not see it), the assessment factors it suggests and
    # cumulative-concern patterns (both for casework readers).
    cse: CSEFlag | None = None
    suggested_factors: list[tuple[str, str]] = field(default_factory=list)
    concerns: list[ConcernPattern] = field(default_factory=list)


def child_page(*, user: User, la_child_id: str) -> ChildPage:
    """A child's record for one user: fetched, checked and audited once (NotFound if not theirs to see)."""
    child, basis = access_selectors.child_for_view(user=user, la_child_id=la_child_id, page="child record")
    allowed = policy.child_access(user, basis)
    relationships: list[Relationship] = []
    sibling_ids: set[int] = set()
    if allowed.casework:
        relationships = list(
            child.relationships.select_related("adult", "other_child").order_by("relationship_type", "id")
        )
        others = [r.other_child_id for r in relationships if r.other_child_id is not None]
        if others:
            sibling_ids = set(policy.visible_children(user).filter(pk__in=others).values_list("pk", flat=True))
    return ChildPage(
        child=child,
        access=allowed,
        chronology=child_chronology(user=user, child=child, allowed=allowed),
        relationships=relationships,
        visible_sibling_ids=sibling_ids,
        contributions=list(front_door_selectors.visible_contributions(user=user, child=child, basis=basis)),
        contacts=list(front_door_selectors.visible_contacts(user=user, child=child, basis=basis)),
        cse=cse_selectors.cse_flag(user=user, child=child, basis=basis),
        suggested_factors=(
            [(code, AssessmentFactor(code).label) for code in sorted(cse_selectors.suggested_assessment_factors(child))]
            if allowed.casework
            else []
        ),
        concerns=cse_selectors.concern_patterns(user=user, child=child, basis=basis),
    )
