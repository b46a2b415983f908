"""KPI definitions, each written once, as pure functions over the journey-events table.

Every function takes the events (see openmash.journey.schema) and a period: a DfE reporting year (an
int, the year ending 31 March, or a `Period`) or one of its quarters, possibly cut short at an as-of
date. It returns a Measure with its numerator and denominator and the rows behind them (one per
referral, assessment, plan... with `counted` saying whether it is in the numerator), so a manager can
drill from the figure to the children and a team's figure is the same rows filtered by team.
Sources are cited in each docstring; the conventions they share (working days, "in period", "at the
period's end") are in docs/kpis.md and openmash.core.calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

from openmash.core.calendar import working_days_series
from openmash.core.codes import DOMESTIC_ABUSE_FACTORS, AssessmentFactor
from openmash.core.dates import add_months
from openmash.journey.schema import EventType

from .periods import Period, Span

Unit = Literal["percent", "per_10000", "mean", "count"]

# The columns of the rows behind a figure (see Measure.rows).
ROW_SCHEMA: dict[str, pl.DataType] = {
    "child_id": pl.Int64(),
    "la_child_id": pl.String(),
    "source_id": pl.Int64(),
    "event_date": pl.Date(),
    "team_id": pl.Int64(),
    "worker_id": pl.Int64(),
    "counted": pl.Boolean(),
}
SCALE: dict[str, float] = {"percent": 100.0, "per_10000": 10_000.0, "mean": 1.0, "count": 1.0}


@dataclass(frozen=True)
class Measure:
    numerator: float
    denominator: float
    unit: Unit
    # The records behind the figure (ROW_SCHEMA), when the figure is built from records one by one.
    rows: pl.DataFrame | None = None

    @property
    def value(self) -> float | None:
        """The figure, unrounded; None when there is nothing to divide by."""
        if self.unit == "count":
            return self.numerator
        if not self.denominator:
            return None
        return self.numerator / self.denominator * SCALE[self.unit]


Periodish = Period | Span | int


def _bounds(period: Periodish) -> tuple[dt.date, dt.date]:
    p = Period.reporting_year(period) if isinstance(period, int) else period
    return p.start, p.end


def _of_type(events: pl.DataFrame, event_type: EventType) -> pl.DataFrame:
    return events.filter(pl.col("event_type") == event_type.value)


def _in_period(frame: pl.DataFrame, period: Periodish, column: str = "event_date") -> pl.DataFrame:
    start, end = _bounds(period)
    return frame.filter(pl.col(column).is_between(start, end, closed="both"))


def _rows(frame: pl.DataFrame, counted: pl.Expr | bool) -> pl.DataFrame:
    """The rows behind a figure, in ROW_SCHEMA, with `counted` the numerator's condition."""
    return frame.select(
        *(pl.col(name).cast(dtype) for name, dtype in ROW_SCHEMA.items() if name != "counted"),
        (pl.lit(counted) if isinstance(counted, bool) else counted).fill_null(False).alias("counted"),
    )


def _ratio(frame: pl.DataFrame, counted: pl.Expr) -> Measure:
    rows = _rows(frame, counted)
    return Measure(numerator=int(rows["counted"].sum()), denominator=rows.height, unit="percent", rows=rows)


def _per_10000(frame: pl.DataFrame, population: int) -> Measure:
    rows = _rows(frame, True)
    return Measure(numerator=rows.height, denominator=population, unit="per_10000", rows=rows)


def referrals(events: pl.DataFrame) -> pl.DataFrame:
    """Referrals, one per child per day (same-day duplicates are one referral)."""
    return (
        _of_type(events, EventType.REFERRAL)
        .sort(["child_id", "event_date", "source_id"])
        .unique(subset=["child_id", "event_date"], keep="first", maintain_order=True)
    )


def re_referrals_flagged(events: pl.DataFrame) -> pl.DataFrame:
    """Every referral with `is_re_referral`: an earlier referral of the same child in the 12 months before."""
    refs = referrals(events).sort(["child_id", "event_date"])
    # Sorted by child, the row before is the same child's previous referral when its child_id matches
    # (a window over each child gives the same, far more slowly on a million children).
    same_child = pl.col("child_id") == pl.col("child_id").shift(1)
    return refs.with_columns(
        previous_referral_date=pl.when(same_child).then(pl.col("event_date").shift(1)),
    ).with_columns(
        is_re_referral=pl.col("previous_referral_date").is_not_null()
        & (pl.col("previous_referral_date") >= pl.col("event_date").dt.offset_by("-12mo"))
    )


