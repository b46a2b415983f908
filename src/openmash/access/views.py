"""The access pages: who has seen a record, break glass and its review, restricting a record, the audit export.

Views are thin: selectors fetch, check the policy and audit; services change things.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from openmash.accounts.models import User
from openmash.core.csv import csv_lines
from openmash.core.errors import ServiceError

from . import audit, policy
from . import selectors as access
from .forms import AuditExportForm, BreakGlassForm, RestrictRecordForm, ReviewGrantForm
from .models import AuditEvent
from .services import break_glass_open, break_glass_review, child_restrict

AUDIT_COLUMNS = ["at", "username", "action", "object_type", "object_id", "child_id", "summary", "reason"]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
def child_audit(request: HttpRequest, la_child_id: str) -> HttpResponse:
    trail = access.who_viewed(user=_user(request), la_child_id=la_child_id)
    return render(request, "access/child_audit.html", {"trail": trail})


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.may_break_glass(user):
        raise Http404("Not found")
    form = BreakGlassForm(request.POST or None, initial={"la_child_id": request.GET.get("id", "")})
    if request.method == "POST" and form.is_valid():
        try:
            child = break_glass_open(
                user=user, la_child_id=form.cleaned_data["la_child_id"], reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.warning(request, "You opened this record outside your normal access. Your manager will see this.")
            return redirect("journey:child_detail", la_child_id=child.la_child_id)
    return render(request, "access/break_glass.html", {"form": form})


@require_http_methods(["GET", "POST"])
def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_review_break_glass(user):
        raise Http404("Not found")
    if request.method == "POST":
        form = ReviewGrantForm(request.POST)
        grant = (
            policy.break_glass_reviewable_by(user).filter(pk=form.cleaned_data["grant"]).first()
            if form.is_valid()
            else None
        )
        if grant is None:
            messages.error(request, "That use of break glass is not one you can review")
            return redirect("access:break_glass_reviews")
        try:
            break_glass_review(grant=grant, acting_user=user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Marked {grant.user}'s access to {grant.child.la_child_id} as reviewed")
        return redirect("access:break_glass_reviews")
    return render(request, "access/break_glass_reviews.html", {"grants": access.break_glass_uses_to_review(user=user)})


@require_safe
def audit_export(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    if not policy.can_export(user, policy.Export.AUDIT_LOG):
        raise Http404("Not found")
    form = AuditExportForm(request.GET or None)
    if not form.is_valid():
        return render(request, "access/audit_export.html", {"form": form})
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    with transaction.atomic():
        rows = list(access.audit_events_between(user=user, start=start, end=end).values_list(*AUDIT_COLUMNS))
        audit.record(
            user=user,
            action=AuditEvent.Action.EXPORT,
            summary=f"Exported the audit log {start} to {end}",
            detail={"start": start.isoformat(), "end": end.isoformat(), "rows": len(rows)},
        )
    lines = csv_lines(AUDIT_COLUMNS, ([at.isoformat(), *rest] for at, *rest in rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{start}-to-{end}.csv"'
    return response


@require_http_methods(["GET", "POST"])
def restrict_record(request: HttpRequest, la_child_id: str) -> HttpResponse:
    """A manager restricts a record to named colleagues (and themselves)."""
    user = _user(request)
    child = access.child_for_restricting(user=user, la_child_id=la_child_id)
    colleagues = access.colleagues_in_service(user=user)
    choices = [(str(u.pk), f"{u.get_full_name() or u.username}") for u in colleagues]
    form = RestrictRecordForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        allowed = list(colleagues.filter(pk__in=form.cleaned_data["allowed"]))
        try:
            child_restrict(child=child, reason=form.cleaned_data["reason"], allowed=allowed, acting_user=user)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "The record is now restricted to the people you named")
            return redirect("journey:child_detail", la_child_id=child.la_child_id)
    return render(request, "access/restrict_record.html", {"child": child, "form": form})
