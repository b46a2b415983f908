"""Recording children: the services that write to the people register.

They live here, not in people/, because every write asks the access policy, and the policy sits above the
register it guards (people/ keeps the models, identifiers and reads). The front door records children
through these services too.

Every value is checked before anything is written, and each problem is refused with a ServiceError that
names its field, so a form can show the message next to the input. The database refuses the same coded
values again (the CHECK constraints on Child and ChildDisability), so no other path can store them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import can_create_child
from openmash.accounts.models import User
from openmash.core.codes import Disability, Ethnicity, Sex, UPNUnknown
from openmash.core.errors import ServiceError
from openmash.people.identifiers import valid_la_child_id, valid_nhs_number, valid_upn
from openmash.people.models import Child, ChildDisability, postcode_validator

# An expected date of birth further ahead than a whole pregnancy cannot be right (the same 40 weeks as
# CIN census rule 8606 allows between a referral and the expected birth).
PREGNANCY = dt.timedelta(days=280)


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code (the last three characters): "sw1a1aa" becomes
    "SW1A 1AA". Anything too short to split is returned squeezed, for the validator to refuse."""
    squeezed = "".join(value.split()).upper()
    if len(squeezed) < 5:
        return squeezed
    return f"{squeezed[:-3]} {squeezed[-3:]}"


def _max_length(field: str) -> int:
    model_field = Child._meta.get_field(field)
    assert isinstance(model_field, models.CharField)
    return model_field.max_length or 0


def _name(value: str, field: str, label: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ServiceError(f"Enter the child's {label}", field=field)
    limit = _max_length(field)
    if len(name) > limit:
        raise ServiceError(f"The {label} must be {limit} characters or fewer", field=field)
    return name


def _disabilities(codes: Iterable[Disability | str]) -> list[str]:
    """CIN census 8790 and 8794: known codes, each once, and "no disability" only on its own."""
    chosen = sorted({str(c) for c in codes})
    unknown = [c for c in chosen if c not in Disability.values]
    if unknown:
        raise ServiceError(f"Unknown disability code: {', '.join(unknown)}", field="disabilities")
    if Disability.NONE in chosen and len(chosen) > 1:
        raise ServiceError("'No disability' cannot be combined with a disability", field="disabilities")
    return chosen


@transaction.atomic
@changes_by_acting_user
def child_create(
    *,
    la_child_id: str,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None = None,
    expected_date_of_birth: dt.date | None = None,
    sex: Sex | str = Sex.UNKNOWN,
    ethnicity: Ethnicity | str = Ethnicity.NOBT,
    upn: str = "",
    upn_unknown: UPNUnknown | str = "",
    nhs_number: str = "",
    address: str = "",
    postcode: str = "",
    disabilities: Iterable[Disability | str] = (),
    acting_user: User,
) -> Child:
    """Record a child (or an unborn child, with an expected date of birth) and their disabilities."""
    if not can_create_child(acting_user):
        raise ServiceError("You do not have permission to record a new child")
    if not valid_la_child_id(la_child_id):
        raise ServiceError("The LA child ID must be 1 to 20 letters or digits", field="la_child_id")
    first = _name(first_name, "first_name", "first name")
    last = _name(last_name, "last_name", "last name")
    if (date_of_birth is None) == (expected_date_of_birth is None):
        raise ServiceError(
            "Give either a date of birth or, for an unborn child, an expected date of birth",
            field="date_of_birth",
        )
    today = timezone.localdate()
    if date_of_birth is not None and date_of_birth > today:
        raise ServiceError("The date of birth cannot be in the future", field="date_of_birth")
    if expected_date_of_birth is not None and expected_date_of_birth > today + PREGNANCY:
        raise ServiceError(
            "The expected date of birth is more than 40 weeks away: check the date", field="expected_date_of_birth"
        )
    if sex not in Sex.values:
        raise ServiceError("Select the child's sex: male, female or unknown", field="sex")
    if expected_date_of_birth is not None and sex != Sex.UNKNOWN:
        raise ServiceError("Record the sex of an unborn child as unknown", field="sex")
    if ethnicity not in Ethnicity.values:
        raise ServiceError("Select the child's ethnicity from the list", field="ethnicity")
    upn = upn.strip().upper()
    if upn and not valid_upn(upn):
        raise ServiceError("The UPN is not valid: check the 13 characters and the check letter", field="upn")
    if upn_unknown and upn_unknown not in UPNUnknown.values:
        raise ServiceError("Select why the UPN is not known from the list", field="upn_unknown")
    if upn and upn_unknown:
        raise ServiceError("Give either the UPN or the reason it is not known, not both", field="upn_unknown")
    nhs = "".join(nhs_number.split())
    if nhs and not valid_nhs_number(nhs):
        raise ServiceError("The NHS number is not valid: check the 10 digits", field="nhs_number")
    address = address.strip()
    address_limit = _max_length("address")
    if len(address) > address_limit:
        raise ServiceError(f"The address must be {address_limit} characters or fewer", field="address")
    postcode = normalise_postcode(postcode)
    if postcode:
        try:
            postcode_validator(postcode)
        except ValidationError as exc:
            raise ServiceError("Enter a real postcode, like SW1A 1AA", field="postcode") from exc
    codes = _disabilities(disabilities)
    if Child.objects.filter(la_child_id=la_child_id).exists():
        raise ServiceError("A child with that LA child ID already exists", field="la_child_id")
    try:
        with transaction.atomic():
            child = Child.objects.create(
                la_child_id=la_child_id,
                first_name=first,
                last_name=last,
                date_of_birth=date_of_birth,
                expected_date_of_birth=expected_date_of_birth,
                sex=sex,
                ethnicity=ethnicity,
                upn=upn,
                upn_unknown=upn_unknown,
                nhs_number=nhs,
                address=address,
                postcode=postcode,
            )
    except IntegrityError as exc:
        # Someone recorded the same LA child ID a moment ago; any other refusal is a defect to surface.
        if Child.objects.filter(la_child_id=la_child_id).exists():
            raise ServiceError("A child with that LA child ID already exists", field="la_child_id") from exc
        raise
    for code in codes:  # one by one, so the change history records each (bulk inserts bypass it)
        ChildDisability.objects.create(child=child, code=code)
    return child
