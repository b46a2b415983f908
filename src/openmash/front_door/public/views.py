"""Ways in: the public report (no sign-in), the professional referral, "Your referrals" and the survey.

Views are thin: forms check what was typed, services make the contact, selectors read and audit. Answers
wait in the session between a form and its check-your-answers page; nothing personal goes in a URL.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openmash.access import policy
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.front_door.models import FormDraft
from openmash.front_door.services import feedback_for_token, feedback_submit

from . import selectors
from .forms import PublicReportForm, ReferForm, SurveyForm
from .services import (
    REFER_FORM,
    TooManyReports,
    draft_discard,
    draft_save,
    drafts_expire_before,
    professional_referral_submit,
    public_report_submit,
    referral_survey_submit,
)

PUBLIC_ANSWERS = "front_door.report.answers"
PUBLIC_DONE = "front_door.report.done"
REFER_ANSWERS = "front_door.refer.answers"
REFER_DONE = "front_door.refer.done"
# secrets.token_urlsafe(24): 32 characters of the URL-safe base64 alphabet.
SURVEY_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _public_context(**extra: Any) -> dict[str, Any]:
    return {"phone": settings.OPENMASH_FRONT_DOOR_PHONE, "authority": settings.OPENMASH_LA_NAME, **extra}


def client_address(request: HttpRequest) -> str:
    """The address the rate limit counts: the connection's, or behind a proxy the one it names."""
    header = settings.OPENMASH_CLIENT_ADDRESS_HEADER
    if header:
        forwarded = str(request.META.get("HTTP_" + header.upper().replace("-", "_"), ""))
        # The proxy writes the address it saw last; anything before it came from the client.
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return str(request.META.get("REMOTE_ADDR", ""))


def _for_staff(request: HttpRequest) -> HttpResponse | None:
    """Signed-in staff do not use the public form: professionals refer through their own form, and others
    are told how to report as a member of the public."""
    user = request.user
    if not user.is_authenticated:
        return None
    if isinstance(user, User) and policy.can_refer(user):
        return redirect("front_door:refer")
    return render(request, "front_door/public/signed_in.html", _public_context())


# The public report -------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    if staff := _for_staff(request):
        return staff
    if request.method == "POST":
        form = PublicReportForm(request.POST)
        if form.is_valid():
            request.session[PUBLIC_ANSWERS] = form.raw_answers()
            return redirect("front_door:report_check")
    else:
        raw = request.session.get(PUBLIC_ANSWERS)
        form = PublicReportForm(initial=PublicReportForm.initial_from(raw) if isinstance(raw, dict) else None)
    return render(request, "front_door/public/report.html", _public_context(form=form))


@login_not_required
@require_http_methods(["GET", "POST"])
def report_check(request: HttpRequest) -> HttpResponse:
    if staff := _for_staff(request):
        return staff
    raw = request.session.get(PUBLIC_ANSWERS)
    if not isinstance(raw, dict):
        return render(request, "front_door/public/start_again.html", _public_context())
    form = PublicReportForm(raw)
    if not form.is_valid():
        return render(request, "front_door/public/report.html", _public_context(form=form))
    if request.method == "POST":
        try:
            reference = public_report_submit(
                client_address=client_address(request),
                child=form.reported_child(),
                summary=form.cleaned_data["summary"],
                referrer=form.referrer(),
                source=form.cleaned_data["source"],
                immediate_risk=form.immediate_risk_given(),
                parents_aware=form.cleaned_data["parents_aware"],
                adults=form.reported_adults(),
                honeypot=form.caught_by_honeypot(),
            )
        except TooManyReports as exc:
            context = _public_context(form=form, refused=exc.message)
            return render(request, "front_door/public/report_check.html", context, status=429)
        except ServiceError as exc:
            # Something the form let through that the service refuses: back to the question, with why.
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return render(request, "front_door/public/report.html", _public_context(form=form))
        del request.session[PUBLIC_ANSWERS]
        request.session[PUBLIC_DONE] = {
            "reference": reference,
            "tell_outcome": bool(form.cleaned_data["referrer_email"] or form.cleaned_data["referrer_phone"]),
            "danger": form.immediate_risk_given(),
        }
        return redirect("front_door:report_done")
    return render(request, "front_door/public/report_check.html", _public_context(form=form))


@login_not_required
@require_safe
def report_done(request: HttpRequest) -> HttpResponse:
    if staff := _for_staff(request):
        return staff
    done = request.session.get(PUBLIC_DONE)
    if not isinstance(done, dict):
        return render(request, "front_door/public/start_again.html", _public_context())
    return render(request, "front_door/public/report_done.html", _public_context(done=done))


# The professional referral -----------------------------------------------------------------------


def _referrer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not policy.can_refer(user):
        raise Http404("Not found")
    return user


def _account_initial(user: User) -> dict[str, str]:
    staff = getattr(user, "staff", None)
    return {"referrer_role": staff.get_job_role_display() if staff is not None else ""}


def _draft_days() -> int:
    return int(settings.OPENMASH_DRAFT_DAYS)


