"""Every indicator from any source, as plain rows: what `openmash kpi` prints.

A source is the live database, a Parquet file of journey events or a Children in Need census file
(docs/kpis.md, "Sources"). Where a source cannot give a figure (contacts and teams from a census
file, the workforce and the front door's own records from a file, rates per 10,000 children with no
population) the figure is None, never a zero.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import polars as pl

from openmash.journey.census import CensusError

from . import kpis
from .inputs import Inputs, from_cin_census, from_database, from_parquet, from_parquet_period
from .kpis import Measure
from .periods import Period
from .registry import INDICATORS, Indicator, figure

# The indicators that count contacts: a source without contacts cannot give them.
READS_CONTACTS = frozenset({kpis.contacts, kpis.contact_conversion})
COLUMNS = ("id", "name", "numerator", "denominator", "value", "unit", "basis")


class SourceError(ValueError):
    """The source named cannot be read (the message says why, in one line)."""


def open_source(spec: str, *, population: int | None = None, period: Period | None = None) -> Inputs:
    """`database`, `parquet:PATH` or `cin:PATH` as the engine's inputs. Given the period, only the
    rows of a Parquet file that its figures read are loaded (inputs.period_events), so England's
    events fit in memory."""
    kind, _, where = spec.partition(":")
    if kind == "database" and not where:
        inputs = from_database()
        return inputs if population is None else replace(inputs, population=population)
    if kind not in {"parquet", "cin"} or not where:
        raise SourceError(f"Unknown source {spec!r}: use database, parquet:PATH or cin:PATH")
    path = Path(where)
    if not path.is_file():
        raise SourceError(f"No file at {path}")
    if kind == "cin":
        try:
            return from_cin_census(path, population=population)
        except CensusError as exc:
            raise SourceError(str(exc)) from None
    try:
        if period is not None:
            return from_parquet_period(path, period, population=population)
        return from_parquet(path, population=population)
    except (OSError, pl.exceptions.PolarsError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceError(f"{path.name} is not a Parquet file of journey events: {first_line}") from None


def available(indicator: Indicator, inputs: Inputs, team_id: int | None = None) -> bool:
    """Whether this source records what the indicator counts (for the team, if one is named)."""
    if indicator.definition in READS_CONTACTS and not inputs.has_contacts:
        return False
    return team_id is None or (indicator.by_team and inputs.has_teams)


def figure_from(indicator: Indicator, inputs: Inputs, period: Period, team_id: int | None = None) -> Measure | None:
    """registry.figure, or None where the source does not record what the indicator counts."""
    if not available(indicator, inputs, team_id):
        return None
    return figure(indicator, inputs, period, team_id)


@dataclass(frozen=True)
class Row:
    id: str
    name: str
    numerator: float | None
    denominator: float | None
    value: float | None
    unit: str
    basis: str

    def as_dict(self) -> dict[str, Any]:
        """For JSON: `basis` only where the indicator is counted more than one way."""
        row = {c: getattr(self, c) for c in COLUMNS if c != "basis"}
        return row | ({"basis": self.basis} if self.basis else {})


def _number(value: float | None) -> float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 2)


def row(indicator: Indicator, measure: Measure | None) -> Row:
    numerator = denominator = value = None
    if measure is not None:
        numerator = _number(measure.numerator)
        # A count has nothing to divide by.
        denominator = None if measure.unit == "count" else _number(measure.denominator)
        value = None if measure.value is None else round(measure.value, 1)
    return Row(indicator.id, indicator.name, numerator, denominator, value, indicator.unit, indicator.basis)


def rows(inputs: Inputs, period: Period, team_id: int | None = None) -> list[Row]:
    """Every indicator in the registry, in its order, for the period (and team)."""
    return [row(i, figure_from(i, inputs, period, team_id)) for i in INDICATORS]


def resolve_team(inputs: Inputs, team: str) -> int:
    """A team named by its id or its name (any case), as this source knows it; SourceError if unknown."""
    if not inputs.has_teams:
        raise SourceError(f"The source {inputs.source} does not record teams, so --team cannot be used with it")
    known = dict(inputs.team_names)
    if not known:
        ids = inputs.events["team_id"].drop_nulls().unique().to_list()
        known = {int(i): str(i) for i in ids}
    text = team.strip()
    if text.isdigit() and int(text) in known:
        return int(text)
    matches = [i for i, name in known.items() if name.casefold() == text.casefold()]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(sorted(known.values())[:10])
    more = "…" if len(known) > 10 else ""
    raise SourceError(f"Unknown team {team!r}: give a team id or one of {names}{more}")
