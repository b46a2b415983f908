"""Reading the journey: the stored events table, and a child's chronology.

`journey_events` is a building block for selectors that check access (the chronology, KPI
scorecards, returns); it applies no access rule itself and must not be called from a view directly.
The table is written by the services as they record each change (openmash.core.events) and is
read here in one query, column by column, into Polars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import connections, models, router
from django.db.models import QuerySet
from django.utils import timezone

from openmash.access.policy import Basis, ChildAccess, basis_for, case_notes_scope, child_access
from openmash.accounts.models import Agency, User
from openmash.casework.models import CaseNote, Visit
from openmash.core.codes import AssessmentFactor, CategoryOfAbuse, ReasonForClosure, ReferralSource
from openmash.core.dates import long_date
from openmash.core.events.store import FACTOR_SEPARATOR
from openmash.core.models import JourneyEvent
from openmash.front_door.models import Contact, SharingLevel
from openmash.front_door.selectors import visible_contributions
from openmash.people.models import Child
from openmash.protection.models import StrategyDiscussion
from openmash.workforce.models import StaffMember, Team

from .schema import EVENT_LABELS, SCHEMA, EventType, conform, empty_events

# Dates travel as ISO text and yes/no as 0 and 1, parsed by Polars in one go: far quicker than the
# Python object per value that the database driver would otherwise make.
_DATES = ("event_date", "start_date")
_AS_TEXT = {"event_type", "factors", *_DATES}


def _select_list(quote: Callable[[str], str]) -> str:

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
    # Raw SQL skips the database router, so ask it: reports may read from the replica (core.routers).
    connection = connections[router.db_for_read(JourneyEvent)]
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
    sql = f"SELECT {_select_list(quote)} FROM {quote(JourneyEvent._meta.db_table)}"  # noqa: S608 - names from the model
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


class EntryKind(models.TextChoices):
    """The kinds of entry in a child's chronology, which the reader may filter by."""

    EVENT = "event", "Statutory steps"
    VISIT = "visit", "Visits"
    NOTE = "note", "Case notes"
    AGENCY = "agency", "Information from agencies"


