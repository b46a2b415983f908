"""CSE screening, the CSE team's queue and cases, and cumulative-concern alerts. Views stay thin: selectors
fetch, check the policy and audit; services change things."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.front_door.models import CSECase, CSEScreening, CumulativeConcernAlert
from openmash.front_door.services import cumulative_concern_acknowledge
from openmash.workforce.models import StaffMember

from . import selectors, services, tool
from .forms import AcknowledgeForm, AllocateForm, CloseCaseForm, OpenCaseForm, ScreeningForm, ScreeningLookupForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _form_error(form: object, exc: ServiceError) -> None:
    fields = getattr(form, "fields", {})
    form.add_error(exc.field if exc.field in fields else None, exc.message)  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def cse_screen(request: HttpRequest) -> HttpResponse:
    """Screen a child for CSE, starting from a contact reference or the child's LA child ID (?id=...)."""
    user = _user(request)
    if not policy.works_cse(user):
        raise Http404("Not found")
    lookup = ScreeningLookupForm(request.GET if "id" in request.GET else None)
    if not lookup.is_valid():
        return render(request, "front_door/cse/screen_lookup.html", {"form": lookup})
    try:
        subject = selectors.screening_subject(user=user, identifier=lookup.cleaned_data["id"])
    except NotFound:
        # A child or contact out of reach answers exactly as one that does not exist.
        lookup.add_error("id", "No child or contact was found with that ID or reference")
        return render(request, "front_door/cse/screen_lookup.html", {"form": lookup})
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.cse_screen(
                child=subject.child,
                contact=subject.contact,
                ratings=form.ratings(),
                vulnerabilities=form.cleaned_data["vulnerabilities"],
                notes=form.cleaned_data["notes"],
                acting_user=user,
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"CSE screening recorded: {screening.get_risk_level_display()}")
            return redirect("journey:child_detail", la_child_id=subject.child.la_child_id)
    return render(
        request, "front_door/cse/screen.html", {"form": form, "subject": subject, "rules": tool.current_rules()}
    )


@require_http_methods(["GET", "POST"])
def cse_queue(request: HttpRequest) -> HttpResponse:
    """The CSE team's queue: screenings waiting for a case, and open cases by risk. Posting opens a case."""
    user = _user(request)
    if not policy.works_cse(user):
        raise Http404("Not found")
    if request.method == "POST":
        form = OpenCaseForm(request.POST)
        screening = CSEScreening.objects.filter(pk=form.cleaned_data["screening"]).first() if form.is_valid() else None
        if screening is None:
            messages.error(request, "That screening is not waiting for a case")
            return redirect("front_door:cse_queue")
        try:
            case = services.cse_case_open(screening=screening, acting_user=user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("front_door:cse_queue")
        messages.success(request, f"Case opened for {case.child.full_name}")
        return redirect("front_door:cse_case", case_id=case.pk)
    queue = selectors.cse_queue(user=user)
    return render(request, "front_door/cse/queue.html", {"queue": queue})


@require_http_methods(["GET", "POST"])
def cse_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """A CSE case: the screening behind it, who holds it, and (for its team) allocating and closing it."""
    user = _user(request)
    view = selectors.cse_case_view(user=user, case_id=case_id)
    allocate = AllocateForm(workers=view.workers)
    close = CloseCaseForm()
    if request.method == "POST" and view.may_change:
        action = request.POST.get("action")
        if action == "allocate":
            allocate = AllocateForm(request.POST, workers=view.workers)
            if allocate.is_valid():
                worker = StaffMember.objects.get(pk=allocate.cleaned_data["worker"])
                try:
                    services.cse_case_allocate(case=view.case, worker=worker, acting_user=user)
                except ServiceError as exc:
                    _form_error(allocate, exc)
                else:
                    messages.success(request, f"Case allocated to {worker.full_name}")
                    return redirect("front_door:cse_case", case_id=view.case.pk)
        elif action == "close":
            close = CloseCaseForm(request.POST)
            if close.is_valid():
                try:
                    services.cse_case_close(
                        case=view.case,
                        closed_on=close.cleaned_data["closed_on"],
                        reason=close.cleaned_data["reason"],
                        acting_user=user,
                    )
                except ServiceError as exc:
                    _form_error(close, exc)
                else:
                    messages.success(request, "Case closed")
                    return redirect("front_door:cse_case", case_id=view.case.pk)
    return render(
        request,
        "front_door/cse/case.html",
        {"view": view, "case": view.case, "allocate": allocate, "close": close, "closure": CSECase.Closure},
    )


@require_safe
def concerns(request: HttpRequest) -> HttpResponse:
    """The hub's cumulative-concern alerts, unacknowledged first."""
    page_obj = selectors.concern_list(user=_user(request), page=request.GET.get("page"))
    return render(request, "front_door/cse/concerns.html", {"page_obj": page_obj})


@require_http_methods(["GET", "POST"])
def concern(request: HttpRequest, alert_id: int) -> HttpResponse:
    """One alert: the contacts that make up the pattern, and acknowledging it with what the hub will do."""
    user = _user(request)
    view = selectors.concern_for_view(user=user, alert_id=alert_id)
    alert: CumulativeConcernAlert = view.pattern.alert
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and alert.acknowledged_at is None and form.is_valid():
        try:
            cumulative_concern_acknowledge(
                alert=alert, action_taken=form.cleaned_data["action_taken"], acting_user=user
            )
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Alert acknowledged")
            return redirect("front_door:concern", alert_id=alert.pk)
    return render(request, "front_door/cse/concern.html", {"view": view, "alert": alert, "form": form})
