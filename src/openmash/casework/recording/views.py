"""Visits and case notes pages. Views are thin: selectors check the policy and audit, services change things."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openmash.access import drafts, policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.people.models import Child

from ..models import CaseNote
from . import selectors, services
from .forms import CaseNoteForm, VisitForm, VisitFrequencyForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _refused(form: Any, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _conflict(form_class: type, request: HttpRequest, exc: EditConflict) -> Any:
    """The form as typed, carrying the saved version, so saving again (after reading the differences) works."""
    data = request.POST.copy()
    data["version"] = str(exc.current_version)
    form = form_class(data)
    form.is_valid()
    form.add_error(None, exc.message)
    return form


@require_http_methods(["GET", "POST"])
def visits(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    found = selectors.child_visits(user=user, la_child_id=la_child_id)
    plan = found.cin_plan
    form = None
    conflict = None
    if plan is not None and found.record.access.change:
        form = VisitFrequencyForm(
            request.POST or None,
            initial={"visit_every_working_days": plan.visit_every_working_days, "version": plan.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.cin_plan_visits_set(
                    plan=plan,
                    visit_every_working_days=form.cleaned_data["visit_every_working_days"],
                    expected_version=form.cleaned_data["version"],
                    acting_user=user,
                )
            except EditConflict as exc:
                conflict = exc
                form = _conflict(VisitFrequencyForm, request, exc)
            except ServiceError as exc:
                _refused(form, exc)
            else:
                messages.success(request, "How often the child is visited is changed")
                return redirect("recording:visits", la_child_id=la_child_id)
    elif request.method == "POST":
        raise NotFound("Not found")
    return render(
        request,
        "recording/visits.html",
        {"found": found, "child": found.record.child, "form": form, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    record = selectors.child_for_recording(user=user, la_child_id=la_child_id, page="record a visit")
    staff = {str(s.pk): s for s in selectors.visitors(user, record.child)}
    mine = next((pk for pk, s in staff.items() if s.user_id == user.pk), "")
    form = VisitForm(
        request.POST or None,
        initial={"visited_by": mine},
        visitors=[(pk, f"{s.full_name}, {s.team.name}") for pk, s in staff.items()],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_record(
                child=record.child,
                visit_date=data["visit_date"],
                purpose=data["purpose"],
                seen=data["seen"] == "yes",
                seen_alone=data["seen_alone"] == "yes",
                visited_by=staff[data["visited_by"]],
                notes=data["notes"],
                acting_user=user,
            )
        except ServiceError as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Visit on {long_date(visit.visit_date)} recorded")
            return redirect("recording:visits", la_child_id=la_child_id)
    return render(request, "recording/visit_new.html", {"child": record.child, "form": form})


@require_safe
def notes(request: HttpRequest, la_child_id: str) -> HttpResponse:
    found = selectors.child_notes(user=_user(request), la_child_id=la_child_id)
    return render(request, "recording/notes.html", {"found": found, "child": found.record.child})


def _new_note_form_name(child: Child) -> str:
    return f"case-note:new:{child.pk}"


def _edit_note_form_name(note: CaseNote) -> str:
    return f"case-note:{note.pk}"


def _from_draft(data: dict[str, str]) -> dict[str, Any]:
    """A kept draft as the form's initial values (unbound, so nothing is shown as an error yet)."""
    initial: dict[str, Any] = {k: data.get(k, "") for k in ("note_type", "subject", "body")}
    initial["restricted"] = data.get("restricted") == "on"
    with contextlib.suppress(ValueError):
        initial["occurred_on"] = dt.date(
            int(data.get("occurred_on_year", "")),
            int(data.get("occurred_on_month", "")),
            int(data.get("occurred_on_day", "")),
        )
    if data.get("version", "").isdigit():
        initial["version"] = int(data["version"])
    return initial