def re_referral_rate(events: pl.DataFrame, period: Periodish) -> Measure:
    """Re-referrals within 12 months, as a percentage of referrals in the period.

    DfE Children in need, table C1 ("re-referrals within 12 months of a previous referral").
    Numerator: referrals in the period where the same child had a previous referral to this LA
    within the 12 calendar months before (previous date >= this date minus 12 months, and before
    it). Denominator: referrals in the period. Referrals later marked NFA count on both sides.
    England 2025: 22.6%.
    """
    return _ratio(_in_period(re_referrals_flagged(events), period), pl.col("is_re_referral"))


def referrals_per_10000(events: pl.DataFrame, period: Periodish, population: int) -> Measure:
    """Referrals in the period per 10,000 children aged 0-17.

    DfE Children in need, table C1. Population: ONS mid-year estimate for the year before the
    reporting year ends. A quarter's rate is for the quarter (about a quarter of the year's).
    England 2025: 519.4.
    """
    return _per_10000(_in_period(referrals(events), period), population)


def referrals_nfa_percent(events: pl.DataFrame, period: Periodish) -> Measure:
    """Referrals in the period that needed no further action (ReferralNFA), as a percentage.

    DfE Children in need, table C1. England 2025: 6.5%.
    """
    return _ratio(_in_period(referrals(events), period), pl.col("flag"))


def contacts(events: pl.DataFrame, period: Periodish) -> Measure:
    """Contacts received in the period (one per child per contact; Ofsted Annex A list 1).

    Not a DfE statistic: contacts are not collected nationally.
    """
    rows = _rows(_in_period(_of_type(events, EventType.CONTACT), period), True)
    return Measure(numerator=rows.height, denominator=0, unit="count", rows=rows)


def contact_conversion(events: pl.DataFrame, period: Periodish) -> Measure:
    """Referrals in the period as a percentage of contacts in the period (not cohort-linked).

    Not a DfE statistic: contacts are not collected nationally (Ofsted Annex A list 1 holds them).
    """
    contacts = _in_period(_of_type(events, EventType.CONTACT), period).height
    refs = _rows(_in_period(referrals(events), period), True)
    return Measure(numerator=refs.height, denominator=contacts, unit="percent", rows=refs)


def assessment_durations(events: pl.DataFrame) -> pl.DataFrame:
    """Authorised assessments with `duration_wd`: working days from actual start to authorisation."""
    auth = _of_type(events, EventType.ASSESSMENT_AUTHORISED).filter(pl.col("start_date").is_not_null())
    return auth.with_columns(duration_wd=working_days_series(auth["start_date"], auth["event_date"]))


def assessments_within_45_working_days(events: pl.DataFrame, period: Periodish) -> Measure:
    """Single assessments authorised in the period that took 45 working days or fewer, from their start.

    DfE Children in need, table C2 ("duration of assessments"), DfE's published basis. Numerator:
    assessments with an authorisation date in the period whose duration (working days after the
    actual start date up to and including the authorisation date) is at most 45. Denominator: all
    assessments authorised in the period; open assessments are excluded. England 2025: 85.7%.
    """
    return _ratio(_in_period(assessment_durations(events), period), pl.col("duration_wd") <= 45)


def assessments_within_45_working_days_of_referral(events: pl.DataFrame, period: Periodish) -> Measure:
    """First single assessments of a referral authorised in the period within 45 working days of the referral.

    Working Together to Safeguard Children 2023 (chapter 2): the maximum timeframe for the
    assessment to conclude is 45 working days from the point of referral. Numerator: the first
    assessment authorised in each referral (episode), authorised in the period, with at most 45
    working days after the referral date up to and including the authorisation date. Denominator:
    those first assessments. Later assessments in the same referral are left out, as the timescale
    runs from the referral. Not published by DfE, whose C2 counts from the assessment's start.
    """
    auth = _of_type(events, EventType.ASSESSMENT_AUTHORISED).filter(pl.col("episode_id").is_not_null())
    first = auth.sort(["episode_id", "event_date", "source_id"]).unique(
        subset=["episode_id"], keep="first", maintain_order=True
    )
    referred = (
        _of_type(events, EventType.REFERRAL)
        .select("episode_id", referral_date=pl.col("event_date"))
        .sort(["episode_id", "referral_date"])
        .unique("episode_id", keep="first", maintain_order=True)
    )
    joined = _in_period(first, period).join(referred, on="episode_id", how="inner", maintain_order="left")
    joined = joined.with_columns(duration_wd=working_days_series(joined["referral_date"], joined["event_date"]))
    return _ratio(joined, pl.col("duration_wd") <= 45)


