"""`openmash generate`: build a synthetic borough (or England's journey events) and summarise it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from openmash.front_door.models import (
    AgencyContribution,
    ContactAdult,
    ContributionShare,
    CSECase,
    CSEScreening,
    CumulativeConcernAlert,
    Disclosure,
    EarlyHelpPackage,
    FrontDoorSettings,
    InformationRequest,
    RagRating,
    ReferrerFeedback,
)
from openmash.journey.schema import empty_events, to_stored
from openmash.journey.selectors import journey_events
from openmash.performance import cache as figures_cache
from openmash.performance import kpis, scorecard
from openmash.performance.kpis import Measure
from openmash.workforce.models import Allocation, StaffMember

from . import calibration, load
from .casefiles import Casefiles, build_casefiles
from .contributions import Contributions, build_contributions
from .cse import Screening, build_cse
from .decisions import Decisions, build_decisions
from .events import build_events
from .mash import Mash, build_mash
from .models import DemoDataset
from .names import describe_contacts
from .params import DEFAULT_PARAMETERS, SIZES, FlowParameters
from .people import People, build_people
from .sampling import stream
from .simulate import Horizon, ShardFrames, simulate
from .workforce import Workforce, assign_teams, build_workforce


class GenerateError(Exception):
    """The generator cannot do what was asked (for example the database already holds data)."""


@dataclass(frozen=True)
class Options:
    size: str
    seed: int
    as_of: dt.date
    years: int = 5
    out: Path | None = None
    replace: bool = False
    if_empty: bool = False
    parameters: FlowParameters = field(default=DEFAULT_PARAMETERS)

    @property
    def horizon(self) -> Horizon:
        return Horizon(self.as_of, self.years)

    @property
    def population(self) -> int:
        return SIZES[self.size]


class Reporter:
    """Progress bars on standard error (stdout carries only the summary)."""

    def __init__(self, enabled: bool = True) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<40}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, description: str, done: int, total: int) -> None:
        task = self.tasks.get(description)
        if task is None:
            task = self.tasks[description] = self.progress.add_task(description, total=total)
        self.progress.update(task, completed=done, total=total)

    def note(self, message: str) -> None:
        self.progress.console.print(message)

    @contextmanager
    def running(self) -> Iterator[Reporter]:
        with self.progress:
            yield self


@dataclass
class Borough:
    """A borough built in memory, ready to load: journey frames, people and workforce."""

    frames: ShardFrames
    people: People
    workforce: Workforce
    contributions: Contributions | None = None
    mash: Mash | None = None
    decisions: Decisions | None = None
    cse: Screening | None = None
    casefiles: Casefiles | None = None

    def events(self) -> pl.DataFrame:
        return build_events(self.frames)


def build_borough(options: Options, report: Reporter | None = None) -> Borough:
    """Simulate the borough and dress it with people and a workforce (no database involved)."""
    horizon = options.horizon
    step = report or (lambda *_: None)
    step("Simulating journeys", 0, 1)
    shards = list(simulate(options.population, options.seed, horizon, options.parameters))
    frames = ShardFrames(**{k: pl.concat([s.tables()[k] for s in shards]) for k in shards[0].tables()})
    step("Simulating journeys", 1, 1)
    step("Naming people and families", 0, 1)
    people = build_people(options.seed, frames, horizon)
    step("Naming people and families", 1, 1)
    step("Staffing teams and allocating cases", 0, 1)
    workforce = build_workforce(options.seed, frames, people, horizon)
    frames = assign_teams(frames, workforce, horizon)
    ages = frames.contacts.join(
        frames.children.select(child_id="id", birth="birth"), on="child_id", how="left", maintain_order="left"
    ).select(age=(pl.col("received_at").dt.date() - pl.col("birth")).dt.total_days() / 365.25)
    described = describe_contacts(stream(options.seed, 902), frames.contacts["source"], ages["age"].to_numpy())
    frames.contacts = pl.concat([frames.contacts, described], how="horizontal")
    step("Staffing teams and allocating cases", 1, 1)
    step("Running the front door", 0, 1)
    mash = build_mash(options.seed, frames, people, workforce, horizon)
    frames.contacts = mash.contacts
    contributions = build_contributions(options.seed, frames, horizon.as_of)
    workers = mash.staff.filter(pl.col("job_role") != "team_manager")["id"].to_numpy()
    managers = mash.staff.filter(pl.col("job_role") == "team_manager")["id"].to_list()
    decisions = build_decisions(options.seed, frames, people, horizon, workers, managers[0] if managers else None)
    cse = build_cse(options.seed, frames, people, workforce, horizon)
    step("Running the front door", 1, 1)
    step("Recording visits, notes and plans", 0, 1)
    frames, workforce, casefiles = build_casefiles(options.seed, frames, people, workforce, horizon)
    step("Recording visits, notes and plans", 1, 1)
    return Borough(
        frames=frames,
        people=people,
        workforce=workforce,
        contributions=contributions,
        mash=mash,
        decisions=decisions,
        cse=cse,
        casefiles=casefiles,
    )


def _stamp(as_of: dt.date) -> dt.datetime:
    """created_at/updated_at of every generated row: the as-of date (so runs are reproducible)."""
    return dt.datetime.combine(as_of, dt.time(0, 0), tzinfo=dt.UTC)


def load_borough(borough: Borough, options: Options, report: Reporter | None = None) -> None:
    """Insert everything in one transaction, after removing earlier demo data if asked."""
    stamp = _stamp(options.as_of)
    f, p, w = borough.frames, borough.people, borough.workforce
    tables: list[tuple[type[Any], pl.DataFrame]] = [
        (load.Service, w.services),
        (load.Team, w.teams),
        (load.StaffMember, w.staff),
        (load.Child, p.children),
        (load.ChildDisability, _with_ids(p.disabilities)),
        (load.Adult, p.adults),
        (load.Relationship, p.relationships),
        (load.Allocation, w.allocations),
        # The default timescales and threshold, which the generated contacts follow.
        (FrontDoorSettings, pl.DataFrame({"id": [1]})),
        (load.Contact, f.contacts),
        *_rating_tables(borough.mash),
        (load.Referral, f.referrals),
        (load.Assessment, f.assessments),
        (load.AssessmentFactorRecord, _with_ids(f.factors)),
        (load.CINPlan, f.cin_plans),
        (load.StrategyDiscussion, f.strategy),
        (load.Section47Enquiry, f.s47),
        (load.ChildProtectionPlan, f.plans),
        (load.ChildProtectionReview, f.reviews),
        *_casefile_tables(borough.casefiles),
        *_contribution_tables(borough.contributions),
        *_decision_tables(borough.decisions, borough.cse),
        (load.JourneyEvent, _with_ids(to_stored(borough.events()))),
    ]
    with transaction.atomic():
        if not load.is_empty():
            if not options.replace:
                raise GenerateError(
                    "The database already holds data. Use --replace to remove it and load a new demo borough."
                )
            try:
                load.delete_all(report)
            except load.DataInTheWay as exc:
                raise GenerateError(str(exc)) from exc
        acting = [part.staff for part in (borough.mash, borough.casefiles) if part is not None]
        if acting:
            accounts = load.staff_accounts(pl.concat(acting, how="diagonal_relaxed").unique("id", keep="first"))
            tables = [(model, load.with_accounts(frame, accounts)) for model, frame in tables]
        with load.indexes_built_after([m for m, _ in tables]):
            for model, frame in tables:
                label = {load.ChildDisability: "child disabilities", load.JourneyEvent: "journey events"}.get(model, "")
                load.insert(model, frame, stamp, report, label)
        load.reset_sequences([m for m, _ in tables])


def _casefile_tables(casefiles: Casefiles | None) -> list[tuple[type[Any], pl.DataFrame]]:
    if casefiles is None:
        return []
    return [(load.Visit, _with_ids(casefiles.visits)), (load.CaseNote, _with_ids(casefiles.case_notes))]


def _rating_tables(mash: Mash | None) -> list[tuple[type[Any], pl.DataFrame]]:
    return [] if mash is None else [(RagRating, mash.ratings)]


def _contribution_tables(contributions: Contributions | None) -> list[tuple[type[Any], pl.DataFrame]]:
    if contributions is None:
        return []
    return [
        (AgencyContribution, contributions.contributions),
        (ContributionShare, contributions.shares),
        (InformationRequest, contributions.requests),
    ]


def _decision_tables(decisions: Decisions | None, cse: Screening | None) -> list[tuple[type[Any], pl.DataFrame]]:
    tables: list[tuple[type[Any], pl.DataFrame]] = []
    if decisions is not None:
        tables += [
            (EarlyHelpPackage, decisions.early_help),
            (Disclosure, decisions.disclosures),
            (ReferrerFeedback, decisions.feedback),
            (CumulativeConcernAlert, decisions.alerts),
            (CumulativeConcernAlert.contacts.through, decisions.alert_contacts),
            (ContactAdult, decisions.contact_adults),
        ]
    if cse is not None:
        tables += [(CSEScreening, cse.screenings), (CSECase, cse.cases)]
    return tables


def _with_ids(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(id=pl.int_range(1, frame.height + 1, dtype=pl.Int64))


def database_caseload_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every member of staff and every allocation in the database, as the caseload measure reads them
    (kpis.CASELOAD_STAFF_SCHEMA, kpis.CASELOAD_ALLOCATION_SCHEMA)."""
    staff = [
        {**row, "fte": float(row["fte"])}
        for row in StaffMember.objects.order_by("id").values(*kpis.CASELOAD_STAFF_SCHEMA)
    ]
    allocations = list(Allocation.objects.order_by("id").values(*kpis.CASELOAD_ALLOCATION_SCHEMA))
    return (
        pl.DataFrame(staff, schema=kpis.CASELOAD_STAFF_SCHEMA),
        pl.DataFrame(allocations, schema=kpis.CASELOAD_ALLOCATION_SCHEMA),
    )


