"""Contacts: every approach to children's services about a child."""

from __future__ import annotations

from typing import TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Q

from openmash.accounts.models import Agency
from openmash.core.codes import ReferralSource
from openmash.core.models import FormDraft, TimeStamped, one_of  # noqa: F401 - FormDraft lives in core now


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


class ContactChannel(models.TextChoices):
    """How a contact reached the front door."""

    PUBLIC = "public", "Member of the public (online form)"
    PROFESSIONAL = "professional", "Professional referral form"
    API = "api", "Partner agency system"
    RECORDED = "recorded", "Recorded by the MASH (phone, email or letter)"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Not known"


class MatchDecision(models.TextChoices):
    """What the practitioner decided about who a contact is about."""

    LINKED = "linked", "Linked to a child already on the register"
    CREATED = "created", "Recorded as a new child"
    MERGED = "merged", "Linked, and a duplicate record merged into it"


class Contact(TimeStamped):
    """A contact (Annex A list 1). Only some become referrals."""

    # Enum aliases used at run time (.choices, .values), defined outside so that Meta can name them.
    Outcome: TypeAlias = ContactOutcome  # noqa: UP040
    Rag: TypeAlias = ContactRag  # noqa: UP040

    # Empty until a practitioner links the contact to a child on the register (person matching).
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="contacts")
    reference = models.CharField(
        max_length=12, unique=True, null=True, blank=True, help_text="Given to the person who made the contact."
    )
    channel = models.CharField(max_length=12, choices=ContactChannel.choices, default=ContactChannel.RECORDED)
    received_at = models.DateTimeField()
    source = models.CharField(max_length=2, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_agency = models.CharField(
        max_length=20,
        choices=Agency.choices,
        blank=True,
        help_text="The partner agency that made the contact, which sees its outcome.",
    )
    referrer_role = models.CharField(max_length=200, blank=True, help_text="Job title, or relationship to the child.")
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The child as the contact describes them, kept as given even after the contact is linked.
    subject_first_name = models.CharField(max_length=100, blank=True)
    subject_last_name = models.CharField(max_length=100, blank=True)
    subject_date_of_birth = models.DateField(null=True, blank=True)
    # The age the person contacting gave, when they do not know the date of birth.
    subject_age = models.PositiveSmallIntegerField(null=True, blank=True)
    subject_nhs_number = models.CharField(max_length=10, blank=True)
    subject_upn = models.CharField(max_length=13, blank=True)
    subject_address = models.CharField(max_length=200, blank=True)
    subject_postcode = models.CharField(max_length=8, blank=True)
    subject_school = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    immediate_risk = models.BooleanField(
        default=False, help_text="The person contacting believes the child is in danger now."
    )
    parents_aware = models.CharField(max_length=8, choices=YesNoUnknown.choices, blank=True)
    # Person matching: how the practitioner settled who the contact is about.
    match_decision = models.CharField(max_length=10, choices=MatchDecision.choices, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    re_referral = models.BooleanField(
        default=False, help_text="The child had a referral to social care in the 12 months before this contact."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The MASH practitioner working on the enquiry.",
    )
    rag = models.CharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    decision_due_at = models.DateTimeField(null=True, blank=True)
    decision_rationale = models.TextField(blank=True)
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
            models.CheckConstraint(condition=one_of("channel", ContactChannel), name="contact_channel_code"),
            models.CheckConstraint(
                condition=one_of("match_decision", MatchDecision, blank=True), name="contact_match_decision_code"
            ),
            models.CheckConstraint(
                condition=one_of("parents_aware", YesNoUnknown, blank=True), name="contact_parents_aware_code"
            ),
            # A decision is about a known child: matching comes first.
            models.CheckConstraint(condition=Q(outcome="") | Q(child__isnull=False), name="contact_decided_has_child"),
            models.CheckConstraint(
                condition=Q(rag="") | Q(rated_at__isnull=False, decision_due_at__isnull=False),
                name="contact_rag_has_due_time",
            ),
            models.CheckConstraint(
                condition=Q(subject_age__isnull=True) | Q(subject_age__lte=17), name="contact_subject_age_child"
            ),
        ]
        indexes = [
            models.Index(fields=["child", "received_at"]),
            # What the MASH sees: recent contacts, and those still waiting for a decision.
            models.Index(fields=["received_at"], name="contact_received"),
            models.Index(fields=["child"], condition=Q(outcome=""), name="contact_undecided"),
            # The MASH queue: open enquiries by how soon they are due.
            models.Index(fields=["decision_due_at"], condition=Q(outcome=""), name="contact_open_due"),
            models.Index(fields=["outcome", "decided_at"], name="contact_decisions"),
        ]

    def __str__(self) -> str:
        return f"Contact {self.reference or self.pk} on {self.received_at:%d/%m/%Y}"

    @property
    def subject_name(self) -> str:
        return f"{self.subject_first_name} {self.subject_last_name}".strip()

    @property
    def is_open(self) -> bool:
        return not self.outcome


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


class ContactAdultRole(models.TextChoices):
    """How an adult named in a contact relates to the concern."""

    PARENT_OR_CARER = "parent_carer", "Parent or carer"
    HOUSEHOLD_MEMBER = "household", "Household member"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"


class ContactAdult(models.Model):
    """An adult named in a contact: who the child lives with, or who is alleged to have harmed them.

    Alleged perpetrators named again in later police contacts are the MASH's re-offending measure."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="adults")
    adult = models.ForeignKey("people.Adult", on_delete=models.PROTECT, related_name="contact_mentions")
    role = models.CharField(max_length=20, choices=ContactAdultRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "adult", "role"], name="contact_adult_once"),
            models.CheckConstraint(condition=one_of("role", ContactAdultRole), name="contact_adult_role_code"),
        ]
        indexes = [models.Index(fields=["adult", "role"])]

    def __str__(self) -> str:
        return f"{self.adult} ({self.get_role_display()}) in contact {self.contact_id}"


class RagRating(models.Model):
    """Each RAG rating given to a contact, kept so a change of rating (and who made it) shows."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="ratings")
    rag = models.CharField("RAG rating", max_length=5, choices=ContactRag.choices)
    rated_at = models.DateTimeField()
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    decision_due_at = models.DateTimeField()

    class Meta:
        ordering = ["rated_at", "id"]
        constraints = [models.CheckConstraint(condition=one_of("rag", ContactRag), name="rag_rating_code")]

    def __str__(self) -> str:
        return f"{self.get_rag_display()} for contact {self.contact_id}"


class TimescaleUnit(models.TextChoices):
    HOURS = "hours", "hours"
    WORKING_DAYS = "working_days", "working days"


class FrontDoorSettings(models.Model):
    """The authority's own front-door timescales and thresholds: one row, changed by a system administrator.

    Defaults follow common practice (front-door notes, section 2): a decision on a red contact in 4 hours,
    amber in 1 working day, green in 3; agency checks in 2, 6 and 24 hours.
    """

    red_decision = models.PositiveSmallIntegerField(default=4)
    red_decision_unit = models.CharField(max_length=12, choices=TimescaleUnit.choices, default=TimescaleUnit.HOURS)
    amber_decision = models.PositiveSmallIntegerField(default=1)
    amber_decision_unit = models.CharField(
        max_length=12, choices=TimescaleUnit.choices, default=TimescaleUnit.WORKING_DAYS
    )
    green_decision = models.PositiveSmallIntegerField(default=3)
    green_decision_unit = models.CharField(
        max_length=12, choices=TimescaleUnit.choices, default=TimescaleUnit.WORKING_DAYS
    )
    red_check_hours = models.PositiveSmallIntegerField("agency checks on red contacts (hours)", default=2)
    amber_check_hours = models.PositiveSmallIntegerField("agency checks on amber contacts (hours)", default=6)
    green_check_hours = models.PositiveSmallIntegerField("agency checks on green contacts (hours)", default=24)
    # Cumulative concern: this many contacts in this many months from at least this many agencies, each
    # decided no further action, alert the hub.
    concern_contacts = models.PositiveSmallIntegerField(default=3)
    concern_months = models.PositiveSmallIntegerField(default=6)
    concern_agencies = models.PositiveSmallIntegerField(default=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "front door settings"
        verbose_name_plural = "front door settings"
        constraints = [
            models.CheckConstraint(condition=Q(red_decision__gte=1), name="settings_red_positive"),
            models.CheckConstraint(condition=Q(amber_decision__gte=1), name="settings_amber_positive"),
            models.CheckConstraint(condition=Q(green_decision__gte=1), name="settings_green_positive"),
            models.CheckConstraint(condition=Q(concern_contacts__gte=2), name="settings_concern_contacts_min"),
            models.CheckConstraint(condition=Q(concern_months__gte=1), name="settings_concern_months_min"),
            models.CheckConstraint(condition=Q(concern_agencies__gte=1), name="settings_concern_agencies_min"),
            *[
                models.CheckConstraint(
                    condition=one_of(f"{rag}_decision_unit", TimescaleUnit), name=f"settings_{rag}_unit"
                )
                for rag in ("red", "amber", "green")
            ],
        ]

    def __str__(self) -> str:
        return "Front door settings"

    @classmethod
    def current(cls) -> FrontDoorSettings:
        """The one row (created with the defaults the first time it is asked for)."""
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()


class InformationRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for a reply"
    ANSWERED = "answered", "Answered"
    WITHDRAWN = "withdrawn", "Withdrawn"


class InformationRequest(TimeStamped):
    """A MASH request to one co-located agency for what it knows about the child in a contact."""

    Status: TypeAlias = InformationRequestStatus  # noqa: UP040

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="information_requests")
    agency = models.CharField(max_length=20, choices=Agency.choices)
    question = models.TextField(blank=True, help_text="Anything in particular the MASH wants this agency to check.")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response = models.OneToOneField(
        AgencyContribution, on_delete=models.PROTECT, null=True, blank=True, related_name="answers_request"
    )

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "agency"], condition=Q(status="open"), name="information_request_one_open"
            ),
            models.CheckConstraint(condition=one_of("agency", Agency), name="information_request_agency_code"),
            models.CheckConstraint(
                condition=one_of("status", InformationRequestStatus), name="information_request_status_code"
            ),
            models.CheckConstraint(condition=Q(due_at__gte=models.F("requested_at")), name="information_request_due"),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False, response__isnull=False),
                name="information_request_answer_recorded",
            ),
        ]
        # An agency's inbox: its open requests by due time.
        indexes = [models.Index(fields=["agency", "due_at"], condition=Q(status="open"), name="inforequest_inbox")]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} check for contact {self.contact_id}"