def _episodes_with_factors(events: pl.DataFrame, period: Periodish) -> pl.DataFrame:
    """Per referral (episode) with factors recorded at assessments authorised in the period: its factors."""
    auth = _in_period(_of_type(events, EventType.ASSESSMENT_AUTHORISED), period)
    return (
        auth.select("episode_id", "child_id", "la_child_id", "team_id", "worker_id", "event_date", "factors")
        .explode("factors")
        .filter(pl.col("factors").is_not_null() & (pl.col("factors") != AssessmentFactor.NO_FACTORS.value))
        .group_by("episode_id")
        .agg(
            pl.col("child_id", "la_child_id").first(),
            pl.col("team_id", "worker_id", "event_date").last(),
            codes=pl.col("factors"),
        )
        .with_columns(source_id=pl.col("episode_id"))
        .sort("episode_id")
    )


def factor_prevalence(events: pl.DataFrame, period: Periodish, codes: frozenset[str]) -> Measure:
    """Episodes whose assessments in the period identified any of `codes`, as a percentage of episodes
    with assessment factors recorded.

    DfE Children in need, table C3 ("factors identified at the end of assessment"): counts are
    episodes, and the percentage is of episodes with at least one factor recorded.
    """
    per_episode = _episodes_with_factors(events, period)
    return _ratio(per_episode, pl.col("codes").list.eval(pl.element().is_in(list(codes))).list.any())


def domestic_abuse_prevalence(events: pl.DataFrame, period: Periodish) -> Measure:
    """Episodes with domestic abuse (3A, 3B or 3C) identified at assessment. DfE table C3."""
    return factor_prevalence(events, period, frozenset(DOMESTIC_ABUSE_FACTORS))


def cse_per_10000(events: pl.DataFrame, period: Periodish, population: int) -> Measure:
    """Episodes with child sexual exploitation (factor 11A) identified at assessment, per 10,000 children.

    DfE Children in need, table C3 (the published CSE rate uses the prior year's 0-17 population).
    England 2025: 10.2 per 10,000 (12,400 episodes); North West 13.0.
    """
    per_episode = _episodes_with_factors(events, period)
    hits = per_episode.filter(pl.col("codes").list.contains(AssessmentFactor.CSE.value))
    return _per_10000(hits, population)


def children_in_need_per_10000(events: pl.DataFrame, period: Periodish, population: int) -> Measure:
    """Children in need at the period's end (31 March for a year) per 10,000 children.

    DfE Children in need, table B1: children with a referral (episode) open on the day: referred on
    or before it and not closed on or before it (a case closed on 31 March is not open at 31 March).
    Counts children: a child with two open episodes is one. England 2025: 330.3.
    """
    _, end = _bounds(period)
    refs = _of_type(events, EventType.REFERRAL).filter(pl.col("event_date") <= end)
    closed = _of_type(events, EventType.REFERRAL_CLOSED).filter(pl.col("event_date") <= end).select("episode_id")
    open_now = refs.join(closed, on="episode_id", how="anti").sort(["child_id", "event_date"])
    return _per_10000(open_now.unique("child_id", keep="last", maintain_order=True), population)


def s47_per_10000(events: pl.DataFrame, period: Periodish, population: int) -> Measure:
    """Section 47 enquiries starting in the period per 10,000 children. DfE table C4. England 2025: 189.3."""
    return _per_10000(_in_period(_of_type(events, EventType.S47_START), period), population)


def icpc_from_s47_percent(events: pl.DataFrame, period: Periodish) -> Measure:
    """Initial conferences in the period as a percentage of S47 enquiries starting in the period.

    DfE Children in need, table C4 (not cohort-linked). England 2025: 31.3%.
    """
    icpcs = _rows(_in_period(_of_type(events, EventType.ICPC), period), True)
    s47s = _in_period(_of_type(events, EventType.S47_START), period).height
    return Measure(numerator=icpcs.height, denominator=s47s, unit="percent", rows=icpcs)


