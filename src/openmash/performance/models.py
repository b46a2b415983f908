"""What performance keeps: computed figures (a cache, thrown away when the records change), each
indicator's owner and local target, the owners' narratives, and frozen quarters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openmash.core.models import TimeStamped, Versioned


class ComputedFigures(models.Model):
    """Every indicator for one period (and team), computed from the records as they stood.

    `fingerprint` names that state of the records (performance.cache); a page reads figures only under
    the current fingerprint, so a correction to any record is seen at once, and never recomputes them
    from the whole journey while the records have not changed.
    """

    fingerprint = models.CharField(max_length=64)
    period_key = models.CharField(max_length=10)
    team_id = models.IntegerField(default=0)  # 0: the whole authority (a null would not be unique in SQLite)
    as_of = models.DateField()
    figures = models.JSONField()  # {indicator id: [numerator, denominator, value] or None}
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint", "period_key", "team_id", "as_of"],
                name="computed_figures_one_per_state",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_key} ({self.fingerprint[:8]})"


class IndicatorSetting(TimeStamped, Versioned):
    """An indicator's owner and, where the authority sets its own, its local target."""

    indicator_id = models.CharField(max_length=60, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target = models.FloatField(null=True, blank=True)  # None: the registry's (national or default) target
    target_note = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.indicator_id


class Narrative(TimeStamped, Versioned):
    """The owner's account of an indicator in a period: why it is where it is and what is being done."""

    period_key = models.CharField(max_length=10)
    indicator_id = models.CharField(max_length=60)
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_key", "indicator_id"], name="narrative_one_per_indicator_period"),
            models.CheckConstraint(condition=~Q(text=""), name="narrative_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_key}"


class Snapshot(models.Model):
    """A frozen period: its scorecard as it stood, kept so a report to committee can be reproduced."""

    period_key = models.CharField(max_length=10, unique=True)
    as_of = models.DateField()
    definitions_version = models.CharField(max_length=20)
    frozen_at = models.DateTimeField(auto_now_add=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField(null=True, blank=True)
    # Each row as the scorecard showed it (performance.scorecard.ScorecardRow.to_frozen), unsuppressed.
    rows = models.JSONField()

    class Meta:
        ordering = ["-period_key"]

    def __str__(self) -> str:
        return self.period_key
