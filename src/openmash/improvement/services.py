"""Changes to action plans and inspections.

Each is one transaction that asks the access policy first (openmash.access.policy.can_manage_improvement)
and writes the audit trail; the change history (old and new values) of plans and actions is kept by
django-auditlog (see apps.py). Bad input is refused with a clear message and nothing is changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.locking import ensure_current, next_version
from openmash.performance import registry

from .frameworks import AREA_KEYS, Framework, Grade, areas_for
from .models import (
    Action,
    ActionPlan,
    ActionStatus,
    AreaForImprovement,
    Inspection,
    Judgement,
    PlanKind,
    ProgressUpdate,
    Rag,
)

TITLE_MAX = 200
ACTION_TITLE_MAX = 300
TEXT_MAX = 10_000
LA_CODE = re.compile(r"^\d{3}$")


def _ensure_manager(user: User, what: str) -> None:
    if not policy.can_manage_improvement(user):
        raise PermissionError(f"Only managers and performance analysts in children's services {what}")


def _text(value: str, *, label: str, field_name: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"Enter the {label}", field=field_name)
    if len(value) > limit:
        raise ServiceError(f"The {label} must be {limit:,} characters or fewer", field=field_name)
    return value


def _owner(owner: User | None, field_name: str = "owner") -> User | None:
    if owner is not None and not policy.can_own_action(owner):
        raise ServiceError("Choose an owner who is a manager or analyst in children's services", field=field_name)
    return owner


def _indicators(ids: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(ids))
    unknown = [i for i in chosen if i not in registry.BY_ID]
    if unknown:
        raise ServiceError(f"There is no indicator {', '.join(unknown)}", field="indicators")
    return chosen


def _choice(value: str, choices: type[ActionStatus] | type[Rag] | type[PlanKind], *, label: str, blank: bool) -> str:
    if blank and value == "":
        return ""
    if value not in choices.values:
        raise ServiceError(f"Choose the {label} from the list", field=label.replace(" ", "_").lower())
    return value


# Plans and actions --------------------------------------------------------------------------------


@transaction.atomic
@changes_by_acting_user
def plan_create(
    *,
    title: str,
    kind: str,
    description: str = "",
    owner: User | None = None,
    inspection: Inspection | None = None,
    acting_user: User,
) -> ActionPlan:
    _ensure_manager(acting_user, "create action plans")
    plan = ActionPlan.objects.create(
        title=_text(title, label="title", field_name="title", required=True, limit=TITLE_MAX),
        kind=_choice(kind, PlanKind, label="kind", blank=False),
        description=_text(description, label="description", field_name="description"),
        owner=_owner(owner),
        inspection=inspection,
        created_by=acting_user,
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=plan,
        summary=f"Created the action plan “{plan.title}”",
        detail={"kind": plan.kind, "inspection": inspection.pk if inspection else None},
    )
    return plan


@transaction.atomic
@changes_by_acting_user
def plan_update(
    *,
    plan: ActionPlan,
    title: str,
    description: str = "",
    owner: User | None = None,
    expected_version: int | None = None,
    acting_user: User,
) -> ActionPlan:
    """Change a plan's title, description or owner: a safeguarding plan is refreshed over years. Its kind (and
    the inspection or review it answers) stays what it was made as."""
    _ensure_manager(acting_user, "change action plans")
    values = {
        "title": _text(title, label="title", field_name="title", required=True, limit=TITLE_MAX),
        "description": _text(description, label="description", field_name="description"),
        "owner": _owner(owner),
    }
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    ensure_current(locked, expected_version, values, what="this action plan")
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "updated_at", *next_version(locked)])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=locked,
        summary=f"Changed the action plan “{locked.title}”",
        detail={"fields": changed},
    )
    return locked


@dataclass(frozen=True)
class ActionDetails:
    """What a person enters for an action."""

    title: str
    description: str = ""
    owner: User | None = None
    owner_role: str = ""
    due_date: dt.date | None = None
    status: str = ActionStatus.NOT_STARTED
    rag: str = ""
    indicators: tuple[str, ...] | list[str] = field(default_factory=tuple)

    def cleaned(self) -> dict[str, object]:
        return {
            "title": _text(self.title, label="title", field_name="title", required=True, limit=ACTION_TITLE_MAX),
            "description": _text(self.description, label="description", field_name="description"),
            "owner": _owner(self.owner),
            "owner_role": _text(self.owner_role, label="owner's role", field_name="owner_role", limit=120),
            "due_date": self.due_date,
            "status": _choice(self.status, ActionStatus, label="status", blank=False),
            "rag": _choice(self.rag, Rag, label="rag", blank=True),
            "indicators": _indicators(self.indicators),
        }


@transaction.atomic
@changes_by_acting_user
def action_add(
    *,
    plan: ActionPlan,
    details: ActionDetails,
    area_for_improvement: AreaForImprovement | None = None,
    acting_user: User,
) -> Action:
    """Add an action at the end of the plan (numbered from 1)."""
    _ensure_manager(acting_user, "add actions")
    values = details.cleaned()
    # Lock the plan so two people adding at once do not take the same number.
    locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    number = (locked.actions.aggregate(n=Max("number"))["n"] or 0) + 1
    action = Action.objects.create(plan=locked, number=number, area_for_improvement=area_for_improvement, **values)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=action,
        summary=f"Added action {number} to “{locked.title}”"[:300],
        detail={"plan": locked.pk, "number": number},
    )
    return action


@transaction.atomic
@changes_by_acting_user
def action_update(
    *, action: Action, details: ActionDetails, expected_version: int | None = None, acting_user: User
) -> Action:
    _ensure_manager(acting_user, "change actions")
    values = details.cleaned()
    locked = Action.objects.select_for_update().get(pk=action.pk)
    ensure_current(locked, expected_version, values, what="this action")
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*values, "updated_at", *next_version(locked)])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=locked,
        summary=f"Changed action {locked.number} of plan {locked.plan_id}",
        detail={"fields": changed},
    )
    return locked


@transaction.atomic
@changes_by_acting_user
def progress_record(
    *,
    action: Action,
    date: dt.date,
    summary: str,
    evidence: str = "",
    status: str,
    rag: str,
    expected_version: int | None = None,
    acting_user: User,
) -> ProgressUpdate:
    """Record progress on an action; the action takes the status and RAG rating given with it."""
    _ensure_manager(acting_user, "record progress")
    summary = _text(summary, label="summary of progress", field_name="summary", required=True)
    evidence = _text(evidence, label="evidence", field_name="evidence", limit=2000)
    status = _choice(status, ActionStatus, label="status", blank=False)
    rag = _choice(rag, Rag, label="rag", blank=True)
    if date > timezone.localdate():
        raise ServiceError("The date of the update cannot be in the future", field="date")
    locked = Action.objects.select_for_update().get(pk=action.pk)
    ensure_current(locked, expected_version, {"status": status, "rag": rag}, what="this action")
    update = ProgressUpdate.objects.create(
        action=locked,
        date=date,
        summary=summary,
        evidence=evidence,
        status=status,
        rag=rag,
        recorded_by=acting_user,
    )
    if (locked.status, locked.rag) != (status, rag):
        locked.status, locked.rag = status, rag
        locked.save(update_fields=["status", "rag", "updated_at", *next_version(locked)])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=update,
        summary=f"Recorded progress on action {locked.number} of plan {locked.plan_id}",
        detail={"action": locked.pk, "status": status, "rag": rag},
    )
    return update


# Inspections --------------------------------------------------------------------------------------


def _check_inspection(
    *, authority: str, la_code: str, framework: str, published: dt.date, judgements: Mapping[str, str]
) -> None:
    if not authority.strip():
        raise ServiceError("Enter the local authority's name", field="authority")
    if len(authority.strip()) > 100:
        raise ServiceError("The local authority's name must be 100 characters or fewer", field="authority")
    if not LA_CODE.match(la_code):
        raise ServiceError("Enter the LA code as three digits, like 873", field="la_code")
    if framework not in Framework.values:
        raise ServiceError("Choose the framework from the list", field="framework")
    if published > timezone.localdate():
        raise ServiceError("The published date cannot be in the future", field="published")
    graded = {a.key for a in areas_for(framework, published)}
    for area, grade in judgements.items():
        if area not in graded:
            raise ServiceError(
                f"{Framework(framework).label} published on {published:%d/%m/%Y} has no judgement “{area}”",
                field=area,
            )
        if grade not in Grade.values:
            raise ServiceError(f"Choose a grade for “{area}” from the list", field=area)


@transaction.atomic
@changes_by_acting_user
def inspection_record(
    *,
    authority: str,
    la_code: str,
    framework: str,
    inspection_type: str = "",
    published: dt.date,
    judgements: Mapping[str, str] | None = None,
    areas_for_improvement: Iterable[str] = (),
    report_url: str = "",
    acting_user: User,
) -> Inspection:
    """Record an inspection with its graded judgements ({area key: grade}) and areas for improvement."""
    _ensure_manager(acting_user, "record inspections")
    judgements = {k: v for k, v in (judgements or {}).items() if v}
    la_code = la_code.strip()
    _check_inspection(
        authority=authority, la_code=la_code, framework=framework, published=published, judgements=judgements
    )
    if Inspection.objects.filter(la_code=la_code, framework=framework, published=published).exists():
        raise ServiceError("That inspection is already recorded", field="published")
    inspection = Inspection.objects.create(
        authority=authority.strip(),
        la_code=la_code,
        framework=framework,
        inspection_type=_text(inspection_type, label="inspection type", field_name="inspection_type", limit=60),
        published=published,
        report_url=_text(report_url, label="report link", field_name="report_url", limit=200),
    )
    Judgement.objects.bulk_create(
        Judgement(inspection=inspection, area=area, grade=grade) for area, grade in judgements.items()
    )
    texts = [t.strip() for t in areas_for_improvement if t.strip()]
    AreaForImprovement.objects.bulk_create(
        AreaForImprovement(inspection=inspection, number=n, text=t) for n, t in enumerate(texts, start=1)
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=inspection,
        summary=f"Recorded the {inspection.get_framework_display()} of {inspection.authority}"[:300],
        detail={"judgements": judgements, "areas_for_improvement": len(texts)},
    )
    return inspection


# The columns of an inspection outcomes CSV (docs/improvement.md): one row an inspection.
CSV_REQUIRED = ("la_code", "authority", "framework", "published")
CSV_OPTIONAL = ("inspection_type", *AREA_KEYS)
CSV_MAX_BYTES = 2_000_000
_GRADE_WORDS = {
    **{g.label.lower(): g.value for g in Grade},
    **{g.value.replace("_", " "): g.value for g in Grade},
    "requires improvement": Grade.REQUIRES_IMPROVEMENT,
    # Ofsted's numeric grades.
    "1": Grade.OUTSTANDING,
    "2": Grade.GOOD,
    "3": Grade.REQUIRES_IMPROVEMENT,
    "4": Grade.INADEQUATE,
}
_FRAMEWORK_WORDS = {
    **{f.value: f.value for f in Framework},
    **{f.value.replace("_", " "): f.value for f in Framework},
    **{f.label.lower(): f.value for f in Framework},
}


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(f"the published date “{text[:20]}” is not a date like 2024-07-23 or 23/07/2024")


@dataclass
class LoadReport:
    added: list[Inspection] = field(default_factory=list)
    unchanged: int = 0


class CsvRejected(ServiceError):
    """The file was refused whole; `problems` lists each bad row as (line number, message)."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(f"Nothing was loaded: {len(problems)} problem{'s' if len(problems) != 1 else ''} in the file")
        self.problems = problems


