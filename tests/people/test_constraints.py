"""What recording a child promises, the database holds too: an ORM write that breaks it is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from openmash.people.models import Child

BORN: dict[str, Any] = {"date_of_birth": dt.date(2020, 1, 1), "sex": "M"}
UNBORN: dict[str, Any] = {"expected_date_of_birth": dt.date(2027, 1, 1), "sex": "U"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {**UNBORN, "sex": "F"},  # CIN rule 8750: an unborn child's sex is unknown
        {**BORN, "upn": "L201234567890", "upn_unknown": "UN4"},  # a UPN, or why there is none
        {**BORN, "first_name": ""},
        {**BORN, "last_name": ""},
    ],
    ids=["unborn-sex", "upn-and-reason", "no-first-name", "no-last-name"],
)
def test_an_impossible_child_is_refused(values: dict[str, Any]) -> None:
    row = {"la_child_id": "C1", "first_name": "Amelia", "last_name": "Jones", **values}
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.create(**row)
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_the_same_children_done_right_are_stored() -> None:
    Child.objects.create(la_child_id="C1", first_name="Baby", last_name="Jones", **UNBORN)
    Child.objects.create(la_child_id="C2", first_name="Amelia", last_name="Jones", upn="L201234567890", **BORN)
    Child.objects.create(la_child_id="C3", first_name="Ben", last_name="Jones", upn_unknown="UN4", **BORN)
    assert Child.objects.count() == 3
