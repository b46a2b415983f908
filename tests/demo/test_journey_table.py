"""`openmash generate` stores the borough's journey events as the services would have, and
`openmash journey check` finds them equal to the events rebuilt from the loaded records."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openmash.core.models import JourneyEvent
from openmash.demo.generator import Borough
from openmash.journey.selectors import journey_events

from .conftest import AS_OF


@pytest.mark.django_db
def test_a_generated_borough_passes_the_journey_check(small: Borough) -> None:
    call_command(
        "generate", "--size", "small", "--seed", "1", "--as-of", AS_OF.isoformat(), "--no-progress", stdout=StringIO()
    )
    assert journey_events().equals(small.events())
    out = StringIO()
    call_command("journey", "check", stdout=out)
    assert "match the records" in out.getvalue()
    # The check is not vacuous: one stored event moved by a day is found and named.
    moved = JourneyEvent.objects.filter(event_type="cp_plan_end").order_by("id").first()
    assert moved is not None
    JourneyEvent.objects.filter(pk=moved.pk).update(event_date=moved.event_date - dt.timedelta(days=1))
    with pytest.raises(CommandError, match=rf"(?s)1 difference.*cp_plan_end {moved.source_id} "):
        call_command("journey", "check", stdout=StringIO())
