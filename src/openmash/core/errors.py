"""Errors the services raise, worded for the person using the system."""

from __future__ import annotations

import datetime

from django.utils import timezone


class ServiceError(Exception):
    """A business rule refused an action. `message` is shown to the user as it is.

    `field` names the form field the message belongs to, where there is one, so a form can
    show it next to the right input.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def ensure_not_in_future(day: datetime.date, what: str, field: str) -> None:
    """Refuse a date after today: casework records what has happened. Today is the date in England
    (settings.TIME_ZONE), so a record made just after midnight in summer may carry that day's date."""
    if day > timezone.localdate():
        raise ServiceError(f"The {what} cannot be in the future", field=field)
