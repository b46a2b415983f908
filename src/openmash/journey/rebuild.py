"""The journey-events table rebuilt from the records themselves, and compared with the stored one.

The services store each event as they record the change (openmash.core.events); this module reads
every source table again (contacts, referrals, assessments and their factors, plans, discussions,
enquiries, conferences, reviews) and assembles the events they imply. `openmash journey check`
compares the two and names any difference; `openmash journey rebuild` replaces the stored table.

Each source table is read with one values_list query straight into Polars columns. The models come
from an app registry, so a migration can run the same code on its historical models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db.models import QuerySet

from openmash.core.events import replace_events

from .schema import LOCAL_TIME_ZONE, EventType, conform, empty_events, to_events
from .selectors import journey_events


def _read(qs: QuerySet[Any], child_field: str, child_ids: list[int] | None, **columns: str) -> pl.DataFrame:
    """One query: `columns` maps our column names to ORM lookups; rows become a Polars frame."""
    if child_ids is not None:
        qs = qs.filter(**{f"{child_field}__in": child_ids})
    rows = list(qs.values_list(*columns.values()))
    # Every row decides the types: a column null in the first hundred rows (plans still open) is still a date.
    if not rows:
        return pl.DataFrame(schema=list(columns))
    return pl.DataFrame(rows, schema=list(columns), orient="row", infer_schema_length=None)


def _events(frame: pl.DataFrame, event_type: EventType, **columns: pl.Expr | str) -> pl.DataFrame:
    """Select journey columns from a source frame; unnamed journey columns are filled by conform()."""
    if frame.is_empty():
        return empty_events()
    exprs = [pl.col(v).alias(k) if isinstance(v, str) else v.alias(k) for k, v in columns.items()]
    return conform(frame.select(pl.lit(event_type.value).alias("event_type"), *exprs))


EPISODE = {"child_id": "child_id", "la_child_id": "la_child_id", "episode_id": "episode_id", "team_id": "team_id"}


def rebuild_events(*, child_ids: list[int] | None = None, registry: Apps = global_apps) -> pl.DataFrame:
    """All statutory events implied by the records, optionally for some children only."""
    frames: list[pl.DataFrame] = []

    def model(label: str) -> Any:
        return registry.get_model(label)

    Contact = model("front_door.Contact")
    Referral = model("casework.Referral")
    Assessment = model("casework.Assessment")
    AssessmentFactorRecord = model("casework.AssessmentFactorRecord")
    CINPlan = model("casework.CINPlan")
    StrategyDiscussion = model("protection.StrategyDiscussion")
    Section47Enquiry = model("protection.Section47Enquiry")
    ChildProtectionPlan = model("protection.ChildProtectionPlan")
    ChildProtectionReview = model("protection.ChildProtectionReview")

    contacts = _read(
        # A contact joins the journey when it is linked to a child (person matching).
        Contact.objects.filter(child__isnull=False),
        "child_id",
        child_ids,
        source_id="id",
        child_id="child_id",
        la_child_id="child__la_child_id",
        received_at="received_at",
        team_id="team_id",
        code="source",
    )
    if not contacts.is_empty():
        # A contact belongs to the day it arrived in England, not in UTC.
        contacts = contacts.with_columns(
            event_date=pl.col("received_at")
            .cast(pl.Datetime("us", "UTC"))
            .dt.convert_time_zone(LOCAL_TIME_ZONE)
            .dt.date()
        )
    frames.append(
        _events(
            contacts,
            EventType.CONTACT,
            event_date="event_date",
            child_id="child_id",
            la_child_id="la_child_id",
            source_id="source_id",
            team_id="team_id",
            code="code",
        )
    )

    # A migration that ran before the episode's own conference date existed reads a model without it.
    conference = (
        {"conference": "initial_conference_date"}
        if any(f.name == "initial_conference_date" for f in Referral._meta.get_fields())
        else {}
    )
    referrals = _read(
        Referral.objects.all(),
        "child_id",
        child_ids,
        episode_id="id",
        child_id="child_id",
        la_child_id="child__la_child_id",
        referral_date="referral_date",
        code="source",
        flag="no_further_action",
        closure_date="closure_date",
        closure_reason="closure_reason",
        team_id="team_id",
        **conference,
    )
    frames.append(
        _events(
            referrals,
            EventType.REFERRAL,
            event_date="referral_date",
            source_id="episode_id",
            code="code",
            flag="flag",
            **EPISODE,
        )
    )
    closed = referrals.filter(pl.col("closure_date").is_not_null()) if not referrals.is_empty() else referrals
    frames.append(
        _events(
            closed,
            EventType.REFERRAL_CLOSED,
            event_date="closure_date",
            start_date="referral_date",
            source_id="episode_id",
            code="closure_reason",
            **EPISODE,
        )
    )
    if conference and not referrals.is_empty():
        # A conference recorded on the episode itself, with no enquiry behind it (start_date empty);
        # keyed as openmash.core.events.episode_conference_source_id keys it.
        frames.append(
            _events(
                referrals.filter(pl.col("conference").is_not_null()),
                EventType.ICPC,
                event_date="conference",
                source_id=-pl.col("episode_id"),
                **EPISODE,
            )
        )
    teams = referrals.select("episode_id", "team_id") if not referrals.is_empty() else None

    def read_episode(qs: QuerySet[Any], referral: str = "referral", **columns: str) -> pl.DataFrame:
        """Records inside an episode: keyed to their referral, child and the referral's team."""
        frame = _read(
            qs,
            f"{referral}__child_id",
            child_ids,
            source_id="id",
            episode_id=f"{referral}_id",
            child_id=f"{referral}__child_id",
            la_child_id=f"{referral}__child__la_child_id",
            **columns,
        )
        if frame.is_empty() or teams is None:
            return frame.with_columns(team_id=pl.lit(None, dtype=pl.Int64))
        return frame.join(teams, on="episode_id", how="left")

    assessments = read_episode(
        Assessment.objects.all(),
        start="start_date",
        authorised="authorised_date",
        worker_id="worker_id",
        flag="child_in_need",
    )
    frames.append(
        _events(
            assessments,
            EventType.ASSESSMENT_START,
            event_date="start",
            source_id="source_id",
            worker_id="worker_id",
            **EPISODE,
        )
    )
    factors = _read(
        AssessmentFactorRecord.objects.order_by("assessment_id", "code"),
        "assessment__referral__child_id",
        child_ids,
        source_id="assessment_id",
        code="code",
    )
    if not assessments.is_empty():
        by_assessment = (
            factors.group_by("source_id", maintain_order=True).agg(factors=pl.col("code"))
            if not factors.is_empty()
            else pl.DataFrame(schema={"source_id": pl.Int64, "factors": pl.List(pl.String)})
        )
        authorised = (
            assessments.filter(pl.col("authorised").is_not_null())
            .join(by_assessment, on="source_id", how="left")
            .with_columns(pl.col("factors").fill_null([]))
        )
        frames.append(
            _events(
                authorised,
                EventType.ASSESSMENT_AUTHORISED,
                event_date="authorised",
                start_date="start",
                source_id="source_id",
                worker_id="worker_id",
                flag="flag",
                factors="factors",
                **EPISODE,
            )
        )

    cin_plans = read_episode(CINPlan.objects.all(), start="start_date", end="end_date")
    frames.append(_events(cin_plans, EventType.CIN_PLAN_START, event_date="start", source_id="source_id", **EPISODE))
    if not cin_plans.is_empty():
        frames.append(
            _events(
                cin_plans.filter(pl.col("end").is_not_null()),
                EventType.CIN_PLAN_END,
                event_date="end",
                start_date="start",
                source_id="source_id",
                **EPISODE,
            )
        )

    strategies = read_episode(StrategyDiscussion.objects.all(), day="discussion_date", code="outcome")
    frames.append(
        _events(
            strategies, EventType.STRATEGY_DISCUSSION, event_date="day", source_id="source_id", code="code", **EPISODE
        )
    )

    s47s = read_episode(
        Section47Enquiry.objects.all(), start="start_date", conference="conference_date", flag="conference_not_required"
    )
    frames.append(_events(s47s, EventType.S47_START, event_date="start", source_id="source_id", flag="flag", **EPISODE))
    if not s47s.is_empty():
        frames.append(
            _events(
                s47s.filter(pl.col("conference").is_not_null()),
                EventType.ICPC,
                event_date="conference",
                start_date="start",
                source_id="source_id",
                **EPISODE,
            )
        )

    plans = read_episode(
        ChildProtectionPlan.objects.all(),
        start="start_date",
        end="end_date",
        initial="initial_category",
        latest="latest_category",
        previous="number_of_previous_plans",
    )
    frames.append(
        _events(
            plans,
            EventType.CP_PLAN_START,
            event_date="start",
            source_id="source_id",
            code="initial",
            previous_plans="previous",
            **EPISODE,
        )
    )
    if not plans.is_empty():
        frames.append(
            _events(
                plans.filter(pl.col("end").is_not_null()),
                EventType.CP_PLAN_END,
                event_date="end",
                start_date="start",
                source_id="source_id",
                code="latest",
                **EPISODE,
            )
        )

    reviews = read_episode(
        ChildProtectionReview.objects.all(), "plan__referral", day="review_date", start="plan__start_date"
    )
    frames.append(
        _events(reviews, EventType.CP_REVIEW, event_date="day", start_date="start", source_id="source_id", **EPISODE)
    )

    return conform(pl.concat(frames, how="vertical"))


