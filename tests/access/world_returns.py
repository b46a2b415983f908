"""The access world's additions for the census data-quality page: who sees the failures and who may correct a
record's census dates.

Analysts and team and service managers in children's social care see the page. Whoever may change a child may
correct its records' census dates; a performance analyst may too, but only for a record a current failure
points at, and never on a restricted record they are not named on.

The failures are written with the ORM: finding them needs DfE's validator, a separate process
(tests/returns/test_quality.py runs it).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from openmash.casework.models import Referral
from openmash.returns.models import Finding, Kind

from .world import World

VIEWERS = {"tm", "sm", "mash_manager", "analyst"}
# Who may correct each record: the key names the child in the world and whether it has a failure.
CORRECTORS: dict[str, set[str]] = {
    "allocated_failing": {"sw", "tm", "sm", "analyst"},
    "other_service_failing": {"analyst"},
    "team_not_failing": {"sw", "tm", "sm"},
    "restricted_failing": {"tm"},
    "no_such_record": set(),
}


def allow_for(who: set[str], otherwise: str = "deny") -> Any:
    """As test_matrix.allow_for (not imported: test_matrix imports this module while it loads)."""
    return lambda role, _kwargs: "allow" if role in who else otherwise


def _referral(world: World, key: str) -> Referral:
    return Referral.objects.get(child=world.children[key])


def build(world: World) -> None:
    now = timezone.now()
    for key in ("allocated", "other_service", "restricted"):
        referral = _referral(world, key)
        Finding.objects.create(
            child=referral.child,
            team=referral.team,
            rule="8606",
            kind=Kind.ERROR,
            message="Child referral date is more than 40 weeks before DOB or expected DOB",
            table="CINdetails",
            fields="CINreferralDate",
            values={"CINreferralDate": referral.referral_date.isoformat()},
            record_type=Finding.RecordType.REFERRAL,
            record_id=referral.pk,
            found_at=now,
        )
    world.objects["census_records"] = {
        "allocated_failing": _referral(world, "allocated").pk,
        "other_service_failing": _referral(world, "other_service").pk,
        "team_not_failing": _referral(world, "team").pk,
        "restricted_failing": _referral(world, "restricted").pk,
        "no_such_record": 2**40,
    }


RULES = {
    "returns:data_quality": allow_for(VIEWERS),
    "returns:correct": lambda role, kwargs: "allow" if role in CORRECTORS[kwargs["_key"]] else "deny",
}

VARIANTS = {
    "returns:correct": lambda world: [
        ({"record_type": "referral", "record_id": pk}, key) for key, pk in world.objects["census_records"].items()
    ],
}