@require_http_methods(["GET", "POST"])
def note_new(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    record = selectors.child_for_recording(user=user, la_child_id=la_child_id, page="add a case note")
    form_name = _new_note_form_name(record.child)
    restored = None
    if request.method == "POST":
        form = CaseNoteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.case_note_add(
                    child=record.child,
                    note_type=data["note_type"],
                    occurred_on=data["occurred_on"],
                    subject=data["subject"],
                    body=data["body"],
                    restricted=data["restricted"],
                    acting_user=user,
                )
            except ServiceError as exc:
                _refused(form, exc)
            else:
                drafts.discard(form=form_name, acting_user=user)
                messages.success(request, "Case note added")
                return redirect("recording:notes", la_child_id=la_child_id)
    else:
        draft = drafts.reopen(form=form_name, user=user, what="a case note")
        initial = _from_draft(draft.data) if draft is not None else {}
        restored = draft.updated_at if draft is not None else None
        form = CaseNoteForm(initial=initial)
    return render(
        request,
        "recording/note_form.html",
        {
            "child": record.child,
            "form": form,
            "restored": restored,
            "draft_url": reverse("recording:note_draft", kwargs={"la_child_id": la_child_id}),
            "draft_days": settings.OPENMASH_DRAFT_DAYS,
            "editing": None,
        },
    )


@require_POST
def note_draft(request: HttpRequest, la_child_id: str) -> HttpResponse:
    child = Child.objects.filter(la_child_id=la_child_id).first()
    if child is None:
        raise NotFound("Not found")
    return drafts.draft_view(
        request,
        form=_new_note_form_name(child),
        fields=CaseNoteForm.DRAFT_FIELDS,
        allowed=lambda user: policy.can_change_child(user, child),
    )


@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, note_id: int) -> HttpResponse:
    user = _user(request)
    note, record = selectors.note_for_edit(user=user, note_id=note_id)
    form_name = _edit_note_form_name(note)
    restored = None
    conflict = None
    if request.method == "POST":
        form = CaseNoteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.case_note_edit(
                    note=note,
                    note_type=data["note_type"],
                    occurred_on=data["occurred_on"],
                    subject=data["subject"],
                    body=data["body"],
                    restricted=data["restricted"],
                    expected_version=data["version"] if data["version"] is not None else note.version,
                    acting_user=user,
                )
            except EditConflict as exc:
                conflict = exc
                form = _conflict(CaseNoteForm, request, exc)
            except ServiceError as exc:
                _refused(form, exc)
            else:
                drafts.discard(form=form_name, acting_user=user)
                messages.success(request, "Case note saved")
                return redirect("recording:notes", la_child_id=record.child.la_child_id)
    else:
        saved = {
            "note_type": note.note_type,
            "occurred_on": note.occurred_on,
            "subject": note.subject,
            "body": note.body,
            "restricted": note.restricted,
            "version": note.version,
        }
        draft = drafts.reopen(form=form_name, user=user, what="a case note")
        if draft is not None:
            saved |= _from_draft(draft.data)
            restored = draft.updated_at
        form = CaseNoteForm(initial=saved)
    return render(
        request,
        "recording/note_form.html",
        {
            "child": record.child,
            "form": form,
            "restored": restored,
            "conflict": conflict,
            "draft_url": reverse("recording:note_edit_draft", kwargs={"note_id": note.pk}),
            "draft_days": settings.OPENMASH_DRAFT_DAYS,
            "editing": note,
        },
    )


@require_POST
def note_edit_draft(request: HttpRequest, note_id: int) -> HttpResponse:
    note = CaseNote.objects.select_related("child").filter(pk=note_id).first() if 0 < note_id < 2**63 else None
    if note is None:
        raise NotFound("Not found")

    def allowed(user: User) -> bool:
        basis = policy.basis_for(user, note.child)
        if basis is None:
            return False
        return policy.child_access(user, basis).change and services.can_edit_note(user, note, basis)

    return drafts.draft_view(
        request, form=_edit_note_form_name(note), fields=CaseNoteForm.DRAFT_FIELDS, allowed=allowed
    )
