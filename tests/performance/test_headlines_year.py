"""The headline figures are for the last reporting year complete on today's date in England."""

from __future__ import annotations

from openmash.accounts.models import User
from openmash.performance.selectors import headlines

from ..clock import LATE_ON_31_MARCH_2025_UTC, frozen_at


def test_the_reporting_year_turns_at_midnight_in_england(worker_user: User) -> None:
    # Already 1 April 2025 in England, so 2024-25 (year 2025) is complete; by the UTC date it would not be.
    with frozen_at(LATE_ON_31_MARCH_2025_UTC):
        figures = headlines(user=worker_user)
    assert figures.year == 2025
