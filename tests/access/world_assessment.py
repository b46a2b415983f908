"""The access world's additions for the single assessment, child in need plan and closure pages.

Built through the services as in use, on the referrals the world already holds: the social worker records an
assessment of the child allocated to her and starts a child in need plan; she completes and sends one for a
colleague's child in her team; a team manager completes one for a child in the other team of the service and
the service manager authorises it; the team manager starts one on the restricted record. Who may use each
page is declared in RULES below; the children's own visibility stays world.CHILD_VISIBLE_TO.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openmash.casework import services
from openmash.casework.models import Assessment, Referral
from openmash.core.codes import AssessmentFactor

from .world import CHILD_VISIBLE_TO, World

D = dt.date
REFERRALS = ["allocated", "team", "same_service", "restricted", "other_service"]
MANAGERS = {"tm", "sm"}


def _recorded(referral: Referral, by: Any, *, submit: bool) -> Assessment:
    a = services.assessment_start(referral=referral, start_date=D(2025, 1, 2), acting_user=by)
    services.assessment_update(
        assessment=a,
        analysis="Concerns about neglect at home; school attendance has fallen.",
        factors=[AssessmentFactor.NEGLECT],
        child_seen=True,
        child_seen_date=D(2025, 1, 6),
        seen_alone=False,
        expected_version=None,
        acting_user=by,
    )
    if submit:
        services.assessment_submit(assessment=a, expected_version=None, acting_user=by)
    return a


def build(world: World) -> None:
    users = world.users
    referrals = {key: Referral.objects.get(child=world.children[key], closure_date__isnull=True) for key in REFERRALS}
    world.objects["assessment_referrals"] = referrals
    open_one = services.assessment_start(
        referral=referrals["allocated"], start_date=D(2025, 1, 2), acting_user=users["sw"]
    )
    world.objects["assessment_open"] = open_one
    world.objects["cin_plan_open"] = services.cin_plan_start(
        referral=referrals["allocated"], start_date=D(2025, 1, 3), acting_user=users["sw"]
    )
    world.objects["assessment_submitted"] = _recorded(referrals["team"], users["sw"], submit=True)
    done = _recorded(referrals["same_service"], users["tm"], submit=True)
    world.objects["assessment_authorised"] = services.assessment_authorise(
        assessment=done, authorised_date=D(2025, 2, 3), child_in_need=True, acting_user=users["sm"]
    )
    world.objects["assessment_restricted"] = services.assessment_start(
        referral=referrals["restricted"], start_date=D(2025, 1, 2), acting_user=users["tm"]
    )


# The child each object is about, for who sees it.
CHILD_OF = {
    "assessment_open": "allocated",
    "cin_plan_open": "allocated",
    "assessment_submitted": "team",
    "assessment_authorised": "same_service",
    "assessment_restricted": "restricted",
}


def _referrals(world: World) -> list[tuple[dict[str, Any], str]]:
    return [({"referral_id": r.pk}, key) for key, r in world.objects["assessment_referrals"].items()]


def _assessments(*keys: str) -> Any:
    return lambda world: [({"assessment_id": world.objects[k].pk}, k) for k in keys]


def _sees(role: str, kwargs: dict[str, Any]) -> str:
    """Those who see the child's record see and record its casework (every one of them a case role here)."""
    key = kwargs["_key"]
    return "allow" if role in CHILD_VISIBLE_TO[CHILD_OF.get(key, key)] else "deny"


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
