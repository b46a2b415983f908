"""Asking for a committee report, making it, and publishing it.

A report asked for on a page is made in the background (`tasks.make_report`): the page shows how far it has got,
and the finished file is kept with the request. The command line makes one at once (`make_document`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.performance.models import Snapshot

from ..models import CommitteeReport, Review
from . import build, render
from .document import Document

logger = logging.getLogger(__name__)


def document_for(report: CommitteeReport, *, today: dt.date | None = None) -> Document:
    """The content of a requested report, gathered now."""
    if report.kind == CommitteeReport.Kind.PERFORMANCE_PACK:
        snapshot = Snapshot.objects.filter(period_key=report.period_key).first()
        if snapshot is None:
            raise ServiceError(f"{report.period_key} is no longer frozen", field="period")
        return build.performance_pack(snapshot, today=today)
    assert report.review is not None
    return build.review_report(report.review, report.kind, today=today)


def _check_request(*, kind: str, format: str, review: Review | None, snapshot: Snapshot | None) -> None:
    if format not in CommitteeReport.Format.values:
        raise ServiceError("Choose PDF, Word or HTML", field="format")
    if kind not in CommitteeReport.Kind.values:
        raise ServiceError("Choose which report to make", field="kind")
    if kind == CommitteeReport.Kind.PERFORMANCE_PACK:
        if snapshot is None:
            raise ServiceError("Choose a frozen quarter for the performance pack", field="period")
    elif review is None:
        raise ServiceError("Choose the review the report is of", field="review")


@transaction.atomic
@changes_by_acting_user
def report_request(
    *,
    kind: str,
    format: str,
    acting_user: User,
    review: Review | None = None,
    snapshot: Snapshot | None = None,
) -> CommitteeReport:
    """Ask for a report. It is made in the background once this commits; its page shows its progress."""
    if not policy.can_make_committee_reports(acting_user):
        raise PermissionError("You may not make committee reports")
    _check_request(kind=kind, format=format, review=review, snapshot=snapshot)
    pack = kind == CommitteeReport.Kind.PERFORMANCE_PACK
    report = CommitteeReport.objects.create(
        review=None if pack else review,
        period_key=snapshot.period_key if pack and snapshot else "",
        kind=kind,
        format=format,
        requested_by=acting_user,
        stage="Waiting to start",
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.EXPORT,
        obj=report,
        summary=f"Asked for the {report.get_kind_display().lower()} “{report.title}” as {report.get_format_display()}",
        detail={"kind": kind, "format": format},
    )
    from .tasks import make_report  # the task module imports this one

    report_id = report.pk
    transaction.on_commit(lambda: make_report.enqueue(report_id=report_id))
    return report


def _progress(report_id: int) -> render.Progress:
    def step(stage: str, percent: int) -> None:
        # Written at once, outside any transaction, so the person waiting sees it.
        CommitteeReport.objects.filter(pk=report_id).update(stage=stage[:200], progress=max(0, min(percent, 99)))

    return step


def report_make(report_id: int) -> CommitteeReport:
    """Make a requested report (the background task's work): gather, lay out, keep the file."""
    report = CommitteeReport.objects.select_related("review").get(pk=report_id)
    if report.state == CommitteeReport.State.DONE:
        return report
    step = _progress(report_id)
    CommitteeReport.objects.filter(pk=report_id).update(state=CommitteeReport.State.RUNNING)
    try:
        step("Gathering the records", 5)
        document = document_for(report)
        step("Drawing the charts and tables", 20)
        rendered = render.render(document, report.format, step)
    except ServiceError as error:
        return _failed(report_id, error.message)
    except Exception:
        # The reason stays in the log; the person waiting is told plainly and may ask again.
        logger.exception("Committee report %s failed", report_id)
        return _failed(report_id, "The report could not be made. Ask for it again; if it fails again, tell support.")
    CommitteeReport.objects.filter(pk=report_id).update(
        state=CommitteeReport.State.DONE,
        progress=100,
        stage="Ready",
        content=rendered.content,
        pages=rendered.pages,
        finished_at=timezone.now(),
    )
    return CommitteeReport.objects.get(pk=report_id)


def _failed(report_id: int, message: str) -> CommitteeReport:
    CommitteeReport.objects.filter(pk=report_id).update(
        state=CommitteeReport.State.FAILED, stage="Failed", error=message[:500], finished_at=timezone.now()
    )
    return CommitteeReport.objects.get(pk=report_id)


@transaction.atomic
@changes_by_acting_user
def report_publish(*, report: CommitteeReport, acting_user: User) -> CommitteeReport:
    """Mark a finished report as published to the committee: from then every councillor may read it."""
    if not policy.can_make_committee_reports(acting_user):
        raise PermissionError("You may not publish committee reports")
    report = CommitteeReport.objects.select_for_update().get(pk=report.pk)
    if report.state != CommitteeReport.State.DONE:
        raise ServiceError("Only a finished report can be published")
    if report.published_at is not None:
        raise ServiceError("This report is already published")
    report.published_at, report.published_by = timezone.now(), acting_user
    report.save(update_fields=["published_at", "published_by"])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=report,
        summary=f"Published the {report.get_kind_display().lower()} “{report.title}” to the committee",
    )
    return report


@transaction.atomic
def report_opened(*, report: CommitteeReport, user: User) -> None:
    """Record that someone downloaded a report (it names witnesses and officers)."""
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=report,
        summary=f"Opened the {report.get_kind_display().lower()} “{report.title}”",
    )


@dataclass(frozen=True)
class Made:
    document: Document
    rendered: render.Rendered


def make_document(
    *,
    kind: str,
    format: str,
    acting_user: User | None,
    review: Review | None = None,
    snapshot: Snapshot | None = None,
    progress: render.Progress | None = None,
) -> Made:
    """Make a report at once, without keeping it (the command line). `acting_user` None: the server's operator,
    recorded as such in the audit trail."""
    if acting_user is not None and not policy.can_make_committee_reports(acting_user):
        raise PermissionError(f"{acting_user.username} may not make committee reports")
    _check_request(kind=kind, format=format, review=review, snapshot=snapshot)
    if kind == CommitteeReport.Kind.PERFORMANCE_PACK:
        assert snapshot is not None
        document = build.performance_pack(snapshot)
        subject = snapshot.period_key
    else:
        assert review is not None
        document = build.review_report(review, kind)
        subject = review.topic
    rendered = render.render(document, format, progress or (lambda stage, percent: None))
    with transaction.atomic():
        audit.record(
            user=acting_user or User(username="command line"),
            action=AuditEvent.Action.EXPORT,
            obj=review,
            summary=f"Made the {CommitteeReport.Kind(kind).label.lower()} “{subject}” as {format} (command line)",
            detail={"kind": kind, "format": format},
        )
    return Made(document, rendered)