def icpc_within_15_working_days(events: pl.DataFrame, period: Periodish) -> Measure:
    """Initial conferences in the period held within 15 working days of the Section 47 enquiry's start.

    DfE Children in need, table C4 ("duration between S47 and ICPC"): working days after the S47
    actual start date up to and including the conference date, at most 15. Conferences dated before
    their enquiry started have no valid duration and are left out. England 2025: 81.4%; North West
    76.8%. (Working Together 2023 counts from the strategy discussion; the S47 date is DfE's.)
    """
    icpcs = _in_period(_of_type(events, EventType.ICPC), period).filter(
        pl.col("start_date").is_not_null() & (pl.col("start_date") <= pl.col("event_date"))
    )
    icpcs = icpcs.with_columns(duration_wd=working_days_series(icpcs["start_date"], icpcs["event_date"]))
    return _ratio(icpcs, pl.col("duration_wd") <= 15)


def cp_plans_second_or_subsequent(events: pl.DataFrame, period: Periodish) -> Measure:
    """Child protection plans starting in the period that are a second or subsequent plan.

    DfE Children in need, table D3: numerator = plans starting in the period with
    NumberOfPreviousCPP of 1 or more (however long ago the earlier plan ended); denominator =
    plans starting in the period. Counts plans, not children. England 2025: 24.5%.
    """
    starts = _in_period(_of_type(events, EventType.CP_PLAN_START), period)
    return _ratio(starts, pl.col("previous_plans").fill_null(0) >= 1)


def cp_plans_second_within_two_years(events: pl.DataFrame, period: Periodish) -> Measure:
    """Child protection plans starting in the period within 2 years of the child's previous plan ending.

    Not published by DfE (a common local measure): numerator = plans starting in the period where
    the same child's most recent earlier plan in this authority ended on or after the date two
    calendar years before the new plan's start; denominator = plans starting in the period. Plans
    held in other authorities are not dated here, so they do not count.
    """
    starts = _in_period(_of_type(events, EventType.CP_PLAN_START), period)
    ends = _of_type(events, EventType.CP_PLAN_END).select(
        "child_id", plan_id=pl.col("source_id"), previous_end=pl.col("event_date")
    )
    # The child's other plans that had ended by the new plan's start (a plan ending on the day it
    # started is not its own previous plan); the latest of their ends.
    previous = (
        starts.select("child_id", "source_id", "event_date")
        .join(ends, on="child_id", how="inner")
        .filter((pl.col("plan_id") != pl.col("source_id")) & (pl.col("previous_end") <= pl.col("event_date")))
        .group_by("source_id")
        .agg(pl.col("previous_end").max())
    )
    joined = starts.join(previous, on="source_id", how="left").sort(["child_id", "event_date", "source_id"])
    return _ratio(
        joined,
        pl.col("previous_end").is_not_null() & (pl.col("previous_end") >= pl.col("event_date").dt.offset_by("-2y")),
    )


def cp_plans_ceased_two_years_or_more(events: pl.DataFrame, period: Periodish) -> Measure:
    """Child protection plans ending in the period that had lasted 2 years or more.

    DfE Children in need, table D7: numerator = plans ending in the period where start plus two
    calendar years is on or before the end (a 29 February start reaches two years on 28 February);
    denominator = plans ending in the period. England 2025: 4.4%.
    """
    ends = _in_period(_of_type(events, EventType.CP_PLAN_END), period)
    return _ratio(ends, pl.col("start_date").dt.offset_by("2y") <= pl.col("event_date"))


