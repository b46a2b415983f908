"""Performance pages: the scorecard, its downloads, the children behind a figure, narratives, indicators and
freezing. Views are thin: the scorecard and drill-down selectors check the policy and audit; services change."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe
from openpyxl import Workbook

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.core.csv import csv_lines, safe_cell
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict

from . import registry, scorecard, services
from .benchmarks import comparators
from .drill import drill as drill_selector
from .forms import IndicatorForm, NarrativeForm, ScorecardForm
from .models import IndicatorSetting, Narrative, Snapshot
from .periods import Period
from .scorecard import Row, Scorecard
from .suppression import SUPPRESSED
from .templatetags.kpi import count, figure, rag_label, travel


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _period(key: str) -> Period:
    try:
        return Period.parse(key)
    except ValueError as exc:
        raise NotFound("There is no such period") from exc


def _chosen(request: HttpRequest, user: User) -> tuple[ScorecardForm, Period | None, int | None]:
    """The period and team asked for in the query string; a bad choice is shown as an error, not a crash."""
    today = timezone.localdate()
    teams = scorecard.Team.objects.order_by("name") if policy.can_filter_figures_by_team(user) else []
    form = ScorecardForm(request.GET or None, periods=scorecard.available_periods(today), teams=list(teams))
    if not request.GET or not form.is_valid():
        return form, None, None
    key = form.cleaned_data.get("period")
    return form, Period.parse(key) if key else None, form.cleaned_data.get("team")


def _build(request: HttpRequest) -> tuple[ScorecardForm, Scorecard]:
    user = _user(request)
    form, period, team_id = _chosen(request, user)
    try:
        card = scorecard.build(user, period=period, team_id=team_id)
    except PermissionError as exc:
        raise NotFound(str(exc)) from exc
    if not request.GET:
        form = ScorecardForm(
            initial={"period": card.period.key},
            periods=card.periods,
            teams=card.teams,
        )
    return form, card


@require_safe
def scorecard_page(request: HttpRequest) -> HttpResponse:
    form, card = _build(request)
    query = urlencode({"period": card.period.key, **({"team": str(card.team.pk)} if card.team else {})})
    return render(
        request,
        "performance/scorecard.html",
        {
            "form": form,
            "card": card,
            "query": query,
            "frozen_note": scorecard.frozen_note(card.frozen) if card.frozen else "",
            "can_manage": policy.can_manage_scorecard(_user(request)),
        },
    )


@require_safe
def headlines(request: HttpRequest) -> HttpResponse:
    """The old headline figures page: the scorecard replaced it."""
    return redirect("performance:scorecard")


COLUMNS = [
    "Indicator",
    "Basis",
    "Period",
    "Figure",
    "Unit",
    "Count",
    "Out of",
    "Target",
    "Target set",
    "Rating",
    "Change since the period before",
    "England",
    "North West",
    "Statistical neighbours",
    "Source",
]


def _rating(row: Row) -> str:
    """The rating as the viewer may see it: "c" where it would give a hidden figure away, blank with no figure."""
    if row.target is None:
        return ""
    if row.rag is None:
        return SUPPRESSED if row.value == SUPPRESSED else ""
    return rag_label(row.rag)


def _change(row: Row) -> str:
    if row.direction is None and SUPPRESSED in (row.value, row.previous):
        return SUPPRESSED
    return travel(row.direction)


def _table(card: Scorecard) -> list[list[Any]]:
    """What the viewer sees, as rows for a spreadsheet (hidden figures stay "c")."""
    out = []
    for row in card.rows:
        by_area = {c.area: c for c in row.comparators}

        def comparator(area: str, by_area: dict[str, Any] = by_area, unit: str = row.indicator.unit) -> str:
            c = by_area.get(area)
            return f"{figure(c.value, unit)} ({c.year_label})" if c and c.value is not None else ""

        out.append(
            [
                row.indicator.name,
                row.indicator.basis,
                card.period.label,
                row.value if isinstance(row.value, str) or row.value is None else round(row.value, 1),
                row.indicator.unit.replace("_", " "),
                count(row.numerator) if row.numerator is not None else "",
                count(row.denominator) if row.denominator is not None and row.indicator.unit != "count" else "",
                row.target if row.target is not None else "",
                row.target_basis or "",
                _rating(row),
                _change(row),
                comparator("England"),
                comparator("North West"),
                comparator("Statistical neighbours"),
                row.indicator.source,
            ]
        )
    return out


@require_safe
def download(request: HttpRequest, fmt: str) -> HttpResponse:
    user = _user(request)
    if not policy.can_export(user, policy.Export.AGGREGATES):
        raise NotFound("You may not download figures")
    _, card = _build(request)
    rows = _table(card)
    name = f"scorecard-{card.period.key}{'-team-' + str(card.team.pk) if card.team else ''}"
    audit.record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        summary=f"Downloaded the scorecard for {card.period.label} ({fmt.upper()})",
        detail={"period": card.period.key, "team": card.team.pk if card.team else None, "suppressed": card.suppressed},
    )
    if fmt == "csv":
        # A few dozen lines: written whole rather than streamed.
        response = HttpResponse("".join(csv_lines(COLUMNS, rows)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Scorecard"
    sheet.append(COLUMNS)
    for r in rows:
        sheet.append([safe_cell(v) for v in r])
    if card.suppressed:
        sheet.append([])
        sheet.append(["c: a count from 1 to 5, or a figure built on one, is hidden."])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_safe
def children(request: HttpRequest, period_key: str, indicator_id: str) -> HttpResponse:
    user = _user(request)
    period = _period(period_key)
    team = request.GET.get("team") or None
    try:
        team_id = int(team) if team is not None else None
    except ValueError as exc:
        raise NotFound("There is no such team") from exc
    only_counted = request.GET.get("counted") == "1"
    try:
        found = drill_selector(
            user, indicator_id, period, team_id=team_id, only_counted=only_counted, page=request.GET.get("page")
        )
    except PermissionError as exc:
        raise NotFound(str(exc)) from exc
    except ValueError as exc:
        raise NotFound(str(exc)) from exc
    keep = {k: v for k, v in (("team", team_id), ("counted", "1" if only_counted else None)) if v is not None}
    return render(
        request,
        "performance/children.html",
        {"found": found, "query_string": urlencode(keep), "back_query": urlencode({"period": period.key, **keep})},
    )


def _indicator(indicator_id: str) -> registry.Indicator:
    indicator = registry.BY_ID.get(indicator_id)
    if indicator is None:
        raise NotFound("There is no such indicator")
    return indicator


@require_http_methods(["GET", "POST"])
def narrative(request: HttpRequest, period_key: str, indicator_id: str) -> HttpResponse:
    user = _user(request)
    period = _period(period_key)
    indicator = _indicator(indicator_id)
    setting = IndicatorSetting.objects.filter(indicator_id=indicator.id).first()
    if not policy.can_write_narrative(user, setting.owner_id if setting else None):
        raise NotFound("Only the indicator's owner may write its narrative")
    if Snapshot.objects.filter(period_key=period.key).exists():
        raise NotFound("That period is frozen")
    existing = Narrative.objects.filter(period_key=period.key, indicator_id=indicator.id).first()
    initial = {"text": existing.text, "version": existing.version} if existing else {}
    form = NarrativeForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.narrative_save(
                period=period,
                indicator_id=indicator.id,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
                acting_user=user,
            )
        except EditConflict as exc:
            conflict = exc
            data = request.POST.copy()
            data["version"] = str(exc.current_version)
            form = NarrativeForm(data)
            form.is_valid()
            form.add_error(None, exc.message)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionError as exc:
            raise NotFound(str(exc)) from exc
        else:
            messages.success(request, f"The narrative for “{indicator.name}” is saved")
            return redirect(reverse("performance:scorecard") + "?" + urlencode({"period": period.key}))
    return render(
        request,
        "performance/narrative.html",
        {"form": form, "indicator": indicator, "period": period, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
def indicator(request: HttpRequest, indicator_id: str) -> HttpResponse:
    user = _user(request)
    if not policy.can_view_aggregates(user):
        raise NotFound("Not signed in")
    found = _indicator(indicator_id)
    setting = IndicatorSetting.objects.filter(indicator_id=found.id).select_related("owner").first()
    can_manage = policy.can_manage_scorecard(user)
    form = None
    conflict = None
    if can_manage:
        initial = (
            {
                "owner": setting.owner,
                "target": setting.target,
                "target_note": setting.target_note,
                "version": setting.version,
            }
            if setting
            else {}
        )
        form = IndicatorForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.indicator_update(
                    indicator_id=found.id,
                    owner=form.cleaned_data["owner"],
                    target=form.cleaned_data["target"],
                    target_note=form.cleaned_data["target_note"],
                    expected_version=form.cleaned_data["version"],
                    acting_user=user,
                )
            except EditConflict as exc:
                conflict = exc
                data = request.POST.copy()
                data["version"] = str(exc.current_version)
                form = IndicatorForm(data)
                form.is_valid()
                form.add_error(None, exc.message)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"“{found.name}” is updated")
                return redirect("performance:indicator", indicator_id=found.id)
    elif request.method == "POST":
        raise NotFound("Only performance analysts and service managers set owners and targets")
    target, basis = found.effective_target
    if setting is not None and setting.target is not None:
        target, basis = setting.target, "local"
    today = timezone.localdate()
    return render(
        request,
        "performance/indicator.html",
        {
            "indicator": found,
            "setting": setting,
            "target": target,
            "target_basis": basis,
            "form": form,
            "conflict": conflict,
            "comparators": comparators(found.id, today.year),
            "definitions_version": registry.definitions_version(),
        },
    )


@require_http_methods(["GET", "POST"])
def freeze(request: HttpRequest, period_key: str) -> HttpResponse:
    user = _user(request)
    if not policy.can_manage_scorecard(user):
        raise NotFound("Only performance analysts and service managers freeze a period")
    period = _period(period_key)
    card = scorecard.build(user, period=period)
    error = ""
    if request.method == "POST":
        try:
            services.period_freeze(period=period, acting_user=user)
        except ServiceError as exc:
            error = exc.message
        else:
            messages.success(request, f"The scorecard for {period.label} is frozen")
            return redirect(reverse("performance:scorecard") + "?" + urlencode({"period": period.key}))
    return render(request, "performance/freeze.html", {"card": card, "period": period, "error": error})
