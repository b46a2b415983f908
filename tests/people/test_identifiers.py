import datetime as dt

import pytest

from openmash.accounts.models import User
from openmash.casework.children import child_create
from openmash.core.errors import ServiceError
from openmash.people.identifiers import upn_check_letter, valid_la_child_id, valid_nhs_number, valid_upn


def test_nhs_numbers_use_the_modulus_11_check_digit() -> None:
    assert valid_nhs_number("943 476 5919")
    assert not valid_nhs_number("9434765918")
    assert not valid_nhs_number("12345")
    # Digits that are not ASCII 0-9 (superscripts, other scripts) are refused, not a crash.
    assert not valid_nhs_number("²²²²²²²²²²")
    assert not valid_nhs_number("٩٤٣٤٧٦٥٩١٩")


def test_upn_check_letter_round_trips() -> None:
    body = "201234567890"
    upn = upn_check_letter(body) + body
    assert valid_upn(upn)
    wrong = ("A" if upn[0] != "A" else "B") + body
    assert not valid_upn(wrong)


@pytest.mark.parametrize(("value", "ok"), [("C0001", True), ("A" * 20, True), ("A" * 21, False), ("C-01", False)])
def test_la_child_id_is_short_and_alphanumeric(value: str, ok: bool) -> None:
    assert valid_la_child_id(value) is ok


def test_child_needs_exactly_one_birth_date(worker_user: User) -> None:
    with pytest.raises(ServiceError, match="either a date of birth or"):
        child_create(la_child_id="C1", first_name="A", last_name="B", acting_user=worker_user)
    with pytest.raises(ServiceError, match="either a date of birth or"):
        child_create(
            la_child_id="C1",
            first_name="A",
            last_name="B",
            date_of_birth=dt.date(2020, 1, 1),
            expected_date_of_birth=dt.date(2027, 1, 1),
            acting_user=worker_user,
        )


def test_unborn_child_is_recorded_with_sex_unknown(worker_user: User) -> None:
    with pytest.raises(ServiceError, match="unborn child as unknown"):
        child_create(
            la_child_id="U1",
            first_name="Baby",
            last_name="B",
            expected_date_of_birth=dt.date(2027, 1, 1),
            sex="F",
            acting_user=worker_user,
        )
    unborn = child_create(
        la_child_id="U1",
        first_name="Baby",
        last_name="B",
        expected_date_of_birth=dt.date(2027, 1, 1),
        acting_user=worker_user,
    )
    assert unborn.is_unborn


def test_duplicate_la_child_id_is_refused_cleanly(worker_user: User) -> None:
    child_create(
        la_child_id="C1", first_name="A", last_name="B", date_of_birth=dt.date(2020, 1, 1), acting_user=worker_user
    )
    with pytest.raises(ServiceError, match="already exists"):
        child_create(
            la_child_id="C1", first_name="C", last_name="D", date_of_birth=dt.date(2020, 1, 1), acting_user=worker_user
        )


def test_invalid_nhs_number_is_refused(worker_user: User) -> None:
    with pytest.raises(ServiceError, match="NHS number is not valid") as err:
        child_create(
            la_child_id="C1",
            first_name="A",
            last_name="B",
            date_of_birth=dt.date(2020, 1, 1),
            nhs_number="9434765918",
            acting_user=worker_user,
        )
    assert err.value.field == "nhs_number"
