"""The MASH's pages: the queue, recording a contact, one contact's enquiry and decision, and the agency
researchers' inbox. Views are thin: selectors fetch, check and audit; services change things. Each form
posts to its own address and comes back to the contact page (post, redirect, get); a refusal shows the
page again with the problem in the error summary, having changed nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openmash.access import policy
from openmash.accounts.models import Agency, User
from openmash.core.errors import ServiceError
from openmash.people.models import Child

from .. import services as front_door
from .. import timescales
from ..models import Contact, MatchDecision
from ..services import DecisionDetails, Referrer, ReportedChild, Sharing, outcome_for_referrer
from . import selectors
from .forms import (
    SHARE_ROWS,
    AnswerForm,
    ContactRecordForm,
    DecisionForm,
    MatchForm,
    NewChildForm,
    RateForm,
    RequestsForm,
    SuggestForm,
)
from .services import contact_child_create, contact_record_reported


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _add_service_error(form: forms.Form, exc: ServiceError, renames: dict[str, str] | None = None) -> None:
    name = (renames or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


def _problem(message: str) -> forms.Form:
    """A form holding one problem that belongs to no field, for the error summary."""
    form = forms.Form(data={})
    form.is_valid()
    form.add_error(None, message)
    return form


def _chosen_child(user: User, child_id: int | None) -> Child | None:
    """A child from the register the practitioner chose (never a restricted record they are not named on)."""
    if child_id is None:
        return None
    return Child.objects.filter(pk=child_id).filter(policy.unrestricted_or_named(user, "pk")).first()


# The queue ---------------------------------------------------------------------------------------


@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.works_front_door(user):
        raise Http404("Not found")
    found = selectors.mash_queue(user=user, section=request.GET.get("show", ""), page=request.GET.get("page"))
    sections = [
        {"key": key, "label": label, "count": found.counts[key], "current": key == found.section}
        for key, label in selectors.QUEUE_SECTIONS.items()
    ]
    return render(
        request,
        "front_door/mash/queue.html",
        {"queue": found, "sections": sections, "query_string": f"show={found.section}"},
    )


# Recording a contact -----------------------------------------------------------------------------

_DETAIL_FIELDS = ("first_name", "last_name", "nhs_number", "upn", "address", "postcode", "school")
_RECORD_RENAMES = {
    "subject_first_name": "first_name",
    "subject_last_name": "last_name",
    "subject_date_of_birth": "date_of_birth",
    "subject_nhs_number": "nhs_number",
    "subject_upn": "upn",
    "subject_address": "address",
    "subject_postcode": "postcode",
    "received_at": "received_date",
}


def _details(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "first_name": data.get("first_name") or "",
        "last_name": data.get("last_name") or "",
        "date_of_birth": data.get("date_of_birth"),
        "postcode": data.get("postcode") or "",
        "nhs_number": data.get("nhs_number") or "",
        "upn": data.get("upn") or "",
    }


def _candidates_for(user: User, data: Any) -> list[selectors.Candidate]:
    details = SuggestForm(data)
    details.is_valid()  # a half-typed field is left out of the search, not reported
    if not details.has_something_to_match():
        return []
    return selectors.match_candidates(
        user=user, **_details(details.cleaned_data), limit=5, context="recording a contact"
    )


def _typed_so_far(data: Any) -> dict[str, Any]:
    """What was typed, as the initial values of a fresh form (so "Find matches" shows no errors yet)."""
    initial: dict[str, Any] = {name: data.get(name, "") for name in ContactRecordForm.base_fields}
    for name in ("date_of_birth", "received_date"):
        initial[name] = [data.get(f"{name}_{part}", "") for part in ("day", "month", "year")]
    initial["immediate_risk"] = bool(data.get("immediate_risk"))
    return initial


def _fill_known(initial: dict[str, Any], child: Child, candidate: selectors.Candidate | None) -> None:
    """Offer what the register already knows about the chosen child where nothing was typed."""
    known = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "nhs_number": child.nhs_number,
        "upn": child.upn,
        "address": child.address,
        "postcode": child.postcode,
        "school": candidate.school if candidate else "",
    }
    for name, value in known.items():
        if value and not str(initial.get(name) or "").strip():
            initial[name] = value
    if child.date_of_birth and not any(initial.get("date_of_birth") or []):
        d = child.date_of_birth
        initial["date_of_birth"] = [d.day, d.month, d.year]


def _record(form: ContactRecordForm, user: User) -> Contact | None:
    """Record the contact the form describes, or put the refusal on the form and record nothing."""
    data = form.cleaned_data
    child = _chosen_child(user, data.get("child"))
    if data.get("child") is not None and child is None:
        form.add_error(None, "Choose one of the children offered, or none of them")
        return None
    try:
        return contact_record_reported(
            child_reported=ReportedChild(
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                nhs_number=data["nhs_number"],
                upn=data["upn"],
                address=data["address"],
                postcode=data["postcode"],
                school=data["school"],
            ),
            referrer=Referrer(
                name=data["referrer_name"],
                role=data["referrer_role"],
                email=data["referrer_email"],
                phone=data["referrer_phone"],
                agency=data["referrer_agency"],
            ),
            source=data["source"],
            summary=data["summary"],
            received_at=form.received_at(),
            immediate_risk=data["immediate_risk"],
            parents_aware=data["parents_aware"],
            child=child,
            acting_user=user,
        )
    except ServiceError as exc:
        _add_service_error(form, exc, _RECORD_RENAMES)
        return None


def _picked_child(data: Any) -> int | None:
    try:
        value: int | None = forms.IntegerField(min_value=1, max_value=2**62, required=False).clean(
            data.get("child") or None
        )
    except forms.ValidationError:
        return None
    return value


@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.works_front_door(user):
        raise Http404("Not found")
    candidates: list[selectors.Candidate] = []
    chosen: int | None = None
    if request.method == "POST" and ("find" in request.POST or "use" in request.POST):
        # Without scripts: look the child up with what is typed so far, and offer what is known.
        initial = _typed_so_far(request.POST)
        candidates = _candidates_for(user, request.POST)
        chosen = _picked_child(request.POST)
        child = _chosen_child(user, chosen)
        if "use" in request.POST and child is not None:
            _fill_known(initial, child, next((c for c in candidates if c.child.pk == child.pk), None))
        form = ContactRecordForm(initial=initial)
    else:
        form = ContactRecordForm(request.POST or None)
        if request.method == "POST":
            contact = _record(form, user) if form.is_valid() else None
            if contact is not None:
                messages.success(request, f"Contact {contact.reference} recorded")
                return redirect("front_door:contact", key=selectors.contact_key(contact))
            candidates = _candidates_for(user, request.POST)
            chosen = _picked_child(request.POST)
    return render(
        request,
        "front_door/mash/contact_new.html",
        {
            "form": form,
            "candidates": candidates,
            "candidates_json": [c.as_json() for c in candidates],
            "chosen": chosen,
            "searched": request.method == "POST",
        },
    )


@require_safe
def suggest(request: HttpRequest) -> JsonResponse:
    """Possible existing children for the details typed so far (the contact form asks as they are typed)."""
    user = _user(request)
    if not policy.works_front_door(user):
        raise Http404("Not found")
    return JsonResponse({"results": [c.as_json() for c in _candidates_for(user, request.GET)]})


# One contact -------------------------------------------------------------------------------------


def _render_contact(request: HttpRequest, key: str, **overrides: Any) -> HttpResponse:
    user = _user(request)
    page = selectors.contact_page(user=user, key=key)
    context: dict[str, Any] = {
        "page": page,
        "contact": page.contact,
        "timescales": timescales.describe(),
        "rate_form": RateForm(prefix="rate", initial={"rag": page.contact.rag}),
        "requests_form": RequestsForm(prefix="checks"),
        "decision_form": DecisionForm(prefix="decision", initial={"early_help_lead": Agency.EARLY_HELP}),
        "share_rows": SHARE_ROWS,
        "waiting_agencies": [r.request.get_agency_display() for r in page.requests if r.request.status == "open"],
        "referrer_texts": {o.value: outcome_for_referrer(o.value) for o in Contact.Outcome},
    }
    context.update(overrides)
    # The form that was sent back with problems leads the page: the error summary and the title.
    context["form"] = next(
        (f for f in overrides.values() if isinstance(f, forms.BaseForm) and f.is_bound and f.errors), None
    ) or next((f for f in overrides.values() if isinstance(f, forms.BaseForm) and f.errors), None)
    return render(request, "front_door/mash/contact.html", context)


@require_safe
def contact(request: HttpRequest, key: str) -> HttpResponse:
    return _render_contact(request, key)


@require_POST
def contact_match(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    found, _basis = selectors.contact_for_work(user=user, key=key)
    form = MatchForm(request.POST)
    if not form.is_valid():
        return _render_contact(request, key, match_problem=_problem("Choose one of the children offered"))
    child = _chosen_child(user, form.cleaned_data["child"])
    if child is None:
        return _render_contact(request, key, match_problem=_problem("Choose one of the children offered"))
    decision = form.cleaned_data["decision"]
    try:
        front_door.contact_link(
            contact=found,
            child=child,
            decision=decision,
            update_fields=form.cleaned_data["update_fields"] if decision == MatchDecision.MERGED else (),
            acting_user=user,
        )
    except ServiceError as exc:
        return _render_contact(request, key, match_problem=_problem(exc.message))
    if decision == MatchDecision.MERGED:
        messages.success(request, f"Linked to {child.full_name} and their record updated")
    else:
        messages.success(request, f"Linked to {child.full_name}")
    return redirect("front_door:contact", key=key)


@require_http_methods(["GET", "POST"])
def contact_new_child(request: HttpRequest, key: str) -> HttpResponse:
    """The contact's child is new to the register: confirm or fill in what the register needs."""
    user = _user(request)
    page = selectors.contact_page(user=user, key=key, with_candidates=False)
    found = page.contact
    if found.child_id is not None or found.outcome:
        return redirect("front_door:contact", key=key)
    initial = {
        "first_name": found.subject_first_name,
        "last_name": found.subject_last_name,
        "date_of_birth": found.subject_date_of_birth,
        "nhs_number": found.subject_nhs_number,
        "upn": found.subject_upn,
        "address": found.subject_address,
        "postcode": found.subject_postcode,
    }
    form = NewChildForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            linked = contact_child_create(
                contact=found,
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
                expected_date_of_birth=data["expected_date_of_birth"],
                sex=data["sex"],
                ethnicity=data["ethnicity"],
                nhs_number=data["nhs_number"],
                upn=data["upn"],
                address=data["address"],
                postcode=data["postcode"],
                acting_user=user,
            )
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            assert linked.child is not None
            messages.success(
                request, f"{linked.child.full_name} recorded as a new child, LA child ID {linked.child.la_child_id}"
            )
            return redirect("front_door:contact", key=key)
    return render(request, "front_door/mash/new_child.html", {"form": form, "page": page, "contact": found})


