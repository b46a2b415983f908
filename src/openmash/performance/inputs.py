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
# history matters (referrals open at the end, plans open at the end and their reviews, earlier plans),
# and only the 12 months to the end, or the period if longer, for the rest.
_WHOLE_HISTORY = (
    EventType.REFERRAL,
    EventType.REFERRAL_CLOSED,
    EventType.CP_PLAN_START,
    EventType.CP_PLAN_END,
    EventType.CP_REVIEW,
)
_RECENT = (EventType.CONTACT, EventType.ASSESSMENT_AUTHORISED, EventType.S47_START, EventType.ICPC)
# The columns that name who and where: only the rows behind a figure show them, never its value.
_NAMING = ("la_child_id", "worker_id")


def period_events(path: Path, period: Period, *, naming: bool = False) -> pl.DataFrame:
    """From a Parquet file of journey events, only the rows every events-based indicator for `period`
    reads (a lazy scan: nothing else is loaded), giving the same figures as the whole file.

    Without `naming` the LA child ID and worker columns are left empty, which no figure depends on;
    team_id is kept so team figures still work.
    """
    end = period.end
    recent_from = min(period.start, Span.year_to(end).start)
    kind = pl.col("event_type").cast(pl.String)
    day = pl.col("event_date")
    wanted = [name for name in SCHEMA if naming or name not in _NAMING]
    scan = pl.scan_parquet(path).select(wanted)
    keep = (kind.is_in([t.value for t in _WHOLE_HISTORY]) & (day <= end)) | (
        kind.is_in([t.value for t in _RECENT]) & day.is_between(recent_from, end)
    )
    # An earlier assessment in the same referral decides which assessment was its first (the 45 working
    # days from the referral count only the first): those are read too, without their factors.
    authorised = kind == EventType.ASSESSMENT_AUTHORISED.value
    recent_episodes = scan.filter(authorised & day.is_between(recent_from, end)).select("episode_id").unique()
    earlier = (
        scan.filter(authorised & (day < recent_from))
        .join(recent_episodes, on="episode_id", how="semi")
        .with_columns(factors=pl.lit(None, SCHEMA["factors"]))
    )
    frame = pl.concat([scan.filter(keep), earlier]).collect()
    return conform(frame)


def from_parquet_period(path: Path, period: Period, *, population: int | None = None) -> Inputs:
    """from_parquet for one period only: the rows its indicators read (period_events), not the whole file."""
    return Inputs(
        events=period_events(path, period), population=population, source=f"parquet:{path.name}", as_of=period.as_of
    )
