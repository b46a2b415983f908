"""Scrutiny pages: the reviews list, a review with its sections, and a form for each kind of record.
Views are thin: selectors check who may read, services who may change. Councillors read only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict

from . import forms as scrutiny_forms
from . import selectors, services
from .actions import progress_text
from .models import Review
from .reports import selectors as report_selectors


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _manager(request: HttpRequest) -> User:
    user = _user(request)
    if not policy.can_manage_reviews(user):
        raise NotFound("Only the officers who support scrutiny change a review")
    return user


def _review_url(review: Review, section: str = "") -> str:
    return reverse("scrutiny:review", kwargs={"review_id": review.pk}) + (f"#{section}" if section else "")


@require_safe
def reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_view_reviews(user):
        raise NotFound("No reviews to read")
    return render(
        request,
        "scrutiny/reviews.html",
        {"reviews": selectors.reviews_for(user), "can_manage": policy.can_manage_reviews(user)},
    )


def _scope_values(form: forms.Form) -> dict[str, Any]:
    return {name: value for name, value in form.cleaned_data.items() if name != "version"}


def _show_error(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    form = scrutiny_forms.ScopeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(values=_scope_values(form), acting_user=user)
        except ServiceError as exc:
            _show_error(form, exc)
        except PermissionError as exc:
            raise NotFound(str(exc)) from exc
        else:
            messages.success(request, f"The review “{review.topic}” is opened")
            return redirect(_review_url(review))
    return render(request, "scrutiny/scope_form.html", {"form": form, "review": None, "conflict": None})


@require_http_methods(["GET", "POST"])
def review_scope(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _manager(request)
    review = selectors.review_for(user, review_id)
    initial = {name: getattr(review, name) for name in services.SCOPE_FIELDS} | {"version": review.version}
    form = scrutiny_forms.ScopeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(
                review=review,
                values=_scope_values(form),
                expected_version=form.cleaned_data["version"],
                acting_user=user,
            )
        except EditConflict as exc:
            conflict = exc
            data = request.POST.copy()
            data["version"] = str(exc.current_version)
            form = scrutiny_forms.ScopeForm(data)
            form.is_valid()
            form.add_error(None, exc.message)
        except ServiceError as exc:
            _show_error(form, exc)
        except PermissionError as exc:
            raise NotFound(str(exc)) from exc
        else:
            messages.success(request, "The scope is saved")
            return redirect(_review_url(review, "scope"))
    return render(request, "scrutiny/scope_form.html", {"form": form, "review": review, "conflict": conflict})


@require_safe
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.review_for(user, review_id)
    scope_form = scrutiny_forms.ScopeForm()
    scope = [
        (heading, [(field.label, getattr(found, field.name)) for field in fields if field.name != "status"])
        for heading, fields in scope_form.sections()
    ]
    progress = {p.recommendation.pk: p for p in selectors.recommendation_progress(found)}
    return render(
        request,
        "scrutiny/review.html",
        {
            "review": found,
            "scope": scope,
            "members": found.members.all(),
            "officers": found.officers.all(),
            "meetings": found.meetings.all(),
            "witnesses": found.witnesses.all(),
            "evidence": found.evidence.select_related("snapshot"),
            "findings": found.findings.all(),
            "recommendations": [(r, progress.get(r.pk)) for r in found.recommendations.all()],
            "update_reports": found.update_reports.all(),
            "can_manage": policy.can_manage_reviews(user),
            "reports": report_selectors.reports_for(user, review=found)[:50],
            "can_make_reports": policy.can_make_committee_reports(user),
            "can_view_actions": policy.can_view_improvement(user),
        },
    )


def _record_page(
    request: HttpRequest,
    review_id: int,
    *,
    form_class: type[forms.Form],
    title: str,
    section: str,
    save: Callable[[Review, dict[str, Any], User], str],
    initial: Callable[[Review], dict[str, Any]] | None = None,
    intro: str = "",
) -> HttpResponse:
    """A form that adds one record to a review: the same shape for members, meetings, witnesses and the rest."""
    user = _manager(request)
    found = selectors.review_for(user, review_id)
    form = form_class(request.POST or None, initial=initial(found) if initial and request.method == "GET" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = save(found, form.cleaned_data, user)
        except ServiceError as exc:
            _show_error(form, exc)
        except PermissionError as exc:
            raise NotFound(str(exc)) from exc
        else:
            messages.success(request, done)
            return redirect(_review_url(found, section))
    return render(
        request,
        "scrutiny/record_form.html",
        {"form": form, "review": found, "title": title, "section": section, "intro": intro},
    )


def _member(review: Review, data: dict[str, Any], user: User) -> str:
    member = services.member_add(
        review=review, user=data["user"], name=data["name"], is_chair=data["is_chair"], acting_user=user
    )
    return f"{member.name} is added to the group"


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.MemberForm,
        title="Add a councillor",
        section="members",
        save=_member,
    )


def _officer(review: Review, data: dict[str, Any], user: User) -> str:
    services.officer_add(review=review, name=data["name"], role=data["role"], acting_user=user)
    return f"{data['name']} is added to the officer support"


@require_http_methods(["GET", "POST"])
def officer_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.OfficerForm,
        title="Add officer support",
        section="members",
        save=_officer,
    )


def _meeting(review: Review, data: dict[str, Any], user: User) -> str:
    meeting = services.meeting_record(review=review, acting_user=user, **data)
    return f"The {meeting.get_kind_display().lower()} on {meeting.date:%d %B %Y} is recorded"


@require_http_methods(["GET", "POST"])
def meeting_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.MeetingForm,
        title="Record a meeting or visit",
        section="meetings",
        save=_meeting,
    )


def _witness(review: Review, data: dict[str, Any], user: User) -> str:
    witness = services.witness_record(review=review, acting_user=user, **data)
    return f"{witness.name}'s evidence is recorded"


@require_http_methods(["GET", "POST"])
def witness_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.WitnessForm,
        title="Record a witness",
        section="witnesses",
        save=_witness,
    )


def _evidence(review: Review, data: dict[str, Any], user: User) -> str:
    evidence = services.evidence_add(review=review, acting_user=user, **data)
    return f"“{evidence.title}” is added to the evidence"


@require_http_methods(["GET", "POST"])
def evidence_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.EvidenceForm,
        title="Add evidence",
        section="evidence",
        save=_evidence,
        intro="Cite performance figures as a frozen quarter, so the review relies on figures that stay as they stood.",
    )


def _finding(review: Review, data: dict[str, Any], user: User) -> str:
    services.finding_add(review=review, acting_user=user, **data)
    return "The finding is recorded"


@require_http_methods(["GET", "POST"])
def finding_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.FindingForm,
        title="Record a finding",
        section="findings",
        save=_finding,
    )


def _recommendation(review: Review, data: dict[str, Any], user: User) -> str:
    recommendation = services.recommendation_add(review=review, text=data["text"], acting_user=user)
    return f"Recommendation {recommendation.number} is added"


@require_http_methods(["GET", "POST"])
def recommendation_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.RecommendationForm,
        title="Add a recommendation",
        section="recommendations",
        save=_recommendation,
        intro="Recommendations are numbered in the order added.",
    )


def _update_report(review: Review, data: dict[str, Any], user: User) -> str:
    services.update_report_record(review=review, acting_user=user, **data)
    return "The update report is recorded"


@require_http_methods(["GET", "POST"])
def update_report_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _record_page(
        request,
        review_id,
        form_class=scrutiny_forms.UpdateReportForm,
        title="Record an update report",
        section="updates",
        save=_update_report,
        initial=lambda r: {"summary": progress_text(r)},
        intro=(
            "The summary starts with where each accepted recommendation's action stands, "
            "from its latest progress update."
        ),
    )


@require_http_methods(["GET", "POST"])
def recommendation_respond(request: HttpRequest, review_id: int, number: int) -> HttpResponse:
    user = _manager(request)
    found = selectors.review_for(user, review_id)
    recommendation = selectors.recommendation_for(user, found, number)
    initial = {
        "response": recommendation.response if recommendation.response != "awaiting" else None,
        "response_text": recommendation.response_text,
        "response_date": recommendation.response_date,
        "version": recommendation.version,
    }
    form = scrutiny_forms.ResponseForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_respond(
                recommendation=recommendation,
                response=form.cleaned_data["response"],
                response_text=form.cleaned_data["response_text"],
                response_date=form.cleaned_data["response_date"],
                expected_version=form.cleaned_data["version"],
                acting_user=user,
            )
        except EditConflict as exc:
            conflict = exc
            data = request.POST.copy()
            data["version"] = str(exc.current_version)
            form = scrutiny_forms.ResponseForm(data)
            form.is_valid()
            form.add_error(None, exc.message)
        except ServiceError as exc:
            _show_error(form, exc)
        except PermissionError as exc:
            raise NotFound(str(exc)) from exc
        else:
            messages.success(request, f"The response to recommendation {recommendation.number} is recorded")
            return redirect(_review_url(found, "recommendations"))
    return render(
        request,
        "scrutiny/respond.html",
        {"form": form, "review": found, "recommendation": recommendation, "conflict": conflict},
    )
