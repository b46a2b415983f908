"""The quarterly scorecard: every indicator with its target, RAG, direction, 8-quarter trend, comparators and
narrative, for the viewer (small numbers hidden for councillors and anyone outside children's services).

Figures come from `cache` (computed once per state of the records), or from the period's snapshot once it
is frozen, so a report to committee reads the same later even after records are corrected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.models import User
from openmash.core.dates import long_date
from openmash.core.models import JourneyEvent
from openmash.core.routers import reporting_reads
from openmash.workforce.models import Team

from . import cache, registry
from .benchmarks import comparators
from .inputs import configured_population
from .models import IndicatorSetting, Narrative, Snapshot
from .periods import Period, trailing
from .registry import Indicator
from .suppression import SUPPRESSED, is_small

TREND_QUARTERS = 8
Shown = float | str | None  # a figure, "c" where hidden, None where there is none


@dataclass(frozen=True)
class Point:
    period: Period
    value: Shown
    numerator: Shown
    denominator: Shown


@dataclass(frozen=True)
class Comparator:
    area: str
    year_label: str
    value: float | None


@dataclass
class Row:
    indicator: Indicator
    value: Shown
    numerator: Shown
    denominator: Shown
    available: bool
    target: float | None
    target_basis: str | None
    target_note: str
    rag: registry.Rag | None
    previous: Shown
    direction: str | None
    trend: list[Point]
    comparators: list[Comparator]
    owner: str = ""
    narrative: str = ""
    narrative_by: str = ""
    narrative_version: int | None = None
    can_write_narrative: bool = False
    drillable: bool = False

    @property
    def needs_narrative(self) -> bool:
        return self.rag == "red" and not self.narrative

    def to_frozen(self) -> dict[str, Any]:
        return {
            "id": self.indicator.id,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "available": self.available,
            "target": self.target,
            "target_basis": self.target_basis,
            "target_note": self.target_note,
            "rag": self.rag,
            "previous": self.previous,
            "direction": self.direction,
            "trend": [[p.period.key, p.value, p.numerator, p.denominator] for p in self.trend],
            "comparators": [[c.area, c.year_label, c.value] for c in self.comparators],
            "owner": self.owner,
            "narrative": self.narrative,
            "narrative_by": self.narrative_by,
        }


@dataclass
class Scorecard:
    period: Period
    rows: list[Row]
    suppressed: bool
    team: Team | None
    teams: list[Team]
    periods: list[Period]
    frozen: Snapshot | None
    can_freeze: bool
    can_drill: bool
    definitions_version: str
    population: int | None
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)

    @property
    def missing_narratives(self) -> list[Row]:
        return [r for r in self.rows if r.needs_narrative]

    @property
    def headline(self) -> list[Row]:
        return [r for r in self.rows if r.indicator.group == "headline"]


def default_period(today: dt.date) -> Period:
    """The last complete quarter: the one a committee is reporting on."""
    return Period.containing(today).previous()


def _chosen(period: Period | None, today: dt.date) -> Period:
    """The period a scorecard shows: the one asked for, or the last complete quarter, as at today."""
    return (period or default_period(today)).at(today)


def _trend(period: Period, today: dt.date) -> list[Period]:
    """The quarters of the trend: the 8 ending with the period (a year's ends with its last quarter)."""
    quarter = period if period.quarter is not None else Period(period.year, 4).at(period.as_of)
    return [p.at(today) for p in trailing(quarter, TREND_QUARTERS)]


def periods_for(period: Period | None, today: dt.date) -> list[Period]:
    """The periods whose figures the scorecard for `period` (by default the last complete quarter) reads: the
    trend's quarters, the period and the one before it, those started by `today`. Computing them ahead (see
    `cache.figures`) makes that scorecard's next page fast."""
    period = _chosen(period, today)
    wanted = {p.key: p for p in [*_trend(period, today), period, period.previous().at(today)] if p.start <= today}
    return list(wanted.values())


def available_periods(today: dt.date) -> list[Period]:
    """Every quarter and year from the first recorded event to today, newest first."""
    with reporting_reads():
        first = JourneyEvent.objects.aggregate(first=Min("event_date"))["first"] or today
    first = max(first, today.replace(year=today.year - 10))
    periods: list[Period] = []
    quarter = Period.containing(today)
    while quarter.full_end >= first:
        periods.append(quarter)
        if quarter.quarter == 4 or quarter == Period.containing(today):
            year = Period(quarter.year)
            if year.start <= today:
                periods.append(year)
        quarter = quarter.previous()
    return periods


def _hide(value: float | None, numerator: float | None, denominator: float | None, unit: str) -> tuple[Shown, ...]:
    """A figure as a councillor may see it: counts of 1 to 5 hidden, and a rate built on one hidden too."""
    if value is None and numerator is None:
        return None, None, None
    small_numerator = numerator is not None and is_small(numerator)
    # Populations and FTE totals are not counts of children.
    small_denominator = unit == "percent" and denominator is not None and is_small(denominator)
    shown_value: Shown = SUPPRESSED if small_numerator or small_denominator else value
    return (
        shown_value,
        SUPPRESSED if small_numerator else numerator,
        SUPPRESSED if small_denominator else denominator,
    )


def _point(period: Period, stored: cache.Stored, unit: str, suppress: bool) -> Point:
    if stored is None:
        return Point(period, None, None, None)
    numerator, denominator, value = stored
    if suppress:
        return Point(period, *_hide(value, numerator, denominator, unit))
    return Point(period, value, numerator, denominator)


def _comparators(indicator: Indicator, period: Period) -> list[Comparator]:
    return [
        Comparator(area=b.area, year_label=b.as_at, value=b.value)
        for b in comparators(indicator.id, period.year if period.quarter is None else period.full_end.year)
    ]


def build(
    user: User,
    *,
    period: Period | None = None,
    team_id: int | None = None,
    today: dt.date | None = None,
) -> Scorecard:
    """The scorecard for the period (by default the last complete quarter) as this user may see it."""
    if not policy.can_view_aggregates(user):
        raise PermissionError("Not signed in")
    today = today or timezone.localdate()  # quarters follow the date in England
    suppress = policy.aggregates_need_suppression(user)
    period = _chosen(period, today)
    if period.start > today:
        raise ValueError("That period has not started yet")
    team = None
    if team_id is not None:
        if not policy.can_filter_figures_by_team(user):
            raise PermissionError("Figures by team are not shown to you")
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ValueError("There is no such team")
    snapshot = Snapshot.objects.filter(period_key=period.key).select_related("frozen_by").first() if not team else None
    settings_by_id = {s.indicator_id: s for s in IndicatorSetting.objects.select_related("owner")}
    narratives = {n.indicator_id: n for n in Narrative.objects.filter(period_key=period.key).select_related("author")}
    can_drill = policy.can_drill_into_figures(user)
    if snapshot is not None:
        rows = _frozen_rows(snapshot, suppress)
    else:
        rows = _live_rows(period, team_id, suppress, user, can_drill, settings_by_id, narratives, today)
    scorecard = Scorecard(
        period=period,
        rows=rows,
        suppressed=suppress,
        team=team,
        teams=list(Team.objects.order_by("name")) if policy.can_filter_figures_by_team(user) else [],
        periods=available_periods(today),
        frozen=snapshot,
        can_freeze=policy.can_manage_scorecard(user) and snapshot is None and team is None and period.is_complete,
        can_drill=can_drill,
        definitions_version=snapshot.definitions_version if snapshot else registry.definitions_version(),
        population=snapshot.population if snapshot else configured_population(),
    )
    scorecard.groups = [
        (label, [r for r in rows if r.indicator.group == key])
        for key, label in registry.GROUPS.items()
        if any(r.indicator.group == key for r in rows)
    ]
    return scorecard


def _target(indicator: Indicator, settings_by_id: dict[str, IndicatorSetting]) -> tuple[float | None, str | None, str]:
    setting = settings_by_id.get(indicator.id)
    if setting is not None and setting.target is not None:
        return setting.target, "local", setting.target_note or "set by the authority"
    target, basis = indicator.effective_target
    note = indicator.target_note if basis == indicator.target_basis else "set by the authority"
    return target, basis, note


def _live_rows(
    period: Period,
    team_id: int | None,
    suppress: bool,
    user: User,
    can_drill: bool,
    settings_by_id: dict[str, IndicatorSetting],
    narratives: dict[str, Narrative],
    today: dt.date,
) -> list[Row]:
    trend_periods = _trend(period, today)
    previous = period.previous().at(today)
    figures = cache.figures(periods_for(period, today), team_id)
    rows = []
    for indicator in registry.INDICATORS:
        stored = figures[period.key][indicator.id]
        value = stored[2] if stored is not None else None
        before = figures.get(previous.key, {}).get(indicator.id)
        target, basis, note = _target(indicator, settings_by_id)
        point = _point(period, stored, indicator.unit, suppress)
        prior = _point(previous, before, indicator.unit, suppress)
        hidden = point.value == SUPPRESSED or prior.value == SUPPRESSED
        setting = settings_by_id.get(indicator.id)
        owner = setting.owner if setting is not None else None
        narrative = narratives.get(indicator.id)
        rows.append(
            Row(
                indicator=indicator,
                value=point.value,
                numerator=point.numerator,
                denominator=point.denominator,
                available=stored is not None,
                target=target,
                target_basis=basis,
                target_note=note,
                # A RAG or a direction could give a hidden figure away, so they hide with it.
                rag=None if point.value == SUPPRESSED else registry.rag(indicator, value, target),
                previous=prior.value,
                direction=None if hidden else registry.direction(indicator, value, before[2] if before else None),
                trend=[
                    _point(p, figures.get(p.key, {}).get(indicator.id), indicator.unit, suppress) for p in trend_periods
                ],
                comparators=_comparators(indicator, period),
                owner=owner.get_full_name() if owner is not None else "",
                narrative=narrative.text if narrative else "",
                narrative_by=(narrative.author.get_full_name() or narrative.author.username) if narrative else "",
                narrative_version=narrative.version if narrative else None,
                can_write_narrative=team_id is None
                and policy.can_write_narrative(user, owner.pk if owner is not None else None),
                drillable=can_drill and indicator.drillable and stored is not None,
            )
        )
    return rows


def _frozen_rows(snapshot: Snapshot, suppress: bool) -> list[Row]:
    rows = []
    for data in snapshot.rows:
        indicator = registry.BY_ID.get(data["id"])
        if indicator is None:
            continue  # an indicator since retired: the snapshot keeps it, the page shows today's list
        trend = []
        for key, value, numerator, denominator in data["trend"]:
            p = Period.parse(key)
            stored = None if value is None and numerator is None else [numerator, denominator, value]
            trend.append(_point(p, stored, indicator.unit, suppress))
        own = _point(
            Period.parse(snapshot.period_key),
            None if not data["available"] else [data["numerator"], data["denominator"], data["value"]],
            indicator.unit,
            suppress,
        )
        rows.append(
            Row(
                indicator=indicator,
                value=own.value,
                numerator=own.numerator,
                denominator=own.denominator,
                available=data["available"],
                target=data["target"],
                target_basis=data["target_basis"],
                target_note=data["target_note"],
                rag=None if own.value == SUPPRESSED else data["rag"],
                previous=data["previous"] if not suppress else None,
                direction=None if own.value == SUPPRESSED else data["direction"],
                trend=trend,
                comparators=[Comparator(a, y, v) for a, y, v in data["comparators"]],
                owner=data["owner"],
                narrative=data["narrative"],
                narrative_by=data["narrative_by"],
                drillable=False,
            )
        )
    return rows


def frozen_rows(snapshot: Snapshot, *, suppress: bool = True) -> list[Row]:
    """A frozen quarter's rows as they stood, small numbers hidden unless `suppress` is False. Committee reports
    read these: they go to councillors and the public, so they always hide them."""
    return _frozen_rows(snapshot, suppress)


def frozen_note(snapshot: Snapshot) -> str:
    who = snapshot.frozen_by.get_full_name() or snapshot.frozen_by.username
    return f"Frozen on {long_date(timezone.localtime(snapshot.frozen_at).date())} by {who}"