class EarlyHelpOutcome(models.TextChoices):
    NEEDS_MET = "needs_met", "Needs met: support no longer needed"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    DECLINED = "declined", "Family declined or stopped engaging"
    MOVED = "moved", "Family moved away"
    OTHER = "other", "Other"


class EarlyHelpPackage(TimeStamped):
    """Targeted early help agreed at the front door, and how it ended."""

    Outcome: TypeAlias = EarlyHelpOutcome  # noqa: UP040

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="early_help")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="early_help_packages")
    lead_agency = models.CharField(max_length=20, choices=Agency.choices, default=Agency.EARLY_HELP)
    support = models.TextField(help_text="The support agreed: who will do what.")
    started_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("started_on")),
                name="early_help_closed_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(closed_on__isnull=True) & Q(outcome="")) | (Q(closed_on__isnull=False) & ~Q(outcome="")),
                name="early_help_closure_has_outcome",
            ),
            models.CheckConstraint(
                condition=one_of("outcome", EarlyHelpOutcome, blank=True), name="early_help_outcome_code"
            ),
            models.CheckConstraint(condition=one_of("lead_agency", Agency), name="early_help_lead_agency_code"),
        ]

    def __str__(self) -> str:
        return f"Early help for {self.child_id} from {self.started_on:%d/%m/%Y}"


