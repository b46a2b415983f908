"""Action plans with their actions and dated progress updates; Ofsted inspections with their judgements and
areas for improvement.

A plan is any list of actions the service is held to: the safeguarding action plan, the response to an
inspection's areas for improvement, or a scrutiny review's accepted recommendations. Nothing here is about
an individual child: councillors read all of it.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from openmash.core.models import TimeStamped, Versioned, one_of

from .frameworks import Framework, Grade


class PlanKind(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding action plan"
    INSPECTION = "inspection", "Inspection's areas for improvement"
    SCRUTINY = "scrutiny", "Scrutiny review's recommendations"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    CLOSED = "closed", "Closed"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


DONE = frozenset({ActionStatus.COMPLETE, ActionStatus.CLOSED})
OFF_TRACK = frozenset({Rag.RED, Rag.AMBER})


class Inspection(TimeStamped):
    """One inspection or visit of a local authority's children's services, as published."""

    Framework: TypeAlias = Framework  # noqa: UP040 - a run-time enum

    authority = models.CharField(max_length=100)
    la_code = models.CharField("LA code", max_length=3, help_text="The DfE three-digit local authority number.")
    framework = models.CharField(max_length=20, choices=Framework.choices)
    inspection_type = models.CharField(max_length=60, blank=True, help_text="For example standard or short.")
    published = models.DateField("published date")
    report_url = models.URLField(blank=True)

    class Meta:
        ordering = ["authority", "-published", "-id"]
        constraints = [
            models.CheckConstraint(condition=one_of("framework", Framework), name="inspection_framework_code"),
            models.UniqueConstraint(fields=["la_code", "framework", "published"], name="inspection_once"),
        ]
        indexes = [models.Index(fields=["la_code", "published"])]

    def __str__(self) -> str:
        return f"{self.authority} {self.get_framework_display()} {self.published:%d/%m/%Y}"


class Judgement(models.Model):
    """A graded judgement in one area (a key of improvement.frameworks.AREAS for the inspection's framework)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=30)
    grade = models.CharField(max_length=24, choices=Grade.choices)

    class Meta:
        ordering = ["inspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="judgement_once_per_area"),
            models.CheckConstraint(condition=one_of("grade", Grade), name="judgement_grade_code"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_grade_display()}"


class AreaForImprovement(models.Model):
    """A numbered area for improvement (or for priority action) in an inspection report."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="areas_for_improvement")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    priority = models.BooleanField(default=False, help_text="An area for priority action.")

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [models.UniqueConstraint(fields=["inspection", "number"], name="area_for_improvement_once")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"


class ActionPlan(TimeStamped, Versioned):
    """A plan of actions the service is held to."""

    Kind: TypeAlias = PlanKind  # noqa: UP040 - a run-time enum

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="action_plans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]
        constraints = [models.CheckConstraint(condition=one_of("kind", PlanKind), name="action_plan_kind_code")]

    def __str__(self) -> str:
        return self.title


class Action(TimeStamped, Versioned):
    """One action of a plan: who owns it, by when, where it stands, and which indicators it should move."""

    Status: TypeAlias = ActionStatus  # noqa: UP040 - a run-time enum
    RAG: TypeAlias = Rag  # noqa: UP040 - a run-time enum

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_role = models.CharField(max_length=120, blank=True, help_text="For example Head of Service, MASH.")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    rag = models.CharField("RAG rating", max_length=5, choices=RAG.choices, blank=True)
    # Ids from openmash.performance.registry.BY_ID (checked by the services).
    indicators = models.JSONField(default=list, blank=True)
    area_for_improvement = models.ForeignKey(
        AreaForImprovement, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="action_number_once_per_plan"),
            models.CheckConstraint(condition=one_of("status", ActionStatus), name="action_status_code"),
            models.CheckConstraint(condition=one_of("rag", Rag, blank=True), name="action_rag_code"),
        ]
        indexes = [
            models.Index(
                fields=["due_date"], condition=~Q(status__in=["complete", "closed"]), name="action_open_by_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    def overdue_on(self, today: dt.date) -> bool:
        return self.due_date is not None and self.due_date < today and not self.is_done

    @property
    def is_overdue(self) -> bool:
        """The due date has passed and the action is neither complete nor closed."""
        return self.overdue_on(timezone.localdate())

    @property
    def is_off_track(self) -> bool:
        """Rated red or amber and not yet done."""
        return self.rag in OFF_TRACK and not self.is_done


class ProgressUpdate(models.Model):
    """A dated account of progress on an action, with its evidence, and where the action stood then."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    date = models.DateField()
    summary = models.TextField()
    evidence = models.TextField(blank=True, help_text="A link or a document reference.")
    status = models.CharField(max_length=12, choices=ActionStatus.choices)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(summary=""), name="progress_update_summary"),
            models.CheckConstraint(condition=one_of("status", ActionStatus), name="progress_update_status_code"),
            models.CheckConstraint(condition=one_of("rag", Rag, blank=True), name="progress_update_rag_code"),
        ]

    def __str__(self) -> str:
        return f"Update {self.date:%d/%m/%Y} on action {self.action_id}"
