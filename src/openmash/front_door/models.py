"""Contacts: every approach to children's services about a child."""

from __future__ import annotations

from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q

from openmash.accounts.models import Agency
from openmash.core.codes import ReferralSource
from openmash.core.models import TimeStamped, one_of


class ContactOutcome(models.TextChoices):
    """What the front door decided about a contact."""

    NO_FURTHER_ACTION = "nfa", "No further action"
    ADVICE = "advice", "Advice and signposting"
    EARLY_HELP = "early_help", "Early help"
    REFERRAL = "referral", "Referral to children's social care"
    STRATEGY = "strategy", "Strategy discussion"
    ALREADY_OPEN = "already_open", "Passed to allocated worker (already open)"
    OTHER_LA = "other_la", "Passed to another local authority"


class ContactRag(models.TextChoices):
    """The MASH's red, amber or green rating of a contact's urgency."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class Contact(TimeStamped):
    """A contact (Annex A list 1). Only some become referrals."""

    # Enum aliases used at run time (.choices, .values), defined outside so that Meta can name them.
    Outcome: TypeAlias = ContactOutcome  # noqa: UP040
    Rag: TypeAlias = ContactRag  # noqa: UP040

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="contacts")
    received_at = models.DateTimeField()
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_agency = models.CharField(
        max_length=20,
        choices=Agency.choices,
        blank=True,
        help_text="The partner agency that made the contact, which sees its outcome.",
    )
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
            models.CheckConstraint(condition=one_of("source", ReferralSource), name="contact_source_code"),
            models.CheckConstraint(condition=one_of("rag", ContactRag, blank=True), name="contact_rag_code"),
            models.CheckConstraint(
                condition=one_of("outcome", ContactOutcome, blank=True), name="contact_outcome_code"
            ),
            models.CheckConstraint(
                condition=one_of("referrer_agency", Agency, blank=True), name="contact_referrer_agency_code"
            ),
        ]
        indexes = [
            models.Index(fields=["child", "received_at"]),
            # What the MASH sees: recent contacts, and those still waiting for a decision.
            models.Index(fields=["received_at"], name="contact_received"),
            models.Index(fields=["child"], condition=Q(outcome=""), name="contact_undecided"),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk} for {self.child_id} on {self.received_at:%d/%m/%Y}"


class SharingLevel(models.TextChoices):
    """Who beyond the contributing agency may read a contribution."""

    MASH_ONLY = "mash_only", "MASH practitioners only"
    SAFEGUARDING = "safeguarding", "MASH and the child's social care team"
    PARTNERS = "partners", "MASH, the social care team and the agencies it is shared with"


class AgencyContribution(TimeStamped):
    """What one agency knows about a child, added to a MASH enquiry (for example police intelligence)."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="agency_contributions")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="contributions")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    summary = models.TextField()
    sharing_level = models.CharField(max_length=20, choices=SharingLevel.choices, default=SharingLevel.SAFEGUARDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["child", "agency"])]
        constraints = [
            models.CheckConstraint(condition=one_of("agency", Agency), name="contribution_agency_code"),
            models.CheckConstraint(condition=one_of("sharing_level", SharingLevel), name="contribution_sharing_code"),
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} contribution {self.pk}"


class ContributionShare(models.Model):
    """A contribution shared to another agency (sharing level PARTNERS)."""

    contribution = models.ForeignKey(AgencyContribution, on_delete=models.CASCADE, related_name="shares")
    agency = models.CharField(max_length=20, choices=Agency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "agency"], name="contribution_share_once"),
            models.CheckConstraint(condition=one_of("agency", Agency), name="contribution_share_agency_code"),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} shared with {self.agency}"
