"""The child protection timescales, counted from the records (Working Together 2023).

Kept here so that the services that store the dates and the journey's due-dates reader (which sits above
protection) count them the same way.
"""

from __future__ import annotations

import datetime as dt

from openmash.core.calendar import add_working_days
from openmash.core.dates import add_months

# An initial conference within 15 working days of the strategy discussion (and, as the service also
# reports, of the enquiry's start).
ICPC_WORKING_DAYS = 15
FIRST_REVIEW_MONTHS = 3
LATER_REVIEW_MONTHS = 6


def conference_due(clock_start: dt.date) -> dt.date:
    return add_working_days(clock_start, ICPC_WORKING_DAYS)


def cp_review_due(plan_start: dt.date, last_review: dt.date | None) -> dt.date:
    """The next review conference: 3 months after the conference that started the plan, then 6 months
    after the last review."""
    if last_review is None:
        return add_months(plan_start, FIRST_REVIEW_MONTHS)
    return add_months(last_review, LATER_REVIEW_MONTHS)
