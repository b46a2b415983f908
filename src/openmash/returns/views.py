"""The census data-quality page and correcting a record's census dates. Thin: selectors check the policy and
audit, the service changes the record."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.errors import ServiceError

from . import selectors
from .charts import trend_svg
from .forms import CorrectionForm
from .services import census_record_correct


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
def data_quality(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    # DfE's rule codes are letters and digits ("8606", "2886Q"); anything else lists nothing.
    given = (request.GET.get("rule") or "").strip()[:20]
    rule = given if given.isascii() and given.isalnum() else None
    team = (request.GET.get("team") or "").strip()
    team_id = int(team) if team.isdigit() and len(team) < 18 else None
    found = selectors.data_quality(user=user, rule=rule, team_id=team_id, page=request.GET.get("page"))
    keep = {k: v for k, v in (("rule", rule), ("team", team_id)) if v is not None}
    return render(
        request,
        "returns/data_quality.html",
        {"found": found, "query_string": urlencode(keep), "chart": trend_svg(found.trend)},
    )


@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, record_type: str, record_id: int) -> HttpResponse:
    user = _user(request)
    found = selectors.record_for_correction(user=user, record_type=record_type, record_id=record_id)
    if not found.found.items:
        raise NotFound("Not found")
    form = CorrectionForm(request.POST or None, found=found.found)
    if request.method == "POST" and form.is_valid():
        try:
            census_record_correct(
                record_type=record_type, record_id=record_id, dates=form.cleaned_data, acting_user=user
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "The census dates are saved. The child's records are checked again.")
            return redirect("returns:data_quality")
    return render(request, "returns/correct.html", {"found": found, "form": form})
