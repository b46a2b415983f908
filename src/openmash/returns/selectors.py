"""Reading the census data-quality findings through the access policy.

The counts (by rule, by team, over time) are for the whole authority: they name no child. The list of
failing records holds only the children the viewer may see (a team manager's team, a service manager's
service) or, for a performance analyst, the children with a current failure (their narrow right to correct
census dates, see openmash.access.policy.can_correct_census_record); the rest are counted, not listed.
Each page that names children is recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.urls import reverse

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import Role, User
from openmash.workforce.models import Team

from .models import Finding, FindingCount, Kind
from .services import CensusRecord, census_record

PAGE_SIZE = 50
TREND_DAYS = 12  # the last dozen full checks


@dataclass(frozen=True)
class RuleCount:
    rule: str
    kind: str
    message: str
    findings: int
    children: int


@dataclass(frozen=True)
class TeamCount:
    team_id: int | None
    team: str
    errors: int
    queries: int


@dataclass(frozen=True)
class TrendPoint:
    date: dt.date
    errors: int
    queries: int


@dataclass(frozen=True)
class Row:
    finding: Finding
    name: str  # the child's name, for viewers who may see the child; blank for an analyst
    record_url: str  # the record's own page, for viewers who may open it
    correct_url: str  # the page correcting its census dates, where the finding points at a record


@dataclass(frozen=True)
class DataQuality:
    by_rule: list[RuleCount]
    by_team: list[TeamCount]
    trend: list[TrendPoint]
    rules: list[str]
    teams: list[Team]
    rule: str | None
    team_id: int | None
    page: Page[Row]
    total: int  # findings matching the filters
    hidden: int  # of those, about children the viewer may not see: counted, not listed
    checked_at: Any


def _listable(user: User) -> QuerySet[Finding]:
    """The findings whose child the viewer may have listed."""
    findings = Finding.objects.all()
    if user.has_role(Role.PERFORMANCE_ANALYST):
        # The analyst's right covers children with a current failure, unless the record is restricted.
        return findings.filter(policy.unrestricted_or_named(user, "child_id"))
    scope = policy.data_quality_team_scope(user) or Q()
    return findings.filter(scope, child__in=policy.visible_children(user).values("pk"))


_RECORD_PAGES = {
    Finding.RecordType.REFERRAL: ("casework:referral", "referral_id"),
    Finding.RecordType.ASSESSMENT: ("casework:assessment", "assessment_id"),
    Finding.RecordType.SECTION47: ("protection:s47", "enquiry_id"),
    Finding.RecordType.CP_PLAN: ("protection:plan", "plan_id"),
}


def _record_url(finding: Finding) -> str:
    page = _RECORD_PAGES.get(Finding.RecordType(finding.record_type))
    if page is not None and finding.record_id is not None:
        return reverse(page[0], kwargs={page[1]: finding.record_id})
    return reverse("journey:child_detail", kwargs={"la_child_id": finding.child.la_child_id})


def _correct_url(finding: Finding) -> str:
    if finding.record_id is None or finding.record_type == Finding.RecordType.CHILD:
        return ""
    return reverse("returns:correct", kwargs={"record_type": finding.record_type, "record_id": finding.record_id})


@transaction.atomic
def data_quality(*, user: User, rule: str | None, team_id: int | None, page: str | None) -> DataQuality:
    """The data-quality page for this viewer (NotFound unless the policy allows it)."""
    if not policy.can_view_data_quality(user):
        raise NotFound("Not found")
    all_findings = Finding.objects.all()
    by_rule = [
        RuleCount(r["rule"], r["kind"], r["message"], r["findings"], r["children"])
        for r in all_findings.values("rule", "kind")
        .annotate(message=Min("message"), findings=Count("id"), children=Count("child_id", distinct=True))
        .order_by("-findings", "rule")
    ]
    team_counts = list(
        all_findings.values("team_id")
        .annotate(errors=Count("id", filter=Q(kind=Kind.ERROR)), queries=Count("id", filter=Q(kind=Kind.QUERY)))
        .order_by("-errors", "-queries")
    )
    # The teams with findings, read once: for the counts' names and the filter's choices.
    teams = list(Team.objects.filter(pk__in=[r["team_id"] for r in team_counts if r["team_id"]]).order_by("name"))
    team_names = {team.pk: team.name for team in teams}
    by_team = [
        TeamCount(r["team_id"], team_names.get(r["team_id"], "No team"), r["errors"], r["queries"]) for r in team_counts
    ]
    by_team.sort(key=lambda t: (-(t.errors + t.queries), t.team))
    dates = list(FindingCount.objects.order_by("-date").values_list("date", flat=True).distinct()[:TREND_DAYS])
    trend = [
        TrendPoint(r["date"], r["errors"] or 0, r["queries"] or 0)
        for r in FindingCount.objects.filter(date__in=dates)
        .values("date")
        .annotate(errors=Sum("count", filter=Q(kind=Kind.ERROR)), queries=Sum("count", filter=Q(kind=Kind.QUERY)))
        .order_by("date")
    ]
    rules = sorted({r.rule for r in by_rule})
    chosen = all_findings
    if rule:
        chosen = chosen.filter(rule=rule)
    if team_id is not None:
        chosen = chosen.filter(team_id=team_id)
    total = chosen.count()
    listed = _listable(user).filter(pk__in=chosen.values("pk")).select_related("child", "team")
    listed = listed.order_by("child__la_child_id", "rule", "pk")
    paginated = Paginator(listed, PAGE_SIZE).get_page(page)
    analyst = user.has_role(Role.PERFORMANCE_ANALYST)
    rows = [
        Row(
            finding=f,
            name="" if analyst else f.child.full_name,
            record_url="" if analyst else _record_url(f),
            correct_url=_correct_url(f),
        )
        for f in paginated.object_list
    ]
    # The same page of the same list, each finding with what the viewer may follow from it.
    shown: Page[Row] = Page(rows, paginated.number, cast("Paginator[Row]", paginated.paginator))
    shown_total = paginated.paginator.count
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        summary="Viewed the census data-quality list",
        detail={
            "page": "data_quality",
            "rule": rule or "",
            "team": team_id,
            "children": sorted({r.finding.child.la_child_id for r in rows}),
        },
    )
    return DataQuality(
        by_rule=by_rule,
        by_team=by_team,
        trend=trend,
        rules=rules,
        teams=teams,
        rule=rule or None,
        team_id=team_id,
        page=shown,
        total=total,
        hidden=total - shown_total,
        checked_at=all_findings.aggregate(at=Max("found_at"))["at"],
    )


@dataclass(frozen=True)
class Correction:
    found: CensusRecord
    findings: list[Finding]
    name: str  # blank for an analyst, who has no sight of the rest of the record


@transaction.atomic
def record_for_correction(*, user: User, record_type: str, record_id: int) -> Correction:
    """A record whose census dates the viewer may correct, with its current failures; the view is recorded.

    An analyst (without casework access to the child) may open only a record a current failure points at."""
    found = census_record(record_type, record_id)
    if found is None or not policy.can_correct_census_record(user, found.child):
        raise NotFound("Not found")
    findings = list(Finding.objects.filter(record_type=record_type, record_id=record_id).order_by("rule", "pk"))
    changes = policy.can_change_child(user, found.child)
    if not changes and not findings:
        raise NotFound("Not found")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=found.record,
        child_id=found.child.pk,
        summary=f"Viewed the census dates of a {found.kind.noun} of {found.child.la_child_id}",
        reason="" if changes else "CIN census data quality",
        detail={"page": "census_correct", "record_type": record_type},
    )
    return Correction(found=found, findings=findings, name=found.child.full_name if changes else "")
