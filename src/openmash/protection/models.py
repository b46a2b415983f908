"""Strategy discussions, Section 47 enquiries, conferences and child protection plans."""

from __future__ import annotations

from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from openmash.core.codes import CategoryOfAbuse
from openmash.core.models import TimeStamped, Versioned, one_of


class StrategyOutcome(models.TextChoices):
    """What a strategy discussion decided."""

    SECTION_47 = "s47", "Section 47 enquiry"
    SECTION_17 = "s17", "Continue under section 17"
    NO_FURTHER_ACTION = "nfa", "No further action"


class StrategyDiscussion(TimeStamped, Versioned):
    """A multi-agency strategy discussion, which may start a Section 47 enquiry."""

    Outcome: TypeAlias = StrategyOutcome  # noqa: UP040 - a run-time enum, outside so Meta can name it

    referral = models.ForeignKey("casework.Referral", on_delete=models.PROTECT, related_name="strategy_discussions")
    discussion_date = models.DateField()
    outcome = models.CharField(max_length=3, choices=Outcome.choices)
    # Agency codes (accounts.Agency) of those who took part: Working Together expects at least police,
    # health and children's social care.
    agencies_present = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-discussion_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=one_of("outcome", StrategyOutcome), name="strategy_outcome_code"),
        ]

    def __str__(self) -> str:
        return f"Strategy discussion {self.discussion_date:%d/%m/%Y}"


class Section47Outcome(models.TextChoices):
    """What the enquiry found."""

    CONFERENCE = "icpc", "Concerns substantiated: child judged at risk of significant harm, conference needed"
    NOT_AT_RISK = "substantiated", "Concerns substantiated, but child not judged at continuing risk of significant harm"
    NOT_SUBSTANTIATED = "unsubstantiated", "Concerns not substantiated"


class Section47Enquiry(TimeStamped, Versioned):
    """A Section 47 enquiry and, where held, its initial child protection conference (ICPC).

    The conference is due 15 working days after the strategy discussion (Working Together 2023; the CIN
    census InitialCPCtarget) and both that date and 15 working days from the enquiry's start are kept, as
    the service reports on both.
    """

    Outcome: TypeAlias = Section47Outcome  # noqa: UP040 - a run-time enum, outside so Meta can name it

    referral = models.ForeignKey("casework.Referral", on_delete=models.PROTECT, related_name="section47s")
    strategy_discussion = models.ForeignKey(
        StrategyDiscussion, on_delete=models.SET_NULL, null=True, blank=True, related_name="section47s"
    )
    start_date = models.DateField()
    conference_target_date = models.DateField(null=True, blank=True)
    conference_due_from_start = models.DateField(null=True, blank=True)
    conference_date = models.DateField(null=True, blank=True)
    conference_not_required = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_date = models.DateField(null=True, blank=True)
    conference_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "Section 47 enquiry"
        verbose_name_plural = "Section 47 enquiries"
        constraints = [
            # CIN rule 8615.
            models.CheckConstraint(
                condition=Q(conference_date__isnull=True) | Q(conference_date__gte=F("start_date")),
                name="s47_conference_after_start",
            ),
            models.CheckConstraint(
                condition=~(Q(conference_date__isnull=False) & Q(conference_not_required=True)),
                name="s47_conference_or_not_required",
            ),
            models.CheckConstraint(condition=one_of("outcome", Section47Outcome, blank=True), name="s47_outcome_code"),
            models.CheckConstraint(
                condition=(Q(outcome="") & Q(outcome_date__isnull=True))
                | (~Q(outcome="") & Q(outcome_date__isnull=False)),
                name="s47_outcome_and_date",
            ),
            # CIN rule 8839: one enquiry at a time still waiting for its conference (or the decision that
            # none is needed) in an episode.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(conference_date__isnull=True, conference_not_required=False),
                name="s47_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Section 47 enquiry from {self.start_date:%d/%m/%Y}"


class PlanEndReason(models.TextChoices):
    """Why a child protection plan ended (a local list: the CIN census records no reason)."""

    NO_LONGER_AT_RISK = "no_risk", "No longer at risk of significant harm: continuing as a child in need"
    CLOSED = "closed", "No longer at risk: case closed"
    LOOKED_AFTER = "cla", "Became looked after"
    MOVED = "moved", "Moved to another local authority"
    ADULT = "adult", "Reached 18"
    DIED = "died", "Child died"
    OTHER = "other", "Other"


class ChildProtectionPlan(TimeStamped, Versioned):
    """A child protection plan, started at a conference. Reviews are due 3 months after the conference that
    started it, then every 6 months (Working Together 2023); the child is visited every
    `visit_every_working_days` (a local standard, settings.OPENMASH_CP_VISIT_WORKING_DAYS)."""

    EndReason: TypeAlias = PlanEndReason  # noqa: UP040 - a run-time enum, outside so Meta can name it

    referral = models.ForeignKey("casework.Referral", on_delete=models.PROTECT, related_name="cp_plans")
    section47 = models.ForeignKey(
        Section47Enquiry, on_delete=models.SET_NULL, null=True, blank=True, related_name="cp_plans"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    initial_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    latest_category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices)
    number_of_previous_plans = models.PositiveSmallIntegerField(
        default=0,
        help_text="Earlier child protection plans for this child (NumberOfPreviousCPP), counted from history.",
    )
    # Members of the core group, one line each ("Name, role, agency").
    core_group = models.JSONField(default=list, blank=True)
    end_reason = models.CharField(max_length=8, choices=EndReason.choices, blank=True)
    visit_every_working_days = models.PositiveSmallIntegerField(default=10)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "child protection plan"
        constraints = [
            # CIN rules 8925 and 8840: a plan ends after the day it starts.
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="cp_plan_end_after_start",
            ),
            models.UniqueConstraint(fields=["referral"], condition=Q(end_date__isnull=True), name="cp_plan_one_open"),
            models.CheckConstraint(
                condition=one_of("end_reason", PlanEndReason, blank=True), name="cp_plan_end_reason"
            ),
            # CIN rules 8905 and 8910: categories from the list.
            models.CheckConstraint(
                condition=one_of("initial_category", CategoryOfAbuse), name="cp_plan_initial_category"
            ),
            models.CheckConstraint(
                condition=one_of("latest_category", CategoryOfAbuse), name="cp_plan_latest_category"
            ),
        ]
        indexes = [models.Index(fields=["start_date"]), models.Index(fields=["end_date"])]

    def __str__(self) -> str:
        return f"Child protection plan from {self.start_date:%d/%m/%Y}"


