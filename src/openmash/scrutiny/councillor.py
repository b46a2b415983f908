"""What a councillor on scrutiny reads first (`/scrutiny/councillor/`): their reviews and the published ones, the
headline figures of the last frozen quarter with small numbers hidden, how far each action plan has got, and the
reports that went to committee. Officers who read reviews see the same page.

Everything is read through the access policy, and nothing here leads to a child: the figures come from a frozen
quarter (performance.Snapshot), always suppressed, and never offer the children behind them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.improvement import selectors as improvement
from openmash.improvement.models import DONE, Action, ActionPlan, ActionStatus, ProgressUpdate, Rag
from openmash.performance import scorecard
from openmash.performance.models import Snapshot
from openmash.performance.periods import Period

from . import selectors
from .models import CommitteeReport, Review, ReviewMember

# With no report yet gone to committee, progress is counted over the last quarter or so.
DEFAULT_LOOKBACK_DAYS = 91


@dataclass(frozen=True)
class ReviewLine:
    review: Review
    is_chair: bool


@dataclass(frozen=True)
class Headline:
    """The latest frozen quarter's headline indicators, or none frozen yet."""

    snapshot: Snapshot | None
    period: Period | None
    rows: list[scorecard.Row]


@dataclass(frozen=True)
class PlanProgress:
    plan: ActionPlan
    by_status: list[tuple[str, int]]  # (status label, actions), in the statuses' order
    total: int
    overdue: int
    red: int
    since: list[ProgressUpdate]


@dataclass
class CouncillorPage:
    mine: list[ReviewLine]
    published: list[Review]
    headline: Headline
    plans: list[PlanProgress]
    since: dt.date
    since_committee: bool  # whether `since` is the last committee's date (else the default look-back)
    reports: list[CommitteeReport] = field(default_factory=list)


def _reviews(user: User) -> tuple[list[ReviewLine], list[Review]]:
    readable = list(selectors.reviews_for(user))
    chairs = dict(
        ReviewMember.objects.filter(user=user, review__in=[r.pk for r in readable]).values_list("review_id", "is_chair")
    )
    mine = [ReviewLine(r, chairs[r.pk]) for r in readable if r.pk in chairs]
    published = [r for r in readable if r.pk not in chairs and r.published]
    return mine, published


def latest_frozen_quarter() -> Snapshot | None:
    """The most recent frozen quarter (a reporting year's snapshot is not a quarter)."""
    # Quarter keys ("2025-Q3") sort as their quarters do.
    return (
        Snapshot.objects.filter(period_key__contains="-Q").select_related("frozen_by").order_by("-period_key").first()
    )


def _headline(user: User) -> Headline:
    snapshot = latest_frozen_quarter()
    if snapshot is None:
        return Headline(None, None, [])
    if not policy.can_view_aggregates(user):
        raise NotFound("Not signed in")
    # Always suppressed: officers reading this page see the figures as the councillors beside them do.
    rows = [r for r in scorecard.frozen_rows(snapshot, suppress=True) if r.indicator.group == "headline"]
    return Headline(snapshot, Period.parse(snapshot.period_key), rows)


def published_reports(user: User) -> list[CommitteeReport]:
    """Reports that went to committee and the user may read, newest first."""
    scope = policy.committee_reports_scope(user)
    if scope is None:
        return []
    found = (
        CommitteeReport.objects.filter(scope, published_at__isnull=False)
        .select_related("review")
        .defer("content")
        .distinct()
        .order_by("-published_at", "-pk")
    )
    return [r for r in found if policy.can_read_committee_report(user, r)]


def _plans(user: User, since: dt.date, today: dt.date) -> list[PlanProgress]:
    if not policy.can_view_improvement(user):
        return []
    rows = improvement.plans(user, today=today)
    counts: dict[int, dict[str, int]] = {}
    for plan_id, status, n in (
        Action.objects.filter(plan__in=[r.plan.pk for r in rows])
        .values_list("plan_id", "status")
        .annotate(n=Count("id"))
    ):
        counts.setdefault(plan_id, {})[status] = n
    red = dict(
        ActionPlan.objects.filter(pk__in=[r.plan.pk for r in rows])
        .annotate(n=Count("actions", filter=Q(actions__rag=Rag.RED) & ~Q(actions__status__in=DONE)))
        .values_list("pk", "n")
    )
    result = []
    for row in rows:
        by_status = [(s.label, counts.get(row.plan.pk, {}).get(s.value, 0)) for s in ActionStatus]
        result.append(
            PlanProgress(
                plan=row.plan,
                by_status=by_status,
                total=row.actions,
                overdue=row.overdue,
                red=red.get(row.plan.pk, 0),
                since=improvement.progress_since(user, row.plan, since),
            )
        )
    return result


def page(user: User, *, today: dt.date | None = None) -> CouncillorPage:
    """The councillor's page, as this user may read it; NotFound for anyone with no reviews to read."""
    if not policy.can_view_reviews(user):
        raise NotFound("There is nothing on scrutiny for you to read")
    today = today or timezone.localdate()
    reports = published_reports(user)
    last = max((r.published_at for r in reports if r.published_at), default=None)
    since = timezone.localtime(last).date() if last else today - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS)
    mine, published = _reviews(user)
    return CouncillorPage(
        mine=mine,
        published=published,
        headline=_headline(user),
        plans=_plans(user, since, today),
        since=since,
        since_committee=last is not None,
        reports=reports,
    )
