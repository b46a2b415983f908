"""What the KPI engine reads: journey events, the child population and, from the live database only,
the workforce and the front door's own records.

The same indicators run over any of three sources (docs/kpis.md, "Sources"): the live database
(`from_database`), a Parquet file of journey events (`from_parquet`) and an imported Children in Need
census file (`from_cin_census`). A source that lacks something (a census file has no allocations) gives
None for it, and the indicators that need it say "not available" rather than a wrong figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
from django.conf import settings

from openmash.core.dates import add_months
from openmash.core.routers import reporting_reads
from openmash.journey.census import read_census
from openmash.journey.schema import SCHEMA, EventType, conform
from openmash.journey.selectors import journey_events
from openmash.workforce.models import Allocation, StaffMember, Team

from .kpis import CASELOAD_ALLOCATION_SCHEMA, CASELOAD_STAFF_SCHEMA
from .periods import Period, Span


@dataclass(frozen=True)
class Inputs:
    events: pl.DataFrame
    population: int | None = None
    staff: pl.DataFrame | None = None  # kpis.CASELOAD_STAFF_SCHEMA
    allocations: pl.DataFrame | None = None  # kpis.CASELOAD_ALLOCATION_SCHEMA
    live: bool = False  # the front door's own records (contacts, ratings, surveys) can be read
    source: str = "database"
    # Events dated after this day are left out, as if read on that day.
    as_of: dt.date | None = None
    team_names: dict[int, str] = field(default_factory=dict)
    # What the source records at all: a census file has no contacts and no teams, so figures that
    # read them are "not available" from it rather than zero.
    has_contacts: bool = True
    has_teams: bool = True

    def upto(self, day: dt.date | None) -> Inputs:
        """The same inputs without anything dated after `day`."""
        if day is None:
            return self
        return replace(self, events=self.events.filter(pl.col("event_date") <= day), as_of=day)


def configured_population() -> int:
    """Children aged 0-17 in the authority (ONS mid-year estimate), as the deployment sets it."""
    return int(getattr(settings, "OPENMASH_CHILD_POPULATION", 45_000))


def workforce_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Staff and allocations from the database, in the shapes average_caseload reads."""
    staff = pl.DataFrame(
        list(
            StaffMember.objects.values_list(
                "id", "team_id", "job_role", "is_case_holder", "is_agency", "fte", "start_date", "end_date"
            )
        ),
        schema={**CASELOAD_STAFF_SCHEMA, "fte": pl.Decimal(4, 2)},
        orient="row",
    ).with_columns(pl.col("fte").cast(pl.Float64))
    allocations = pl.DataFrame(
        list(Allocation.objects.values_list("child_id", "worker_id", "start_date", "end_date")),
        schema=CASELOAD_ALLOCATION_SCHEMA,
        orient="row",
    )
    return staff, allocations


def team_names() -> dict[int, str]:
    return dict(Team.objects.values_list("id", "name"))


def from_database(*, include_contacts: bool = True) -> Inputs:
    """Everything the engine reads, from the live database (the read replica, when there is one)."""
    with reporting_reads():
        kinds = None if include_contacts else [t for t in EventType if t != EventType.CONTACT]
        events = journey_events(event_types=kinds)
        staff, allocations = workforce_frames()
        names = team_names()
    return Inputs(
        events=events,
        population=configured_population(),
        staff=staff,
        allocations=allocations,
        live=True,
        source="database",
        team_names=names,
    )


def from_parquet(path: Path, *, population: int | None = None) -> Inputs:
    """Journey events written to Parquet (by `openmash generate --out`, or an export), in the journey schema."""
    return Inputs(events=conform(pl.read_parquet(path)), population=population, source=f"parquet:{path.name}")


def from_cin_census(path: Path, population: int | None = None) -> Inputs:
    """The journeys in a Children in Need census XML file (openmash.journey.census): referrals and what
    followed them, without contacts, teams or workers (census.CensusError if the file cannot be read)."""
    return Inputs(
        events=read_census(path),
        population=population,
        source=f"cin:{path.name}",
        has_contacts=False,
        has_teams=False,
    )


# What the indicators read, by event type: everything up to the period's end for the kinds whose
# history can matter (referrals and plans open at the end, earlier plans, reviews of open plans) and
# only the 12 months to the end, or the period if longer, for the rest.
_WHOLE_HISTORY = (
    EventType.REFERRAL,
    EventType.REFERRAL_CLOSED,
    EventType.CP_PLAN_START,
    EventType.CP_PLAN_END,
    EventType.CP_REVIEW,
)
_RECENT = (EventType.CONTACT, EventType.ASSESSMENT_AUTHORISED, EventType.S47_START, EventType.ICPC)
# The columns no figure's value depends on (who and where, and the codes no indicator reads): left
# empty when reading only a period's rows, as each column is read for every row of the file.
_NOT_READ = ("la_child_id", "worker_id", "code")


