"""Improvement pages: action plans, actions and their progress, the overdue and off-track list, the plan's
spreadsheet, and inspections (list, comparison across authorities, one inspection, recording and loading).

Views are thin: selectors check who may read (NotFound otherwise), services check who may change.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from openpyxl import Workbook

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.csv import safe_cell
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict

from . import selectors, services
from .forms import ActionForm, FromInspectionForm, InspectionForm, PlanForm, ProgressForm, UploadForm
from .frameworks import Framework, area_label
from .models import Action, ActionPlan


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _manager(request: HttpRequest) -> User:
    user = _user(request)
    if not policy.can_manage_improvement(user):
        raise NotFound("Only managers and performance analysts change action plans")
    return user


def _refused(form: Any, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_safe
def plans(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "improvement/plans.html",
        {"rows": selectors.plans(user), "can_manage": policy.can_manage_improvement(user)},
    )


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                acting_user=user,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"The action plan “{plan.title}” is created. Add its actions.")
            return redirect("improvement:plan", plan_id=plan.pk)
    return render(request, "improvement/plan_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _manager(request)
    found = selectors.plan(user, plan_id)
    initial = {
        "title": found.title,
        "kind": found.kind,
        "description": found.description,
        "owner": found.owner,
        "version": found.version,
    }
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["kind"] = found.kind  # made as one kind, it stays that kind
    form = PlanForm(data, initial=initial)
    form.fields["kind"].disabled = True
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                plan=found,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                expected_version=form.cleaned_data["version"],
                acting_user=user,
            )
        except EditConflict as exc:
            conflict = exc
            form.add_error(None, exc.message)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The plan is saved")
            return redirect("improvement:plan", plan_id=found.pk)
    return render(request, "improvement/plan_form.html", {"form": form, "plan": found, "conflict": conflict})


@require_safe
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.plan(user, plan_id)
    today = timezone.localdate()
    return render(
        request,
        "improvement/plan.html",
        {
            "plan": found,
            "actions": selectors.plan_actions(user, found, today=today),
            "today": today,
            "can_manage": policy.can_manage_improvement(user),
        },
    )


def _details(form: ActionForm) -> services.ActionDetails:
    data = form.cleaned_data
    return services.ActionDetails(
        title=data["title"],
        description=data["description"],
        owner=data["owner"],
        owner_role=data["owner_role"],
        due_date=data["due_date"],
        status=data["status"],
        rag=data["rag"],
        indicators=data["indicators"],
    )


@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _manager(request)
    found = selectors.plan(user, plan_id)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_add(plan=found, details=_details(form), acting_user=user)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Action {action.number} is added")
            return redirect("improvement:plan", plan_id=found.pk)
    return render(request, "improvement/action_form.html", {"form": form, "plan": found, "action": None})


@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    user = _manager(request)
    found = selectors.action(user, action_id)
    initial = {
        "title": found.title,
        "description": found.description,
        "owner": found.owner,
        "owner_role": found.owner_role,
        "due_date": found.due_date,
        "status": found.status,
        "rag": found.rag,
        "indicators": found.indicators,
        "version": found.version,
    }
    form = ActionForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=found, details=_details(form), expected_version=form.cleaned_data["version"], acting_user=user
            )
        except EditConflict as exc:
            conflict = exc
            data = request.POST.copy()
            data["version"] = str(exc.current_version)
            form = ActionForm(data)
            form.is_valid()
            form.add_error(None, exc.message)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Action {found.number} is saved")
            return redirect("improvement:action", action_id=found.pk)
    return render(
        request,
        "improvement/action_form.html",
        {"form": form, "plan": found.plan, "action": found, "conflict": conflict},
    )


@require_safe
def action(request: HttpRequest, action_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.action(user, action_id)
    return render(
        request,
        "improvement/action.html",
        {
            "action": found,
            "updates": found.updates.select_related("recorded_by").order_by("-date", "-id"),
            "history": selectors.action_history(user, found),
            "indicators": selectors.indicator_names(found),
            "can_manage": policy.can_manage_improvement(user),
        },
    )


@require_http_methods(["GET", "POST"])
def progress(request: HttpRequest, action_id: int) -> HttpResponse:
    user = _manager(request)
    found = selectors.action(user, action_id)
    form = ProgressForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "status": found.status, "rag": found.rag, "version": found.version},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_record(
                action=found,
                date=data["date"],
                summary=data["summary"],
                evidence=data["evidence"],
                status=data["status"],
                rag=data["rag"],
                expected_version=data["version"],
                acting_user=user,
            )
        except EditConflict as exc:
            conflict = exc
            posted = request.POST.copy()
            posted["version"] = str(exc.current_version)
            form = ProgressForm(posted)
            form.is_valid()
            form.add_error(None, exc.message)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, "The progress update is recorded")
            return redirect("improvement:action", action_id=found.pk)
    return render(request, "improvement/progress_form.html", {"form": form, "action": found, "conflict": conflict})


@require_safe
def attention(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    today = timezone.localdate()
    return render(
        request, "improvement/attention.html", {"actions": selectors.attention(user, today=today), "today": today}
    )


EXPORT_COLUMNS = [
    "Number",
    "Action",
    "Detail",
    "Owner",
    "Owner's role",
    "Due date",
    "Status",
    "RAG rating",
    "Overdue",
    "Indicators",
    "Latest update",
    "Latest update's date",
    "Evidence",
]


def _export_row(action: Action, today: Any) -> list[Any]:
    latest = action.updates.order_by("-date", "-id").first()
    return [
        action.number,
        action.title,
        action.description,
        str(action.owner) if action.owner else "",
        action.owner_role,
        action.due_date,
        action.get_status_display(),
        action.get_rag_display() if action.rag else "",
        "Yes" if action.overdue_on(today) else "",
        "; ".join(name for _id, name in selectors.indicator_names(action)),
        latest.summary if latest else "",
        latest.date if latest else None,
        latest.evidence if latest else "",
    ]


@require_safe
def plan_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.plan(user, plan_id)
    today = timezone.localdate()
    actions = selectors.plan_actions(user, found, today=today)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Actions"
    sheet.append([safe_cell(f"{found.title} ({found.get_kind_display()}), as at {today:%d/%m/%Y}")])
    sheet.append(EXPORT_COLUMNS)
    for a in actions:
        sheet.append([safe_cell(v) for v in _export_row(a, today)])
    for cell in sheet["F"] + sheet["L"]:
        cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    book.save(buffer)
    audit.record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        obj=found,
        summary=f"Downloaded the action plan “{found.title}” (XLSX)"[:300],
        detail={"actions": len(actions)},
    )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="action-plan-{found.pk}.xlsx"'
    return response


# Inspections --------------------------------------------------------------------------------------


@require_safe
def inspections(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    found = list(selectors.inspections(user))
    return render(
        request,
        "improvement/inspections.html",
        {"inspections": found, "can_manage": policy.can_manage_improvement(user)},
    )


@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    framework = request.GET.get("framework", Framework.ILACS)
    if framework not in Framework.values:
        framework = Framework.ILACS
    return render(
        request,
        "improvement/compare.html",
        {
            "comparison": selectors.compare(user, framework=framework),
            "framework": Framework(framework),
            "frameworks": [Framework.ILACS, Framework.SIF],
        },
    )


@require_safe
def inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.inspection(user, inspection_id)
    return render(
        request,
        "improvement/inspection.html",
        {
            "inspection": found,
            "judgements": [(area_label(found.framework, j.area), j) for j in found.judgements.all()],
            "plans": list(found.action_plans.all()),
            "can_manage": policy.can_manage_improvement(user),
        },
    )


@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = InspectionForm(request.POST or None, initial={"framework": Framework.ILACS})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.inspection_record(
                authority=data["authority"],
                la_code=data["la_code"],
                framework=data["framework"],
                inspection_type=data["inspection_type"],
                published=data["published"],
                judgements=form.judgements(),
                areas_for_improvement=form.areas(),
                report_url=data["report_url"],
                acting_user=user,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"The inspection of {found.authority} is recorded")
            return redirect("improvement:inspection", inspection_id=found.pk)
    return render(request, "improvement/inspection_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def inspections_load(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[tuple[int, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.CSV_MAX_BYTES:
            form.add_error("file", "The file must be 2 MB or smaller")
        else:
            try:
                report = services.inspections_load_csv(data=upload.read(), acting_user=user)
            except services.CsvRejected as exc:
                problems = exc.problems
                form.add_error("file", exc.message)
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(
                    request,
                    f"{len(report.added)} inspection{'s' if len(report.added) != 1 else ''} loaded"
                    + (f"; {report.unchanged} already held" if report.unchanged else ""),
                )
                return redirect("improvement:inspections")
    return render(
        request,
        "improvement/inspections_load.html",
        {
            "form": form,
            "problems": problems,
            "required": services.CSV_REQUIRED,
            "optional": services.CSV_OPTIONAL,
        },
    )


@require_http_methods(["GET", "POST"])
def plan_from_inspection(request: HttpRequest, inspection_id: int) -> HttpResponse:
    user = _manager(request)
    found = selectors.inspection(user, inspection_id)
    form = FromInspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made: ActionPlan = services.plan_from_inspection(
                inspection=found, title=form.cleaned_data["title"], owner=form.cleaned_data["owner"], acting_user=user
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"The action plan “{made.title}” is made, one action for each area")
            return redirect("improvement:plan", plan_id=made.pk)
    return render(
        request,
        "improvement/from_inspection.html",
        {"form": form, "inspection": found, "areas": list(found.areas_for_improvement.all())},
    )
