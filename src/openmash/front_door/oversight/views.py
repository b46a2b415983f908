"""Oversight pages: today at the front door, overdue contacts, the disclosure ledger and early help.

Views are thin: selectors check the policy and audit, services change things.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from openmash.access import policy
from openmash.accounts.models import User
from openmash.core.csv import csv_lines
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError

from .. import services
from . import selectors
from .forms import EarlyHelpCloseForm, LedgerSearchForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("download", None)
    return query.urlencode()


@require_safe
def flow(request: HttpRequest) -> HttpResponse:
    data = selectors.front_door_flow(user=_user(request))
    return render(request, "front_door/oversight/flow.html", {"flow": data})


@require_safe
def flow_overdue(request: HttpRequest) -> HttpResponse:
    overdue = selectors.overdue_contacts(user=_user(request), page=request.GET.get("page"))
    return render(
        request,
        "front_door/oversight/overdue.html",
        {"page_obj": overdue.page, "hidden": overdue.hidden, "now": timezone.now()},
    )


@require_safe
def disclosures(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    if not policy.can_search_disclosures(user):
        raise Http404("Not found")  # the same answer as a page that does not exist
    searched = any(name in request.GET for name in LedgerSearchForm.FIELDS)
    form = LedgerSearchForm(request.GET if searched else None)
    page_obj = None
    if searched and form.is_valid():
        filters = selectors.LedgerFilters(
            la_child_id=form.cleaned_data["child"],
            agency=form.cleaned_data["agency"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
        if request.GET.get("download") == "csv":
            rows = selectors.disclosure_export(user=user, filters=filters)
            response = StreamingHttpResponse(
                csv_lines(selectors.LEDGER_COLUMNS, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="disclosures-{timezone.localdate()}.csv"'
            return response
        page_obj = selectors.disclosure_search(user=user, filters=filters, page=request.GET.get("page"))
    return render(
        request,
        "front_door/oversight/disclosures.html",
        {"form": form, "page_obj": page_obj, "query_string": _query_without_page(request)},
    )


def _running_for(days: int) -> str:
    if days >= 14:
        return f"{days // 7} weeks"
    return "1 day" if days == 1 else f"{days} days"


@require_safe
def early_help(request: HttpRequest) -> HttpResponse:
    page_obj = selectors.open_early_help(user=_user(request), page=request.GET.get("page"))
    today = timezone.localdate()
    rows = [(package, _running_for((today - package.started_on).days)) for package in page_obj]
    return render(request, "front_door/oversight/early_help.html", {"page_obj": page_obj, "rows": rows})


@require_http_methods(["GET", "POST"])
def early_help_close(request: HttpRequest, package_id: int) -> HttpResponse:
    user = _user(request)
    package = selectors.early_help_for_closing(user=user, package_id=package_id)
    form = EarlyHelpCloseForm(request.POST or None)
    if request.method == "POST" and package.closed_on is None and form.is_valid():
        try:
            services.early_help_close(
                package=package,
                closed_on=form.cleaned_data["closed_on"],
                outcome=form.cleaned_data["outcome"],
                acting_user=user,
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Early help for {package.child.full_name} closed on {long_date(form.cleaned_data['closed_on'])}",
            )
            return redirect("front_door:early_help")
    return render(request, "front_door/oversight/early_help_close.html", {"package": package, "form": form})