def _kind(*types: EventType) -> pl.Expr:
    return pl.col("event_type").is_in([t.value for t in types])


def period_events(path: Path, period: Period, *, teams: bool = True) -> pl.DataFrame:
    """From a Parquet file of journey events, only the rows and columns the events-based indicators for
    `period` read, giving the same figures as the whole file (tests/performance/test_sources.py checks
    every indicator in the registry). The file is scanned lazily for the event types and dates they
    need; then history that cannot change a figure is dropped: referrals closed before the 13 months
    ahead of the period (unless an assessment in it belongs to them), plans that ended well before it
    and the reviews of plans not open at its end.

    Without `teams` the team column is left empty too: whole-authority figures do not read it.
    """
    end = period.end
    recent_from = min(period.start, Span.year_to(end).start)
    day, episode, source = pl.col("event_date"), pl.col("episode_id"), pl.col("source_id")
    not_read = {*_NOT_READ, "factors", *(() if teams else ("team_id",))}
    scan = pl.scan_parquet(path)
    authorised = _kind(EventType.ASSESSMENT_AUTHORISED)
    events = (
        scan.select([name for name in SCHEMA if name not in not_read])
        .filter(
            ((_kind(*_WHOLE_HISTORY) | authorised) & (day <= end))
            | (_kind(*_RECENT) & day.is_between(recent_from, end))
        )
        .collect()
    )
    # Factors are lists, slow to read for every row of the file: only those of the assessments that count.
    factors = scan.filter(authorised & day.is_between(recent_from, end)).select("source_id", "factors").collect()

    def ids(kind: EventType, column: str, when: pl.Expr | bool = True) -> pl.Series:
        # Only the one column filtered: the whole frame is many millions of rows.
        return events.select(pl.col(column).filter(_kind(kind) & when)).to_series()

    # An earlier assessment in the same referral decides which was its first (the 45 working days from
    # the referral count only the first): those are kept too.
    assessed = ids(EventType.ASSESSMENT_AUTHORISED, "episode_id", day >= recent_from).unique()
    closed = ids(EventType.REFERRAL_CLOSED, "episode_id")
    # Referrals: those of the 13 months before the span (re-referrals look back 12), those still open
    # at its end (children in need) and those with an assessment in it (45 working days from referral).
    referral = _kind(EventType.REFERRAL) & (
        (day >= add_months(recent_from, -13)) | ~episode.is_in(closed.implode()) | episode.is_in(assessed.implode())
    )
    kept = events.select(episode.filter(referral)).to_series()
    # Plans: those starting in the span or open at its end; ends from two years before the span
    # (a second plan within two years of the last); reviews of the plans open at the end.
    ended = ids(EventType.CP_PLAN_END, "source_id")
    open_plans = events.select(
        pl.col("child_id").filter(_kind(EventType.CP_PLAN_START) & ~source.is_in(ended.implode())),
        start_date=day.filter(_kind(EventType.CP_PLAN_START) & ~source.is_in(ended.implode())),
    )
    keep = (
        _kind(EventType.CONTACT, EventType.S47_START, EventType.ICPC)
        | (authorised & (day < recent_from) & episode.is_in(assessed.implode()))
        | referral
        | (_kind(EventType.REFERRAL_CLOSED) & episode.is_in(kept.implode()))
        | (_kind(EventType.CP_PLAN_START) & ((day >= recent_from) | ~source.is_in(ended.implode())))
        | (_kind(EventType.CP_PLAN_END) & (day >= add_months(recent_from, -25)))
    )
    reviews = events.filter(_kind(EventType.CP_REVIEW)).join(open_plans, on=["child_id", "start_date"], how="semi")
    # Both scans read the file in order, so the factors line up with the assessments they belong to.
    assessments = events.filter(authorised & (day >= recent_from))
    if not assessments["source_id"].equals(factors["source_id"]):
        raise ValueError(f"{path.name} changed while it was read")
    nothing = pl.lit(None, SCHEMA["factors"]).alias("factors")
    events = pl.concat(
        [
            events.filter(keep).with_columns(nothing),
            reviews.with_columns(nothing),
            assessments.with_columns(factors["factors"]),
        ]
    )
    # In the schema's columns and types; not sorted, as no figure depends on the order of the rows
    # (each indicator sorts what it needs to).
    return events.select(
        [
            pl.col(name).cast(dtype) if name in events.columns else pl.lit(None, dtype).alias(name)
            for name, dtype in SCHEMA.items()
        ]
    )


def from_parquet_period(path: Path, period: Period, *, population: int | None = None, teams: bool = True) -> Inputs:
    """from_parquet for one period only: the rows its indicators read (period_events), not the whole file."""
    return Inputs(
        events=period_events(path, period, teams=teams),
        population=population,
        source=f"parquet:{path.name}",
        as_of=period.as_of,
    )