class LawfulBasis(models.TextChoices):
    """Why information about a child may be shared (front-door notes, section 4)."""

    SAFEGUARDING = "safeguarding", "Safeguarding children (DPA 2018 Sch. 1 para 18; public task)"
    S47 = "s47", "Child protection enquiry (Children Act 1989 s47; public task)"
    S17 = "s17", "Child in need (Children Act 1989 s17; public task)"
    CONSENT = "consent", "Consent of the child or parent"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement (DPA 2018 Part 3, Sch. 8 para 4)"


class ConsentStatus(models.TextChoices):
    GIVEN = "given", "Consent given"
    NOT_SOUGHT = "not_sought", "Not sought: asking would put the child at risk"
    REFUSED_OVERRIDDEN = "overridden", "Refused, shared without consent to protect the child"
    NOT_NEEDED = "not_needed", "Not needed: outcome only"


class Disclosure(models.Model):
    """One sharing of information about a child with someone outside the MASH: the disclosure ledger.

    Golden rule 7 of the government's information-sharing advice: record what was shared, with whom and why.
    Rows are added, never changed.
    """

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="disclosures")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures")
    recipient_agency = models.CharField(max_length=20, choices=Agency.choices, blank=True)
    recipient = models.CharField(max_length=200, help_text="The person or organisation it was shared with.")
    shared = models.TextField(help_text="What was shared.")
    purpose = models.CharField(max_length=300)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    consent = models.CharField(max_length=12, choices=ConsentStatus.choices)
    shared_at = models.DateTimeField()
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-shared_at", "-id"]
        indexes = [
            models.Index(fields=["child", "shared_at"]),
            models.Index(fields=["recipient_agency", "shared_at"]),
            models.Index(fields=["shared_at"], name="disclosure_shared_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=one_of("lawful_basis", LawfulBasis), name="disclosure_basis_code"),
            models.CheckConstraint(condition=one_of("consent", ConsentStatus), name="disclosure_consent_code"),
            models.CheckConstraint(
                condition=one_of("recipient_agency", Agency, blank=True), name="disclosure_agency_code"
            ),
        ]

    def __str__(self) -> str:
        return f"Shared with {self.recipient} on {self.shared_at:%d/%m/%Y}"


class ReferrerFeedback(TimeStamped):
    """Telling the referrer the outcome, and their answers to the short survey that follows.

    The survey items are the front-door notes' proposal (section 6): 1 to 5 scales and yes/no questions.
    """

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="feedback")
    # Hash of the one-off link sent to the referrer; the link itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    outcome_told = models.TextField(help_text="What the referrer was told about the outcome.")
    notified_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    acknowledged_in_time = models.BooleanField(null=True, blank=True)
    ease = models.PositiveSmallIntegerField(null=True, blank=True)
    spoke_to_social_worker = models.BooleanField(null=True, blank=True)
    told_outcome = models.BooleanField(null=True, blank=True)
    explained_clearly = models.PositiveSmallIntegerField(null=True, blank=True)
    agree_with_decision = models.PositiveSmallIntegerField(null=True, blank=True)
    overall = models.PositiveSmallIntegerField(null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                name=f"feedback_{name}_1_to_5",
            )
            for name in ("ease", "explained_clearly", "agree_with_decision", "overall")
        ]

    def __str__(self) -> str:
        return f"Feedback on contact {self.contact_id}"


