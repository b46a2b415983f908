"""What a scrutiny review keeps: its scoping template, who sits on it and supports it, the evidence it
gathered, what it found, its numbered recommendations with the executive's response, and update reports.

A review holds aggregates only: no relation to a child or to any record about a child
(tests/scrutiny/test_models.py walks the relations). A committee report is built from these records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openmash.core.models import TimeStamped, Versioned


class Review(TimeStamped, Versioned):
    """A task and finish group's review, with every field of the scoping template."""

    class Status(models.TextChoices):
        SCOPING = "scoping", "Scoping"
        GATHERING = "gathering", "Gathering evidence"
        REPORTING = "reporting", "Reporting"
        AWAITING_RESPONSE = "awaiting_response", "Awaiting the executive's response"
        MONITORING = "monitoring", "Monitoring"
        CLOSED = "closed", "Closed"

    # Once the report has gone to committee it is public: every councillor may read the review.
    PUBLISHED = (Status.AWAITING_RESPONSE, Status.MONITORING, Status.CLOSED)

    topic = models.CharField("review topic", max_length=200)
    committee = models.CharField("committee", max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCOPING)
    rationale = models.TextField(blank=True)
    purpose = models.TextField("purpose and objectives", blank=True)
    indicators_of_success = models.TextField("indicators of success", blank=True)
    methodology = models.TextField("methodology and approach", blank=True)
    witnesses_planned = models.TextField("witnesses and experts", blank=True)
    documentary_evidence = models.TextField("documentary evidence", blank=True)
    site_visits_planned = models.TextField("site visits", blank=True)
    stakeholder_views = models.TextField("views of stakeholders", blank=True)
    publicity = models.TextField(blank=True)
    resources = models.TextField(blank=True)
    risks = models.TextField("risks, barriers and dangers", blank=True)
    start_date = models.DateField("projected start date", null=True, blank=True)
    completion_date = models.DateField("projected completion date", null=True, blank=True)
    # Written for the committee report (scrutiny.reports): the chair's introduction, other issues the group
    # considered beyond its themes, and its conclusion.
    introduction = models.TextField("introduction from the chair", blank=True)
    other_issues = models.TextField("other issues considered", blank=True)
    conclusion = models.TextField(blank=True)
    contact_name = models.CharField("contact officer's name", max_length=200, blank=True)
    contact_role = models.CharField("contact officer's role", max_length=200, blank=True)
    contact_phone = models.CharField("contact officer's telephone", max_length=40, blank=True)
    contact_email = models.EmailField("contact officer's email", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The plan its accepted recommendations are followed up in: made when the first is accepted.
    action_plan = models.OneToOneField(
        "improvement.ActionPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="scrutiny_review"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=~Q(topic=""), name="review_has_topic")]

    def __str__(self) -> str:
        return self.topic

    @property
    def published(self) -> bool:
        return self.status in self.PUBLISHED


class ReviewMember(models.Model):
    """A councillor on the group: their account where they have one (so they can read it), else a name."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    is_chair = models.BooleanField("chair", default=False)

    class Meta:
        ordering = ["-is_chair", "name"]
        constraints = [
            models.UniqueConstraint(fields=["review"], condition=Q(is_chair=True), name="review_one_chair"),
            models.UniqueConstraint(fields=["review", "user"], name="review_member_once"),
        ]

    def __str__(self) -> str:
        return self.name


class OfficerSupport(models.Model):
    """An officer supporting the group (a director, a performance lead, a democratic services officer)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="officers")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}"


class Meeting(models.Model):
    """A dated meeting of the group, site visit or interview session: the report's methodology lists them."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        SITE_VISIT = "site_visit", "Site visit"
        INTERVIEW = "interview", "Interview session"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    attendees = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d %B %Y}"


class Witness(models.Model):
    """Someone who gave evidence: the report names them and their role."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="witnesses")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200)
    organisation = models.CharField(max_length=200, blank=True)
    date_heard = models.DateField()
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["date_heard", "pk"]
        verbose_name_plural = "witnesses"

    def __str__(self) -> str:
        return self.name


