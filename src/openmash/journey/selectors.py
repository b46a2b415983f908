"""Reading the journey: the stored events table, and a child's chronology.

`journey_events` is a building block for selectors that check access (the chronology, KPI
scorecards, returns); it applies no access rule itself and must not be called from a view directly.
The table is written by the services as they record each change (openmash.core.events) and is
read here in one query, column by column, into Polars.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection

from openmash.access.policy import can_view_casework
from openmash.accounts.models import User
from openmash.core.codes import AssessmentFactor, CategoryOfAbuse, ReasonForClosure, ReferralSource
from openmash.core.events.store import FACTOR_SEPARATOR
from openmash.core.models import JourneyEvent
from openmash.front_door.models import Contact
from openmash.people.models import Child
from openmash.protection.models import StrategyDiscussion
from openmash.workforce.models import StaffMember, Team

from .schema import EVENT_LABELS, SCHEMA, EventType, conform, empty_events

# Dates travel as ISO text and are parsed by Polars in one go: far quicker than a Python date
# object per value, which is what the database driver would otherwise make.
_DATES = {"event_date", "start_date"}


def _select_list() -> str:
    quote = connection.ops.quote_name
    text = "text" if connection.vendor == "postgresql" else "TEXT"
    return ", ".join(f"CAST({quote(c)} AS {text})" if c in _DATES else quote(c) for c in SCHEMA)


def journey_events(*, child_ids: list[int] | None = None) -> pl.DataFrame:
    """All statutory events, optionally for some children only, in the journey schema."""
    table = connection.ops.quote_name(JourneyEvent._meta.db_table)
    sql = f"SELECT {_select_list()} FROM {table}"  # noqa: S608 - names from the model
    params: list[Any] = []
    if child_ids is not None:
        if not child_ids:
            return empty_events()
        sql += f" WHERE {connection.ops.quote_name('child_id')} IN ({', '.join(['%s'] * len(child_ids))})"
        params = list(child_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return empty_events()
    raw = pl.DataFrame(
        rows,
        schema={name: (pl.String() if name in _DATES | {"factors"} else dtype) for name, dtype in SCHEMA.items()}
        | {"event_type": pl.String()},
        orient="row",
    )
    factors = pl.col("factors")
    return conform(
        raw.with_columns(
            pl.col(*_DATES).str.to_date("%Y-%m-%d"),
            pl.when(factors == "")
            .then(pl.lit([], dtype=pl.List(pl.String)))
            .otherwise(factors.str.split(FACTOR_SEPARATOR))
            .alias("factors"),
        )
    )


@dataclass(frozen=True)
class ChronologyEntry:
    event_date: dt.date
    event_type: str
    title: str
    details: list[str]
    team: str
    worker: str


_FACTOR_ORDER = {code: i for i, code in enumerate(AssessmentFactor.values)}


def _detail(row: dict[str, Any]) -> list[str]:
    kind = row["event_type"]
    code = row["code"]
    details: list[str] = []
    if kind in {EventType.CONTACT, EventType.REFERRAL} and code:
        details.append(f"Source: {ReferralSource(code).label}")
    if kind == EventType.REFERRAL and row["flag"]:
        details.append("No further action")
    if kind == EventType.REFERRAL_CLOSED and code:
        details.append(f"Reason: {ReasonForClosure(code).label}")
    if kind == EventType.ASSESSMENT_AUTHORISED:
        factors = row["factors"] or []
        assert isinstance(factors, list)
        if factors:
            # In code-list order (1A, 1B … 24A), which is how practitioners read them.
            ordered = sorted(factors, key=_FACTOR_ORDER.__getitem__)
            details.append("Factors: " + "; ".join(AssessmentFactor(f).label for f in ordered))
        if row["flag"] is not None:
            details.append("Child in need" if row["flag"] else "Child not in need")
    if kind == EventType.STRATEGY_DISCUSSION and code:
        details.append(f"Outcome: {StrategyDiscussion.Outcome(code).label}")
    if kind == EventType.S47_START and row["flag"]:
        details.append("Conference not required")
    if kind in {EventType.CP_PLAN_START, EventType.CP_PLAN_END} and code:
        which = "Initial" if kind == EventType.CP_PLAN_START else "Latest"
        details.append(f"{which} category: {CategoryOfAbuse(code).label}")
    if kind == EventType.CP_PLAN_START and row["previous_plans"]:
        details.append(f"Previous plans: {row['previous_plans']}")
    return details


def child_chronology(*, user: User, child: Child) -> list[ChronologyEntry]:
    """Every statutory event for the child, newest first; nothing for someone who may not see casework."""
    if not can_view_casework(user, child):
        return []
    events = journey_events(child_ids=[child.pk])
    team_ids = set(events["team_id"].drop_nulls().to_list())
    worker_ids = set(events["worker_id"].drop_nulls().to_list())
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    workers = {s.pk: s.full_name for s in StaffMember.objects.filter(pk__in=worker_ids)}
    contact_outcomes = dict(Contact.objects.filter(child=child).values_list("pk", "outcome"))
    entries = []
    for row in events.reverse().iter_rows(named=True):
        details = _detail(row)
        if row["event_type"] == EventType.CONTACT and contact_outcomes.get(row["source_id"]):
            details.append(f"Outcome: {Contact.Outcome(contact_outcomes[row['source_id']]).label}")
        entries.append(
            ChronologyEntry(
                event_date=row["event_date"],
                event_type=row["event_type"],
                title=EVENT_LABELS[row["event_type"]],
                details=details,
                team=teams.get(row["team_id"], ""),
                worker=workers.get(row["worker_id"], ""),
            )
        )
    return entries
