"""Reading committee reports: each through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from openmash.access import policy
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.performance.models import Snapshot

from ..models import CommitteeReport, Review


def reports_for(user: User, *, review: Review | None = None) -> QuerySet[CommitteeReport]:
    """The reports the user may read (of one review, if given), newest first, without their files."""
    scope = policy.committee_reports_scope(user)
    if scope is None:
        return CommitteeReport.objects.none()
    found = CommitteeReport.objects.filter(scope).defer("content").select_related("review", "requested_by")
    if review is not None:
        found = found.filter(review=review)
    return found.distinct().order_by("-requested_at", "-pk")


def report_for(user: User, report_id: int, *, with_content: bool = False) -> CommitteeReport:
    if not 0 < report_id < 2**63:
        raise NotFound("There is no such report")
    found = CommitteeReport.objects.select_related("review", "requested_by", "published_by")
    if not with_content:
        found = found.defer("content")
    report = found.filter(pk=report_id).first()
    if report is None or not policy.can_read_committee_report(user, report):
        raise NotFound("There is no such report")
    return report


def frozen_quarters_exist() -> bool:
    """Whether any quarter is frozen: a performance pack is made of a frozen one, so it can be reproduced."""
    return Snapshot.objects.exists()
