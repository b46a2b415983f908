"""The journey-events table: one row per statutory event in a child's journey.

It is the one shape that the chronology, the KPI engine, the CIN census and the benchmarks read,
whether the rows come from the database (`openmash.journey.selectors.journey_events`, reading the
stored table that the services write), from a synthetic borough or from an imported census file.

Columns
-------
event_type      what happened (EventType values)
event_date      the date it happened
child_id        the child's database key (or a synthetic key outside the database)
la_child_id     the LA child ID
episode_id      the referral (CIN episode) the event belongs to; null for contacts
source_id       key of the record behind the event, unique within event_type
start_date      for events that close something: when that thing started (assessment start for an
                authorisation, plan start for a plan end or a review, S47 start for a conference,
                referral date for a closure); else null
team_id         team responsible at the time, if known
worker_id       worker responsible at the time, if known
code            the code carried by the event: referral source (contacts and referrals), closure
                reason, strategy discussion outcome, category of abuse (initial at plan start,
                latest at plan end)
factors         factors identified at assessment (on assessment_authorised only)
flag            a yes/no that the event carries: ReferralNFA on referrals, child found in need on
                assessment_authorised, conference not required on s47_start
previous_plans  NumberOfPreviousCPP, on cp_plan_start only
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import polars as pl

from openmash.core.events import EVENT_LABELS, Event, EventType
from openmash.core.events.store import FACTOR_SEPARATOR

__all__ = [
    "EVENT_LABELS",
    "EVENT_TYPE",
    "LOCAL_TIME_ZONE",
    "SCHEMA",
    "EventType",
    "conform",
    "empty_events",
    "from_events",
    "to_events",
    "to_stored",
]

# Events are dated in local time: a contact at 00:30 on a summer night belongs to that day in England.
LOCAL_TIME_ZONE = "Europe/London"


# An Enum in declaration order: sorting by it puts events on the same day in the order they must happen.
EVENT_TYPE = pl.Enum([e.value for e in EventType])

SCHEMA: dict[str, pl.DataType] = {
    "event_type": EVENT_TYPE,
    "event_date": pl.Date(),
    "child_id": pl.Int64(),
    "la_child_id": pl.String(),
    "episode_id": pl.Int64(),
    "source_id": pl.Int64(),
    "start_date": pl.Date(),
    "team_id": pl.Int64(),
    "worker_id": pl.Int64(),
    "code": pl.String(),
    "factors": pl.List(pl.String()),
    "flag": pl.Boolean(),
    "previous_plans": pl.Int16(),
}


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Add any missing columns as nulls, cast to the schema, order columns and rows."""
    missing = [pl.lit(None, dtype=dtype).alias(name) for name, dtype in SCHEMA.items() if name not in frame.columns]
    if missing:
        frame = frame.with_columns(missing)
    frame = frame.select([pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()])
    return frame.sort(["child_id", "event_date", "event_type", "source_id"])


def to_events(frame: pl.DataFrame) -> Iterator[Event]:
    """The rows of a journey-events frame as Events, for storing."""
    for row in frame.iter_rows(named=True):
        factors = row["factors"]
        yield Event(
            event_type=EventType(row["event_type"]),
            event_date=row["event_date"],
            child_id=row["child_id"],
            la_child_id=row["la_child_id"],
            source_id=row["source_id"],
            episode_id=row["episode_id"],
            start_date=row["start_date"],
            team_id=row["team_id"],
            worker_id=row["worker_id"],
            code=row["code"],
            factors=None if factors is None else tuple(factors),
            flag=row["flag"],
            previous_plans=row["previous_plans"],
        )


def from_events(events: Iterable[Event]) -> pl.DataFrame:
    """Events as a journey-events frame."""
    rows = [
        {name: getattr(e, name) for name in SCHEMA} | {"factors": None if e.factors is None else list(e.factors)}
        for e in events
    ]
    return conform(pl.DataFrame(rows, schema=SCHEMA)) if rows else empty_events()


def to_stored(frame: pl.DataFrame) -> pl.DataFrame:
    """A journey-events frame in the stored table's columns (core.JourneyEvent), for bulk loading."""
    return frame.with_columns(
        pl.col("event_type").cast(pl.String),
        pl.col("factors").list.join(FACTOR_SEPARATOR),
    )
