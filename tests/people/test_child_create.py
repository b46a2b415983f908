"""Recording a child refuses impossible values, each named against its field, and writes nothing then."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openmash.accounts.models import User
from openmash.casework.children import child_create, normalise_postcode
from openmash.core.errors import ServiceError
from openmash.people.identifiers import upn_check_letter
from openmash.people.models import Child

from ..clock import LATE_ON_31_MARCH_2025_UTC, LOCAL_DATE_THEN, frozen_at

VALID_UPN = upn_check_letter("201234567890") + "201234567890"


def _create(user: User, **overrides: Any) -> Child:
    values: dict[str, Any] = {
        "la_child_id": "C1",
        "first_name": "Amelia",
        "last_name": "Jones",
        "date_of_birth": dt.date(2015, 6, 1),
        "sex": "F",
        "ethnicity": "WBRI",
        "postcode": "AB1 2CD",
    }
    return child_create(**{**values, **overrides}, acting_user=user)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sex": "Q"}, "sex", "Select the child's sex"),
        ({"ethnicity": "ZZZZ"}, "ethnicity", "Select the child's ethnicity"),
        ({"postcode": "NOT A POSTCODE"}, "postcode", "Enter a real postcode"),
        ({"postcode": "SW1A"}, "postcode", "Enter a real postcode"),
        ({"first_name": "   "}, "first_name", "Enter the child's first name"),
        ({"last_name": ""}, "last_name", "Enter the child's last name"),
        ({"first_name": "A" * 101}, "first_name", "100 characters or fewer"),
        ({"last_name": "B" * 101}, "last_name", "100 characters or fewer"),
        ({"address": "1 High Street " * 20}, "address", "200 characters or fewer"),
        ({"la_child_id": "C-1"}, "la_child_id", "1 to 20 letters or digits"),
        ({"upn": "A201234567890"}, "upn", "UPN is not valid"),
        ({"upn_unknown": "UN9"}, "upn_unknown", "why the UPN is not known"),
        ({"upn": VALID_UPN, "upn_unknown": "UN4"}, "upn_unknown", "not both"),
        ({"nhs_number": "943 476 5918"}, "nhs_number", "NHS number is not valid"),
        ({"disabilities": ["MOB", "WINGS"]}, "disabilities", "Unknown disability code: WINGS"),
        ({"disabilities": ["NONE", "MOB"]}, "disabilities", "cannot be combined"),
        ({"date_of_birth": None}, "date_of_birth", "either a date of birth"),
    ],
)
def test_an_impossible_value_is_refused_against_its_field(
    worker_user: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as err:
        _create(worker_user, **overrides)
    assert err.value.field == field
    assert not Child.objects.exists()


def test_an_expected_birth_more_than_40_weeks_away_is_refused(worker_user: User) -> None:
    with frozen_at(LATE_ON_31_MARCH_2025_UTC):
        latest = LOCAL_DATE_THEN + dt.timedelta(days=280)
        with pytest.raises(ServiceError, match="more than 40 weeks away") as err:
            _create(worker_user, date_of_birth=None, expected_date_of_birth=latest + dt.timedelta(days=1), sex="U")
        assert err.value.field == "expected_date_of_birth"
        unborn = _create(worker_user, date_of_birth=None, expected_date_of_birth=latest, sex="U", upn_unknown="UN6")
    assert unborn.is_unborn
    assert unborn.upn_unknown == "UN6"


def test_a_birth_today_in_england_is_accepted_before_midnight_utc(worker_user: User) -> None:
    with frozen_at(LATE_ON_31_MARCH_2025_UTC):
        with pytest.raises(ServiceError, match="date of birth cannot be in the future"):
            _create(worker_user, date_of_birth=LOCAL_DATE_THEN + dt.timedelta(days=1))
        child = _create(worker_user, date_of_birth=LOCAL_DATE_THEN)
    assert child.date_of_birth == LOCAL_DATE_THEN


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("sw1a1aa", "SW1A 1AA"), ("  sw1a   1aa ", "SW1A 1AA"), ("m1 1ae", "M1 1AE"), ("", "")],
)
def test_postcodes_are_stored_upper_case_with_one_space(worker_user: User, typed: str, stored: str) -> None:
    assert normalise_postcode(typed) == stored
    assert _create(worker_user, postcode=typed).postcode == stored


def test_a_valid_child_is_stored_tidily_with_its_disabilities(worker_user: User) -> None:
    child = _create(
        worker_user,
        first_name="  Amelia  Rose ",
        upn=VALID_UPN.lower(),
        nhs_number="943 476 5919",
        disabilities=["MOB", "HEAR", "MOB"],
    )
    child.refresh_from_db()
    assert child.first_name == "Amelia Rose"
    assert child.upn == VALID_UPN
    assert child.nhs_number == "9434765919"
    assert sorted(child.disabilities.values_list("code", flat=True)) == ["HEAR", "MOB"]


def test_no_disability_stands_alone(worker_user: User) -> None:
    child = _create(worker_user, disabilities=["NONE"])
    assert list(child.disabilities.values_list("code", flat=True)) == ["NONE"]
