"""The child's record page: one selector that fetches, checks and audits once and gathers the rest.

The summary at the top says where the child's case stands (episode and status, plan, worker, what is due next)
and warns of what a reader must not miss (a restricted record, a CSE risk, a cumulative concern). Casework in it
is for casework readers only (policy.child_access); the warnings each follow their own rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from openmash.access import audit, policy
from openmash.access import selectors as access_selectors
from openmash.access.models import AuditEvent, ChildRestriction
from openmash.access.policy import ChildAccess
from openmash.accounts.models import User
from openmash.casework.episode import episode_state
from openmash.casework.models import CINPlan, Referral
from openmash.casework.selectors import previous_referral_within_year
from openmash.core.codes import AssessmentFactor, CategoryOfAbuse
from openmash.front_door import selectors as front_door_selectors
from openmash.front_door.cse import selectors as cse_selectors
from openmash.front_door.cse.selectors import ConcernPattern, CSEFlag
from openmash.front_door.models import Contact
from openmash.people.models import Child, Relationship
from openmash.protection.models import ChildProtectionPlan, PriorChildProtectionPlan
from openmash.workforce.models import Allocation

from . import due
from .due import DueItem
from .selectors import NO_FILTERS, ChronologyEntry, ChronologyFilters, child_chronology


@dataclass(frozen=True)
class Plan:
    label: str
    start_date: dt.date
    category: str = ""  # the latest category of abuse, for a child protection plan
    cp_plan_id: int | None = None  # the open child protection plan, for its page


@dataclass(frozen=True)
class Summary:
    """Where the child's case stands, for casework readers."""

    episode: Referral | None
    status: str
    # The open referral came within 12 months of an earlier one (the DfE's re-referral, kpis.md (a)).
    re_referral: bool
    previous_referral_date: dt.date | None
    plan: Plan | None
    previous_plans: int
    allocation: Allocation | None
    due: list[DueItem]
    today: dt.date

    @property
    def overdue(self) -> list[DueItem]:
        return [item for item in self.due if item.overdue(self.today)]


@dataclass(frozen=True)
class Warnings:
    """What the reader must not miss, each shown only to those its own rule allows."""

    restriction: ChildRestriction | None = None
    cse: CSEFlag | None = None
    concerns: list[ConcernPattern] = field(default_factory=list)

    @property
    def cse_flagged(self) -> bool:
        return self.cse is not None and self.cse.flagged

    @property
    def open_concerns(self) -> list[ConcernPattern]:
        return [c for c in self.concerns if c.alert.acknowledged_at is None]

    @property
    def any(self) -> bool:
        return self.restriction is not None or self.cse_flagged or bool(self.concerns)


@dataclass(frozen=True)
class ChildPage:
    """Everything a child's record page shows one user, with that user's access worked out once."""

    child: Child
    access: ChildAccess
    chronology: list[ChronologyEntry]
    relationships: list[Relationship]
    visible_sibling_ids: set[int]
    contacts: list[Contact]
    summary: Summary | None = None
    warnings: Warnings = field(default_factory=Warnings)
    filters: ChronologyFilters = NO_FILTERS
    # The front door's CSE flag (None for those who may not see it), the assessment factors it suggests and
    # cumulative-concern patterns (both for casework readers).
    suggested_factors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def cse(self) -> CSEFlag | None:
        return self.warnings.cse

    @property
    def concerns(self) -> list[ConcernPattern]:
        return self.warnings.concerns


def _summary(child: Child) -> Summary:
    referrals = list(Referral.objects.filter(child=child).order_by("-referral_date", "-pk"))
    current = next((r for r in referrals if r.closure_date is None), referrals[0] if referrals else None)
    # The DfE's 12-month rule, worked out where casework keeps it (one definition for every page).
    previous = previous_referral_within_year(current) if current is not None and current.closure_date is None else None
    re_referral = previous is not None
    cp_plans = list(ChildProtectionPlan.objects.filter(referral__child=child).order_by("-start_date", "-pk"))
    cin_plan = CINPlan.objects.filter(referral__child=child, end_date__isnull=True).order_by("-start_date").first()
    open_cp = next((p for p in cp_plans if p.end_date is None), None)
    plan = None
    if open_cp is not None:
        plan = Plan(
            "Child protection plan",
            open_cp.start_date,
            CategoryOfAbuse(open_cp.latest_category).label,
            cp_plan_id=open_cp.pk,
        )
    elif cin_plan is not None:
        plan = Plan("Child in need plan", cin_plan.start_date)
    previous_plans = sum(1 for p in cp_plans if p.end_date is not None)
    previous_plans += PriorChildProtectionPlan.objects.filter(child=child).count()
    allocation = (
        Allocation.objects.filter(child=child, end_date__isnull=True)
        .select_related("worker", "team")
        .order_by("-start_date", "-pk")
        .first()
    )
    return Summary(
        episode=current,
        status=episode_state(current.pk).status if current is not None else "Not referred",
        re_referral=re_referral,
        previous_referral_date=previous.referral_date if previous is not None and re_referral else None,
        plan=plan,
        previous_plans=previous_plans,
        allocation=allocation,
        due=due.due_items([child.pk]),
        today=due.today(),
    )


def child_page(*, user: User, la_child_id: str, filters: ChronologyFilters = NO_FILTERS) -> ChildPage:
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
    # Only those named on a restricted record see it at all, so whoever reads it is told it is restricted.
    restriction = ChildRestriction.objects.filter(child=child).first() if basis == policy.Basis.NAMED else None
    return ChildPage(
        child=child,
        access=allowed,
        chronology=child_chronology(user=user, child=child, allowed=allowed, filters=filters),
        relationships=relationships,
        visible_sibling_ids=sibling_ids,
        # Casework readers see every contact in the chronology; others, their own agency's and the outcomes.
        contacts=[]
        if allowed.casework
        else list(front_door_selectors.visible_contacts(user=user, child=child, basis=basis)),
        summary=_summary(child) if allowed.casework else None,
        warnings=Warnings(
            restriction=restriction,
            cse=cse_selectors.cse_flag(user=user, child=child, basis=basis),
            concerns=cse_selectors.concern_patterns(user=user, child=child, basis=basis),
        ),
        filters=filters,
        suggested_factors=(
            [(code, AssessmentFactor(code).label) for code in sorted(cse_selectors.suggested_assessment_factors(child))]
            if allowed.casework
            else []
        ),
    )


@dataclass(frozen=True)
class PrintedChronology:
    child: Child
    entries: list[ChronologyEntry]
    filters: ChronologyFilters
    printed_by: User


@transaction.atomic
def chronology_for_printing(*, user: User, la_child_id: str, filters: ChronologyFilters) -> PrintedChronology:
    """The (filtered) chronology to print, for those policy.can_print_chronology allows (NotFound otherwise,
    as for a child they may not see). The export, its filters and how many entries it holds are recorded."""
    child = Child.objects.filter(la_child_id=la_child_id).first()
    basis = policy.basis_for(user, child) if child is not None else None
    if child is None or basis is None or not policy.can_print_chronology(user, basis):
        raise access_selectors.NotFound("No child with that ID")
    entries = child_chronology(user=user, child=child, allowed=policy.child_access(user, basis), filters=filters)
    audit.record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        obj=child,
        child_id=child.pk,
        summary=f"Printed the chronology of {child.la_child_id}: {filters.describe()}",
        detail={"page": "chronology (PDF)", "basis": basis.value, "entries": len(entries), **filters.as_detail()},
    )
    return PrintedChronology(child=child, entries=entries, filters=filters, printed_by=user)
