"""Pages. Views are thin: access/ selectors fetch, check and audit; services change things."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from openmash.access import audit, policy
from openmash.access import selectors as access
from openmash.access.models import AuditEvent
from openmash.access.services import break_glass_open, break_glass_review, child_restrict
from openmash.accounts.models import Role, User
from openmash.core.errors import ServiceError
from openmash.journey.selectors import child_chronology
from openmash.performance.selectors import headlines as headline_figures

from .forms import AuditExportForm, BreakGlassForm, ChildSearchForm, RestrictRecordForm

RESULTS_PER_PAGE = 20


class _Echo:
    """A file-like object for csv.writer that hands each line back for streaming."""

    def write(self, value: str) -> str:
        return value


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if policy.is_scrutiny_only(user) or user.has_role(Role.PERFORMANCE_ANALYST):
        return redirect("web:headlines")
    if user.has_role(Role.AUDITOR):
        return redirect("web:audit_export")
    return redirect("web:child_search")


def _deny_scrutiny(user: User) -> None:
    # Councillors get the same answer as for a page that does not exist.
    if policy.is_scrutiny_only(user):
        raise Http404("Not found")


@require_safe
def child_search(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _deny_scrutiny(user)
    form = ChildSearchForm(request.GET or None)
    page_obj = None
    if form.is_valid():
        paginator = Paginator(access.children_search(user=user, query=form.cleaned_data["q"]), RESULTS_PER_PAGE)
        page_obj = paginator.get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    return render(
        request,
        "web/child_search.html",
        {"form": form, "page_obj": page_obj, "query_string": query_string.urlencode()},
    )


@require_safe
def child_detail(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    child, basis = access.child_for_view(user=user, la_child_id=la_child_id, page="child record")
    allowed = policy.child_access(user, basis)
    casework = allowed.casework
    visible = policy.visible_children(user)
    relationships = (
        child.relationships.select_related("adult", "other_child").order_by("relationship_type", "id")
        if casework
        else []
    )
    return render(
        request,
        "web/child_detail.html",
        {
            "child": child,
            "basis": basis,
            "casework": casework,
            "chronology": child_chronology(user=user, child=child),
            "relationships": relationships,
            "visible_sibling_ids": set(
                visible.filter(relationships_as_other__child=child).values_list("pk", flat=True)
            ),
            "contributions": policy.visible_contributions(user, child, basis=basis),
            "contacts": policy.visible_contacts(user, child, basis=basis),
            "can_see_who_viewed": allowed.see_who_viewed,
            "can_restrict": allowed.restrict,
            "child_is_restricted": basis == policy.Basis.NAMED,
        },
    )


@require_safe
def child_audit(request: HttpRequest, la_child_id: str) -> HttpResponse:
    user = _user(request)
    _deny_scrutiny(user)
    child, events = access.who_viewed(user=user, la_child_id=la_child_id)
    return render(request, "web/child_audit.html", {"child": child, "events": events})


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _deny_scrutiny(user)
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
            return redirect("web:child_detail", la_child_id=child.la_child_id)
    return render(request, "web/break_glass.html", {"form": form})


@require_http_methods(["GET", "POST"])
def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not policy.can_review_break_glass(user):
        raise Http404("Not found")
    grants = policy.break_glass_reviewable_by(user)
    if request.method == "POST":
        grant = get_object_or_404(grants, pk=request.POST.get("grant"))
        try:
            break_glass_review(grant=grant, acting_user=user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Marked {grant.user}'s access to {grant.child.la_child_id} as reviewed")
        return redirect("web:break_glass_reviews")
    return render(request, "web/break_glass_reviews.html", {"grants": grants[:200]})


@require_safe
def audit_export(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    if not policy.can_export(user, policy.Export.AUDIT_LOG):
        raise Http404("Not found")
    form = AuditExportForm(request.GET or None)
    if not form.is_valid():
        return render(request, "web/audit_export.html", {"form": form})
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    with transaction.atomic():
        rows = list(
            access.audit_events_between(user=user, start=start, end=end).values_list(
                "at", "username", "action", "object_type", "object_id", "child_id", "summary", "reason"
            )
        )
        audit.record(
            user=user,
            action=AuditEvent.Action.EXPORT,
            summary=f"Exported the audit log {start} to {end}",
            detail={"start": start.isoformat(), "end": end.isoformat(), "rows": len(rows)},
        )

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(["at", "username", "action", "object_type", "object_id", "child_id", "summary", "reason"])
        for at, *rest in rows:
            yield writer.writerow([at.isoformat(), *rest])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{start}-to-{end}.csv"'
    return response


@require_safe
def headlines(request: HttpRequest) -> HttpResponse:
    return render(request, "web/headlines.html", {"headlines": headline_figures(user=_user(request))})


@require_http_methods(["GET", "POST"])
def restrict_record(request: HttpRequest, la_child_id: str) -> HttpResponse:
    """A manager restricts a record to named colleagues (and themselves)."""
    user = _user(request)
    child = policy.visible_children(user).filter(la_child_id=la_child_id).first()
    if child is None or not (policy.can_allocate(user) and policy.can_change_child(user, child)):
        raise Http404("No child with that ID")
    colleagues = (
        User.objects.filter(staff__team__service_id=user.staff.team.service_id, is_active=True)
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name")
    )
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
            return redirect("web:child_detail", la_child_id=child.la_child_id)
    return render(request, "web/restrict_record.html", {"child": child, "form": form})
