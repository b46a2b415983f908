"""The children behind a figure, for managers: every record counted in the denominator, with whether it
is in the numerator, listed only for the children the manager may see (each checked by the access
policy); the rest are counted, never named. Every opening is audited with the children listed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.core.paginator import Page, Paginator
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.people.models import Child
from openmash.workforce.models import StaffMember, Team

from . import registry
from .inputs import from_database
from .periods import Period

PAGE_SIZE = 50


@dataclass(frozen=True)
class DrillRow:
    child: Child
    day: dt.date
    counted: bool
    team: str
    worker: str


@dataclass(frozen=True)
class Drill:
    indicator: registry.Indicator
    period: Period
    team: Team | None
    numerator: float
    denominator: float
    value: float | None
    page: Page[DrillRow]
    hidden: int  # records about children the viewer may not see: counted, not listed
    only_counted: bool


def drill(
    user: User,
    indicator_id: str,
    period: Period,
    *,
    team_id: int | None = None,
    only_counted: bool = False,
    page: str | int | None = 1,
    today: dt.date | None = None,
) -> Drill:
    """The records behind one indicator's figure for the period (and team), for a manager."""
    if not policy.can_drill_into_figures(user):
        raise PermissionError("Only managers in children's services may see the children behind a figure")
    indicator = registry.BY_ID.get(indicator_id)
    if indicator is None or not indicator.drillable:
        raise NotFound("There is no list of children behind that figure")
    today = today or timezone.localdate()
    period = period.at(today)
    if period.start > today:
        raise ValueError("That period has not started yet")
    team = None
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ValueError("There is no such team")
    measure = registry.figure(indicator, from_database(), period, team_id)
    if measure is None or measure.rows is None:
        raise NotFound("There is no list of children behind that figure")
    rows = measure.rows
    if only_counted:
        rows = rows.filter(pl.col("counted"))
    rows = rows.sort(["event_date", "child_id", "source_id"], descending=[True, False, False])
    ids = set(rows["child_id"].drop_nulls().to_list())
    visible = {c.pk: c for c in policy.visible_children(user).filter(pk__in=ids)}
    shown = rows.filter(pl.col("child_id").is_in(list(visible)))
    teams = dict(Team.objects.values_list("id", "name"))
    worker_ids = set(shown["worker_id"].drop_nulls().to_list())
    workers = {s.pk: s.full_name for s in StaffMember.objects.filter(pk__in=worker_ids)}
    listed = [
        DrillRow(
            child=visible[r["child_id"]],
            day=r["event_date"],
            counted=bool(r["counted"]),
            team=teams.get(r["team_id"], ""),
            worker=workers.get(r["worker_id"], ""),
        )
        for r in shown.iter_rows(named=True)
    ]
    found = Paginator(listed, PAGE_SIZE).get_page(page)
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed the children behind “{indicator.full_name}” for {period.label}"[:300],
        detail={
            "page": "figure drill-down",
            "indicator": indicator.id,
            "period": period.key,
            "team": team_id,
            "children": [r.child.la_child_id for r in found.object_list],
        },
    )
    return Drill(
        indicator=indicator,
        period=period,
        team=team,
        numerator=measure.numerator,
        denominator=measure.denominator,
        value=measure.value,
        page=found,
        hidden=rows.height - shown.height,
        only_counted=only_counted,
    )
