"""Template filters for the sign-in pages."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def duration(value: dt.timedelta | int | float | None) -> str:
    """A length of time in words: 1800 or timedelta(minutes=30) → '30 minutes'; 90 → '1 minute 30 seconds'."""
    if value is None or value == "":
        return ""
    seconds = round(value.total_seconds() if isinstance(value, dt.timedelta) else float(value))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    for amount, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")):
        if amount:
            parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
    return " ".join(parts) or "0 seconds"