def database_caseload(day: dt.date) -> Measure:
    """The average caseload on `day` of the staff in the database (DfE CSWW), as kpis.average_caseload
    counts it."""
    return kpis.average_caseload(*database_caseload_frames(), day)


def _counts(events: pl.DataFrame, children: int, adults: int) -> dict[str, int]:
    by_type = dict(events.group_by("event_type").len().iter_rows())
    return {
        "children": children,
        "adults": adults,
        "contacts": int(by_type.get("contact", 0)),
        "referrals": int(by_type.get("referral", 0)),
        "assessments": int(by_type.get("assessment_start", 0)),
        "s47": int(by_type.get("s47_start", 0)),
        "cp_plans": int(by_type.get("cp_plan_start", 0)),
        "events": events.height,
    }


def _summary(options: Options, counts: dict[str, int], rates: list[dict[str, Any]], started: float) -> dict[str, Any]:
    return {
        "size": options.size,
        "seed": options.seed,
        "as_of": options.as_of.isoformat(),
        "reporting_year": options.horizon.year,
        "population": options.population,
        "counts": counts,
        "rates": rates,
        "seconds": round(time.perf_counter() - started, 1),
    }


def generate(options: Options, report: Reporter | None = None) -> dict[str, Any]:
    """Build and load (or, for England, write) the synthetic data and return the summary."""
    started = time.perf_counter()
    if options.size == "england":
        return _england(options, report, started)
    if not load.is_empty():
        if options.if_empty:
            # Keep what is there; repeat the summary of the demo data it holds, if it was generated.
            latest = DemoDataset.objects.first()
            if report:
                report.note("The database already holds data, so it was left as it is.")
            return dict(latest.summary) if latest else {}
        if not options.replace:
            raise GenerateError(
                "The database already holds data. Use --replace to remove it and load a new demo borough."
            )
    borough = build_borough(options, report)
    load_borough(borough, options, report)
    if report:
        report("Reading the journey events back", 0, 1)
    events = journey_events()
    if report:
        report("Reading the journey events back", 1, 1)
    if options.out is not None:
        _write_parquet(options.out, [events])
    horizon = options.horizon
    rates = calibration.rates(
        events, horizon.year, options.population, (*database_caseload_frames(), horizon.workforce_day)
    )
    counts = _counts(events, borough.people.children.height, borough.people.adults.height)
    summary = _summary(options, counts, rates, started)
    DemoDataset.objects.create(size=options.size, seed=options.seed, as_of=options.as_of, summary=summary)
    warm_scorecard(report)
    return summary