class CSERiskLevel(models.TextChoices):
    """The outcome of a CSE screening, in the order of concern."""

    NONE = "none", "No concerns"
    LOW = "low", "Low: emerging concerns"
    MEDIUM = "medium", "Medium: significant risk"
    HIGH = "high", "High: being sexually exploited"


class CSEScreening(models.Model):
    """A CSE screening of a child: each indicator rated 0 (none) to 3 (high), and the risk level it gives.

    The indicators and the rules that turn ratings into a level live in front_door/cse.py."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="cse_screenings")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="cse_screenings"
    )
    screened_at = models.DateTimeField()
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ratings = models.JSONField(default=dict, help_text="Indicator code to rating 0 to 3.")
    vulnerabilities = models.JSONField(default=list, help_text="Vulnerability codes present.")
    score = models.PositiveSmallIntegerField()
    risk_level = models.CharField(max_length=6, choices=CSERiskLevel.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-screened_at", "-id"]
        indexes = [models.Index(fields=["child", "screened_at"])]
        constraints = [models.CheckConstraint(condition=one_of("risk_level", CSERiskLevel), name="cse_risk_code")]

    def __str__(self) -> str:
        return f"CSE screening of {self.child_id}: {self.risk_level}"


class CSECaseClosure(models.TextChoices):
    RISK_REDUCED = "reduced", "Risk reduced"
    TRANSFERRED = "transferred", "Transferred to another team"
    MOVED = "moved", "Moved out of the area"
    EIGHTEEN = "eighteen", "Reached 18"


class CSECase(TimeStamped):
    """A child the CSE team works with."""

    Closure: TypeAlias = CSECaseClosure  # noqa: UP040

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="cse_cases")
    screening = models.ForeignKey(CSEScreening, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey("workforce.Team", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(
        "workforce.StaffMember", on_delete=models.PROTECT, null=True, blank=True, related_name="cse_cases"
    )
    opened_on = models.DateField()
    risk_level = models.CharField(max_length=6, choices=CSERiskLevel.choices)
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=12, choices=Closure.choices, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(closed_on__isnull=True), name="cse_case_one_open"),
            models.CheckConstraint(
                condition=(Q(closed_on__isnull=True) & Q(closure_reason=""))
                | (Q(closed_on__isnull=False) & ~Q(closure_reason="")),
                name="cse_case_closure_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="cse_case_closed_after_opened",
            ),
            models.CheckConstraint(condition=one_of("risk_level", CSERiskLevel), name="cse_case_risk_code"),
            models.CheckConstraint(
                condition=one_of("closure_reason", CSECaseClosure, blank=True), name="cse_case_closure_code"
            ),
        ]

    def __str__(self) -> str:
        return f"CSE case for {self.child_id} from {self.opened_on:%d/%m/%Y}"


class CumulativeConcernAlert(TimeStamped):
    """Several contacts about one child (or children in one household), each on its own decided no further
    action, that together pass the authority's threshold (FrontDoorSettings)."""

    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="cumulative_concerns")
    contacts = models.ManyToManyField(Contact, related_name="cumulative_concerns")
    raised_at = models.DateTimeField()
    agencies = models.JSONField(default=list, help_text="The agencies whose contacts make up the pattern.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["acknowledged_at"], name="concern_unacknowledged")]

    def __str__(self) -> str:
        return f"Cumulative concern about {self.child_id} raised {self.raised_at:%d/%m/%Y}"


class PartnerApiToken(models.Model):
    """A partner agency system's key to the front-door API. Only a hash is kept; the key is shown once."""

    agency = models.CharField(max_length=20, choices=Agency.choices)
    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. police case management.")
    prefix = models.CharField(max_length=8, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The account the API acts as, so the access policy and audit treat API calls like the agency's staff.
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=one_of("agency", Agency), name="api_token_agency_code")]

    def __str__(self) -> str:
        return f"{self.get_agency_display()}: {self.name} ({self.prefix}…)"


# The public report's rate limit keeps its own table (front_door/public/models.py).
from .public.models import PublicReportAttempt  # noqa: E402, F401
