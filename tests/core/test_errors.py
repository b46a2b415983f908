"""The future-date check every service uses counts days in England's time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.core.errors import ServiceError, ensure_not_in_future

from ..clock import LATE_ON_31_MARCH_2025_UTC, LOCAL_DATE_THEN, frozen_at


def test_today_in_england_is_not_the_future_even_before_midnight_utc() -> None:
    with frozen_at(LATE_ON_31_MARCH_2025_UTC):
        ensure_not_in_future(LOCAL_DATE_THEN, "start date", "start_date")
        with pytest.raises(ServiceError, match="The start date cannot be in the future") as err:
            ensure_not_in_future(LOCAL_DATE_THEN + dt.timedelta(days=1), "start date", "start_date")
    assert err.value.field == "start_date"
