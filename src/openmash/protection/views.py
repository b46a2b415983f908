"""Child protection pages: strategy discussion, Section 47 enquiry, conference, plan, reviews and ending.

Views are thin: selectors check the policy and audit, services change things and refuse impossible moves.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from openmash.access import drafts, policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.codes import CategoryOfAbuse
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict

from . import selectors, services
from .forms import (
    ConferenceForm,
    EmergencyProtectionForm,
    OutcomeForm,
    PlanEditForm,
    PlanEndForm,
    PriorPlanForm,
    ReviewForm,
    Section47Form,
    StrategyForm,
)
from .models import Section47Enquiry, StrategyOutcome


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _refused(form: Any, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _conflict(form_class: type, request: HttpRequest, exc: EditConflict, **kwargs: Any) -> Any:
    """The form as typed, now carrying the saved version: after reading what changed, saving again works."""
    data = request.POST.copy()
    data["version"] = str(exc.current_version)
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, exc.message)
    return form


def _close_url(referral_id: int) -> str | None:
    """The case closure page, where it exists."""
    try:
        return reverse("casework:close", kwargs={"referral_id": referral_id})
    except NoReverseMatch:
        return None


@require_http_methods(["GET", "POST"])
def strategy_new(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.referral_for_recording(user=user, referral_id=referral_id, page="record a strategy discussion")
    referral = found.referral
    form = StrategyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.strategy_discussion_record(
                referral=referral,
                discussion_date=data["discussion_date"],
                outcome=data["outcome"],
                agencies_present=data["agencies_present"],
                notes=data["notes"],
                acting_user=user,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Strategy discussion on {long_date(data['discussion_date'])} recorded")
            if data["outcome"] == StrategyOutcome.SECTION_47:
                return redirect("protection:s47_new", referral_id=referral.pk)
            return redirect("journey:child_detail", la_child_id=referral.child.la_child_id)
    return render(request, "protection/strategy_new.html", {"found": found, "child": referral.child, "form": form})


@require_http_methods(["GET", "POST"])
def s47_new(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.referral_for_recording(user=user, referral_id=referral_id, page="start a Section 47 enquiry")
    referral = found.referral
    discussions = {str(d.pk): d for d in referral.strategy_discussions.all()}
    latest = next((pk for pk, d in discussions.items() if d.outcome == StrategyOutcome.SECTION_47), "")
    form = Section47Form(
        request.POST or None,
        initial={"strategy_discussion": latest},
        discussions=[
            (pk, f"{long_date(d.discussion_date)}: {d.get_outcome_display()}") for pk, d in discussions.items()
        ],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enquiry = services.section47_start(
                referral=referral,
                start_date=data["start_date"],
                strategy_discussion=discussions.get(data["strategy_discussion"]),
                acting_user=user,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Section 47 enquiry started on {long_date(enquiry.start_date)}")
            return redirect("protection:s47", enquiry_id=enquiry.pk)
    return render(request, "protection/s47_new.html", {"found": found, "child": referral.child, "form": form})


@require_http_methods(["GET", "POST"])
def s47(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.enquiry(user=user, enquiry_id=enquiry_id)
    enquiry = found.enquiry
    form = None
    conflict = None
    if found.access.change and enquiry.conference_date is None and not enquiry.outcome:
        form = OutcomeForm(request.POST or None, initial={"version": enquiry.version})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.section47_outcome_record(
                    enquiry=enquiry,
                    outcome=data["outcome"],
                    outcome_date=data["outcome_date"],
                    expected_version=data["version"],
                    acting_user=user,
                )
            except EditConflict as exc:
                conflict = exc
                form = _conflict(OutcomeForm, request, exc)
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, "The enquiry's outcome is recorded")
                return redirect("protection:s47", enquiry_id=enquiry.pk)
    elif request.method == "POST":
        raise NotFound("Not found")
    return render(
        request,
        "protection/s47.html",
        {"found": found, "enquiry": enquiry, "child": enquiry.referral.child, "form": form, "conflict": conflict},
    )


def _conference_form_name(enquiry: Section47Enquiry) -> str:
    return f"conference:{enquiry.pk}"


def _conference_initial(enquiry: Section47Enquiry, data: dict[str, str] | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"notes": enquiry.conference_notes, "version": enquiry.version}
    if not data:
        return initial
    initial |= {k: data.get(k, "") for k in ("plan_needed", "category", "core_group", "notes")}
    with contextlib.suppress(ValueError):
        initial["conference_date"] = dt.date(
            int(data.get("conference_date_year", "")),
            int(data.get("conference_date_month", "")),
            int(data.get("conference_date_day", "")),
        )
    return initial


@require_http_methods(["GET", "POST"])
def conference(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    """The initial conference, with a check of the answers before it is recorded (it may start a plan)."""
    user = _user(request)
    found = selectors.enquiry(user=user, enquiry_id=enquiry_id, change=True, page="record a conference")
    enquiry = found.enquiry
    form_name = _conference_form_name(enquiry)
    context: dict[str, Any] = {"found": found, "enquiry": enquiry, "child": enquiry.referral.child}
    restored = None
    if request.method == "POST":
        form = ConferenceForm(request.POST)
        action = request.POST.get("action", "check")
        if form.is_valid() and action == "check":
            data = form.cleaned_data
            return render(
                request,
                "protection/conference_check.html",
                context
                | {
                    "form": form,
                    "data": data,
                    "category_label": dict(CategoryOfAbuse.choices).get(data["category"], ""),
                    "hidden": [(k, v) for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action")],
                },
            )
        if form.is_valid() and action == "confirm":
            data = form.cleaned_data
            try:
                plan = services.conference_record(
                    enquiry=enquiry,
                    conference_date=data["conference_date"],
                    plan_needed=data["plan_needed"] == "yes",
                    category=data["category"],
                    notes=data["notes"],
                    core_group=data["core_group_lines"],
                    expected_version=data["version"],
                    acting_user=user,
                )
            except EditConflict as exc:
                context["conflict"] = exc
                form = _conflict(ConferenceForm, request, exc)
            except ServiceError as exc:
                _refused(form, exc)
            else:
                drafts.discard(form=form_name, acting_user=user)
                messages.success(request, f"Conference on {long_date(data['conference_date'])} recorded")
                if plan is not None:
                    return redirect("protection:plan", plan_id=plan.pk)
                return redirect("protection:s47", enquiry_id=enquiry.pk)
    else:
        draft = drafts.reopen(form=form_name, user=user, what="conference notes")
        restored = draft.updated_at if draft is not None else None
        form = ConferenceForm(initial=_conference_initial(enquiry, draft.data if draft else None))
    return render(
        request,
        "protection/conference.html",
        context
        | {
            "form": form,
            "restored": restored,
            "draft_days": settings.OPENMASH_DRAFT_DAYS,
            "draft_url": reverse("protection:conference_draft", kwargs={"enquiry_id": enquiry.pk}),
        },
    )


@require_POST
def conference_draft(request: HttpRequest, enquiry_id: int) -> HttpResponse:
    found = (
        Section47Enquiry.objects.select_related("referral__child").filter(pk=enquiry_id).first()
        if 0 < enquiry_id < selectors.MAX_ID
        else None
    )
    if found is None:
        raise NotFound("Not found")
    return drafts.draft_view(
        request,
        form=_conference_form_name(found),
        fields=ConferenceForm.DRAFT_FIELDS,
        allowed=lambda user: policy.can_change_child(user, found.referral.child),
    )


@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.plan(user=user, plan_id=plan_id)
    cp_plan = found.plan
    form = None
    conflict = None
    if found.access.change and cp_plan.end_date is None:
        form = PlanEditForm(
            request.POST or None,
            initial={
                "core_group": "\n".join(cp_plan.core_group),
                "visit_every_working_days": cp_plan.visit_every_working_days,
                "version": cp_plan.version,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.cp_plan_update(
                    plan=cp_plan,
                    core_group=data["core_group_lines"],
                    visit_every_working_days=data["visit_every_working_days"],
                    expected_version=data["version"],
                    acting_user=user,
                )
            except EditConflict as exc:
                conflict = exc
                form = _conflict(PlanEditForm, request, exc)
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, "The plan is saved")
                return redirect("protection:plan", plan_id=cp_plan.pk)
    elif request.method == "POST":
        raise NotFound("Not found")
    referral = cp_plan.referral
    return render(
        request,
        "protection/plan.html",
        {
            "found": found,
            "plan": cp_plan,
            "reviews": list(cp_plan.reviews.all()),
            "child": referral.child,
            "form": form,
            "conflict": conflict,
            "close_url": _close_url(referral.pk) if referral.closure_date is None and cp_plan.end_date else None,
        },
    )


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.plan(user=user, plan_id=plan_id, change=True, page="record a review")
    cp_plan = found.plan
    form = ReviewForm(
        request.POST or None, initial={"latest_category": cp_plan.latest_category, "version": cp_plan.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.cp_plan_review(
                plan=cp_plan,
                review_date=data["review_date"],
                latest_category=data["latest_category"],
                notes=data["notes"],
                expected_version=data["version"],
                acting_user=user,
            )
        except EditConflict as exc:
            conflict = exc
            form = _conflict(ReviewForm, request, exc)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Review on {long_date(review.review_date)} recorded")
            return redirect("protection:plan", plan_id=cp_plan.pk)
    return render(
        request,
        "protection/review_new.html",
        {"found": found, "plan": cp_plan, "child": cp_plan.referral.child, "form": form, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def plan_end(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.plan(user=user, plan_id=plan_id, change=True, page="end a plan")
    cp_plan = found.plan
    form = PlanEndForm(request.POST or None, initial={"version": cp_plan.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cp_plan_end(
                plan=cp_plan,
                end_date=data["end_date"],
                reason=data["reason"],
                expected_version=data["version"],
                acting_user=user,
            )
        except EditConflict as exc:
            conflict = exc
            form = _conflict(PlanEndForm, request, exc)
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"The plan ended on {long_date(data['end_date'])}")
            return redirect("protection:plan", plan_id=cp_plan.pk)
    return render(
        request,
        "protection/plan_end.html",
        {"found": found, "plan": cp_plan, "child": cp_plan.referral.child, "form": form, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def prior_plan_new(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    child, prior_plans = selectors.child_for_recording(
        user=user, la_child_id=la_child_id, page="record a plan elsewhere"
    )
    form = PriorPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.prior_plan_record(
                child=child,
                authority=data["authority"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                category=data["category"],
                acting_user=user,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"The plan held by {data['authority']} is recorded")
            return redirect("protection:prior_plan_new", la_child_id=la_child_id)
    return render(request, "protection/prior_plan_new.html", {"child": child, "prior_plans": prior_plans, "form": form})


@require_http_methods(["GET", "POST"])
def emergency_protection_new(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    child, recorded = selectors.child_emergency_protection(user=user, la_child_id=la_child_id)
    form = EmergencyProtectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.emergency_protection_record(
                child=child,
                kind=data["kind"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                acting_user=user,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"The {record.get_kind_display().lower()} is recorded")
            return redirect("protection:emergency_protection_new", la_child_id=la_child_id)
    return render(
        request, "protection/emergency_protection_new.html", {"child": child, "recorded": recorded, "form": form}
    )
