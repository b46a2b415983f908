"""What the KPI engine reads: journey events, the child population and, from the live database only,
the workforce and the front door's own records.

The same indicators run over any of three sources (docs/kpis.md, "Sources"): the live database
(`from_database`), a Parquet file of journey events (`from_parquet`) and an imported Children in Need
census file (`from_cin_census`). A source that lacks something (a census file has no allocations) gives
None for it, and the indicators that need it say "not available" rather than a wrong figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings

from openmash.core.routers import reporting_reads
from openmash.journey.schema import EventType, conform
from openmash.journey.selectors import journey_events
from openmash.workforce.models import Allocation, StaffMember, Team

from .kpis import CASELOAD_ALLOCATION_SCHEMA, CASELOAD_STAFF_SCHEMA


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

    def upto(self, day: dt.date | None) -> Inputs:
        """The same inputs without anything dated after `day`."""
        if day is None:
            return self
        return Inputs(
            events=self.events.filter(pl.col("event_date") <= day),
            population=self.population,
            staff=self.staff,
            allocations=self.allocations,
            live=self.live,
            source=self.source,
            as_of=day,
            team_names=self.team_names,
        )


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