KEY = ["event_type", "source_id"]
RECORDS = "_records"


@dataclass(frozen=True)
class Difference:
    """One way the stored table differs from the records."""

    event_type: str
    source_id: int
    la_child_id: str
    event_date: dt.date | None
    what: str

    def __str__(self) -> str:
        day = f" on {self.event_date.isoformat()}" if self.event_date else ""
        return f"{self.event_type} {self.source_id} (child {self.la_child_id}{day}): {self.what}"


def differences(stored: pl.DataFrame, rebuilt: pl.DataFrame) -> list[Difference]:
    """Every event missing from the stored table, stored without a record behind it, or stored with
    a column that differs from what the records say; in child and date order."""
    if stored.equals(rebuilt):
        return []
    joined = stored.join(rebuilt, on=KEY, how="full", suffix=RECORDS, coalesce=True, nulls_equal=True)
    columns = [c for c in stored.columns if c not in KEY]
    differing = joined.filter(pl.any_horizontal([pl.col(c).ne_missing(pl.col(c + RECORDS)) for c in columns]))
    found: list[Difference] = []
    for row in differing.iter_rows(named=True):
        in_stored = row["child_id"] is not None
        side = "" if in_stored else RECORDS
        found += [
            Difference(
                str(row["event_type"]), row["source_id"], row[f"la_child_id{side}"], row[f"event_date{side}"], what
            )
            for what in _column_differences(row, columns, in_stored, row[f"child_id{RECORDS}"] is not None)
        ]
    order = {t.value: i for i, t in enumerate(EventType)}
    return sorted(found, key=lambda d: (d.la_child_id, d.event_date or dt.date.min, order[d.event_type], d.source_id))


def _column_differences(row: dict[str, Any], columns: list[str], in_stored: bool, in_records: bool) -> list[str]:
    if not in_stored:
        return ["in the records but not stored"]
    if not in_records:
        return ["stored but not in the records"]
    return [
        f"{column} stored as {_show(row[column])}, the records say {_show(row[column + RECORDS])}"
        for column in columns
        if row[column] != row[column + RECORDS]
    ]


def _show(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


def check_table(*, child_ids: list[int] | None = None) -> list[Difference]:
    """Compare the stored events with the events the records imply."""
    return differences(journey_events(child_ids=child_ids), rebuild_events(child_ids=child_ids))


def rebuild_table(*, registry: Apps = global_apps) -> int:
    """Replace the stored events with the events the records imply; returns the rows written."""
    rebuilt = rebuild_events(registry=registry)
    return replace_events(to_events(rebuilt), model=registry.get_model("core", "JourneyEvent"))