@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    user = _referrer(request)
    restored = None
    if request.method == "POST":
        form = ReferForm(request.POST)
        action = request.POST.get("action", "")
        if action == "discard":
            draft_discard(form=REFER_FORM, acting_user=user)
            request.session.pop(REFER_ANSWERS, None)
            messages.success(request, "Your draft has been deleted")
            return redirect("front_door:refer")
        # Whatever happens next, what was typed is kept.
        draft_save(form=REFER_FORM, data=form.raw_answers(), fields=form.data_names(), acting_user=user)
        if action == "save":
            messages.success(
                request,
                f"Your referral is saved as a draft. Only you can see it. It is kept for {_draft_days()} days.",
            )
            return redirect("front_door:my_referrals")
        if form.is_valid():
            request.session[REFER_ANSWERS] = form.raw_answers()
            return redirect("front_door:refer_check")
    else:
        raw = request.session.get(REFER_ANSWERS)
        if not isinstance(raw, dict):
            draft = selectors.draft_for(user=user, form=REFER_FORM)
            if draft is not None:
                raw, restored = draft.data, draft.updated_at
        form = ReferForm(initial=ReferForm.initial_from(raw) if isinstance(raw, dict) else _account_initial(user))
    return render(
        request,
        "front_door/public/refer.html",
        {"form": form, "restored": restored, "draft_days": _draft_days(), "referrer": user},
    )


@require_POST
def refer_draft(request: HttpRequest) -> HttpResponse:
    """Where the form's script saves the draft as it is typed (answers 204, nothing to show)."""
    user = _referrer(request)
    form = ReferForm(request.POST)
    draft_save(form=REFER_FORM, data=form.raw_answers(), fields=form.data_names(), acting_user=user)
    return HttpResponse(status=204)


@require_http_methods(["GET", "POST"])
def refer_check(request: HttpRequest) -> HttpResponse:
    user = _referrer(request)
    raw = request.session.get(REFER_ANSWERS)
    if not isinstance(raw, dict):
        return redirect("front_door:refer")
    form = ReferForm(raw)
    if not form.is_valid():
        return redirect("front_door:refer")
    if request.method == "POST":
        try:
            contact = professional_referral_submit(
                child=form.reported_child(),
                summary=form.cleaned_data["summary"],
                role=form.cleaned_data["referrer_role"],
                phone=form.cleaned_data["referrer_phone"],
                immediate_risk=form.immediate_risk_given(),
                parents_aware=form.cleaned_data["parents_aware"],
                adults=form.reported_adults(),
                acting_user=user,
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            context = {"form": form, "restored": None, "draft_days": _draft_days(), "referrer": user}
            return render(request, "front_door/public/refer.html", context)
        del request.session[REFER_ANSWERS]
        request.session[REFER_DONE] = contact.reference
        return redirect("front_door:refer_done")
    return render(request, "front_door/public/refer_check.html", {"form": form, "referrer": user})


@require_safe
def refer_done(request: HttpRequest) -> HttpResponse:
    _referrer(request)
    reference = request.session.get(REFER_DONE)
    if not isinstance(reference, str):
        return redirect("front_door:my_referrals")
    return render(request, "front_door/public/refer_done.html", {"reference": reference})


@require_safe
def my_referrals(request: HttpRequest) -> HttpResponse:
    user = _referrer(request)
    referrals = selectors.my_referrals(user=user)
    # Only when the draft was saved: its contents are not shown here.
    draft_saved_at = (
        FormDraft.objects.filter(user=user, form=REFER_FORM, updated_at__gte=drafts_expire_before())
        .values_list("updated_at", flat=True)
        .first()
    )
    return render(
        request,
        "front_door/public/my_referrals.html",
        {"referrals": referrals, "draft_saved_at": draft_saved_at, "draft_days": _draft_days()},
    )


@require_http_methods(["GET", "POST"])
def referral_survey(request: HttpRequest, reference: str) -> HttpResponse:
    user = _referrer(request)
    item = selectors.my_referral(user=user, reference=reference, page="referral survey")
    if not item.survey_open:
        messages.info(request, "There is no survey to answer about that referral")
        return redirect("front_door:my_referrals")
    assert item.feedback is not None
    form = SurveyForm(request.POST) if request.method == "POST" else SurveyForm()
    if form.is_valid():
        try:
            referral_survey_submit(contact=item.contact, answers=form.answers(), acting_user=user)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Thank you for answering the survey")
            return redirect("front_door:my_referrals")
    context = {"form": form, "feedback": item.feedback, "contact": item.contact}
    return render(request, "front_door/public/survey.html", context)


# The survey through its one-off link -------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    feedback = feedback_for_token(token) if SURVEY_TOKEN.fullmatch(token) else None
    if feedback is None:
        return render(request, "front_door/public/survey_invalid.html", _public_context(), status=404)
    form = SurveyForm(request.POST) if request.method == "POST" else SurveyForm()
    if form.is_valid():
        try:
            feedback_submit(token=token, answers=form.answers())
        except ServiceError as exc:
            if exc.field not in form.fields:
                return render(request, "front_door/public/survey_invalid.html", _public_context(), status=404)
            form.add_error(exc.field, exc.message)
        else:
            return redirect("front_door:survey_thanks")
    context = _public_context(form=form, feedback=feedback, contact=feedback.contact)
    return render(request, "front_door/public/survey.html", context)


@login_not_required
@require_safe
def survey_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "front_door/public/survey_thanks.html", _public_context())
