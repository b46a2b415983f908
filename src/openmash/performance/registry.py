"""The indicators: one registry, read by the scorecard, the CLI, snapshots and the demo's calibration.

Each Indicator names the pure function in `kpis` (or, for the MASH success measures, in
`front_door.measures`) whose docstring holds its definition and DfE source, says what it measures and
why it matters in plain English, and carries its target and whether that target is national (an England
figure or a statutory timescale) or local (set by the authority: OPENMASH_KPI_TARGETS overrides any
target and makes it local). `figure` computes one indicator for a period, for the whole authority or
one team.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

from openmash.front_door import measures as front_door

from . import kpis
from .inputs import Inputs
from .kpis import Measure, Unit
from .periods import Period, Span

Better = Literal["higher", "lower", "neither"]
Needs = Literal["events", "population", "workforce", "front_door"]
Rag = Literal["green", "amber", "red"]

GROUPS = {
    "headline": "The five indicators councillors scrutinise",
    "front_door": "Front door and referrals",
    "assessment": "Assessment and need",
    "protection": "Child protection",
    "mash": "MASH success measures",
}


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    group: str
    unit: Unit
    better: Better
    source: str  # the published table or guidance it follows
    measures: str  # what it measures, in plain English
    matters: str  # why it matters
    definition: Callable[..., object]  # the function whose docstring is the full definition
    needs: Needs = "events"
    target: float | None = None
    target_basis: Literal["national", "local"] | None = None
    target_note: str = ""
    basis: str = ""  # which basis, for a measure that is counted more than one way
    # For counts per 10,000 on a quarter: the 12 months to the quarter's end, so it compares with annual figures.
    rolling_year: bool = False
    by_team: bool = True
    drillable: bool = True

    @property
    def effective_target(self) -> tuple[float | None, str | None]:
        """The registry's target and its basis (the indicator's page may set a local one instead)."""
        return self.target, self.target_basis

    @property
    def docstring(self) -> str:
        return (self.definition.__doc__ or "").strip()

    @property
    def full_name(self) -> str:
        return f"{self.name} ({self.basis})" if self.basis else self.name


def _span(indicator: Indicator, period: Period) -> Period | Span:
    if indicator.rolling_year and period.quarter is not None:
        return Span.year_to(period.end)
    return period


# The MASH success measures read the front door's own records in the database.


def mash_within_one_working_day(period: Period) -> Measure:
    """Contacts decided in the period within one working day of receipt ÷ contacts decided in the period.

    front_door.measures.decision_timeliness: the national timescale for a decision on a contact is one
    working day (Working Together 2023); Bracknell Forest 90%, Darlington 84.4% (front-door notes §6).
    """
    ratio = front_door.decision_timeliness(period.start, period.end).within_one_working_day
    return Measure(ratio.numerator, ratio.denominator, "percent")


def mash_within_rag_timescale(period: Period) -> Measure:
    """Rated contacts decided in the period by the time their RAG rating set ÷ rated contacts decided.

    front_door.measures.decision_timeliness, all colours together (the timescales are set locally).
    """
    ratios = front_door.decision_timeliness(period.start, period.end).within_rag.values()
    return Measure(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios), "percent")


def mash_contacts_nfa(period: Period) -> Measure:
    """Contacts decided in the period with no further action ÷ contacts decided in the period.

    front_door.measures.inappropriate_contacts (front-door notes §6, "inappropriate contacts").
    """
    ratio = front_door.inappropriate_contacts(period.start, period.end).overall
    return Measure(ratio.numerator, ratio.denominator, "percent")


def mash_recontact_within_12_months(period: Period) -> Measure:
    """Children with a contact decided no further action, or early help closed, in the period who came back
    with a new contact within 12 months ÷ those children.

    front_door.measures.recurrence (front-door notes §6, "re-contact"). A period that ended less than a year
    ago has not had its full year: its figure can only rise.
    """
    ratio = front_door.recurrence(period.start, period.end).overall
    return Measure(ratio.numerator, ratio.denominator, "percent")


def mash_referrer_satisfaction(period: Period) -> Measure:
    """Referrers answering the survey in the period who rated their overall satisfaction 4 or 5 out of 5 ÷
    referrers who answered that question.

    front_door.measures.referrer_satisfaction, all agencies together (front-door notes §6, referrer survey).
    """
    rows = front_door.referrer_satisfaction(period.start, period.end)
    return Measure(sum(r.satisfied.numerator for r in rows), sum(r.satisfied.denominator for r in rows), "percent")


C1 = "DfE Children in need, table C1"
C2 = "DfE Children in need, table C2"
C3 = "DfE Children in need, table C3"
C4 = "DfE Children in need, table C4"
FRONT_DOOR = "Front-door measures (local: not collected nationally)"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "rereferral_rate",
        "Re-referrals within 12 months",
        "headline",
        "percent",
        "lower",
        C1,
        "Of the referrals to children's social care in the period, the share about a child who had been referred "
        "in the 12 months before.",
        "Children who come back quickly may not have had the help they needed the first time.",
        kpis.re_referral_rate,
        target=22.6,
        target_basis="national",
        target_note="England's rate for 2024 to 2025",
    ),
    Indicator(
        "assessments_within_45wd",
        "Single assessments completed within 45 working days",
        "headline",
        "percent",
        "higher",
        C2,
        "Of the single assessments authorised in the period, the share authorised within 45 working days of the "
        "assessment starting.",
        "Working Together sets 45 working days as the most an assessment should take; delay leaves children and "
        "families waiting for help.",
        kpis.assessments_within_45_working_days,
        target=85.7,
        target_basis="national",
        target_note="England's rate for 2024 to 2025",
        basis="from the assessment's start, as DfE publishes it",
    ),
    Indicator(
        "assessments_within_45wd_from_referral",
        "Single assessments completed within 45 working days",
        "assessment",
        "percent",
        "higher",
        "Working Together to Safeguard Children 2023",
        "Of the first assessments of each referral authorised in the period, the share authorised within 45 working "
        "days of the referral.",
        "The statutory guidance counts the 45 days from the referral, so time before the assessment starts counts too.",
        kpis.assessments_within_45_working_days_of_referral,
        target=100.0,
        target_basis="national",
        target_note="the statutory maximum applies to every assessment",
        basis="from the referral, as Working Together 2023 sets it",
    ),
    Indicator(
        "cpp_second_or_subsequent",
        "Child protection plans that are a second or later plan",
        "headline",
        "percent",
        "lower",
        "DfE Children in need, table D3",
        "Of the child protection plans starting in the period, the share for a child who had a plan before, "
        "however long ago.",
        "A child needing protection again may mean the first plan ended before the change at home had lasted.",
        kpis.cp_plans_second_or_subsequent,
        target=24.5,
        target_basis="national",
        target_note="England's rate for 2024 to 2025",
    ),
    Indicator(
        "cpp_two_years_at_end",
        "Child protection plans lasting 2 years or more when they end",
        "headline",
        "percent",
        "lower",
        "DfE Children in need, table D7",
        "Of the child protection plans ending in the period, the share that had lasted 2 years or more.",
        "A plan should make a child safe within months; long plans can mean drift without change.",
        kpis.cp_plans_ceased_two_years_or_more,
        target=4.4,
        target_basis="national",
        target_note="England's rate for 2024 to 2025",
    ),
    Indicator(
        "average_caseload",
        "Average caseload of social workers",
        "headline",
        "mean",
        "lower",
        "DfE Children's social work workforce census",
        "Children allocated to case-holding social workers (agency workers included), divided by those workers' "
        "full-time equivalents, on 30 September for a year or the last day of a quarter.",
        "Manageable caseloads give social workers time to know the children they hold.",
        kpis.average_caseload,
        needs="workforce",
        target=16.0,
        target_basis="local",
        target_note="set by the authority",
    ),
    Indicator(
        "contacts",
        "Contacts received",
        "front_door",
        "count",
        "neither",
        "Ofsted Annex A list 1",
        "Contacts about children received by the front door in the period.",
        "The volume of concern reaching the front door, which staffing must meet.",
        kpis.contacts,
    ),
    Indicator(
        "contact_conversion",
        "Contacts that became referrals",
        "front_door",
        "percent",
        "neither",
        "Local (contacts are not collected nationally)",
        "Referrals to children's social care in the period as a share of contacts received in the period.",
        "Shows how well the front door filters concern to the children who need a social worker.",
        kpis.contact_conversion,
    ),
    Indicator(
        "referrals_per_10000",
        "Referrals per 10,000 children",
        "front_door",
        "per_10000",
        "neither",
        C1,
        "Referrals to children's social care per 10,000 children living in the area (12 months to the period's end "
        "for a quarter).",
        "Compares demand with other areas of a different size.",
        kpis.referrals_per_10000,
        needs="population",
        rolling_year=True,
        by_team=False,
    ),
    Indicator(
        "referrals_nfa",
        "Referrals with no further action",
        "front_door",
        "percent",
        "lower",
        C1,
        "Of the referrals in the period, the share that needed no further action.",
        "A high share can mean contacts are referred that the front door could have resolved.",
        kpis.referrals_nfa_percent,
        target=6.5,
        target_basis="national",
        target_note="England's rate for 2024 to 2025",
    ),
    Indicator(
        "cse_per_10000",
        "Child sexual exploitation identified at assessment, per 10,000 children",
        "assessment",
        "per_10000",
        "neither",
        C3,
        "Referrals whose assessment found child sexual exploitation, per 10,000 children (12 months to the "
        "period's end for a quarter).",
        "Shows whether exploitation is being recognised, compared with similar areas.",
        kpis.cse_per_10000,
        needs="population",
        rolling_year=True,
        by_team=False,
    ),
    Indicator(
        "domestic_abuse_at_assessment",
        "Domestic abuse identified at assessment",
        "assessment",
        "percent",
        "neither",
        C3,
        "Of the referrals with factors recorded at assessments authorised in the period, the share where domestic "
        "abuse (about the child, a parent or another person) was a factor.",
        "Domestic abuse is the commonest factor at assessment; its share shapes the help commissioned.",
        kpis.domestic_abuse_prevalence,
    ),
    Indicator(
        "cin_per_10000",
        "Children in need per 10,000 children",
        "assessment",
        "per_10000",
        "neither",
        "DfE Children in need, table B1",
        "Children with an open referral to children's social care on the period's last day, per 10,000 children.",
        "The number of children the authority is working with, compared with other areas.",
        kpis.children_in_need_per_10000,
        needs="population",
        by_team=False,
    ),
    Indicator(
        "s47_per_10000",
        "Section 47 enquiries per 10,000 children",
        "protection",
        "per_10000",
        "neither",
        C4,
        "Child protection enquiries starting per 10,000 children (12 months to the period's end for a quarter).",
        "How often concern reaches the threshold of significant harm, compared with other areas.",
        kpis.s47_per_10000,
        needs="population",
        rolling_year=True,
        by_team=False,
    ),
    Indicator(
        "s47_to_icpc",
        "Section 47 enquiries leading to an initial conference",
        "protection",
        "percent",
        "neither",
        C4,
        "Initial child protection conferences in the period as a share of Section 47 enquiries starting in it.",
        "A low share can mean enquiries are started when they are not needed.",
        kpis.icpc_from_s47_percent,
    ),
    Indicator(
        "icpc_within_15wd",
        "Initial conferences within 15 working days",
        "protection",
        "percent",
        "higher",
        C4,
        "Of the initial child protection conferences in the period, the share held within 15 working days of the "
        "Section 47 enquiry starting.",
        "Working Together expects the conference within 15 working days so that a plan is in place quickly.",
        kpis.icpc_within_15_working_days,
        target=81.4,
        target_basis="national",
        target_note="England's rate for 2024 to 2025",
        basis="from the enquiry's start, as DfE publishes it",
    ),
    Indicator(
        "cpp_per_10000",
        "Children on a child protection plan per 10,000 children",
        "protection",
        "per_10000",
        "neither",
        "DfE Children in need, table D1",
        "Child protection plans open on the period's last day, per 10,000 children.",
        "Compares how many children need a plan with other areas.",
        kpis.cp_plans_per_10000_at_31_march,
        needs="population",
        by_team=False,
    ),
    Indicator(
        "cpp_second_within_two_years",
        "Child protection plans within 2 years of a previous plan",
        "protection",
        "percent",
        "lower",
        "Local measure (not published by DfE)",
        "Of the plans starting in the period, the share for a child whose last plan here ended in the 2 years before.",
        "A quick return to a plan suggests the earlier plan ended too soon.",
        kpis.cp_plans_second_within_two_years,
    ),
    Indicator(
        "cpp_open_two_years",
        "Child protection plans open for 2 years or more",
        "protection",
        "percent",
        "lower",
        "DfE Children in need, table D5",
        "Of the plans open on the period's last day, the share that had been open for 2 years or more.",
        "Plans still open after 2 years show where change for a child has stalled.",
        kpis.cp_plans_open_two_years_at_31_march,
        target=2.3,
        target_basis="national",
        target_note="England's rate at 31 March 2025",
    ),
    Indicator(
        "cp_reviews_in_timescale",
        "Child protection plans reviewed on time",
        "protection",
        "percent",
        "higher",
        "DfE key indicator, Working Together 2023",
        "Of the plans open for 3 months or more on the period's last day, the share whose reviews were all on time "
        "(first within 3 months, then every 6 months).",
        "Reviews check that a plan is keeping the child safe; a late review leaves a plan unchecked.",
        kpis.cp_reviews_in_timescale,
        target=100.0,
        target_basis="national",
        target_note="the statutory timescale applies to every review",
    ),
    Indicator(
        "mash_decided_within_one_working_day",
        "Contacts decided within one working day",
        "mash",
        "percent",
        "higher",
        FRONT_DOOR,
        "Of the contacts decided in the period, the share decided within one working day of arriving.",
        "Working Together expects a decision on a contact within one working day.",
        mash_within_one_working_day,
        needs="front_door",
        target=90.0,
        target_basis="local",
        target_note="set by the authority",
        by_team=False,
        drillable=False,
    ),
    Indicator(
        "mash_decided_within_rag",
        "Contacts decided within their risk rating's timescale",
        "mash",
        "percent",
        "higher",
        FRONT_DOOR,
        "Of the contacts rated red, amber or green and decided in the period, the share decided by the time their "
        "rating allowed.",
        "The most urgent contacts must be decided first.",
        mash_within_rag_timescale,
        needs="front_door",
        target=95.0,
        target_basis="local",
        target_note="set by the authority",
        by_team=False,
        drillable=False,
    ),
    Indicator(
        "mash_contacts_nfa",
        "Contacts ending with no further action",
        "mash",
        "percent",
        "lower",
        FRONT_DOOR,
        "Of the contacts decided in the period, the share that needed no further action.",
        "Shows how many contacts partners make that need no help, and where guidance on thresholds could help.",
        mash_contacts_nfa,
        needs="front_door",
        by_team=False,
        drillable=False,
    ),
    Indicator(
        "mash_recontact_within_12_months",
        "Children back at the front door within 12 months",
        "mash",
        "percent",
        "lower",
        FRONT_DOOR,
        "Of the children whose contact ended with no further action, or whose early help closed, in the period, "
        "the share with a new contact within 12 months.",
        "Escalation or repeat harm after the front door stepped back shows where the first response was not enough.",
        mash_recontact_within_12_months,
        needs="front_door",
        by_team=False,
        drillable=False,
    ),
    Indicator(
        "mash_referrer_satisfaction",
        "Referrers satisfied with the front door",
        "mash",
        "percent",
        "higher",
        FRONT_DOOR,
        "Of the referrers who answered the survey in the period, the share rating their overall satisfaction 4 or 5 "
        "out of 5.",
        "Partners who feel heard keep telling the front door what they know.",
        mash_referrer_satisfaction,
        needs="front_door",
        target=80.0,
        target_basis="local",
        target_note="set by the authority",
        by_team=False,
        drillable=False,
    ),
)

BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}


def definitions_version() -> str:
    """A short fingerprint of every definition: it changes whenever an indicator's definition does."""
    text = "\n".join(f"{i.id}|{i.unit}|{i.rolling_year}|{i.docstring}" for i in INDICATORS)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def figure(indicator: Indicator, inputs: Inputs, period: Period, team_id: int | None = None) -> Measure | None:
    """The indicator for the period (and team), or None when the source cannot give it."""
    if team_id is not None and not indicator.by_team:
        return None
    period = period.at(inputs.as_of) if inputs.as_of and not period.as_of else period
    if indicator.needs == "front_door":
        return indicator.definition(period) if inputs.live else None  # type: ignore[return-value]
    if indicator.needs == "workforce":
        if inputs.staff is None or inputs.allocations is None:
            return None
        staff = inputs.staff if team_id is None else inputs.staff.filter(pl.col("team_id") == team_id)
        return kpis.average_caseload(staff, inputs.allocations, period.census_day)
    span = _span(indicator, period)
    if indicator.needs == "population":
        if not inputs.population:
            return None
        measure: Measure = indicator.definition(inputs.events, span, inputs.population)  # type: ignore[assignment]
    else:
        measure = indicator.definition(inputs.events, span)  # type: ignore[assignment]
    return measure if team_id is None else for_team(measure, team_id)