@dataclass
class _Row:
    authority: str
    la_code: str
    framework: str
    inspection_type: str
    published: dt.date
    judgements: dict[str, str]

    @property
    def key(self) -> tuple[str, str, dt.date]:
        return (self.la_code, self.framework, self.published)


def _read_row(row: dict[str, str]) -> _Row:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    framework = _FRAMEWORK_WORDS.get(cell("framework").lower())
    if framework is None:
        raise ValueError(
            f"the framework “{cell('framework')[:40]}” is not one of ILACS, SIF, focused visit, "
            "monitoring visit or JTAI"
        )
    published = _date(cell("published"))
    judgements: dict[str, str] = {}
    for area in AREA_KEYS:
        text = cell(area)
        if not text:
            continue
        grade = _GRADE_WORDS.get(text.lower())
        if grade is None:
            raise ValueError(f"“{text[:40]}” in {area} is not a grade")
        judgements[area] = str(grade)
    values = _Row(
        authority=cell("authority"),
        la_code=cell("la_code"),
        framework=framework,
        inspection_type=cell("inspection_type")[:60],
        published=published,
        judgements=judgements,
    )
    try:
        _check_inspection(
            authority=cell("authority"),
            la_code=cell("la_code"),
            framework=framework,
            published=published,
            judgements=judgements,
        )
    except ServiceError as exc:
        raise ValueError(exc.message[0].lower() + exc.message[1:]) from None
    return values


