"""What a journey event is: its kinds, their names, and one event as a service records it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol


class EventType(StrEnum):
    # Declaration order is the order events on the same day must happen in (a strategy discussion
    # before the Section 47 enquiry it starts, a conference before its plan): readers sort by it.
    CONTACT = "contact"
    REFERRAL = "referral"
    ASSESSMENT_START = "assessment_start"
    ASSESSMENT_AUTHORISED = "assessment_authorised"
    CIN_PLAN_START = "cin_plan_start"
    CIN_PLAN_END = "cin_plan_end"
    STRATEGY_DISCUSSION = "strategy_discussion"
    S47_START = "s47_start"
    ICPC = "icpc"
    CP_PLAN_START = "cp_plan_start"
    CP_REVIEW = "cp_review"
    CP_PLAN_END = "cp_plan_end"
    REFERRAL_CLOSED = "referral_closed"


# Headings, as the chronology shows them.
EVENT_LABELS: dict[str, str] = {
    EventType.CONTACT: "Contact received",
    EventType.REFERRAL: "Referral to children's social care",
    EventType.ASSESSMENT_START: "Single assessment started",
    EventType.ASSESSMENT_AUTHORISED: "Single assessment authorised",
    EventType.CIN_PLAN_START: "Child in need plan started",
    EventType.CIN_PLAN_END: "Child in need plan ended",
    EventType.STRATEGY_DISCUSSION: "Strategy discussion",
    EventType.S47_START: "Section 47 enquiry started",
    EventType.ICPC: "Initial child protection conference",
    EventType.CP_PLAN_START: "Child protection plan started",
    EventType.CP_REVIEW: "Child protection review conference",
    EventType.CP_PLAN_END: "Child protection plan ended",
    EventType.REFERRAL_CLOSED: "Case closed",
}

# The same events inside a sentence ("... the strategy discussion on 1 July 2025 ...").
EVENT_NOUNS: dict[str, str] = {
    EventType.CONTACT: "the contact",
    EventType.REFERRAL: "the referral",
    EventType.ASSESSMENT_START: "the start of the single assessment",
    EventType.ASSESSMENT_AUTHORISED: "the authorisation of the single assessment",
    EventType.CIN_PLAN_START: "the start of the child in need plan",
    EventType.CIN_PLAN_END: "the end of the child in need plan",
    EventType.STRATEGY_DISCUSSION: "the strategy discussion",
    EventType.S47_START: "the start of the Section 47 enquiry",
    EventType.ICPC: "the initial child protection conference",
    EventType.CP_PLAN_START: "the start of the child protection plan",
    EventType.CP_REVIEW: "the child protection review conference",
    EventType.CP_PLAN_END: "the end of the child protection plan",
    EventType.REFERRAL_CLOSED: "the case closure",
}

# For events that end something: the event that started it (same source_id).
STARTED_BY: dict[EventType, EventType] = {
    EventType.ASSESSMENT_AUTHORISED: EventType.ASSESSMENT_START,
    EventType.CIN_PLAN_END: EventType.CIN_PLAN_START,
    EventType.ICPC: EventType.S47_START,
    EventType.CP_PLAN_END: EventType.CP_PLAN_START,
}

Key = tuple[str, int]


def episode_conference_source_id(episode_id: int) -> int:
    """The source_id of an initial conference recorded on the episode itself (the census's
    CINdetails-level DateOfInitialCPC, with no Section 47 enquiry behind it): the referral's id
    negated, so it never meets the id of an enquiry, whose conferences are keyed by the enquiry."""
    return -episode_id


@dataclass(frozen=True)
class Event:
    """One row of the journey-events table (columns described in openmash.journey.schema)."""

    event_type: EventType
    event_date: dt.date
    child_id: int
    la_child_id: str
    source_id: int
    episode_id: int | None = None
    start_date: dt.date | None = None
    team_id: int | None = None
    worker_id: int | None = None
    code: str | None = None
    factors: tuple[str, ...] | None = None
    flag: bool | None = None
    previous_plans: int | None = None

    @property
    def key(self) -> Key:
        """Unique in the table: the kind of event and the record behind it."""
        return (str(self.event_type), self.source_id)

    @property
    def noun(self) -> str:
        return EVENT_NOUNS[self.event_type]


class Episode(Protocol):
    """What an event needs from its referral (CIN episode): casework's Referral, with its child."""

    @property
    def pk(self) -> Any: ...

    @property
    def child_id(self) -> int: ...

    @property
    def team_id(self) -> int | None: ...

    @property
    def child(self) -> Any: ...


def episode_event(
    episode: Episode, event_type: EventType, event_date: dt.date, source_id: int, **columns: Any
) -> Event:
    """An event inside an episode, keyed to its referral, child and the referral's team."""
    return Event(
        event_type=event_type,
        event_date=event_date,
        child_id=episode.child_id,
        la_child_id=episode.child.la_child_id,
        episode_id=episode.pk,
        source_id=source_id,
        team_id=episode.team_id,
        **columns,
    )
