"""Reads of action plans and inspections, through the access policy (can_view_improvement).

A refusal raises NotFound, which answers like a missing page. Overdue and off-track actions come first
wherever actions are listed: they are what a manager acts on and what a committee asks about.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.performance import registry

from .frameworks import AREA_KEYS, AREA_LABELS, GRADE_ORDER, area_label
from .models import DONE, OFF_TRACK, Action, ActionPlan, Inspection, Judgement, ProgressUpdate


def ensure_can_view(user: User) -> None:
    if not policy.can_view_improvement(user):
        raise NotFound("You may not see action plans")


def _key(value: int, what: str) -> int:
    # A number past the database's 64-bit keys is no record, not a server error.
    if not 0 < value < 2**63:
        raise NotFound(f"There is no such {what}")
    return value


def _overdue(today: dt.date) -> Q:
    return Q(due_date__lt=today) & ~Q(status__in=DONE)


def _off_track() -> Q:
    return Q(rag__in=OFF_TRACK) & ~Q(status__in=DONE)


def _needs_attention_first(actions: QuerySet[Action], today: dt.date) -> QuerySet[Action]:
    """Overdue first, then off-track (red before amber), then the rest; each by due date, then number."""
    return actions.annotate(
        attention=Case(
            When(_overdue(today), then=Value(0)),
            When(_off_track() & Q(rag="red"), then=Value(1)),
            When(_off_track(), then=Value(2)),
            When(status__in=DONE, then=Value(4)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("attention", F("due_date").asc(nulls_last=True), "plan_id", "number")


@dataclass(frozen=True)
class PlanRow:
    plan: ActionPlan
    actions: int
    done: int
    overdue: int
    off_track: int


def plans(user: User, *, today: dt.date | None = None) -> list[PlanRow]:
    """Every plan with its counts of actions: all, done, overdue and off-track."""
    ensure_can_view(user)
    return plan_rows(today or timezone.localdate())


def plan_rows(today: dt.date) -> list[PlanRow]:
    """`plans` without the viewer: a committee report reads the same counts as the officer who asked for it."""
    found = ActionPlan.objects.select_related("owner", "inspection").annotate(
        n_actions=Count("actions"),
        n_done=Count("actions", filter=Q(actions__status__in=DONE)),
        n_overdue=Count("actions", filter=Q(actions__due_date__lt=today) & ~Q(actions__status__in=DONE)),
        n_off_track=Count("actions", filter=Q(actions__rag__in=OFF_TRACK) & ~Q(actions__status__in=DONE)),
    )
    return [PlanRow(p, p.n_actions, p.n_done, p.n_overdue, p.n_off_track) for p in found.order_by("title", "id")]


def plan(user: User, plan_id: int) -> ActionPlan:
    ensure_can_view(user)
    found = ActionPlan.objects.select_related("owner", "inspection").filter(pk=_key(plan_id, "action plan")).first()
    if found is None:
        raise NotFound("There is no such action plan")
    return found


def plan_actions(user: User, plan: ActionPlan, *, today: dt.date | None = None) -> list[Action]:
    """A plan's actions, overdue and off-track first."""
    ensure_can_view(user)
    today = today or timezone.localdate()
    return list(_needs_attention_first(plan.actions.select_related("owner"), today))


def attention(user: User, *, today: dt.date | None = None) -> list[Action]:
    """The managers' list: every overdue or off-track action across all plans, overdue first."""
    ensure_can_view(user)
    today = today or timezone.localdate()
    found = Action.objects.filter(_overdue(today) | _off_track()).select_related("plan", "owner")
    return list(_needs_attention_first(found, today))


def progress_since(user: User, plan: ActionPlan, since: dt.date) -> list[ProgressUpdate]:
    """The progress recorded on a plan's actions after a date (a committee's last report), by action then date."""
    ensure_can_view(user)
    return list(
        ProgressUpdate.objects.filter(action__plan=plan, date__gt=since)
        .select_related("action", "recorded_by")
        .order_by("action__number", "date", "id")
    )


def action(user: User, action_id: int) -> Action:
    ensure_can_view(user)
    found = (
        Action.objects.select_related("plan", "owner", "area_for_improvement")
        .filter(pk=_key(action_id, "action"))
        .first()
    )
    if found is None:
        raise NotFound("There is no such action")
    return found


def indicator_names(action: Action) -> list[tuple[str, str]]:
    """The indicators an action should move, as (id, name); an id since withdrawn from the registry shows as is."""
    return [(i, registry.BY_ID[i].name if i in registry.BY_ID else i) for i in action.indicators or []]


