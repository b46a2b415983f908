"""Casework pages: the referrals waiting for allocation and allocating one; a referral, its single assessment
(recording, check your answers, authorisation, outcome), child in need plans and closing the case. Views are
thin: selectors check the policy and audit, services change things."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openmash.access import drafts
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.workforce.models import StaffMember
from openmash.workforce.services import child_allocate

from . import selectors, services
from .episode import Step
from .forms import AllocateForm, AssessmentForm, AuthoriseForm, CloseForm, DateForm, OutcomeForm, ReturnForm, SubmitForm
from .models import AssessmentOutcome, Referral


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    waiting = selectors.referrals_waiting(user=_user(request), page=request.GET.get("page"))
    return render(
        request,
        "casework/queue.html",
        {"page_obj": waiting.page, "rows": waiting.rows, "service_wide": waiting.service_wide},
    )


@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.referral_for_allocation(user=user, referral_id=referral_id)
    workers = {str(choice.worker.pk): choice for choice in found.workers}
    form = AllocateForm(
        request.POST or None,
        initial={"start_date": timezone.localdate()},
        choices=[(pk, choice.label) for pk, choice in workers.items()],
        earliest=selectors.earliest_start(found.referral, found.current),
    )
    if request.method == "POST" and form.is_valid():
        worker = workers[form.cleaned_data["worker"]].worker
        child = found.referral.child
        try:
            child_allocate(child=child, worker=worker, start_date=form.cleaned_data["start_date"], acting_user=user)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{child.full_name} is allocated to {worker.full_name}")
            return redirect("casework:queue")
    return render(request, "casework/allocate.html", {"found": found, "form": form})


# Referrals, single assessments, child in need plans and closure ------------------------------------------


def _show_error(form: forms.Form, exc: ServiceError, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal next to its field (renamed where the form calls it otherwise), else at the top."""
    field = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _strategy_url(referral: Referral) -> str:
    """Where a strategy discussion is recorded: the protection pages where they exist, else the child's record."""
    try:
        return reverse("protection:strategy_new", kwargs={"referral_id": referral.pk})
    except NoReverseMatch:
        return reverse("journey:child_detail", kwargs={"la_child_id": referral.child.la_child_id})


def _assessment_worker(referral: Referral, user: User) -> StaffMember | None:
    """Who holds the assessment: the child's allocated worker, or whoever starts it if nobody is."""
    current = referral.child.allocations.filter(end_date__isnull=True).select_related("worker").first()
    if current is not None:
        return current.worker
    return StaffMember.objects.filter(user=user).first()


@require_safe
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    found = selectors.referral_page(user=_user(request), referral_id=referral_id)
    return render(
        request,
        "casework/referral.html",
        {"found": found, "referral": found.referral, "strategy_url": _strategy_url(found.referral)},
    )


