"""Stopping the clock at a chosen instant, for tests of what "today" means."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine

# 23:30 UTC on 31 March 2025 is 00:30 on 1 April in England (British Summer Time began on 30 March):
# the UTC date is the last day of one reporting year, the local date the first day of the next.
LATE_ON_31_MARCH_2025_UTC = dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.UTC)
LOCAL_DATE_THEN = dt.date(2025, 4, 1)


@contextmanager
def frozen_at(instant: dt.datetime) -> Iterator[None]:
    """Stop the clock at `instant` in a process whose own time zone is UTC (as on many servers), so that
    code taking "today" from the process (date.today()) and code taking it from England's time zone
    (django.utils.timezone.localdate()) disagree around midnight."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        with time_machine.travel(instant, tick=False):
            yield
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()