def warm_scorecard(report: Reporter | None = None) -> None:
    """Compute the figures of the default scorecard (the last complete quarter and its trend, the whole
    authority) for the records as they are, so its first page reads them from the cache instead of computing
    nine quarters while the viewer waits."""
    if report:
        report("Computing the scorecard's figures", 0, 1)
    figures_cache.figures(scorecard.periods_for(None, timezone.localdate()))
    if report:
        report("Computing the scorecard's figures", 1, 1)


def _write_parquet(path: Path, frames: list[pl.DataFrame]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    first = frames[0] if frames else empty_events()
    with pq.ParquetWriter(str(path), first.to_arrow().schema, compression="zstd") as writer:
        for frame in frames:
            writer.write_table(frame.to_arrow(), row_group_size=1_000_000)


def _england(options: Options, report: Reporter | None, started: float) -> dict[str, Any]:
    """England: journey events only, shard by shard into a Parquet file; the database is not used."""
    horizon = options.horizon
    out = options.out or Path(settings.VAR_DIR) / "england-events.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    kept: list[pl.DataFrame] = []
    totals: dict[str, int] = {}
    children = 0
    writer: pq.ParquetWriter | None = None
    from .simulate import plan_shards

    shards = len(plan_shards(options.population, horizon))
    try:
        for i, shard in enumerate(simulate(options.population, options.seed, horizon, options.parameters), 1):
            events = build_events(shard)
            table = events.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(str(tmp), table.schema, compression="zstd")
            writer.write_table(table, row_group_size=1_000_000)
            kept.append(calibration.kpi_subset(events, horizon.year))
            children += events["child_id"].n_unique()
            for key, value in _counts(events, 0, 0).items():
                totals[key] = totals.get(key, 0) + value
            del events, table, shard
            if report:
                report("Simulating England, shard by shard", i, shards)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(out)
    totals["children"] = children
    subset = pl.concat(kept) if kept else empty_events()
    rates = calibration.rates(subset, horizon.year, options.population)
    return _summary(options, totals, rates, started)
