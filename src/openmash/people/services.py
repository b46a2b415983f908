"""Recording children."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import can_create_child
from openmash.accounts.models import User
from openmash.core.codes import Ethnicity, Sex
from openmash.core.errors import ServiceError

from .identifiers import valid_la_child_id, valid_nhs_number, valid_upn
from .models import Child


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
    nhs_number: str = "",
    address: str = "",
    postcode: str = "",
    acting_user: User,
) -> Child:
    if not can_create_child(acting_user):
        raise ServiceError("You do not have permission to record a new child")
    if not valid_la_child_id(la_child_id):
        raise ServiceError("The LA child ID must be 1 to 20 letters or digits", field="la_child_id")
    if (date_of_birth is None) == (expected_date_of_birth is None):
        raise ServiceError(
            "Give either a date of birth or, for an unborn child, an expected date of birth",
            field="date_of_birth",
        )
    today = dt.date.today()  # noqa: DTZ011 - dates are local calendar dates
    if date_of_birth is not None and date_of_birth > today:
        raise ServiceError("The date of birth cannot be in the future", field="date_of_birth")
    if expected_date_of_birth is not None and sex != Sex.UNKNOWN:
        raise ServiceError("Record the sex of an unborn child as unknown", field="sex")
    if upn and not valid_upn(upn):
        raise ServiceError("The UPN is not valid: check the 13 characters and the check letter", field="upn")
    nhs = nhs_number.replace(" ", "")
    if nhs and not valid_nhs_number(nhs):
        raise ServiceError("The NHS number is not valid: check the 10 digits", field="nhs_number")
    try:
        with transaction.atomic():
            return Child.objects.create(
                la_child_id=la_child_id,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                date_of_birth=date_of_birth,
                expected_date_of_birth=expected_date_of_birth,
                sex=sex,
                ethnicity=ethnicity,
                upn=upn,
                nhs_number=nhs,
                address=address,
                postcode=postcode.upper().strip(),
            )
    except IntegrityError as exc:
        raise ServiceError("A child with that LA child ID already exists", field="la_child_id") from exc