@require_http_methods(["GET", "POST"])
def assessment_start(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.referral_for_change(user=user, referral_id=referral_id, page="start assessment")
    referral = found.referral
    form = DateForm(request.POST or None, initial={"day": timezone.localdate()}, label="Start date")
    refusal = found.state.refusal(Step.START_ASSESSMENT)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_start(
                referral=referral,
                start_date=form.cleaned_data["day"],
                worker=_assessment_worker(referral, user),
                acting_user=user,
            )
        except ServiceError as exc:
            _show_error(form, exc, {"start_date": "day"})
        else:
            messages.success(request, "Assessment started")
            return redirect("casework:assessment_edit", assessment_id=assessment.pk)
    return render(request, "casework/assessment_start.html", {"referral": referral, "form": form, "refusal": refusal})


@require_safe
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    found = selectors.assessment_page(user=_user(request), assessment_id=assessment_id)
    return render(
        request,
        "casework/assessment.html",
        {"found": found, "assessment": found.assessment, "referral": found.referral, "today": timezone.localdate()},
    )


def _draft_name(assessment_id: int) -> str:
    return f"assessment-{assessment_id}"


DRAFT_FIELDS = frozenset({"analysis"})


@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.assessment_page(user=user, assessment_id=assessment_id, page="edit assessment")
    if not found.access.change:
        raise Http404("Not found")
    assessment = found.assessment
    if not found.can_edit:
        messages.info(request, "This assessment cannot be changed now")
        return redirect("casework:assessment", assessment_id=assessment.pk)
    conflict: EditConflict | None = None
    restored = None
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                services.assessment_update(
                    assessment=assessment,
                    expected_version=form.cleaned_data["version"],
                    acting_user=user,
                    **form.values(),
                )
            except EditConflict as exc:
                conflict = exc
                # What they typed stays; the next save carries the version now saved.
                data = request.POST.copy()
                data["version"] = str(exc.current_version)
                form = AssessmentForm(data)
                form.is_valid()
            except ServiceError as exc:
                _show_error(form, exc)
            else:
                drafts.discard(form=_draft_name(assessment.pk), acting_user=user)
                return redirect("casework:assessment_check", assessment_id=assessment.pk)
    else:
        initial = AssessmentForm.initial_for(assessment, [c for c, _label in found.factors])
        draft = drafts.reopen(form=_draft_name(assessment.pk), user=user, what=f"assessment {assessment.pk}")
        typed = draft.data.get("analysis") if draft is not None and isinstance(draft.data, dict) else None
        if draft is not None and typed is not None and typed.strip() != assessment.analysis.strip():
            initial["analysis"], restored = typed, draft.updated_at
        form = AssessmentForm(initial=initial)
    return render(
        request,
        "casework/assessment_edit.html",
        {"found": found, "assessment": assessment, "form": form, "conflict": conflict, "restored": restored},
    )


@require_POST
def assessment_draft(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Where the edit page's script keeps the analysis as it is typed (204; 404 for anyone who may not edit)."""

    def allowed(user: User) -> bool:
        return selectors.can_edit_assessment(user=user, assessment_id=assessment_id)

    return drafts.draft_view(request, form=_draft_name(assessment_id), fields=DRAFT_FIELDS, allowed=allowed)


@require_http_methods(["GET", "POST"])
def assessment_check(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Check your answers, then send the assessment to a manager."""
    user = _user(request)
    found = selectors.assessment_page(user=user, assessment_id=assessment_id, page="check assessment")
    if not found.access.change:
        raise Http404("Not found")
    assessment = found.assessment
    if not found.can_edit:
        return redirect("casework:assessment", assessment_id=assessment.pk)
    form = SubmitForm(request.POST or None, initial={"version": assessment.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_submit(
                assessment=assessment, expected_version=form.cleaned_data["version"], acting_user=user
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Assessment sent to a manager for authorisation")
            return redirect("casework:assessment", assessment_id=assessment.pk)
    return render(
        request,
        "casework/assessment_check.html",
        {
            "found": found,
            "assessment": assessment,
            "form": form,
            "missing": services.missing_for_submission(assessment),
        },
    )


@require_http_methods(["GET", "POST"])
def assessment_decide(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """A manager authorises the assessment, or returns it to the social worker with what needs to change."""
    user = _user(request)
    found = selectors.assessment_page(user=user, assessment_id=assessment_id, page="authorise assessment")
    if not found.access.authorise:
        raise Http404("Not found")
    assessment = found.assessment
    if not found.can_decide:
        return redirect("casework:assessment", assessment_id=assessment.pk)
    action = request.POST.get("action") if request.method == "POST" else None
    authorise = AuthoriseForm(
        request.POST if action == "authorise" else None,
        initial={"version": assessment.version, "authorised_date": timezone.localdate()},
    )
    send_back = ReturnForm(request.POST if action == "return" else None)
    if action == "authorise" and authorise.is_valid():
        try:
            services.assessment_authorise(
                assessment=assessment,
                authorised_date=authorise.cleaned_data["authorised_date"],
                child_in_need=authorise.cleaned_data["child_in_need"] == "yes",
                expected_version=authorise.cleaned_data["version"],
                acting_user=user,
            )
        except ServiceError as exc:
            _show_error(authorise, exc)
        else:
            messages.success(request, "Assessment authorised. Now record what it leads to.")
            return redirect("casework:assessment_outcome", assessment_id=assessment.pk)
    elif action == "return" and send_back.is_valid():
        try:
            services.assessment_return(assessment=assessment, reason=send_back.cleaned_data["reason"], acting_user=user)
        except ServiceError as exc:
            _show_error(send_back, exc)
        else:
            messages.success(request, "Assessment returned to the social worker")
            return redirect("casework:assessment", assessment_id=assessment.pk)
    return render(
        request,
        "casework/assessment_decide.html",
        {"found": found, "assessment": assessment, "authorise": authorise, "send_back": send_back},
    )


@require_http_methods(["GET", "POST"])
def assessment_outcome(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.assessment_page(user=user, assessment_id=assessment_id, page="assessment outcome")
    if not found.access.authorise:
        raise Http404("Not found")
    assessment = found.assessment
    if not found.can_record_outcome:
        return redirect("casework:assessment", assessment_id=assessment.pk)
    form = OutcomeForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        outcome = form.cleaned_data["outcome"]
        try:
            services.assessment_record_outcome(
                assessment=assessment, outcome=outcome, decided_on=form.cleaned_data["decided_on"], acting_user=user
            )
        except ServiceError as exc:
            _show_error(form, exc)
        else:
            if outcome == AssessmentOutcome.STRATEGY_DISCUSSION:
                messages.success(request, "Outcome recorded: now record the strategy discussion")
                return redirect(_strategy_url(found.referral))
            messages.success(request, f"Outcome recorded: {AssessmentOutcome(outcome).label.lower()}")
            return redirect("casework:referral", referral_id=found.referral.pk)
    return render(request, "casework/assessment_outcome.html", {"found": found, "assessment": assessment, "form": form})


@require_http_methods(["GET", "POST"])
def cin_plan_start(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.referral_for_change(user=user, referral_id=referral_id, page="start child in need plan")
    referral = found.referral
    form = DateForm(request.POST or None, initial={"day": timezone.localdate()}, label="Start date")
    if request.method == "POST" and form.is_valid():
        try:
            services.cin_plan_start(referral=referral, start_date=form.cleaned_data["day"], acting_user=user)
        except ServiceError as exc:
            _show_error(form, exc, {"start_date": "day"})
        else:
            messages.success(request, "Child in need plan started")
            return redirect("casework:referral", referral_id=referral.pk)
    return render(
        request,
        "casework/cin_plan_start.html",
        {"referral": referral, "form": form, "refusal": found.state.refusal(Step.START_CIN_PLAN)},
    )


@require_http_methods(["GET", "POST"])
def cin_plan_end(request: HttpRequest, plan_id: int) -> HttpResponse:
    user = _user(request)
    plan, _access = selectors.cin_plan_for_change(user=user, plan_id=plan_id)
    form = DateForm(request.POST or None, initial={"day": timezone.localdate()}, label="End date")
    if request.method == "POST" and form.is_valid():
        try:
            services.cin_plan_end(plan=plan, end_date=form.cleaned_data["day"], acting_user=user)
        except ServiceError as exc:
            _show_error(form, exc, {"end_date": "day"})
        else:
            messages.success(request, "Child in need plan ended")
            return redirect("casework:referral", referral_id=plan.referral_id)
    return render(request, "casework/cin_plan_end.html", {"plan": plan, "referral": plan.referral, "form": form})


@require_http_methods(["GET", "POST"])
def referral_close(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.referral_for_change(user=user, referral_id=referral_id, page="close case")
    referral = found.referral
    if found.state.closed:
        return redirect("casework:referral", referral_id=referral.pk)
    form = CloseForm(request.POST or None, initial={"closure_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_close(
                referral=referral,
                closure_date=form.cleaned_data["closure_date"],
                reason=form.cleaned_data["reason"],
                acting_user=user,
            )
        except ServiceError as exc:
            _show_error(form, exc)
        else:
            messages.success(request, "Case closed")
            return redirect("casework:referral", referral_id=referral.pk)
    return render(
        request,
        "casework/referral_close.html",
        {"referral": referral, "form": form, "refusal": found.state.refusal(Step.CLOSE)},
    )
