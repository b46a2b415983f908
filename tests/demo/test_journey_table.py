"""`openmash generate` stores the borough's journey events as the services would have, and
`openmash journey check` finds them equal to the events rebuilt from the loaded records; every
generated episode passes the checks the services make."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from io import StringIO

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from openmash.core.events import Event, check_episode
from openmash.core.models import JourneyEvent
from openmash.demo.generator import Borough
from openmash.journey.schema import to_events
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


def test_every_generated_episode_passes_the_episode_rules(small: Borough) -> None:
    # The borough keeps the CIN census rules, so the check that services run on each change must not
    # refuse any of its episodes, even with every event in them treated as new.
    episodes: dict[int, list[Event]] = defaultdict(list)
    for event in to_events(small.events().filter(pl.col("episode_id").is_not_null())):
        assert event.episode_id is not None
        episodes[event.episode_id].append(event)
    assert len(episodes) > 500
    refused = {episode: check_episode([], events) for episode, events in episodes.items()}
    assert [r for r in refused.values() if r is not None] == []
