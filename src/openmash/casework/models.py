"""Referrals (CIN episodes), single assessments with their factors, and child in need plans."""

from __future__ import annotations

from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from openmash.core.codes import AssessmentFactor, PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.core.models import TimeStamped, Versioned, one_of


class Referral(TimeStamped, Versioned):
    """A referral to children's social care: one CIN census episode (CINdetails)."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="referrals")
    contact = models.OneToOneField(
        "front_door.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="referral"
    )
    referral_date = models.DateField()
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    primary_need = models.CharField(max_length=2, choices=PrimaryNeed.choices, blank=True)
    no_further_action = models.BooleanField(
        default=False, help_text="The referral needed no further action (ReferralNFA)."
    )
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, choices=ReasonForClosure.choices, blank=True)
    # The census's episode-level DateOfInitialCPC: a conference held in this episode with no Section 47
    # enquiry recorded in it (a child transferred in whose enquiry was made by the other authority).
    initial_conference_date = models.DateField(
        null=True,
        blank=True,
        help_text="An initial child protection conference held in this episode without a Section 47 enquiry here.",
    )
    team = models.ForeignKey("workforce.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-referral_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True) | Q(closure_date__gte=F("referral_date")),
                name="referral_closed_after_referred",
            ),
            # CIN rule 1104: no conference before the referral.
            models.CheckConstraint(
                condition=Q(initial_conference_date__isnull=True) | Q(initial_conference_date__gte=F("referral_date")),
                name="referral_conference_after_referred",
            ),
            # CIN rules 8805/8810: a closure date needs a reason and a reason needs a date.
            models.CheckConstraint(
                condition=(Q(closure_date__isnull=True) & Q(closure_reason=""))
                | (Q(closure_date__isnull=False) & ~Q(closure_reason="")),
                name="referral_closure_date_and_reason",
            ),
            # CIN rules 8815/8820: a child has one open episode at a time.
            models.UniqueConstraint(
                fields=["child"], condition=Q(closure_date__isnull=True), name="referral_one_open_per_child"
            ),
            # Codes from their lists: CIN rules 8866 (source), 8650 (need), 8640 (reason for closure).
            models.CheckConstraint(condition=one_of("source", ReferralSource), name="referral_source_code"),
            models.CheckConstraint(
                condition=one_of("primary_need", PrimaryNeed, blank=True), name="referral_primary_need_code"
            ),
            models.CheckConstraint(
                condition=one_of("closure_reason", ReasonForClosure, blank=True), name="referral_closure_reason_code"
            ),
            # CIN rule 8610: a primary need unless the referral needed no further action.
            models.CheckConstraint(
                condition=Q(no_further_action=True) | ~Q(primary_need=""), name="referral_primary_need_unless_nfa"
            ),
        ]
        indexes = [
            models.Index(fields=["child", "referral_date"]),
            models.Index(fields=["referral_date"]),
            # The queues of referrals waiting for allocation: a team's open referrals, oldest first.
            models.Index(
                fields=["team", "referral_date"], condition=Q(closure_date__isnull=True), name="referral_open_by_team"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.referral_date:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.closure_date is None


class AssessmentOutcome(models.TextChoices):
    """What the assessment led to (Working Together 2023, chapter 2)."""

    NO_FURTHER_ACTION = "nfa", "No further action and close the case"
    CIN_PLAN = "cin_plan", "Child in need plan"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion"
    EARLY_HELP = "early_help", "Step down to early help"


class Assessment(TimeStamped, Versioned):
    """A single assessment (child and family assessment under section 17 or 47).

    The social worker records the analysis, the factors identified and whether the child was seen (and seen
    alone), then submits it; a manager (not the same person) authorises it or returns it with a reason.
    """

    Outcome: TypeAlias = AssessmentOutcome  # noqa: UP040 - a run-time enum, outside so Meta can name it

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    start_date = models.DateField()
    authorised_date = models.DateField(null=True, blank=True)
    # The census's AssessmentInternalReviewDate: when the assessment was reviewed within the service.
    internal_review_date = models.DateField(null=True, blank=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    worker = models.ForeignKey(
        "workforce.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments"
    )
    child_in_need = models.BooleanField(
        null=True, blank=True, help_text="Whether the assessment found the child to be in need."
    )
    analysis = models.TextField(blank=True)
    child_seen = models.BooleanField(null=True, blank=True)
    child_seen_date = models.DateField(null=True, blank=True)
    seen_alone = models.BooleanField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Why a manager sent it back; cleared when it is submitted again.
    returned_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            # Awaiting authorisation: submitted and not yet authorised.
            models.Index(
                fields=["submitted_at"],
                condition=Q(authorised_date__isnull=True, submitted_at__isnull=False),
                name="assessment_awaiting",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=one_of("outcome", AssessmentOutcome, blank=True), name="assessment_outcome"
            ),
            # Seen alone only if seen; a date only if seen.
            models.CheckConstraint(
                condition=~Q(seen_alone=True) | Q(child_seen=True), name="assessment_seen_alone_needs_seen"
            ),
            models.CheckConstraint(
                condition=Q(child_seen_date__isnull=True) | Q(child_seen=True), name="assessment_seen_date_needs_seen"
            ),
            # CIN rule 8608.
            models.CheckConstraint(
                condition=Q(authorised_date__isnull=True) | Q(authorised_date__gte=F("start_date")),
                name="assessment_authorised_after_start",
            ),
            # CIN rule 8896: one open assessment per episode.
            models.UniqueConstraint(
                fields=["referral"], condition=Q(authorised_date__isnull=True), name="assessment_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk} from {self.start_date:%d/%m/%Y}"


class AssessmentFactorRecord(models.Model):
    """A factor identified at the end of an assessment (N00181)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="factors")
    code = models.CharField(max_length=3, choices=AssessmentFactor.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="assessment_factor_once"),
            models.CheckConstraint(condition=one_of("code", AssessmentFactor), name="assessment_factor_code"),
        ]

    def __str__(self) -> str:
        return self.get_code_display()


