"""Contacts: every approach to children's services about a child."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openmash.core.codes import ReferralSource
from openmash.core.models import TimeStamped


class Contact(TimeStamped):
    """A contact (Annex A list 1). Only some become referrals."""

    class Outcome(models.TextChoices):
        NO_FURTHER_ACTION = "nfa", "No further action"
        ADVICE = "advice", "Advice and signposting"
        EARLY_HELP = "early_help", "Early help"
        REFERRAL = "referral", "Referral to children's social care"
        STRATEGY = "strategy", "Strategy discussion"
        ALREADY_OPEN = "already_open", "Passed to allocated worker (already open)"
        OTHER_LA = "other_la", "Passed to another local authority"

    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="contacts")
    received_at = models.DateTimeField()
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey("workforce.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=models.F("received_at")),
                name="contact_decided_after_received",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(decided_at__isnull=False),
                name="contact_outcome_has_decision_time",
            ),
        ]
        indexes = [models.Index(fields=["child", "received_at"])]

    def __str__(self) -> str:
        return f"Contact {self.pk} for {self.child_id} on {self.received_at:%d/%m/%Y}"