def cp_plans_open_at(events: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Plans open on `day`: started on or before it and not ended on or before it."""
    starts = _of_type(events, EventType.CP_PLAN_START).filter(pl.col("event_date") <= day)
    ended = _of_type(events, EventType.CP_PLAN_END).filter(pl.col("event_date") <= day).select("source_id")
    return starts.join(ended, on="source_id", how="anti")


def cp_plans_open_two_years_at_31_march(events: pl.DataFrame, period: Periodish) -> Measure:
    """Plans open at the period's end (31 March for a year) that had lasted 2 years or more, as a
    percentage of plans open then.

    DfE Children in need, table D5. England 2025: 2.3%.
    """
    _, day = _bounds(period)
    return _ratio(cp_plans_open_at(events, day), pl.col("event_date").dt.offset_by("2y") <= day)


def cp_plans_per_10000_at_31_march(events: pl.DataFrame, period: Periodish, population: int) -> Measure:
    """Child protection plans open at the period's end (31 March for a year) per 10,000 children.

    DfE table D1. England 2025: 40.6.
    """
    _, day = _bounds(period)
    return _per_10000(cp_plans_open_at(events, day), population)


def cp_plans_starting_per_10000(events: pl.DataFrame, period: Periodish, population: int) -> Measure:
    """Child protection plans starting in the period per 10,000 children (DfE D1/D3: 61,840 in England 2025)."""
    return _per_10000(_in_period(_of_type(events, EventType.CP_PLAN_START), period), population)


def cp_reviews_in_timescale(events: pl.DataFrame, period: Periodish) -> Measure:
    """Children on a plan at the period's end for 3 months or more whose reviews were all on time.

    DfE COLLECT key indicator "CPPs reviewed within timescales" (Working Together 2023: the first
    review within 3 months of the initial conference, later ones at most 6 months apart).
    Denominator: plans open at the period's end that started at least 3 calendar months before it.
    Numerator: those whose first review came within 3 months of the start, each later review within
    6 months of the one before, and whose next review was not yet overdue at the period's end.
    Reviews are matched to their plan by child and plan start date. England: 94.0% (2015, dated).
    """
    _, day = _bounds(period)
    plans = cp_plans_open_at(events, day).filter(pl.col("event_date").dt.offset_by("3mo") <= day)
    reviews = (
        _of_type(events, EventType.CP_REVIEW)
        .filter(pl.col("event_date") <= day)
        .select("child_id", pl.col("start_date").alias("event_date"), review=pl.col("event_date"))
    )
    # Each plan's review dates in order, then the gaps between start, reviews and the period's end.
    dates = (
        plans.select("source_id", "child_id", "event_date")
        .join(reviews, on=["child_id", "event_date"], how="left")
        .sort(["source_id", "review"])
        .group_by("source_id", maintain_order=True)
        .agg(pl.col("event_date").first().alias("plan_start"), pl.col("review").drop_nulls())
    )
    on_time = []
    for source_id, start, review_dates in dates.iter_rows():
        previous, limit, ok = start, 3, True
        for review in [*review_dates, None]:
            due = add_months(previous, limit)
            if (review is None and due < day) or (review is not None and review > due):
                ok = False
                break
            if review is not None:
                previous, limit = review, 6
        on_time.append((source_id, ok))
    verdict = pl.DataFrame(on_time, schema={"source_id": pl.Int64, "on_time": pl.Boolean}, orient="row")
    return _ratio(plans.join(verdict, on="source_id", how="left", maintain_order="left"), pl.col("on_time"))


def initial_category_share(events: pl.DataFrame, period: Periodish, category: str) -> Measure:
    """Plans starting in the period with this initial category of abuse, as a percentage. DfE table D4."""
    return _ratio(_in_period(_of_type(events, EventType.CP_PLAN_START), period), pl.col("code") == category)


CASELOAD_STAFF_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "team_id": pl.Int64(),
    "job_role": pl.String(),
    "is_case_holder": pl.Boolean(),
    "is_agency": pl.Boolean(),
    "fte": pl.Float64(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
}
CASELOAD_ALLOCATION_SCHEMA: dict[str, pl.DataType] = {
    "child_id": pl.Int64(),
    "worker_id": pl.Int64(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
}
CASE_HOLDING_JOB_ROLES = ("social_worker", "senior_social_worker", "asye")


def average_caseload(staff: pl.DataFrame, allocations: pl.DataFrame, day: dt.date) -> Measure:
    """Cases held on the census day by case-holding social workers ÷ those workers' FTE.

    DfE Children's social work workforce (CSWW) "caseload", counted on 30 September: a case is a
    child allocated to a named case-holding children and family social worker (social workers,
    senior social workers and ASYE; managers are not case holders), agency workers included and
    workers with 0 FTE excluded. Each worker's cases are counted, so a child allocated to two case
    holders counts for each. Staff and allocations are in post on the day (started on or before it
    and not ended before it). England 30 September 2025: 15.2.
    """

    def in_post(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(
            (pl.col("start_date") <= day) & (pl.col("end_date").is_null() | (pl.col("end_date") >= day))
        )

    holders = in_post(staff).filter(
        pl.col("is_case_holder") & pl.col("job_role").is_in(CASE_HOLDING_JOB_ROLES) & (pl.col("fte") > 0)
    )
    cases = (
        in_post(allocations)
        .join(holders.select(worker_id="id", team_id="team_id"), on="worker_id", how="inner")
        .unique(["worker_id", "child_id"])
        .sort(["worker_id", "child_id"])
        .with_columns(
            la_child_id=pl.lit(None, pl.String),
            source_id=pl.col("child_id"),
            event_date=pl.lit(day),
        )
    )
    rows = _rows(cases, True)
    fte = float(holders["fte"].cast(pl.Float64).sum())
    return Measure(numerator=rows.height, denominator=fte, unit="mean", rows=rows)
