"""Writing journey events: the one way a service stores the events of its change.

`record_events` is called by every service in front_door, casework and protection, inside the
service's transaction and after it has saved its own records, with the events its change creates or
updates. It checks each episode the events belong to (rules.check_episode) and refuses with a
ServiceError if the episode would become impossible; the service's transaction then rolls back, so
a refused change leaves nothing behind. Otherwise the events are inserted, or updated where one of
the same kind for the same record is already stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from openmash.core.errors import ServiceError
from openmash.core.models import JourneyEvent

from .rules import check_episode
from .signals import records_changed
from .types import Event, EventType

FACTOR_SEPARATOR = ","
BATCH_ROWS = 20_000


def encode_factors(factors: Iterable[str] | None) -> str | None:
    return None if factors is None else FACTOR_SEPARATOR.join(sorted(factors))


def decode_factors(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(text.split(FACTOR_SEPARATOR)) if text else ()


def _columns(event: Event) -> dict[str, Any]:
    return {
        "event_date": event.event_date,
        "child_id": event.child_id,
        "la_child_id": event.la_child_id,
        "episode_id": event.episode_id,
        "start_date": event.start_date,
        "team_id": event.team_id,
        "worker_id": event.worker_id,
        "code": event.code,
        "factors": encode_factors(event.factors),
        "flag": event.flag,
        "previous_plans": event.previous_plans,
    }


def _event(row: JourneyEvent) -> Event:
    return Event(
        event_type=EventType(row.event_type),
        event_date=row.event_date,
        child_id=row.child_id,
        la_child_id=row.la_child_id,
        source_id=row.source_id,
        episode_id=row.episode_id,
        start_date=row.start_date,
        team_id=row.team_id,
        worker_id=row.worker_id,
        code=row.code,
        factors=decode_factors(row.factors),
        flag=row.flag,
        previous_plans=row.previous_plans,
    )


def episode_events(episode_id: int, *, lock: bool = False) -> list[Event]:
    """The stored events of one episode. `lock` holds them until the transaction ends, so two changes
    to the same episode are checked one after the other."""
    rows = JourneyEvent.objects.filter(episode_id=episode_id).order_by("event_date", "id")
    if lock:
        rows = rows.select_for_update()
    return [_event(row) for row in rows]


def events_by_episode(episode_ids: Iterable[int]) -> dict[int, list[Event]]:
    """The stored events of several episodes in one query, by episode (for lists of cases)."""
    grouped: dict[int, list[Event]] = defaultdict(list)
    rows = JourneyEvent.objects.filter(episode_id__in=list(episode_ids)).order_by("episode_id", "event_date", "id")
    for row in rows:
        if row.episode_id is not None:
            grouped[row.episode_id].append(_event(row))
    return grouped


def record_events(*events: Event) -> None:
    """Check the episodes these events belong to, then store them (insert or update)."""
    by_episode: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        if event.episode_id is not None:
            by_episode[event.episode_id].append(event)
    stored: dict[tuple[str, int], int] = {}
    for episode_id, changes in by_episode.items():
        current = episode_events(episode_id, lock=True)
        refusal = check_episode(current, changes)
        if refusal is not None:
            raise ServiceError(refusal.message, field=refusal.field)
    keys = [e.key for e in events]
    for row in JourneyEvent.objects.filter(
        event_type__in={k[0] for k in keys}, source_id__in={k[1] for k in keys}
    ).values_list("event_type", "source_id", "pk"):
        stored[(row[0], row[1])] = row[2]
    for event in events:
        pk = stored.get(event.key)
        if pk is None:
            JourneyEvent.objects.create(
                event_type=event.event_type, source_id=event.source_id, recorded_at=timezone.now(), **_columns(event)
            )
        else:
            JourneyEvent.objects.filter(pk=pk).update(recorded_at=timezone.now(), **_columns(event))
    child_ids = frozenset(e.child_id for e in events if e.child_id is not None)
    if child_ids:
        records_changed.send(sender=Event, child_ids=child_ids)


def replace_events(events: Iterable[Event], *, model: Any = JourneyEvent) -> int:
    """Replace every stored event with `events`, unchecked: for rebuilding the table from the records
    after a repair. `model` is JourneyEvent, or its historical form in a migration. Returns the rows
    written."""
    model.objects.all().delete()
    rows = (model(event_type=e.event_type, source_id=e.source_id, **_columns(e)) for e in events)
    return len(model.objects.bulk_create(rows, batch_size=BATCH_ROWS))


def replace_child_events(child_ids: Iterable[int], events: Iterable[Event]) -> int:
    """Replace the stored events of these children with `events` (theirs), unchecked: for records
    loaded in bulk, as an imported census is, whose events are rebuilt from the records just written.
    Returns the rows written."""
    ids = list(child_ids)
    for at in range(0, len(ids), BATCH_ROWS // 4):
        JourneyEvent.objects.filter(child_id__in=ids[at : at + BATCH_ROWS // 4]).delete()
    rows = (JourneyEvent(event_type=e.event_type, source_id=e.source_id, **_columns(e)) for e in events)
    written = len(JourneyEvent.objects.bulk_create(rows, batch_size=BATCH_ROWS))
    if ids:
        records_changed.send(sender=Event, child_ids=frozenset(ids))
    return written
