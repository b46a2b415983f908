"""Changes to scrutiny reviews. Each is one transaction that asks the access policy first, refuses bad input
with a clear message and nothing changed, and writes the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max

from openmash.access import audit, policy
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.accounts.models import Role, User
from openmash.core.errors import ServiceError
from openmash.core.locking import ensure_current, next_version
from openmash.performance.models import Snapshot

from . import actions
from .models import (
    Evidence,
    Finding,
    Meeting,
    OfficerSupport,
    Recommendation,
    Review,
    ReviewMember,
    UpdateReport,
    Witness,
)

TEXT_MAX = 10_000
LINE_MAX = 200

# The scoping template's free-text fields, in the template's order.
SCOPE_TEXT_FIELDS = (
    "rationale",
    "purpose",
    "indicators_of_success",
    "methodology",
    "witnesses_planned",
    "documentary_evidence",
    "site_visits_planned",
    "stakeholder_views",
    "publicity",
    "resources",
    "risks",
    "introduction",
    "other_issues",
    "conclusion",
)
SCOPE_LINE_FIELDS = ("topic", "committee", "contact_name", "contact_role", "contact_phone", "contact_email")
SCOPE_FIELDS = (*SCOPE_LINE_FIELDS, "status", *SCOPE_TEXT_FIELDS, "start_date", "completion_date")


def _ensure_manager(user: User) -> None:
    if not policy.can_manage_reviews(user):
        raise PermissionError("Only the officers who support scrutiny change a review")


def _label(model: type[Any], name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def _text(value: str | None, *, field: str, label: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if required and not value:
        raise ServiceError(f"Enter the {label}", field=field)
    if len(value) > limit:
        raise ServiceError(f"The {label} must be {limit:,} characters or fewer", field=field)
    return value


def _date(value: dt.date | None, *, field: str, label: str) -> dt.date:
    if value is None:
        raise ServiceError(f"Enter the {label}", field=field)
    return value


def _locked(review: Review) -> Review:
    """Lock the review's row: additions to it are numbered and ordered one at a time."""
    return Review.objects.select_for_update().get(pk=review.pk)


def _clean_scope(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name in SCOPE_LINE_FIELDS:
        limit = 40 if name == "contact_phone" else 254 if name == "contact_email" else LINE_MAX
        cleaned[name] = _text(
            values.get(name), field=name, label=_label(Review, name), required=name == "topic", limit=limit
        )
    for name in SCOPE_TEXT_FIELDS:
        cleaned[name] = _text(values.get(name), field=name, label=_label(Review, name))
    status = values.get("status") or Review.Status.SCOPING
    if status not in Review.Status.values:
        raise ServiceError("Choose a status from the list", field="status")
    cleaned["status"] = status
    start, end = values.get("start_date"), values.get("completion_date")
    if start and end and end < start:
        raise ServiceError("The projected completion date must be on or after the start date", field="completion_date")
    cleaned["start_date"], cleaned["completion_date"] = start, end
    return cleaned


@transaction.atomic
@changes_by_acting_user
def review_create(*, values: Mapping[str, Any], acting_user: User) -> Review:
    """Open a review from its scoping template."""
    _ensure_manager(acting_user)
    review = Review.objects.create(**_clean_scope(values), created_by=acting_user)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=review,
        summary=f"Opened the scrutiny review “{review.topic}”",
    )
    return review


@transaction.atomic
@changes_by_acting_user
def review_update(
    *, review: Review, values: Mapping[str, Any], expected_version: int | None = None, acting_user: User
) -> Review:
    """Change the scoping template or the review's status."""
    _ensure_manager(acting_user)
    cleaned = _clean_scope(values)
    review = _locked(review)
    ensure_current(review, expected_version, cleaned, what="this review")
    changed = [name for name, value in cleaned.items() if getattr(review, name) != value]
    for name, value in cleaned.items():
        setattr(review, name, value)
    review.save(update_fields=[*cleaned, "updated_at", *next_version(review)])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=review,
        summary=f"Changed the scrutiny review “{review.topic}”",
        detail={"fields": changed},
    )
    return review


