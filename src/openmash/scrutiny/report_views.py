"""Committee report pages: ask for a review's report or the quarterly performance pack, follow it while it is
made, download it, publish it to the committee. Views are thin: scrutiny.reports.selectors check who may read,
scrutiny.reports.services who may make and publish."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.errors import ServiceError

from . import forms as scrutiny_forms
from . import selectors
from .models import CommitteeReport
from .reports import selectors as report_selectors
from .reports import services

CONTENT_TYPES = {
    CommitteeReport.Format.PDF: "application/pdf",
    CommitteeReport.Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    CommitteeReport.Format.HTML: "text/html; charset=utf-8",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _maker(request: HttpRequest) -> User:
    user = _user(request)
    if not policy.can_make_committee_reports(user):
        raise NotFound("Only the officers who support scrutiny make committee reports")
    return user


def _report_url(report: CommitteeReport) -> str:
    return reverse("scrutiny:report", kwargs={"report_id": report.pk})


@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_view_reviews(user):
        raise NotFound("You have no committee reports to read")
    return render(
        request,
        "scrutiny/reports.html",
        {
            "reports": report_selectors.reports_for(user)[:200],
            "can_make": policy.can_make_committee_reports(user),
        },
    )


@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _maker(request)
    review = selectors.review_for(user, review_id)
    form = scrutiny_forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_request(
                kind=form.cleaned_data["kind"], format=form.cleaned_data["format"], review=review, acting_user=user
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionError as exc:
            raise NotFound(str(exc)) from exc
        else:
            return redirect(_report_url(report))
    return render(request, "scrutiny/report_new.html", {"form": form, "review": review})


@require_http_methods(["GET", "POST"])
def pack_new(request: HttpRequest) -> HttpResponse:
    user = _maker(request)
    form = scrutiny_forms.PackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_request(
                kind=CommitteeReport.Kind.PERFORMANCE_PACK,
                format=form.cleaned_data["format"],
                snapshot=form.cleaned_data["period"],
                acting_user=user,
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionError as exc:
            raise NotFound(str(exc)) from exc
        else:
            return redirect(_report_url(report))
    return render(request, "scrutiny/pack_new.html", {"form": form, "frozen": report_selectors.frozen_quarters_exist()})


@require_safe
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    found = report_selectors.report_for(user, report_id)
    return render(
        request,
        "scrutiny/report.html",
        {
            "report": found,
            "working": found.state in (CommitteeReport.State.QUEUED, CommitteeReport.State.RUNNING),
            "can_publish": policy.can_make_committee_reports(user)
            and found.state == CommitteeReport.State.DONE
            and found.published_at is None,
            "can_make": policy.can_make_committee_reports(user),
        },
    )


@require_safe
def report_status(request: HttpRequest, report_id: int) -> JsonResponse:
    """How far the report has got, for the page to show while the person waits."""
    found = report_selectors.report_for(_user(request), report_id)
    return JsonResponse(
        {
            "state": found.state,
            "state_label": found.get_state_display(),
            "progress": found.progress,
            "stage": found.stage,
        }
    )


@require_safe
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    found = report_selectors.report_for(user, report_id, with_content=True)
    if found.state != CommitteeReport.State.DONE or found.content is None:
        raise NotFound("The report is not ready")
    services.report_opened(report=found, user=user)
    response = HttpResponse(bytes(found.content), content_type=CONTENT_TYPES[CommitteeReport.Format(found.format)])
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return response


@require_POST
def report_publish(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _maker(request)
    found = report_selectors.report_for(user, report_id)
    try:
        services.report_publish(report=found, acting_user=user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    except PermissionError as exc:
        raise NotFound(str(exc)) from exc
    else:
        messages.success(request, "The report is published: every councillor can read it")
    return redirect(_report_url(found))
