"""Record restrictions, break-glass access and the audit trail of who saw what."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One look at or one export of personal data, one search, one break-glass: append-only.

    Rows are only ever inserted (access.audit.record), each linked into a hash chain (access.chain)
    so that a change made round the database's guards still shows. Database triggers refuse UPDATE,
    DELETE, REPLACE and TRUNCATE on this table (migrations 0002 and 0003); on PostgreSQL the
    application's role may only SELECT and INSERT here (docs/deploy.md). The admin keeps it out.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        SEARCH = "search", "Searched"
        EXPORT = "export", "Exported"
        CHANGE = "change", "Changed"
        BREAK_GLASS = "break_glass", "Opened outside their access (break glass)"
        DENIED = "denied", "Refused"

    # Set before the insert (not on save) because it is part of the row's hash.
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the trail reads the same if an account is later renamed.
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Tamper evidence (access.chain): which chain, the position on it, the previous row's hash, this row's.
    chain = models.PositiveSmallIntegerField(editable=False)
    seq = models.BigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["child_id", "at"]), models.Index(fields=["user", "at"])]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="access_auditevent_chain_seq")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_action_display()}: {self.summary}"


class ChangeSeal(models.Model):
    """The change history's place in its hash chains (access.chain): one seal a django-auditlog entry,
    written in the same transaction as the entry. Append-only like the audit trail."""

    entry = models.OneToOneField("auditlog.LogEntry", on_delete=models.PROTECT, related_name="+", editable=False)
    chain = models.PositiveSmallIntegerField(editable=False)
    seq = models.BigIntegerField(editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="access_changeseal_chain_seq")]

    def __str__(self) -> str:
        return f"Change {self.entry_id} at {self.chain}:{self.seq}"


class ChildRestriction(models.Model):
    """A restricted record (a staff member's child, a high-profile case): only named users see it."""

    child = models.OneToOneField("people.Child", on_delete=models.CASCADE, related_name="restriction")
    reason = models.CharField(max_length=200)
    allowed_users = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="restricted_children_allowed")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Restriction on child {self.child_id}"


class BreakGlassGrant(models.Model):
    """Access to one child outside a user's normal scope, for a stated reason and a limited time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = models.TextField()
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "child", "expires_at"])]

    def __str__(self) -> str:
        return f"Break glass by {self.user_id} on child {self.child_id}"
