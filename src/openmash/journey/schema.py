"""The journey-events table: one row per statutory event in a child's journey.

It is the one shape that the chronology, the KPI engine, the CIN census and the benchmarks read,
whether the rows come from the live database (`openmash.journey.selectors.journey_events`), from a
synthetic borough or from an imported census file.

Columns
-------
event_type      what happened (EventType values)
event_date      the date it happened
child_id        the child's database key (or a synthetic key outside the database)
la_child_id     the LA child ID
episode_id      the referral (CIN episode) the event belongs to; null for contacts
source_id       key of the record behind the event, unique within event_type
start_date      for events that close something: when that thing started (assessment start for an
                authorisation, plan start for a plan end, S47 start for a conference); else null
team_id         team responsible at the time, if known
worker_id       worker responsible at the time, if known
code            the DfE code carried by the event: referral source, contact outcome, closure reason,
                category of abuse (initial at plan start, latest at plan end)
factors         factors identified at assessment (on assessment_authorised only)
flag            a yes/no that the event carries: ReferralNFA on referrals, child found in need on
                assessment_authorised, conference not required on s47_start
previous_plans  NumberOfPreviousCPP, on cp_plan_start only
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

# Events are dated in local time: a contact at 00:30 on a summer night belongs to that day in England.
LOCAL_TIME_ZONE = "Europe/London"


class EventType(StrEnum):
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