class Evidence(models.Model):
    """A document, report or performance figures the group read. A KPI snapshot cites a frozen quarter, so
    the figures the review relied on stay as they stood whatever is corrected later."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document"
        KPI_SNAPSHOT = "kpi_snapshot", "Performance figures (frozen quarter)"
        REPORT = "report", "Officers' report"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    reference = models.CharField("reference or link", max_length=500, blank=True)
    date = models.DateField()
    snapshot = models.ForeignKey(
        "performance.Snapshot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    theme = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="kpi_snapshot", snapshot__isnull=False) | (~Q(kind="kpi_snapshot") & Q(snapshot=None)),
                name="evidence_snapshot_for_kpis_only",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    """What the group found, under a theme (the MASH, child sexual exploitation...)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    theme = models.CharField(max_length=200)
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.theme


class Recommendation(TimeStamped, Versioned):
    """A numbered recommendation and the executive's response to it."""

    class Response(models.TextChoices):
        AWAITING = "awaiting", "Awaiting response"
        ACCEPTED = "accepted", "Accepted"
        PARTLY_ACCEPTED = "partly_accepted", "Partly accepted"
        REJECTED = "rejected", "Rejected"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"
        CLOSED = "closed", "Closed"

    ACCEPTING = (Response.ACCEPTED, Response.PARTLY_ACCEPTED)

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveIntegerField()
    text = models.TextField()
    response = models.CharField(
        "executive response", max_length=16, choices=Response.choices, default=Response.AWAITING
    )
    response_text = models.TextField("reasons given", blank=True)
    response_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # Accepted or partly accepted: the action in the review's action plan that carries it out.
    action = models.OneToOneField(
        "improvement.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="recommendation"
    )

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="recommendation_number_once"),
            models.CheckConstraint(condition=~Q(text=""), name="recommendation_has_text"),
        ]

    def __str__(self) -> str:
        return f"Recommendation {self.number}"


class UpdateReport(models.Model):
    """An update to the committee on the recommendations (commonly at six and twelve months)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="update_reports")
    date = models.DateField()
    summary = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"Update {self.date:%d %B %Y}"


class CommitteeReport(models.Model):
    """A report made for the committee: a review's interim, final or update report, or the quarterly performance
    pack. It is made in the background (scrutiny.reports.tasks); the person who asked follows its progress, and the
    finished file is kept so the report the committee read can be opened again unchanged.

    Only aggregates reach a report, with small numbers suppressed (tests/scrutiny/test_report_content.py).
    """

    class Kind(models.TextChoices):
        INTERIM = "interim", "Interim report"
        FINAL = "final", "Final report"
        UPDATE = "update", "Update report"
        PERFORMANCE_PACK = "performance_pack", "Quarterly performance pack"

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (.docx)"
        HTML = "html", "Web page (HTML)"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    REVIEW_KINDS = (Kind.INTERIM, Kind.FINAL, Kind.UPDATE)

    review = models.ForeignKey(Review, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    # A performance pack's frozen quarter.
    period_key = models.CharField(max_length=10, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=Format.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent done
    stage = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    pages = models.PositiveIntegerField(null=True, blank=True)
    # Published: it went to the committee, so every councillor may read it.
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="performance_pack", review=None) & ~Q(period_key=""))
                | (~Q(kind="performance_pack") & Q(review__isnull=False) & Q(period_key="")),
                name="committee_report_of_review_or_quarter",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="committee_report_progress_percent"),
        ]

    def __str__(self) -> str:
        subject = self.review.topic if self.review_id and self.review else self.period_key
        return f"{self.get_kind_display()}: {subject}"

    @property
    def title(self) -> str:
        return str(self)

    @property
    def filename(self) -> str:
        stem = f"review-{self.review_id}-{self.kind}" if self.review_id else f"performance-pack-{self.period_key}"
        return f"{stem}-{self.pk}.{self.format}"
