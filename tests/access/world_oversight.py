"""The access world's additions for oversight: referrals waiting for allocation and an open early help package.

Built through the services as in use: the MASH records, rates and decides a contact, which opens a referral in
a team's queue or agrees early help. The contacts arrived 40 days ago, so the MASH's usual sight of these
children has lapsed and nobody in the world sees them through the policy's scopes: the declared policy in
world.CHILD_VISIBLE_TO stays the whole truth about child records. Who sees the queue, the allocation page
and the early help list is declared in RULES below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openmash.accounts.models import Agency, User
from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.core.codes import PrimaryNeed, ReferralSource
from openmash.front_door.models import Contact, EarlyHelpPackage
from openmash.front_door.services import DecisionDetails, contact_decide_with_result, contact_rate, contact_record
from openmash.people.models import Child
from openmash.workforce.models import Team

from .world import World

MASH_PRACTITIONERS = {"mash", "mash_manager", "police"}


def allow_for(who: set[str]) -> Any:
    """As test_matrix.allow_for (not imported: test_matrix imports this module while it loads)."""
    return lambda role, _kwargs: "allow" if role in who else "deny"


def _child(la_child_id: str, first_name: str, recorded_by: User) -> Child:
    return child_create(
        la_child_id=la_child_id,
        first_name=first_name,
        last_name="Oversight",
        date_of_birth=dt.date(2016, 5, 1),
        sex="M",
        ethnicity="WBRI",
        postcode="ZZ9 9ZZ",
        acting_user=recorded_by,
    )


def decided_contact(
    child: Child,
    *,
    outcome: str,
    mash: User,
    team: Team | None = None,
    rag: str = Contact.Rag.AMBER,
    received_at: dt.datetime | None = None,
    lead_agency: str = Agency.EARLY_HELP,
) -> tuple[Contact, Referral | None, EarlyHelpPackage | None]:
    """A contact about the child, rated and decided by the MASH, as a practitioner does it."""
    received = received_at or timezone.now() - dt.timedelta(days=40)
    contact = contact_record(child=child, received_at=received, source=ReferralSource.SCHOOLS, acting_user=mash)
    contact = contact_rate(contact=contact, rag=rag, reason="School's account of the concern", acting_user=mash)
    result = contact_decide_with_result(
        contact=contact,
        outcome=outcome,
        rationale="Checks with agencies complete",
        details=DecisionDetails(
            primary_need=PrimaryNeed.ABUSE_NEGLECT,
            referral_team=team,
            early_help_support="Family support worker visits weekly",
            early_help_lead=lead_agency,
        ),
        decided_at=received + dt.timedelta(hours=3),
        acting_user=mash,
    )
    return result.contact, result.referral, result.early_help


def build(world: World) -> None:
    mash = world.users["mash"]
    teams = world.teams
    waiting = {
        "waiting_assessment": ("OV0001", "Waiting", teams["assessment"], Contact.Outcome.REFERRAL),
        "waiting_strategy": ("OV0002", "Strategy", teams["assessment"], Contact.Outcome.STRATEGY),
        "waiting_disability": ("OV0003", "Elsewhere", teams["disability"], Contact.Outcome.REFERRAL),
    }
    for key, (la_child_id, name, team, outcome) in waiting.items():
        child = _child(la_child_id, name, mash)
        _contact, referral, _eh = decided_contact(child, outcome=outcome, mash=mash, team=team)
        world.objects[key] = referral
    eh_child = _child("OV0004", "Support", mash)
    _contact, _referral, package = decided_contact(eh_child, outcome=Contact.Outcome.EARLY_HELP, mash=mash)
    world.objects["early_help_open"] = package
    # The world's own children: one allocated in the safeguarding service, one restricted to its team manager.
    for key in ("allocated", "restricted", "other_service"):
        world.objects[f"referral_{key}"] = Referral.objects.get(child=world.children[key], closure_date__isnull=True)


def _referral_variants(world: World) -> list[tuple[dict[str, Any], str]]:
    keys = ["waiting_assessment", "waiting_strategy", "waiting_disability"]
    keys += ["referral_allocated", "referral_restricted", "referral_other_service"]
    return [({"referral_id": world.objects[k].pk}, k) for k in keys]


# Who may allocate each referral: managers of the service it waits in (or holds the child), and for the
# restricted record only the manager named on it.
ALLOCATORS: dict[str, set[str]] = {
    "waiting_assessment": {"tm", "sm"},
    "waiting_strategy": {"tm", "sm"},
    "waiting_disability": set(),
    "referral_allocated": {"tm", "sm"},
    "referral_restricted": {"tm"},
    "referral_other_service": set(),
}

RULES = {
    "front_door:flow": allow_for({"mash_manager"}),
    "front_door:flow_overdue": allow_for({"mash_manager"}),
    "front_door:disclosures": allow_for({"mash_manager", "auditor"}),
    "front_door:early_help": allow_for(MASH_PRACTITIONERS | {"police_researcher", "health", "education"}),
    # Led by the Early Help agency, which has no account in the world: only the MASH closes it here.
    "front_door:early_help_close": allow_for(MASH_PRACTITIONERS),
    "casework:queue": allow_for({"sw", "tm", "sm", "mash_manager", "cse"}),
    "casework:allocate": lambda role, kwargs: "allow" if role in ALLOCATORS[kwargs["_key"]] else "deny",
}

VARIANTS = {
    "front_door:early_help_close": lambda world: [
        ({"package_id": world.objects["early_help_open"].pk}, "early_help_open")
    ],
    "casework:allocate": _referral_variants,
}
