"""The team structure pages: how the teams connect along the child's journey, and maintaining services, teams
and staff. Views stay thin: selectors check the policy and audit, services change things."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict

from . import selectors, services
from .forms import ServiceForm, TeamForm, WorkerForm
from .models import Service, StaffMember, Team


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _refused(form: Any, exc: ServiceError) -> list[Any]:
    """Show a refusal on the form; for an edit conflict, also carry the newer version, so a second save of what
    was typed goes through, and return what changed to show beside it."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    if isinstance(exc, EditConflict):
        data = form.data.copy()
        data["version"] = str(exc.current_version)
        form.data = data
        return list(exc.differences)
    return []


def _query_id(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 18 else None


@require_safe
def structure(request: HttpRequest) -> HttpResponse:
    view = selectors.structure(user=_user(request))
    return render(request, "workforce/structure.html", {"view": view})


@require_safe
def services_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = selectors.services_overview(user=user)
    return render(
        request,
        "workforce/services.html",
        {"rows": rows, "may_add_service": policy.manages_whole_structure(user)},
    )


def _service_form(data: QueryDict | None, *, current: StaffMember | None = None, **kwargs: Any) -> ServiceForm:
    managers = selectors.possible_managers(roles=selectors.SERVICE_MANAGER_ROLES, current=current)
    return ServiceForm(data, managers=managers, **kwargs)


def _manager(form: Any) -> StaffMember | None:
    pk = form.cleaned_data.get("manager")
    return StaffMember.objects.filter(pk=pk).first() if pk else None


@require_http_methods(["GET", "POST"])
def service_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.manages_whole_structure(user):
        raise NotFound("Not found")
    form = _service_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        details = services.ServiceDetails(name=form.cleaned_data["name"], manager=_manager(form))
        try:
            service = services.service_add(details=details, acting_user=user)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Service {service.name} added")
            return redirect("workforce:services")
    return render(request, "workforce/service_form.html", {"form": form, "service": None})


@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    user = _user(request)
    service = selectors.service_for_change(user=user, service_id=service_id)
    initial = {"name": service.name, "manager": service.manager_id, "version": service.version}
    form = _service_form(request.POST if request.method == "POST" else None, current=service.manager, initial=initial)
    differences: list[Any] = []
    if request.method == "POST" and form.is_valid():
        details = services.ServiceDetails(name=form.cleaned_data["name"], manager=_manager(form))
        try:
            services.service_change(
                service=service, details=details, expected_version=form.cleaned_data["version"], acting_user=user
            )
        except ServiceError as exc:
            differences = _refused(form, exc)
        else:
            messages.success(request, f"Service {details.name} saved")
            return redirect("workforce:services")
    return render(
        request, "workforce/service_form.html", {"form": form, "service": service, "differences": differences}
    )


def _team_form(user: User, data: QueryDict | None, *, current: StaffMember | None = None, **kwargs: Any) -> TeamForm:
    services_ = selectors.manageable_services(user)
    managers = selectors.possible_managers(roles=selectors.TEAM_MANAGER_ROLES, services=services_, current=current)
    return TeamForm(data, services=services_, managers=managers, **kwargs)


def _team_details(form: TeamForm) -> services.TeamDetails:
    return services.TeamDetails(
        name=form.cleaned_data["name"],
        service=Service.objects.get(pk=form.cleaned_data["service"]),
        kind=form.cleaned_data["kind"],
        manager=_manager(form),
    )


@require_http_methods(["GET", "POST"])
def team_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_manage_structure(user):
        raise NotFound("Not found")
    form = _team_form(
        user, request.POST if request.method == "POST" else None, initial={"service": _query_id(request, "service")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_add(details=_team_details(form), acting_user=user)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Team {team.name} added")
            return redirect("workforce:team", team_id=team.pk)
    return render(request, "workforce/team_form.html", {"form": form, "team": None})


@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    user = _user(request)
    team = selectors.team_for_change(user=user, team_id=team_id)
    initial = {
        "name": team.name,
        "service": team.service_id,
        "kind": team.kind,
        "manager": team.manager_id,
        "version": team.version,
    }
    form = _team_form(user, request.POST if request.method == "POST" else None, current=team.manager, initial=initial)
    differences: list[Any] = []
    if request.method == "POST" and form.is_valid():
        details = _team_details(form)
        try:
            services.team_change(
                team=team, details=details, expected_version=form.cleaned_data["version"], acting_user=user
            )
        except ServiceError as exc:
            differences = _refused(form, exc)
        else:
            messages.success(request, f"Team {details.name} saved")
            return redirect("workforce:team", team_id=team.pk)
    return render(request, "workforce/team_form.html", {"form": form, "team": team, "differences": differences})


@require_safe
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    staff = selectors.team_staff(user=_user(request), team_id=team_id)
    return render(request, "workforce/team.html", {"staff": staff, "team": staff.team})


def _worker_details(form: WorkerForm) -> services.WorkerDetails:
    data = form.cleaned_data
    account = data.get("user")
    return services.WorkerDetails(
        first_name=data["first_name"],
        last_name=data["last_name"],
        team=Team.objects.select_related("service").get(pk=data["team"]),
        job_role=data["job_role"],
        fte=data["fte"],
        is_case_holder=data["is_case_holder"] == "yes",
        is_agency=data["is_agency"] == "yes",
        start_date=data["start_date"],
        end_date=data.get("end_date"),
        user=User.objects.filter(pk=account).first() if account else None,
    )


@require_http_methods(["GET", "POST"])
def worker_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_manage_structure(user):
        raise NotFound("Not found")
    team_id = _query_id(request, "team")
    form = WorkerForm(
        request.POST if request.method == "POST" else None,
        teams=selectors.manageable_teams(user),
        accounts=selectors.linkable_accounts(),
        initial={"team": team_id, "fte": "1.00", "is_case_holder": "yes", "is_agency": "no"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.worker_add(details=_worker_details(form), acting_user=user)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"{worker.full_name} added to {worker.team.name}")
            return redirect("workforce:team", team_id=worker.team_id)
    back = Team.objects.filter(pk=team_id).first() if team_id else None
    return render(request, "workforce/worker_form.html", {"form": form, "worker": None, "back_team": back})


@require_http_methods(["GET", "POST"])
def worker_edit(request: HttpRequest, worker_id: int) -> HttpResponse:
    user = _user(request)
    view = selectors.worker_for_change(user=user, worker_id=worker_id)
    worker = view.worker
    form = WorkerForm(
        request.POST if request.method == "POST" else None,
        teams=selectors.manageable_teams(user),
        accounts=selectors.linkable_accounts(worker=worker),
        editing=True,
        initial=WorkerForm.initial_for(worker),
    )
    differences: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.worker_change(
                worker=worker,
                details=_worker_details(form),
                expected_version=form.cleaned_data["version"],
                acting_user=user,
            )
        except ServiceError as exc:
            differences = _refused(form, exc)
        else:
            if saved.team_id != worker.team_id:
                messages.success(request, f"{saved.full_name} moved to {saved.team.name}")
            else:
                messages.success(request, f"{saved.full_name}'s details saved")
            return redirect("workforce:team", team_id=saved.team_id)
    return render(
        request,
        "workforce/worker_form.html",
        {"form": form, "worker": worker, "view": view, "back_team": worker.team, "differences": differences},
    )
