"""The access world's additions for child protection, visits and case notes.

Built through the services as in use: the allocated child's social worker records a strategy discussion, a
Section 47 enquiry and the conference that starts a plan; a colleague's child has an enquiry waiting for its
conference; the manager named on the restricted record does the same for that child, and case notes are
written, some restricted further. Who may read and record each is declared in RULES below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openmash.accounts.models import Agency, User
from openmash.casework.models import CaseNote, Referral
from openmash.casework.recording.services import case_note_add
from openmash.protection import services
from openmash.protection.models import ChildProtectionPlan, Section47Enquiry

from .world import CHILD_VISIBLE_TO, World

D = dt.date
AGENCY_RESEARCHERS = {"police_researcher", "health", "education"}
# A child's casework (visits, notes, protection) is for children's social care and the MASH, not researchers.
CASEWORK: dict[str, set[str]] = {key: who - AGENCY_RESEARCHERS for key, who in CHILD_VISIBLE_TO.items()}
HOLDERS = {"sw", "tm", "sm"}


def _casework(role: str, kwargs: dict[str, Any]) -> str:
    return "allow" if role in CASEWORK[kwargs["_child_key"]] else "deny"


def _by_key(who: dict[str, set[str]]) -> Any:
    return lambda role, kwargs: "allow" if role in who[kwargs["_key"]] else "deny"


def _post_only(_role: str, _kwargs: dict[str, Any]) -> str:
    return "method"


def _enquiry(referral: Referral, user: User, start: dt.date) -> Section47Enquiry:
    sd = services.strategy_discussion_record(
        referral=referral,
        discussion_date=start,
        outcome="s47",
        agencies_present=[Agency.POLICE, Agency.HEALTH, Agency.CHILDRENS_SOCIAL_CARE],
        acting_user=user,
    )
    return services.section47_start(referral=referral, start_date=start, strategy_discussion=sd, acting_user=user)


def _plan(referral: Referral, user: User, start: dt.date, conference: dt.date) -> ChildProtectionPlan:
    enquiry = _enquiry(referral, user, start)
    plan = services.conference_record(
        enquiry=enquiry, conference_date=conference, plan_needed=True, category="NEG", acting_user=user
    )
    assert plan is not None
    return plan


def _open_referral(world: World, key: str) -> Referral:
    return Referral.objects.get(child=world.children[key], closure_date__isnull=True)


def _note(world: World, key: str, author: str, *, restricted: bool) -> CaseNote:
    return case_note_add(
        child=world.children[key],
        note_type="note",
        occurred_on=D(2025, 1, 8),
        subject=f"Note by {author}",
        body="What happened",
        restricted=restricted,
        acting_user=world.users[author],
    )


def build(world: World) -> None:
    sw, tm = world.users["sw"], world.users["tm"]
    allocated, team, restricted = (_open_referral(world, k) for k in ("allocated", "team", "restricted"))
    world.objects["cp_referral_allocated"] = allocated
    world.objects["cp_referral_team"] = team
    world.objects["cp_referral_restricted"] = restricted
    world.objects["cp_referral_other_service"] = _open_referral(world, "other_service")
    plan = _plan(allocated, sw, D(2025, 1, 6), D(2025, 1, 20))
    world.objects["cp_plan_allocated"] = plan
    world.objects["s47_allocated"] = plan.section47
    world.objects["s47_team"] = _enquiry(team, sw, D(2025, 1, 7))
    restricted_plan = _plan(restricted, tm, D(2025, 1, 6), D(2025, 1, 21))
    world.objects["cp_plan_restricted"] = restricted_plan
    world.objects["s47_restricted"] = restricted_plan.section47
    world.objects["note_sw_open"] = _note(world, "allocated", "sw", restricted=False)
    world.objects["note_sw_restricted"] = _note(world, "allocated", "sw", restricted=True)
    world.objects["note_tm_restricted"] = _note(world, "allocated", "tm", restricted=True)
    world.objects["note_on_restricted_child"] = _note(world, "restricted", "tm", restricted=False)


def _variants(*keys: str) -> Any:
    field = {"cp_referral": "referral_id", "s47": "enquiry_id", "cp_plan": "plan_id", "note": "note_id"}

    def variants(world: World) -> list[tuple[dict[str, Any], str]]:
        found = []
        for key in keys:
            name = next(v for prefix, v in field.items() if key.startswith(prefix))
            found.append(({name: world.objects[key].pk}, key))
        return found

    return variants


REFERRALS = ("cp_referral_allocated", "cp_referral_team", "cp_referral_restricted", "cp_referral_other_service")
ENQUIRIES = ("s47_allocated", "s47_team", "s47_restricted")
PLANS = ("cp_plan_allocated", "cp_plan_restricted")
NOTES = ("note_sw_open", "note_sw_restricted", "note_tm_restricted", "note_on_restricted_child")

WHO: dict[str, set[str]] = {
    "cp_referral_allocated": HOLDERS,
    "cp_referral_team": HOLDERS,
    "cp_referral_restricted": {"tm"},
    "cp_referral_other_service": set(),
    "s47_allocated": HOLDERS,
    "s47_team": HOLDERS,
    "s47_restricted": {"tm"},
    "cp_plan_allocated": HOLDERS,
    "cp_plan_restricted": {"tm"},
}
# Who may open a note to change it: its author, and the managers holding the child who may read it.
NOTE_EDITORS: dict[str, set[str]] = {
    "note_sw_open": HOLDERS,
    "note_sw_restricted": HOLDERS,
    "note_tm_restricted": {"tm", "sm"},
    "note_on_restricted_child": {"tm"},
}

RULES = {
    "protection:strategy_new": _by_key(WHO),
    "protection:s47_new": _by_key(WHO),
    "protection:s47": _by_key(WHO),
    "protection:conference": _by_key(WHO),
    "protection:conference_draft": _post_only,
    "protection:plan": _by_key(WHO),
    "protection:review_new": _by_key(WHO),
    "protection:plan_end": _by_key(WHO),
    "protection:prior_plan_new": _casework,
    "protection:emergency_protection_new": _casework,
    "recording:visits": _casework,
    "recording:visit_new": _casework,
    "recording:notes": _casework,
    "recording:note_new": _casework,
    "recording:note_draft": _post_only,
    "recording:note_edit": _by_key(NOTE_EDITORS),
    "recording:note_edit_draft": _post_only,
}

VARIANTS = {
    "protection:strategy_new": _variants(*REFERRALS),
    "protection:s47_new": _variants(*REFERRALS),
    "protection:s47": _variants(*ENQUIRIES),
    "protection:conference": _variants(*ENQUIRIES),
    "protection:conference_draft": _variants(*ENQUIRIES),
    "protection:plan": _variants(*PLANS),
    "protection:review_new": _variants(*PLANS),
    "protection:plan_end": _variants(*PLANS),
    "recording:note_edit": _variants(*NOTES),
    "recording:note_edit_draft": _variants(*NOTES),
}