def for_team(measure: Measure, team_id: int) -> Measure:
    """The same measure over the rows whose team at the time was `team_id`."""
    if measure.rows is None:
        raise ValueError("This figure has no rows to filter by team")
    rows = measure.rows.filter(pl.col("team_id") == team_id)
    counted = int(rows["counted"].sum())
    if measure.unit == "count":
        return Measure(counted, 0, "count", rows)
    return Measure(counted, rows.height, measure.unit, rows)


def rag(indicator: Indicator, value: float | None, target: float | None) -> Rag | None:
    """Green on or better than target; amber within 2 points (percentages) or 5% (others) of it; else red."""
    if value is None or target is None or indicator.better == "neither":
        return None
    gap = value - target if indicator.better == "higher" else target - value
    if gap >= 0:
        return "green"
    tolerance = 2.0 if indicator.unit == "percent" else 0.05 * abs(target)
    return "amber" if -gap <= tolerance else "red"


Travel = Literal["improving", "worsening", "no change", "up", "down"]


def direction(indicator: Indicator, value: float | None, before: float | None) -> Travel | None:
    """How the figure moved since the period before (to one decimal place, as it is shown)."""
    if value is None or before is None:
        return None
    now, then = round(value, 1), round(before, 1)
    if now == then:
        return "no change"
    if indicator.better == "neither":
        return "up" if now > then else "down"
    return "improving" if (now > then) == (indicator.better == "higher") else "worsening"