@transaction.atomic
@changes_by_acting_user
def inspections_load_csv(*, data: bytes, acting_user: User) -> LoadReport:
    """Load published inspection outcomes, one row an inspection: all of them, or none with every bad row listed.

    A row for an inspection already held with the same judgements is left as it is; with different
    judgements it is a problem (correct the recorded inspection instead).
    """
    _ensure_manager(acting_user, "load inspection outcomes")
    if len(data) > CSV_MAX_BYTES:
        raise ServiceError("The file must be 2 MB or smaller", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError("The file must be a CSV file saved as UTF-8", field="file") from None
    if "\x00" in text:
        raise ServiceError("The file must be a CSV file saved as UTF-8", field="file")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise ServiceError(f"The file's first line must name the columns; missing: {', '.join(missing)}", field="file")
    unknown = [c for c in header if c not in CSV_REQUIRED + CSV_OPTIONAL]
    if unknown:
        raise ServiceError(f"The file has columns this system does not know: {', '.join(unknown)[:200]}", field="file")
    reader.fieldnames = header
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, _Row]] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
                continue
            if None in raw:
                problems.append((line, "the row has more cells than the header"))
                continue
            try:
                values = _read_row(raw)
            except ValueError as exc:
                problems.append((line, str(exc)))
                continue
            if values.key in seen:
                problems.append((line, f"the same inspection as line {seen[values.key]}"))
                continue
            seen[values.key] = line
            rows.append((line, values))
    except csv.Error as exc:
        raise ServiceError(f"The file is not a CSV file this system can read ({exc})"[:200], field="file") from None
    report = LoadReport()
    to_add: list[_Row] = []
    for line, values in rows:
        existing = Inspection.objects.filter(
            la_code=values.la_code, framework=values.framework, published=values.published
        ).first()
        if existing is None:
            to_add.append(values)
            continue
        held = dict(existing.judgements.values_list("area", "grade"))
        if held == values.judgements:
            report.unchanged += 1
        else:
            problems.append((line, "this inspection is already recorded with different judgements"))
    if problems:
        raise CsvRejected(problems)
    if not to_add and not report.unchanged:
        raise ServiceError("The file has no inspections in it", field="file")
    for values in to_add:
        inspection = Inspection.objects.create(
            authority=values.authority,
            la_code=values.la_code,
            framework=values.framework,
            inspection_type=values.inspection_type,
            published=values.published,
        )
        Judgement.objects.bulk_create(
            Judgement(inspection=inspection, area=area, grade=grade) for area, grade in values.judgements.items()
        )
        report.added.append(inspection)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        summary=f"Loaded {len(report.added)} inspection outcomes from a CSV file ({report.unchanged} already held)",
        detail={"added": [i.pk for i in report.added], "unchanged": report.unchanged},
    )
    return report


@transaction.atomic
@changes_by_acting_user
def plan_from_inspection(
    *, inspection: Inspection, title: str = "", owner: User | None = None, acting_user: User
) -> ActionPlan:
    """An action plan answering an inspection: one action for each area for improvement, in order."""
    _ensure_manager(acting_user, "create action plans")
    areas = list(inspection.areas_for_improvement.order_by("number"))
    if not areas:
        raise ServiceError("The inspection has no areas for improvement recorded")
    title = title.strip() or f"Response to the {inspection.get_framework_display()}, {inspection.published:%B %Y}"
    plan = plan_create(
        title=title[:TITLE_MAX],
        kind=PlanKind.INSPECTION,
        description=f"Areas for improvement from the inspection of {inspection.authority} "
        f"published on {inspection.published:%d/%m/%Y}.",
        owner=owner,
        inspection=inspection,
        acting_user=acting_user,
    )
    for area in areas:
        action_add(
            plan=plan,
            details=ActionDetails(title=area.text[:ACTION_TITLE_MAX], description=area.text, owner=owner),
            area_for_improvement=area,
            acting_user=acting_user,
        )
    return plan
