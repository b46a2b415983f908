"""The access world's additions for the single assessment, child in need plan and closure pages.

Built through the services as in use, on children of their own so the world's children (and every other
area's counts about them) stay as they are: the MASH refers each to Team B, the team manager allocates them to
Team B's social worker, and restricts one. The team manager records an assessment of one and starts a child in
need plan, completes and sends another, and the service manager authorises a third. The world's own referrals
are used read-only, for who may open the referral pages. Who may use each page is declared in RULES below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openmash.access.services import child_restrict
from openmash.casework import services
from openmash.casework.children import child_create
from openmash.casework.models import Assessment, Referral
from openmash.core.codes import AssessmentFactor
from openmash.front_door.models import Contact
from openmash.workforce.models import StaffMember
from openmash.workforce.services import child_allocate

from .world import CHILD_VISIBLE_TO, World
from .world_oversight import decided_contact

REFERRALS = ["allocated", "team", "same_service", "restricted", "other_service"]
MANAGERS = {"tm", "sm"}
# Team B's children: the service's managers see them; the restricted one only tm, who is named on it.
VISIBLE = {"team_b": {"tm", "sm"}, "team_b_restricted": {"tm"}}


def _recorded(referral: Referral, by: Any, *, submit: bool) -> Assessment:
    a = services.assessment_start(referral=referral, start_date=referral.referral_date, acting_user=by)
    services.assessment_update(
        assessment=a,
        analysis="Concerns about neglect at home; school attendance has fallen.",
        factors=[AssessmentFactor.NEGLECT],
        child_seen=True,
        child_seen_date=referral.referral_date,
        seen_alone=False,
        expected_version=None,
        acting_user=by,
    )
    if submit:
        services.assessment_submit(assessment=a, expected_version=None, acting_user=by)
    return a


def build(world: World) -> None:
    users = world.users
    tm, sm, mash = users["tm"], users["sm"], users["mash"]
    worker = StaffMember.objects.get(team=world.teams["team_b"], last_name="B")
    referrals: dict[str, Referral] = {}
    for n, key in enumerate(("open", "submitted", "authorised", "restricted"), start=1):
        child = child_create(
            la_child_id=f"AS{n:04d}",
            first_name=key.title(),
            last_name="Assessment",
            date_of_birth=dt.date(2014, 3, n),
            sex="F",
            ethnicity="WBRI",
            postcode="ZZ8 8ZZ",
            acting_user=mash,
        )
        _contact, referral, _eh = decided_contact(
            child, outcome=Contact.Outcome.REFERRAL, mash=mash, team=world.teams["team_b"]
        )
        assert referral is not None
        child_allocate(child=child, worker=worker, start_date=referral.referral_date, acting_user=tm)
        referrals[key] = referral
    child_restrict(child=referrals["restricted"].child, reason="Child of a staff member", allowed=[], acting_user=tm)
    world.objects["assessment_referrals"] = {
        **{key: Referral.objects.get(child=world.children[key], closure_date__isnull=True) for key in REFERRALS},
        "team_b": referrals["open"],
        "team_b_restricted": referrals["restricted"],
    }
    world.objects["assessment_open"] = services.assessment_start(
        referral=referrals["open"], start_date=referrals["open"].referral_date, acting_user=tm
    )
    world.objects["cin_plan_open"] = services.cin_plan_start(
        referral=referrals["open"], start_date=referrals["open"].referral_date, acting_user=tm
    )
    world.objects["assessment_submitted"] = _recorded(referrals["submitted"], tm, submit=True)
    done = _recorded(referrals["authorised"], tm, submit=True)
    world.objects["assessment_authorised"] = services.assessment_authorise(
        assessment=done, authorised_date=timezone.localdate(), child_in_need=True, acting_user=sm
    )
    world.objects["assessment_restricted"] = services.assessment_start(
        referral=referrals["restricted"], start_date=referrals["restricted"].referral_date, acting_user=tm
    )


# The child each object is about, for who sees it.
CHILD_OF = {
    "assessment_open": "team_b",
    "cin_plan_open": "team_b",
    "assessment_submitted": "team_b",
    "assessment_authorised": "team_b",
    "assessment_restricted": "team_b_restricted",
}


def _referrals(world: World) -> list[tuple[dict[str, Any], str]]:
    return [({"referral_id": r.pk}, key) for key, r in world.objects["assessment_referrals"].items()]


def _assessments(*keys: str) -> Any:
    return lambda world: [({"assessment_id": world.objects[k].pk}, k) for k in keys]


def _sees(role: str, kwargs: dict[str, Any]) -> str:
    """Those who see the child's record see and record its casework (every one of them a case role here)."""
    key = CHILD_OF.get(kwargs["_key"], kwargs["_key"])
    return "allow" if role in {**CHILD_VISIBLE_TO, **VISIBLE}[key] else "deny"


def _editing(role: str, kwargs: dict[str, Any]) -> str:
    """An assessment sent for authorisation is not open to changes: those who may see it are sent to it."""
    seen = _sees(role, kwargs)
    return "redirect" if seen == "allow" and kwargs["_key"] == "assessment_submitted" else seen


def _deciding(ready: str) -> Any:
    """Managers who see the child authorise (or record the outcome of) the assessment that is `ready`; for
    any other they are sent back to the assessment. Nobody else has the page."""

    def rule(role: str, kwargs: dict[str, Any]) -> str:
        if role not in MANAGERS or _sees(role, kwargs) != "allow":
            return "deny"
        return "allow" if kwargs["_key"] == ready else "redirect"

    return rule


RULES = {
    "casework:referral": _sees,
    "casework:assessment_start": _sees,
    "casework:cin_plan_start": _sees,
    "casework:referral_close": _sees,
    "casework:assessment": _sees,
    "casework:assessment_edit": _editing,
    "casework:assessment_check": _editing,
    "casework:assessment_draft": lambda _role, _kwargs: "method",
    "casework:assessment_decide": _deciding("assessment_submitted"),
    "casework:assessment_outcome": _deciding("assessment_authorised"),
    "casework:cin_plan_end": _sees,
}

VARIANTS = {
    "casework:referral": _referrals,
    "casework:assessment_start": _referrals,
    "casework:cin_plan_start": _referrals,
    "casework:referral_close": _referrals,
    "casework:assessment": _assessments(
        "assessment_open", "assessment_submitted", "assessment_authorised", "assessment_restricted"
    ),
    "casework:assessment_edit": _assessments("assessment_open", "assessment_submitted", "assessment_restricted"),
    "casework:assessment_check": _assessments("assessment_open", "assessment_submitted", "assessment_restricted"),
    "casework:assessment_draft": _assessments("assessment_open"),
    "casework:assessment_decide": _assessments("assessment_submitted", "assessment_open", "assessment_authorised"),
    "casework:assessment_outcome": _assessments("assessment_authorised", "assessment_submitted"),
    "casework:cin_plan_end": lambda world: [({"plan_id": world.objects["cin_plan_open"].pk}, "cin_plan_open")],
}