@transaction.atomic
@changes_by_acting_user
def member_add(
    *, review: Review, name: str = "", user: User | None = None, is_chair: bool = False, acting_user: User
) -> ReviewMember:
    """Add a councillor to the group: their account (so they can read the review) or, without one, a name."""
    _ensure_manager(acting_user)
    review = _locked(review)
    if user is not None:
        if not (user.is_active and user.has_role(Role.SCRUTINY_MEMBER)):
            raise ServiceError("Choose a councillor who is a scrutiny member", field="user")
        if review.members.filter(user=user).exists():
            raise ServiceError(f"{user.get_full_name() or user.username} is already a member", field="user")
        name = name.strip() or user.get_full_name() or user.username
    name = _text(name, field="name", label="councillor's name", required=True, limit=LINE_MAX)
    if is_chair and review.members.filter(is_chair=True).exists():
        raise ServiceError("The group already has a chair", field="is_chair")
    member = ReviewMember.objects.create(review=review, user=user, name=name, is_chair=is_chair)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=member,
        summary=f"Added {name}{' (chair)' if is_chair else ''} to the review “{review.topic}”",
    )
    return member


@transaction.atomic
@changes_by_acting_user
def officer_add(*, review: Review, name: str, role: str, acting_user: User) -> OfficerSupport:
    """Record an officer supporting the group."""
    _ensure_manager(acting_user)
    name = _text(name, field="name", label="officer's name", required=True, limit=LINE_MAX)
    role = _text(role, field="role", label="officer's role", required=True, limit=LINE_MAX)
    officer = OfficerSupport.objects.create(review=review, name=name, role=role)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=officer,
        summary=f"Added officer support ({role}) to the review “{review.topic}”",
    )
    return officer


@transaction.atomic
@changes_by_acting_user
def meeting_record(
    *,
    review: Review,
    kind: str,
    date: dt.date | None,
    place: str = "",
    attendees: str = "",
    notes: str = "",
    acting_user: User,
) -> Meeting:
    """Record a meeting of the group, a site visit or an interview session."""
    _ensure_manager(acting_user)
    if kind not in Meeting.Kind.values:
        raise ServiceError("Choose what kind of meeting it was", field="kind")
    meeting = Meeting.objects.create(
        review=review,
        kind=kind,
        date=_date(date, field="date", label="date"),
        place=_text(place, field="place", label="place", limit=LINE_MAX),
        attendees=_text(attendees, field="attendees", label="attendees"),
        notes=_text(notes, field="notes", label="notes"),
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=meeting,
        summary=f"Recorded a {meeting.get_kind_display().lower()} of the review “{review.topic}”",
    )
    return meeting


@transaction.atomic
@changes_by_acting_user
def witness_record(
    *,
    review: Review,
    name: str,
    role: str,
    organisation: str = "",
    date_heard: dt.date | None,
    summary: str = "",
    acting_user: User,
) -> Witness:
    """Record someone who gave evidence to the group."""
    _ensure_manager(acting_user)
    witness = Witness.objects.create(
        review=review,
        name=_text(name, field="name", label="witness's name", required=True, limit=LINE_MAX),
        role=_text(role, field="role", label="witness's role", required=True, limit=LINE_MAX),
        organisation=_text(organisation, field="organisation", label="organisation", limit=LINE_MAX),
        date_heard=_date(date_heard, field="date_heard", label="date the evidence was heard"),
        summary=_text(summary, field="summary", label="summary"),
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=witness,
        summary=f"Recorded a witness to the review “{review.topic}”",
    )
    return witness


@transaction.atomic
@changes_by_acting_user
def evidence_add(
    *,
    review: Review,
    kind: str,
    title: str,
    date: dt.date | None = None,
    reference: str = "",
    snapshot: Snapshot | None = None,
    theme: str = "",
    acting_user: User,
) -> Evidence:
    """Add a piece of evidence. Performance figures are cited as a frozen quarter, dated as frozen."""
    _ensure_manager(acting_user)
    if kind not in Evidence.Kind.values:
        raise ServiceError("Choose what kind of evidence it is", field="kind")
    if kind == Evidence.Kind.KPI_SNAPSHOT:
        if snapshot is None:
            raise ServiceError("Choose the frozen quarter the figures come from", field="snapshot")
        # The figures are as they stood when frozen: that is the evidence's date.
        date = snapshot.as_of
        title = title.strip() or f"Performance scorecard, {snapshot.period_key} (frozen)"
    elif snapshot is not None:
        raise ServiceError("Only performance figures cite a frozen quarter", field="snapshot")
    evidence = Evidence.objects.create(
        review=review,
        kind=kind,
        title=_text(title, field="title", label="title", required=True, limit=LINE_MAX),
        reference=_text(reference, field="reference", label="reference or link", limit=500),
        date=_date(date, field="date", label="date"),
        snapshot=snapshot,
        theme=_text(theme, field="theme", label="theme", limit=LINE_MAX),
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=evidence,
        summary=f"Added evidence to the review “{review.topic}”",
        detail={"kind": kind, "snapshot": snapshot.period_key if snapshot else None},
    )
    return evidence


