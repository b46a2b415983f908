"""Shared model bases."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStamped(models.Model):
    """Every record says when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A record two people may edit at once. Each save through a service adds one to `version`; a save
    that started from an older version is refused and shown what changed (openmash.core.locking)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class FormDraft(models.Model):
    """What a signed-in user has typed into a long form so far, saved as they type, so a time-out loses nothing.

    `form` names the form and, for a form about one record, the record ("assessment:42"). Only the user who
    typed it reads it back (openmash.access.drafts).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    form = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table the front door first made for its referral form's drafts.
        db_table = "front_door_formdraft"
        constraints = [models.UniqueConstraint(fields=["user", "form"], name="form_draft_once")]

    def __str__(self) -> str:
        return f"Draft {self.form} for {self.user_id}"


class JourneyEvent(models.Model):
    """One statutory event in a child's journey, stored by the service that records the change.

    The columns are those of the journey-events table (openmash.journey.schema). Keys to children,
    episodes, teams and workers are plain numbers: the table sits below the apps that own those
    records, and is checked against them by `openmash journey check`.
    """

    event_type = models.CharField(max_length=24)
    event_date = models.DateField()
    child_id = models.BigIntegerField()
    la_child_id = models.CharField(max_length=20)
    episode_id = models.BigIntegerField(null=True, blank=True)
    source_id = models.BigIntegerField()
    start_date = models.DateField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    worker_id = models.BigIntegerField(null=True, blank=True)
    code = models.CharField(max_length=3, null=True, blank=True)
    # Assessment factors, comma-separated in code order; "" for none, null on other events.
    factors = models.CharField(max_length=200, null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)
    previous_plans = models.SmallIntegerField(null=True, blank=True)
    # When a service last wrote the row (null for rows bulk-loaded by a build): with the row count and the
    # highest key it tells readers whether anything changed since they computed from the table.
    recorded_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_type", "source_id"], name="journey_event_once")]
        indexes = [
            models.Index(fields=["child_id", "event_date"]),
            models.Index(fields=["episode_id"]),
            # The scorecard offers periods back to the first event: the earliest date read from the index.
            models.Index(fields=["event_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.source_id} on {self.event_date:%d/%m/%Y}"


def one_of(field: str, choices: type[models.Choices], *, blank: bool = False) -> models.Q:
    """A condition for a CHECK constraint: `field` holds a code from `choices` (or is empty, if
    `blank`). The database then refuses a bad code from any path, not only from the services. When a
    code list changes, `makemigrations` writes the new constraint."""
    values = [*choices.values, *([""] if blank else [])]
    # Equalities joined by OR rather than IN: SQLite evaluates an IN list in a CHECK constraint about
    # seven times more slowly, which the bulk load of the demo borough feels; PostgreSQL plans both alike.
    return models.Q(*[(field, value) for value in values], _connector=models.Q.OR)
