"""Stopping the clock at a chosen instant, for tests of what "today" means."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

# 23:30 UTC on 31 March 2025 is 00:30 on 1 April in England (British Summer Time began on 30 March):
# the UTC date is the last day of one reporting year, the local date the first day of the next.
LATE_ON_31_MARCH_2025_UTC = dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.UTC)
LOCAL_DATE_THEN = dt.date(2025, 4, 1)


@contextmanager
def frozen_at(instant: dt.datetime) -> Iterator[None]:
    """Make django.utils.timezone.now (and so localdate and localtime) answer `instant`."""
    with mock.patch("django.utils.timezone.now", return_value=instant):
        yield
