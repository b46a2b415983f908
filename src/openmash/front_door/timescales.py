"""When a rated contact's decision, and an agency's checks, are due.

The clock starts when the contact is received (front-door notes, section 2). A timescale in hours runs on
the clock; one in working days ends at the same time of day that many working days later (weekends and
bank holidays in England skipped), so a green contact received at 16:00 on a Friday with 3 working days is due
at 16:00 on the Wednesday.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openmash.core.calendar import add_working_days

from .models import ContactRag, FrontDoorSettings, TimescaleUnit


def _after(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == TimescaleUnit.HOURS:
        return start + dt.timedelta(hours=amount)
    local = timezone.localtime(start)
    day = add_working_days(local.date(), amount)
    due = dt.datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(due)


def decision_due(
    received_at: dt.datetime, rag: ContactRag | str, settings: FrontDoorSettings | None = None
) -> dt.datetime:
    """The time by which a contact with this rating must be decided."""
    s = settings or FrontDoorSettings.current()
    amount, unit = {
        ContactRag.RED: (s.red_decision, s.red_decision_unit),
        ContactRag.AMBER: (s.amber_decision, s.amber_decision_unit),
        ContactRag.GREEN: (s.green_decision, s.green_decision_unit),
    }[ContactRag(rag)]
    return _after(received_at, amount, unit)


def check_due(
    requested_at: dt.datetime, rag: ContactRag | str, settings: FrontDoorSettings | None = None
) -> dt.datetime:
    """The time by which an agency should answer the MASH's request for its checks."""
    s = settings or FrontDoorSettings.current()
    hours = {
        ContactRag.RED: s.red_check_hours,
        ContactRag.AMBER: s.amber_check_hours,
        ContactRag.GREEN: s.green_check_hours,
    }[ContactRag(rag) if rag else ContactRag.GREEN]
    return requested_at + dt.timedelta(hours=hours)


def describe(settings: FrontDoorSettings | None = None) -> dict[str, str]:
    """Each rating's decision timescale in words, for the pages that explain them."""
    s = settings or FrontDoorSettings.current()

    def words(amount: int, unit: str) -> str:
        label = TimescaleUnit(unit).label
        return f"{amount} {label[:-1] if amount == 1 else label}"

    return {
        ContactRag.RED: words(s.red_decision, s.red_decision_unit),
        ContactRag.AMBER: words(s.amber_decision, s.amber_decision_unit),
        ContactRag.GREEN: words(s.green_decision, s.green_decision_unit),
    }
