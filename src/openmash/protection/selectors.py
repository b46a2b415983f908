"""Reading strategy discussions, enquiries and plans through the access policy; every look is recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.casework.episode import EpisodeState, episode_state
from openmash.casework.models import Referral
from openmash.people.models import Child

from .models import ChildProtectionPlan, EmergencyProtection, PriorChildProtectionPlan, Section47Enquiry
from .timescales import cp_review_due

MAX_ID = 2**63


def _access(user: User, child: Child, *, change: bool) -> policy.ChildAccess:
    basis = policy.basis_for(user, child)
    if basis is None:
        raise NotFound("Not found")
    access = policy.child_access(user, basis)
    if not access.casework or (change and not access.change):
        raise NotFound("Not found")
    return access


def _record(user: User, obj: Model, child: Child, access: policy.ChildAccess, page: str) -> None:
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=obj,
        child_id=child.pk,
        summary=f"Viewed {page} for {child.la_child_id}",
        detail={"page": page, "basis": access.basis.value},
    )


@dataclass(frozen=True)
class ReferralPage:
    referral: Referral
    access: policy.ChildAccess
    state: EpisodeState


@transaction.atomic
def referral_for_recording(*, user: User, referral_id: int, page: str) -> ReferralPage:
    """A referral whose child this user may record protection work for (NotFound otherwise)."""
    referral = (
        Referral.objects.select_related("child").filter(pk=referral_id).first() if 0 < referral_id < MAX_ID else None
    )
    if referral is None:
        raise NotFound("Not found")
    access = _access(user, referral.child, change=True)
    _record(user, referral, referral.child, access, page)
    return ReferralPage(referral, access, episode_state(referral.pk))


@dataclass(frozen=True)
class EnquiryPage:
    enquiry: Section47Enquiry
    access: policy.ChildAccess
    plans: list[ChildProtectionPlan]


@transaction.atomic
def enquiry(*, user: User, enquiry_id: int, change: bool = False, page: str = "Section 47 enquiry") -> EnquiryPage:
    found = (
        Section47Enquiry.objects.select_related("referral__child", "strategy_discussion").filter(pk=enquiry_id).first()
        if 0 < enquiry_id < MAX_ID
        else None
    )
    if found is None:
        raise NotFound("Not found")
    child = found.referral.child
    access = _access(user, child, change=change)
    _record(user, found, child, access, page)
    return EnquiryPage(found, access, list(found.cp_plans.all()))


@dataclass(frozen=True)
class PlanPage:
    plan: ChildProtectionPlan
    access: policy.ChildAccess
    next_review_due: dt.date | None
    prior_plans: list[PriorChildProtectionPlan]


@transaction.atomic
def plan(*, user: User, plan_id: int, change: bool = False, page: str = "child protection plan") -> PlanPage:
    found = (
        ChildProtectionPlan.objects.select_related("referral__child", "section47").filter(pk=plan_id).first()
        if 0 < plan_id < MAX_ID
        else None
    )
    if found is None:
        raise NotFound("Not found")
    child = found.referral.child
    access = _access(user, child, change=change)
    _record(user, found, child, access, page)
    reviews = list(found.reviews.all())
    due = None if found.end_date else cp_review_due(found.start_date, reviews[-1].review_date if reviews else None)
    return PlanPage(
        found,
        access,
        due,
        list(PriorChildProtectionPlan.objects.filter(child=child)),
    )


@transaction.atomic
def child_for_recording(*, user: User, la_child_id: str, page: str) -> tuple[Child, list[PriorChildProtectionPlan]]:
    child = Child.objects.filter(la_child_id=la_child_id).first()
    if child is None:
        raise NotFound("No child with that ID")
    access = _access(user, child, change=True)
    _record(user, child, child, access, page)
    return child, list(PriorChildProtectionPlan.objects.filter(child=child))


@transaction.atomic
def child_emergency_protection(*, user: User, la_child_id: str) -> tuple[Child, list[EmergencyProtection]]:
    """The child, for recording emergency protection, and what is recorded already."""
    child = Child.objects.filter(la_child_id=la_child_id).first()
    if child is None:
        raise NotFound("No child with that ID")
    access = _access(user, child, change=True)
    _record(user, child, child, access, "emergency protection")
    return child, list(EmergencyProtection.objects.filter(child=child))
