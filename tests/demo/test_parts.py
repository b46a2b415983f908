"""The building blocks: vectorised working days, identifiers and names."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from openmash.core import calendar
from openmash.core import workdays as wd
from openmash.demo import names
from openmash.demo.sampling import Quasi, categorical, stream
from openmash.people.identifiers import valid_nhs_number, valid_upn
from openmash.people.models import postcode_validator


def test_vectorised_working_days_agree_with_the_calendar() -> None:
    rng = stream(0, 1)
    days = rng.integers(wd.day_number(dt.date(2000, 1, 1)), wd.day_number(dt.date(2040, 1, 1)), 400)
    steps = rng.integers(0, 60, 400)
    added = wd.add_working_days(days, steps)
    following = wd.next_working_day(days)
    latest = wd.latest_start_for(days, steps)
    for day, n, a, f, start in zip(days, steps, added, following, latest, strict=True):
        d = wd.to_date(day)
        assert wd.to_date(a) == calendar.add_working_days(d, int(n))
        assert calendar.is_working_day(wd.to_date(f))
        assert wd.to_date(f) >= d
        assert (wd.to_date(f) - d).days < 7
        assert calendar.add_working_days(wd.to_date(start), int(n)) <= d
    assert wd.to_date(wd.add_years(np.array([wd.day_number(dt.date(2024, 2, 29))]), 1)[0]) == dt.date(2025, 2, 28)
    assert wd.to_date(wd.add_months(np.array([wd.day_number(dt.date(2025, 8, 31))]), 6)[0]) == dt.date(2026, 2, 28)


def test_identifiers_and_addresses_are_valid() -> None:
    rng = stream(0, 2)
    assert all(valid_nhs_number(n) and n.startswith("999") for n in names.nhs_numbers(rng, 2000).to_list())
    upns = names.upns(np.arange(1, 3001), np.full(3000, 2021)).to_list()
    assert all(valid_upn(u) and u[1:4] == names.UPN_LA_CODE for u in upns)
    assert len(set(upns)) == 3000
    _, postcodes = names.addresses(rng, 500)
    for postcode in postcodes.to_list():
        postcode_validator(postcode)
        assert postcode.startswith(names.POSTCODE_AREA)
        assert set(postcode[-2:]) <= set(names.INWARD_LETTERS)
    with pytest.raises(ValidationError):
        postcode_validator("DB1")


def test_low_discrepancy_shares_are_exact_over_any_run() -> None:
    order = np.arange(10_000, dtype=np.float64)
    whole = Quasi(stream(3, 4)).u("decision", order)
    hits = whole < 0.245
    for start in (0, 1234, 5000):
        assert abs(hits[start : start + 400].mean() - 0.245) < 0.01
    # A decision's sequence continues from one call to the next.
    q = Quasi(stream(3, 4))
    halves = np.concatenate([q.u("decision", order[:5000]), q.u("decision", order[5000:])])
    assert np.allclose(halves, whole)
    assert categorical(np.array([0.0, 0.49, 0.51, 0.999]), [1, 1]).tolist() == [0, 0, 1, 1]