@dataclass(frozen=True)
class ChronologyFilters:
    """What the reader asked to see: some kinds of entry (all if empty), between two dates (either open)."""

    kinds: frozenset[EntryKind] = frozenset()
    start: dt.date | None = None
    end: dt.date | None = None

    def wants(self, kind: EntryKind) -> bool:
        return not self.kinds or kind in self.kinds

    def within(self, day: dt.date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    @property
    def active(self) -> bool:
        return bool(self.kinds) or self.start is not None or self.end is not None

    def describe(self) -> str:
        parts = [", ".join(k.label for k in EntryKind if k in self.kinds) if self.kinds else "every kind of entry"]
        if self.start is not None:
            parts.append(f"from {self.start:%-d %B %Y}")
        if self.end is not None:
            parts.append(f"to {self.end:%-d %B %Y}")
        return " ".join(parts)

    def as_detail(self) -> dict[str, Any]:
        return {
            "kinds": sorted(self.kinds),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
        }


NO_FILTERS = ChronologyFilters()


@dataclass(frozen=True)
class ChronologyEntry:
    event_date: dt.date
    event_type: str
    title: str
    details: list[str]
    team: str
    worker: str
    kind: EntryKind = EntryKind.EVENT
    # What was written (a visit's or case note's record, an agency's information), shown as paragraphs.
    body: str = ""
    restricted: bool = False

    # Formatted here rather than by the template's date filter: a long chronology shows hundreds of dates.
    @property
    def date_label(self) -> str:
        return long_date(self.event_date)

    @property
    def date_iso(self) -> str:
        return self.event_date.isoformat()


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


def child_chronology(
    *, user: User, child: Child, allowed: ChildAccess | None = None, filters: ChronologyFilters = NO_FILTERS
) -> list[ChronologyEntry]:
    """The child's chronology for this user, newest first: statutory steps, visits and case notes for casework
    readers (restricted notes only as policy.case_notes_scope allows), and the agency information the user may
    read (front_door.selectors.visible_contributions), for a partner agency that alone.

    `allowed` is the user's access to this child where the caller has already worked it out (and audited the
    view); otherwise it is worked out here, and nothing is returned to someone who may not see the child.
    """
    if allowed is None:
        basis = basis_for(user, child)
        if basis is None:
            return []
        allowed = child_access(user, basis)
    entries: list[ChronologyEntry] = []
    if allowed.casework:
        if filters.wants(EntryKind.EVENT):
            entries += _events(child, filters)
        if filters.wants(EntryKind.VISIT):
            entries += _visits(child, filters)
        if filters.wants(EntryKind.NOTE):
            entries += _notes(user, child, allowed.basis, filters)
    if filters.wants(EntryKind.AGENCY):
        entries += _contributions(user, child, allowed.basis, filters)
    # Each source is already newest first; a stable sort keeps that order within a day.
    entries.sort(key=lambda e: e.event_date, reverse=True)
    return entries


def _dated(queryset: QuerySet[Any], field: str, filters: ChronologyFilters) -> QuerySet[Any]:
    if filters.start is not None:
        queryset = queryset.filter(**{f"{field}__gte": filters.start})
    if filters.end is not None:
        queryset = queryset.filter(**{f"{field}__lte": filters.end})
    return queryset


def _events(child: Child, filters: ChronologyFilters) -> list[ChronologyEntry]:
    events = journey_events(child_ids=[child.pk])
    if filters.start is not None:
        events = events.filter(pl.col("event_date") >= filters.start)
    if filters.end is not None:
        events = events.filter(pl.col("event_date") <= filters.end)
    if events.is_empty():
        return []
    team_ids = set(events["team_id"].drop_nulls().to_list())
    worker_ids = set(events["worker_id"].drop_nulls().to_list())
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    workers = (
        {s.pk: s.full_name for s in StaffMember.objects.filter(pk__in=worker_ids).only("first_name", "last_name")}
        if worker_ids
        else {}
    )
    contact_ids = events.filter(pl.col("event_type") == EventType.CONTACT)["source_id"].to_list()
    contact_outcomes = (
        dict(Contact.objects.filter(child=child, pk__in=contact_ids).values_list("pk", "outcome"))
        if contact_ids
        else {}
    )
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


def _visits(child: Child, filters: ChronologyFilters) -> list[ChronologyEntry]:
    visits = _dated(Visit.objects.filter(child=child), "visit_date", filters).order_by("-visit_date", "-id")
    rows = list(visits.values_list("visit_date", "purpose", "seen", "seen_alone", "visited_by_id", "notes"))
    worker_ids = {row[4] for row in rows if row[4] is not None}
    workers = (
        {s.pk: s.full_name for s in StaffMember.objects.filter(pk__in=worker_ids).only("first_name", "last_name")}
        if worker_ids
        else {}
    )
    purposes = dict(Visit.Purpose.choices)
    return [
        ChronologyEntry(
            event_date=day,
            event_type="visit",
            title=str(purposes.get(purpose, purpose)),
            details=["Child seen alone" if alone else "Child seen" if seen else "Child not seen"],
            team="",
            worker=workers.get(worker_id, ""),
            kind=EntryKind.VISIT,
            body=notes,
        )
        for day, purpose, seen, alone, worker_id, notes in rows
    ]


def _notes(user: User, child: Child, basis: Basis, filters: ChronologyFilters) -> list[ChronologyEntry]:
    scope = case_notes_scope(user, basis)
    if scope is None:
        return []
    notes = _dated(CaseNote.objects.filter(scope, child=child), "occurred_on", filters).order_by("-occurred_on", "-id")
    rows = list(
        notes.values_list(
            "occurred_on", "note_type", "subject", "body", "restricted", "author__first_name", "author__last_name",
            "author__username",
        )
    )  # fmt: skip
    types = dict(CaseNote.NoteType.choices)
    entries = []
    for day, note_type, subject, body, restricted, first, last, username in rows:
        author = f"{first} {last}".strip() or username
        entries.append(
            ChronologyEntry(
                event_date=day,
                event_type="note",
                title=f"{types.get(note_type, note_type)}: {subject}",
                details=[f"Written by {author}"],
                team="",
                worker="",
                kind=EntryKind.NOTE,
                body=body,
                restricted=restricted,
            )
        )
    return entries


def _contributions(user: User, child: Child, basis: Basis, filters: ChronologyFilters) -> list[ChronologyEntry]:
    visible = visible_contributions(user=user, child=child, basis=basis).order_by("-created_at", "-id")
    agencies, levels = dict(Agency.choices), dict(SharingLevel.choices)
    entries = []
    for created_at, agency, level, summary in visible.values_list("created_at", "agency", "sharing_level", "summary"):
        day = timezone.localdate(created_at)
        if not filters.within(day):
            continue
        entries.append(
            ChronologyEntry(
                event_date=day,
                event_type="agency",
                title=f"Information from {agencies.get(agency, agency)}",
                details=[f"Shared with: {levels.get(level, level)}"],
                team="",
                worker="",
                kind=EntryKind.AGENCY,
                body=summary,
            )
        )
    return entries
