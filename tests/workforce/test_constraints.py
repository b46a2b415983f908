"""A member of staff works between none and all of a full-time post."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from openmash.workforce.models import Service, StaffMember, Team


@pytest.fixture
def team(db: None) -> Team:
    return Team.objects.create(name="CIN 1", service=Service.objects.create(name="Safeguarding"), kind="cin")


def _staff(team: Team, fte: str) -> StaffMember:
    return StaffMember.objects.create(
        first_name="Sam",
        last_name="Smith",
        team=team,
        job_role="social_worker",
        fte=Decimal(fte),
        start_date=dt.date(2024, 1, 1),
    )


@pytest.mark.parametrize("fte", ["1.01", "-0.01", "2.00"])
def test_fte_outside_0_to_1_is_refused(team: Team, fte: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _staff(team, fte)


@pytest.mark.parametrize("fte", ["0.00", "0.50", "1.00"])
def test_fte_from_0_to_1_is_stored(team: Team, fte: str) -> None:
    assert _staff(team, fte).fte == Decimal(fte)