class ChildProtectionReview(TimeStamped):
    """A review conference for a child protection plan."""

    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="reviews")
    review_date = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["review_date", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "review_date"], name="cp_review_once_a_day")]

    def __str__(self) -> str:
        return f"Review {self.review_date:%d/%m/%Y}"


class PriorChildProtectionPlan(TimeStamped):
    """A child protection plan held before this authority's record begins, usually in another authority.

    It counts towards the number of previous plans of every later plan (NumberOfPreviousCPP)."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="prior_cp_plans")
    authority = models.CharField(max_length=120)
    start_date = models.DateField()
    end_date = models.DateField()
    category = models.CharField(max_length=3, choices=CategoryOfAbuse.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "child protection plan elsewhere"
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="prior_cp_plan_end_after_start"),
            models.CheckConstraint(
                condition=one_of("category", CategoryOfAbuse, blank=True), name="prior_cp_plan_category"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan in {self.authority} from {self.start_date:%d/%m/%Y}"


class EmergencyProtectionKind(models.TextChoices):
    """The two short-term powers that remove or keep a child in safety (Children Act 1989 ss. 44 and 46)."""

    EPO = "epo", "Emergency protection order"
    POLICE = "police", "Police protection"


class EmergencyProtection(TimeStamped):
    """An emergency protection order or a period of police protection.

    Ofsted's Annex A (List 7) asks whether a child on a plan was subject to either in the last six months;
    the CIN census does not carry it, so it is recorded here as its own fact.
    """

    Kind: TypeAlias = EmergencyProtectionKind  # noqa: UP040 - a run-time enum, outside so Meta can name it

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="emergency_protections")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    referral = models.ForeignKey(
        "casework.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="emergency_protections"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "emergency protection"
        constraints = [
            models.CheckConstraint(condition=one_of("kind", EmergencyProtectionKind), name="emergency_protection_kind"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="emergency_protection_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["child", "start_date"], name="protection_emergency_child")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.start_date:%d/%m/%Y}"