class CINPlan(TimeStamped, Versioned):
    """A child in need plan."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="cin_plans")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # How often the child is visited, in working days (a local standard: settings.OPENMASH_CIN_VISIT_WORKING_DAYS).
    visit_every_working_days = models.PositiveSmallIntegerField(default=20)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "CIN plan"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="cin_plan_end_after_start",
            ),
            models.UniqueConstraint(fields=["referral"], condition=Q(end_date__isnull=True), name="cin_plan_one_open"),
        ]

    def __str__(self) -> str:
        return f"CIN plan from {self.start_date:%d/%m/%Y}"


class VisitPurpose(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment visit"
    CIN_PLAN = "cin_plan", "Child in need visit"
    CP_PLAN = "cp_plan", "Child protection visit"
    S47 = "s47", "Section 47 enquiry visit"
    OTHER = "other", "Other visit"


class Visit(TimeStamped):
    """A visit to the child: when, whether the child was seen (and seen alone), and by whom."""

    Purpose: TypeAlias = VisitPurpose  # noqa: UP040 - a run-time enum, outside so Meta can name it

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="visits")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    visit_date = models.DateField()
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    seen = models.BooleanField()
    seen_alone = models.BooleanField(default=False)
    visited_by = models.ForeignKey(
        "workforce.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-visit_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=one_of("purpose", VisitPurpose), name="visit_purpose_code"),
            models.CheckConstraint(condition=~Q(seen_alone=True) | Q(seen=True), name="visit_seen_alone_needs_seen"),
        ]
        indexes = [models.Index(fields=["child", "visit_date"])]

    def __str__(self) -> str:
        return f"Visit {self.visit_date:%d/%m/%Y}"


class CaseNoteType(models.TextChoices):
    CASE_NOTE = "note", "Case note"
    HOME_VISIT = "home_visit", "Home visit"
    PHONE_CALL = "phone", "Telephone call"
    MEETING = "meeting", "Meeting"
    PROFESSIONALS = "professionals", "Discussion with other professionals"
    DIRECT_WORK = "direct_work", "Direct work with the child"
    MANAGEMENT_OVERSIGHT = "oversight", "Management oversight"
    SUPERVISION = "supervision", "Supervision"
    LETTER_EMAIL = "letter", "Letter or email"


class CaseNote(TimeStamped, Versioned):
    """A case note on the child's record. Visible through the policy like the rest of the casework; a
    restricted note only to its author and to managers of the team holding the child."""

    NoteType: TypeAlias = CaseNoteType  # noqa: UP040 - a run-time enum, outside so Meta can name it

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="case_notes")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="case_notes")
    note_type = models.CharField(max_length=16, choices=NoteType.choices)
    occurred_on = models.DateField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    restricted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [models.CheckConstraint(condition=one_of("note_type", CaseNoteType), name="case_note_type_code")]
        indexes = [models.Index(fields=["child", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_note_type_display()} {self.occurred_on:%d/%m/%Y}"