@transaction.atomic
@changes_by_acting_user
def finding_add(*, review: Review, theme: str, text: str, acting_user: User) -> Finding:
    """Record what the group found under a theme; findings keep the order they were added in."""
    _ensure_manager(acting_user)
    theme = _text(theme, field="theme", label="theme", required=True, limit=LINE_MAX)
    text = _text(text, field="text", label="finding", required=True)
    review = _locked(review)
    last = review.findings.aggregate(m=Max("order"))["m"] or 0
    finding = Finding.objects.create(review=review, theme=theme, text=text, order=last + 1)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=finding,
        summary=f"Recorded a finding of the review “{review.topic}”",
    )
    return finding


@transaction.atomic
@changes_by_acting_user
def recommendation_add(*, review: Review, text: str, acting_user: User) -> Recommendation:
    """Add the next numbered recommendation."""
    _ensure_manager(acting_user)
    text = _text(text, field="text", label="recommendation", required=True)
    review = _locked(review)
    number = (review.recommendations.aggregate(m=Max("number"))["m"] or 0) + 1
    recommendation = Recommendation.objects.create(review=review, number=number, text=text)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=recommendation,
        summary=f"Added recommendation {number} to the review “{review.topic}”",
    )
    return recommendation


@transaction.atomic
@changes_by_acting_user
def recommendation_respond(
    *,
    recommendation: Recommendation,
    response: str,
    response_text: str,
    response_date: dt.date | None,
    expected_version: int | None = None,
    acting_user: User,
) -> Recommendation:
    """Record the executive's response. An accepted (or partly accepted) recommendation becomes an action in the
    review's action plan, so its progress is followed up like any other action."""
    _ensure_manager(acting_user)
    if response not in Recommendation.Response.values or response == Recommendation.Response.AWAITING:
        raise ServiceError("Choose the executive's response", field="response")
    response_text = _text(response_text, field="response_text", label="reasons given", required=True)
    response_date = _date(response_date, field="response_date", label="date of the response")
    recommendation = Recommendation.objects.select_for_update().select_related("review").get(pk=recommendation.pk)
    submitted = {"response": response, "response_text": response_text, "response_date": response_date}
    ensure_current(recommendation, expected_version, submitted, what="this recommendation")
    for name, value in submitted.items():
        setattr(recommendation, name, value)
    fields = [*submitted, "updated_at", *next_version(recommendation)]
    if response == Recommendation.Response.REJECTED:
        if recommendation.action_id is not None:
            raise ServiceError(
                "This recommendation is already an action in the review's action plan: close the action there",
                field="response",
            )
        recommendation.status = Recommendation.Status.CLOSED
        fields.append("status")
    else:
        actions.ensure_action(recommendation, acting_user=acting_user)
        fields.append("action")
        if recommendation.status == Recommendation.Status.CLOSED:
            # Rejected before, accepted now: open again.
            recommendation.status = Recommendation.Status.OPEN
            fields.append("status")
    recommendation.save(update_fields=fields)
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=recommendation,
        summary=(
            f"Recorded the executive's response to recommendation {recommendation.number} of the review "
            f"“{recommendation.review.topic}”: {recommendation.get_response_display().lower()}"
        ),
        detail={"response": response},
    )
    return recommendation


@transaction.atomic
@changes_by_acting_user
def update_report_record(*, review: Review, date: dt.date | None, summary: str, acting_user: User) -> UpdateReport:
    """Record an update report to the committee."""
    _ensure_manager(acting_user)
    report = UpdateReport.objects.create(
        review=review,
        date=_date(date, field="date", label="date of the update"),
        summary=_text(summary, field="summary", label="summary", required=True, limit=TEXT_MAX * 2),
        recorded_by=acting_user,
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=report,
        summary=f"Recorded an update report on the review “{review.topic}”",
    )
    return report
