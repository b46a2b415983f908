"""Reading the journey: the stored events table, and a child's chronology.

`journey_events` is a building block for selectors that check access (the chronology, KPI
scorecards, returns); it applies no access rule itself and must not be called from a view directly.
The table is written by the services as they record each change (openmash.core.events) and is
read here in one query, column by column, into Polars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connection

from openmash.access.policy import ChildAccess, can_view_casework
from openmash.accounts.models import User
from openmash.core.codes import AssessmentFactor, CategoryOfAbuse, ReasonForClosure, ReferralSource
from openmash.core.events.store import FACTOR_SEPARATOR
from openmash.core.models import JourneyEvent
from openmash.front_door.models import Contact
from openmash.people.models import Child
from openmash.protection.models import StrategyDiscussion
from openmash.workforce.models import StaffMember, Team

from .schema import EVENT_LABELS, SCHEMA, EventType, conform, empty_events

# Dates travel as ISO text and yes/no as 0 and 1, parsed by Polars in one go: far quicker than the
# Python object per value that the database driver would otherwise make.
_DATES = ("event_date", "start_date")
_AS_TEXT = {"event_type", "factors", *_DATES}


def _select_list() -> str:
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        if name in _DATES:
            return f"CAST({quote(name)} AS VARCHAR(10))"
        if name == "flag":
            return f"CASE WHEN {quote(name)} THEN 1 WHEN NOT {quote(name)} THEN 0 END"
        return quote(name)

    return ", ".join(column(name) for name in SCHEMA)


def journey_events(
    *, child_ids: Collection[int] | None = None, event_types: Collection[EventType] | None = None
) -> pl.DataFrame:
    """All statutory events in the journey schema; only some children's, or some kinds, if asked."""
    quote = connection.ops.quote_name
    conditions: list[str] = []
    params: list[Any] = []
    for column, values in (("child_id", child_ids), ("event_type", event_types)):
        if values is None:
            continue
        if not values:
            return empty_events()
        conditions.append(f"{quote(column)} IN ({', '.join(['%s'] * len(values))})")
        params += [str(v) for v in values] if column == "event_type" else list(values)
    sql = f"SELECT {_select_list()} FROM {quote(JourneyEvent._meta.db_table)}"  # noqa: S608 - names from the model
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return empty_events()
    raw = pl.DataFrame(
        list(zip(*rows, strict=True)),
        schema={name: pl.String() if name in _AS_TEXT else dtype for name, dtype in SCHEMA.items()}
        | {"flag": pl.Int8()},
        orient="col",
    )
    factors = pl.col("factors")
    return conform(
        raw.with_columns(
            pl.col(*_DATES).str.to_date("%Y-%m-%d"),
            pl.col("flag").cast(pl.Boolean),
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


def child_chronology(*, user: User, child: Child, allowed: ChildAccess | None = None) -> list[ChronologyEntry]:
    """Every statutory event for the child, newest first; nothing for someone who may not see casework.

    `allowed` is the user's access to this child where the caller has already worked it out.
    """
    if not (allowed.casework if allowed is not None else can_view_casework(user, child)):
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
