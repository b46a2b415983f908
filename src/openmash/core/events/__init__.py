"""Journey events in core, below every app that records them.

- types: the kinds of event (EventType), their names, and `Event`, one row as a service records it;
- rules: the one check of all dated records in an episode (`check_episode`);
- store: `record_events`, which every service calls in its transaction, and `replace_events`;
- signals: `records_changed`, sent by `record_events` with the children whose records changed.

Services in front_door, casework and protection write through here; openmash.journey reads the
stored table (and rebuilds it from the records to check it).
"""

from .rules import Refusal, check_episode
from .signals import records_changed
from .store import decode_factors, encode_factors, episode_events, record_events, replace_child_events, replace_events
from .types import EVENT_LABELS, EVENT_NOUNS, Event, EventType, episode_conference_source_id, episode_event

__all__ = [
    "EVENT_LABELS",
    "EVENT_NOUNS",
    "Event",
    "EventType",
    "Refusal",
    "check_episode",
    "decode_factors",
    "encode_factors",
    "episode_conference_source_id",
    "episode_event",
    "episode_events",
    "record_events",
    "records_changed",
    "replace_child_events",
    "replace_events",
]
