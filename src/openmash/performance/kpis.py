"""KPI definitions, each written once, as pure functions over the journey-events table.

Every function takes the events (see openmash.journey.schema) and a DfE reporting year (the year
ending 31 March) and returns a Measure with its numerator and denominator, so a manager can drill
from the figure to the rows behind it. Sources are cited in each docstring; the conventions they
share (working days, "in year", "at 31 March") are in docs/kpis.md and openmash.core.calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import polars as pl

from openmash.core.calendar import working_days_series
from openmash.core.codes import DOMESTIC_ABUSE_FACTORS, AssessmentFactor
from openmash.core.dates import reporting_year_bounds
from openmash.journey.schema import EventType

Unit = Literal["percent", "per_10000", "mean"]


@dataclass(frozen=True)
class Measure:
    numerator: float
    denominator: float
    unit: Unit

    @property
    def value(self) -> float | None:
        """The figure, unrounded; None when there is nothing to divide by."""
        if not self.denominator:
            return None
        scale = {"percent": 100.0, "per_10000": 10_000.0, "mean": 1.0}[self.unit]
        return self.numerator / self.denominator * scale


def _of_type(events: pl.DataFrame, event_type: EventType) -> pl.DataFrame:
    return events.filter(pl.col("event_type") == event_type.value)


def _in_year(frame: pl.DataFrame, year: int, column: str = "event_date") -> pl.DataFrame:
    start, end = reporting_year_bounds(year)
    return frame.filter(pl.col(column).is_between(start, end, closed="both"))


def _percent(numerator: int, denominator: int) -> Measure:
    return Measure(numerator=numerator, denominator=denominator, unit="percent")


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
    return refs.with_columns(
        previous_referral_date=pl.col("event_date").shift(1).over("child_id"),
    ).with_columns(
        is_re_referral=pl.col("previous_referral_date").is_not_null()
        & (pl.col("previous_referral_date") >= pl.col("event_date").dt.offset_by("-12mo"))
    )


def re_referral_rate(events: pl.DataFrame, year: int) -> Measure:
    """Re-referrals within 12 months, as a percentage of referrals in the year.

    DfE Children in need, table C1 ("re-referrals within 12 months of a previous referral").
    Numerator: referrals in the year where the same child had a previous referral to this LA
    within the 12 calendar months before (previous date >= this date minus 12 months, and before
    it). Denominator: referrals in the year. Referrals later marked NFA count on both sides.
    England 2025: 22.6%.
    """
    flagged = _in_year(re_referrals_flagged(events), year)
    return _percent(int(flagged["is_re_referral"].sum()), flagged.height)


def referrals_per_10000(events: pl.DataFrame, year: int, population: int) -> Measure:
    """Referrals in the year per 10,000 children aged 0-17.

    DfE Children in need, table C1. Population: ONS mid-year estimate for the year before the
    reporting year ends. England 2025: 519.4.
    """
    return Measure(numerator=_in_year(referrals(events), year).height, denominator=population, unit="per_10000")


def referrals_nfa_percent(events: pl.DataFrame, year: int) -> Measure:
    """Referrals in the year that needed no further action (ReferralNFA), as a percentage.

    DfE Children in need, table C1. England 2025: 6.5%.
    """
    refs = _in_year(referrals(events), year)
    return _percent(int(refs["flag"].fill_null(False).sum()), refs.height)


def contact_conversion(events: pl.DataFrame, year: int) -> Measure:
    """Referrals in the year as a percentage of contacts in the year (not cohort-linked).

    Not a DfE statistic: contacts are not collected nationally (Ofsted Annex A list 1 holds them).
    """
    contacts = _in_year(_of_type(events, EventType.CONTACT), year).height
    return _percent(_in_year(referrals(events), year).height, contacts)


def assessment_durations(events: pl.DataFrame) -> pl.DataFrame:
    """Authorised assessments with `duration_wd`: working days from actual start to authorisation."""
    auth = _of_type(events, EventType.ASSESSMENT_AUTHORISED).filter(pl.col("start_date").is_not_null())
    return auth.with_columns(duration_wd=working_days_series(auth["start_date"], auth["event_date"]))


def assessments_within_45_working_days(events: pl.DataFrame, year: int) -> Measure:
    """Single assessments authorised in the year that took 45 working days or fewer.

    DfE Children in need, table C2 ("duration of assessments"). Numerator: assessments with an
    authorisation date in the year whose duration (working days after the actual start date up to
    and including the authorisation date) is at most 45. Denominator: all assessments authorised
    in the year; open assessments are excluded. England 2025: 85.7%.
    """
    done = _in_year(assessment_durations(events), year)
    return _percent(int((done["duration_wd"] <= 45).sum()), done.height)


def factor_prevalence(events: pl.DataFrame, year: int, codes: frozenset[str]) -> Measure:
    """Episodes whose assessments in the year identified any of `codes`, as a percentage of episodes
    with assessment factors recorded.

    DfE Children in need, table C3 ("factors identified at the end of assessment"): counts are
    episodes, and the percentage is of episodes with at least one factor recorded.
    """
    auth = _in_year(_of_type(events, EventType.ASSESSMENT_AUTHORISED), year)
    per_episode = (
        auth.select("episode_id", "factors")
        .explode("factors")
        .filter(pl.col("factors").is_not_null() & (pl.col("factors") != AssessmentFactor.NO_FACTORS.value))
        .group_by("episode_id")
        .agg(hit=pl.col("factors").is_in(list(codes)).any())
    )
    return _percent(int(per_episode["hit"].sum()), per_episode.height)


def domestic_abuse_prevalence(events: pl.DataFrame, year: int) -> Measure:
    """Episodes with domestic abuse (3A, 3B or 3C) identified at assessment. DfE table C3."""
    return factor_prevalence(events, year, frozenset(DOMESTIC_ABUSE_FACTORS))


def s47_per_10000(events: pl.DataFrame, year: int, population: int) -> Measure:
    """Section 47 enquiries starting in the year per 10,000 children. DfE table C4. England 2025: 189.3."""
    starts = _in_year(_of_type(events, EventType.S47_START), year).height
    return Measure(numerator=starts, denominator=population, unit="per_10000")


def icpc_from_s47_percent(events: pl.DataFrame, year: int) -> Measure:
    """Initial conferences in the year as a percentage of S47 enquiries starting in the year.

    DfE Children in need, table C4 (not cohort-linked). England 2025: 31.3%.
    """
    icpcs = _in_year(_of_type(events, EventType.ICPC), year).height
    s47s = _in_year(_of_type(events, EventType.S47_START), year).height
    return _percent(icpcs, s47s)


def cp_plans_second_or_subsequent(events: pl.DataFrame, year: int) -> Measure:
    """Child protection plans starting in the year that are a second or subsequent plan.

    DfE Children in need, table D3: numerator = plans starting in the year with
    NumberOfPreviousCPP of 1 or more (however long ago the earlier plan ended); denominator =
    plans starting in the year. Counts plans, not children. England 2025: 24.5%.
    """
    starts = _in_year(_of_type(events, EventType.CP_PLAN_START), year)
    return _percent(int((starts["previous_plans"].fill_null(0) >= 1).sum()), starts.height)


def cp_plans_ceased_two_years_or_more(events: pl.DataFrame, year: int) -> Measure:
    """Child protection plans ending in the year that had lasted 2 years or more.

    DfE Children in need, table D7: numerator = plans ending in the year where start plus two
    calendar years is on or before the end (a 29 February start reaches two years on 28 February);
    denominator = plans ending in the year. England 2025: 4.4%.
    """
    ends = _in_year(_of_type(events, EventType.CP_PLAN_END), year)
    long = ends.filter(pl.col("start_date").dt.offset_by("2y") <= pl.col("event_date"))
    return _percent(long.height, ends.height)


def cp_plans_open_at(events: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """Plans open on `day`: started on or before it and not ended on or before it."""
    starts = _of_type(events, EventType.CP_PLAN_START).filter(pl.col("event_date") <= day)
    ended = _of_type(events, EventType.CP_PLAN_END).filter(pl.col("event_date") <= day).select("source_id")
    return starts.join(ended, on="source_id", how="anti")


def cp_plans_open_two_years_at_31_march(events: pl.DataFrame, year: int) -> Measure:
    """Plans open at 31 March that had lasted 2 years or more, as a percentage of plans open then.

    DfE Children in need, table D5. England 2025: 2.3%.
    """
    _, census_day = reporting_year_bounds(year)
    open_plans = cp_plans_open_at(events, census_day)
    long = open_plans.filter(pl.col("event_date").dt.offset_by("2y") <= census_day)
    return _percent(long.height, open_plans.height)


def cp_plans_per_10000_at_31_march(events: pl.DataFrame, year: int, population: int) -> Measure:
    """Child protection plans open at 31 March per 10,000 children. DfE table D1. England 2025: 40.6."""
    _, census_day = reporting_year_bounds(year)
    return Measure(numerator=cp_plans_open_at(events, census_day).height, denominator=population, unit="per_10000")


def cp_plans_starting_per_10000(events: pl.DataFrame, year: int, population: int) -> Measure:
    """Child protection plans starting in the year per 10,000 children (DfE D1/D3: 61,840 in England 2025)."""
    starts = _in_year(_of_type(events, EventType.CP_PLAN_START), year).height
    return Measure(numerator=starts, denominator=population, unit="per_10000")


def initial_category_share(events: pl.DataFrame, year: int, category: str) -> Measure:
    """Plans starting in the year with this initial category of abuse, as a percentage."""
    starts = _in_year(_of_type(events, EventType.CP_PLAN_START), year)
    return _percent(int((starts["code"] == category).sum()), starts.height)


def average_caseload(cases: int, case_holder_fte: float) -> Measure:
    """Cases held at 30 September by case-holding social workers ÷ their FTE.

    DfE Children's social work workforce (CSWW) "caseload": a case is a child allocated to a named
    case-holding social worker; workers with 0 FTE are excluded. England Sept 2025: 15.2.
    """
    return Measure(numerator=cases, denominator=case_holder_fte, unit="mean")