@dataclass(frozen=True)
class HistoryLine:
    at: dt.datetime
    who: str
    changes: list[tuple[str, str, str]]  # (field label, before, after)


LABELS = {f.name: str(f.verbose_name).capitalize() for f in Action._meta.concrete_fields}


# The change history names fields; people read their labels.
_FIELDS = {f.name: f for f in Action._meta.concrete_fields}
# Keys and counters; an area for improvement is linked once, when the plan is made from the inspection.
_NOT_SHOWN = {"id", "version", "plan", "number", "created_at", "updated_at", "area_for_improvement"}


def _label(name: str) -> str:
    label = str(_FIELDS[name].verbose_name)
    return label[:1].upper() + label[1:]


def _shown(name: str, value: Any, names: dict[int, str]) -> str:
    """A value from the change history as the action's page shows it."""
    text = "" if value in (None, "None") else str(value)
    if name == "owner":
        return names.get(int(text), text) if text.isdigit() else text
    if name == "indicators":
        ids = re.findall(r"[a-z0-9_]+", text)
        return ", ".join(registry.BY_ID[i].name if i in registry.BY_ID else i for i in ids)
    choices = dict(_FIELDS[name].choices or [])
    return str(choices.get(text, text))


def action_history(user: User, action: Action) -> list[HistoryLine]:
    """Every change to the action, newest first, from the change history (its creation included)."""
    ensure_can_view(user)
    entries = list(LogEntry.objects.get_for_object(action).select_related("actor").order_by("-timestamp", "-pk"))
    owner_ids = {int(v) for e in entries for v in (e.changes_dict or {}).get("owner", []) if str(v).isdigit()}
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=owner_ids)}
    lines = []
    for entry in entries:
        changes = []
        for name, values in (entry.changes_dict or {}).items():
            if name in _NOT_SHOWN or name not in _FIELDS or len(values) != 2:
                continue
            before, after = (_shown(name, v, names) for v in values)
            if before != after:
                changes.append((_label(name), before, after))
        if changes:
            who = str(entry.actor) if entry.actor else "the system"
            lines.append(HistoryLine(entry.timestamp, who, changes))
    return lines


def inspections(user: User) -> QuerySet[Inspection]:
    ensure_can_view(user)
    return Inspection.objects.prefetch_related("judgements").order_by("authority", "-published", "-id")


def inspection(user: User, inspection_id: int) -> Inspection:
    ensure_can_view(user)
    found = Inspection.objects.prefetch_related("judgements", "areas_for_improvement", "action_plans").filter(
        pk=_key(inspection_id, "inspection")
    )
    result = found.first()
    if result is None:
        raise NotFound("There is no such inspection")
    return result


def judgements_shown(found: Inspection) -> list[tuple[str, Judgement]]:
    return [(area_label(found.framework, j.area), j) for j in found.judgements.all()]


@dataclass
class CompareRow:
    inspection: Inspection
    grades: list[Any] = field(default_factory=list)  # Judgement or None, one per column


@dataclass
class Comparison:
    columns: list[tuple[str, str]]  # (area key, label)
    rows: list[CompareRow]


def compare(user: User, *, framework: str = "ilacs") -> Comparison:
    """Each authority's latest graded inspection under a framework, as a table of authority by judgement area.

    Authorities are ordered by their overall effectiveness (best first), then by name. Columns are the areas
    any of the rows were graded in, in the frameworks' order.
    """
    ensure_can_view(user)
    return latest_graded(framework)


def latest_graded(framework: str = "ilacs") -> Comparison:
    """`compare` without the viewer: inspection outcomes are published, so a committee report reads them as the
    officer who asked for it would."""
    latest: dict[str, Inspection] = {}
    for found in (
        Inspection.objects.filter(framework=framework, judgements__isnull=False)
        .distinct()
        .prefetch_related("judgements")
        .order_by("la_code", "-published", "-id")
    ):
        latest.setdefault(found.la_code, found)
    used = {j.area for i in latest.values() for j in i.judgements.all()}
    columns = [(key, AREA_LABELS.get(key, key)) for key in AREA_KEYS if key in used]
    rows = []
    for found in latest.values():
        by_area = {j.area: j for j in found.judgements.all()}
        rows.append(CompareRow(found, [by_area.get(key) for key, _ in columns]))

    def order(row: CompareRow) -> tuple[int, str]:
        overall = next((j for j in row.inspection.judgements.all() if j.area == "overall"), None)
        return (GRADE_ORDER.get(overall.grade, 99) if overall else 99, row.inspection.authority.lower())

    rows.sort(key=order)
    return Comparison(columns, rows)