@require_POST
def contact_rate(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    found, _basis = selectors.contact_for_work(user=user, key=key)
    form = RateForm(request.POST, prefix="rate")
    if form.is_valid():
        try:
            rated = front_door.contact_rate(
                contact=found, rag=form.cleaned_data["rag"], reason=form.cleaned_data["reason"], acting_user=user
            )
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            assert rated.decision_due_at is not None
            due = timezone.localtime(rated.decision_due_at)
            messages.success(
                request,
                f"Rated {rated.get_rag_display().lower()}: decision due by {due:%H:%M} on {due:%-d %B %Y}"
                f" ({selectors.countdown(rated.decision_due_at)})",
            )
            return redirect("front_door:contact", key=key)
    return _render_contact(request, key, rate_form=form)


@require_POST
def contact_requests(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    found, _basis = selectors.contact_for_work(user=user, key=key)
    form = RequestsForm(request.POST, prefix="checks")
    if form.is_valid():
        try:
            sent = front_door.information_requests_send(
                contact=found,
                agencies=form.cleaned_data["agencies"],
                question=form.cleaned_data["question"],
                acting_user=user,
            )
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            due = timezone.localtime(sent[0].due_at)
            names = ", ".join(r.get_agency_display() for r in sent)
            messages.success(request, f"Checks requested from {names}, due by {due:%H:%M} on {due:%-d %B %Y}")
            return redirect("front_door:contact", key=key)
    return _render_contact(request, key, requests_form=form)


def _sharing(form: DecisionForm) -> list[Sharing]:
    shares = []
    data = form.cleaned_data
    for i in range(1, SHARE_ROWS + 1):
        agency = data.get(f"share_{i}_agency") or ""
        if not (agency or data.get(f"share_{i}_shared")):
            continue
        shares.append(
            Sharing(
                recipient=(data.get(f"share_{i}_recipient") or "").strip() or Agency(agency).label,
                shared=data.get(f"share_{i}_shared") or "",
                purpose=data.get(f"share_{i}_purpose") or "",
                lawful_basis=data.get(f"share_{i}_basis") or "",
                consent=data.get(f"share_{i}_consent") or "",
                recipient_agency=agency,
            )
        )
    return shares


@require_POST
def contact_decide(request: HttpRequest, key: str) -> HttpResponse:
    user = _user(request)
    found, _basis = selectors.contact_for_work(user=user, key=key)
    form = DecisionForm(request.POST, prefix="decision")
    if form.is_valid():
        data = form.cleaned_data
        outcome = data["outcome"]
        try:
            result = front_door.contact_decide_with_result(
                contact=found,
                outcome=outcome,
                rationale=data["rationale"],
                details=DecisionDetails(
                    early_help_support=data["early_help_support"] if outcome == Contact.Outcome.EARLY_HELP else "",
                    early_help_lead=data["early_help_lead"] or "early_help",
                    primary_need=data["primary_need"]
                    if outcome in (Contact.Outcome.REFERRAL, Contact.Outcome.STRATEGY)
                    else "",
                    sharing=_sharing(form),
                    outcome_for_referrer=data["outcome_for_referrer"],
                ),
                acting_user=user,
            )
        except ServiceError as exc:
            _add_service_error(form, exc, {"sharing": "", "decided_at": ""})
        else:
            decided = result.contact
            if result.referral is not None and result.referral.team is not None:
                messages.success(
                    request, f"Decision recorded: the referral is in the {result.referral.team.name} team's queue"
                )
            else:
                messages.success(request, f"Decision recorded: {decided.get_outcome_display().lower()}")
            return redirect("front_door:contact", key=key)
    return _render_contact(request, key, decision_form=form)


# The researchers' inbox --------------------------------------------------------------------------


@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "front_door/mash/inbox.html", {"inbox": selectors.researcher_inbox(user=_user(request))})


@require_http_methods(["GET", "POST"])
def request_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    user = _user(request)
    page = selectors.request_for_answer(user=user, request_id=request_id)
    form = AnswerForm(request.POST or None, agency=user.agency)
    if request.method == "POST" and form.is_valid():
        try:
            front_door.information_request_answer(
                request=page.request,
                summary=form.cleaned_data["summary"],
                sharing_level=form.cleaned_data["sharing_level"],
                shared_with=form.cleaned_data["shared_with"]
                if form.cleaned_data["sharing_level"] == "partners"
                else (),
                acting_user=user,
            )
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"Your answer was sent to the MASH ({page.child_name})")
            return redirect("front_door:inbox")
    return render(request, "front_door/mash/request_answer.html", {"page": page, "form": form})
