"""Services, teams, staff and who holds which child."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeAlias

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from openmash.core.models import TimeStamped, Versioned, one_of


class Service(Versioned):
    """A service area (for example Front door and assessment, Safeguarding and child protection)."""

    name = models.CharField(max_length=120, unique=True)
    manager = models.ForeignKey(
        "StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_services"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    """The work a team does."""

    MASH = "mash", "MASH / front door"
    ASSESSMENT = "assessment", "Assessment"
    CHILD_IN_NEED = "cin", "Child in need"
    CHILD_PROTECTION = "cp", "Child protection"
    CSE = "cse", "Child exploitation (CSE)"
    EARLY_HELP = "early_help", "Early help"
    DISABILITY = "disability", "Children with disabilities"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"


class Team(Versioned):
    Kind: TypeAlias = TeamKind  # noqa: UP040 - a run-time enum, outside so Meta can name it

    name = models.CharField(max_length=120, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    manager = models.ForeignKey(
        "StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="managed_teams"
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=one_of("kind", TeamKind), name="team_kind_code")]

    def __str__(self) -> str:
        return self.name


class StaffJobRole(models.TextChoices):
    """What a member of staff does."""

    SOCIAL_WORKER = "social_worker", "Social worker"
    SENIOR_SOCIAL_WORKER = "senior_social_worker", "Senior social worker"
    ASYE = "asye", "Newly qualified social worker (ASYE)"
    TEAM_MANAGER = "team_manager", "Team manager"
    SERVICE_MANAGER = "service_manager", "Service manager"
    PRACTITIONER = "practitioner", "Family practitioner"
    MASH_PRACTITIONER = "mash_practitioner", "MASH practitioner"


class StaffMember(TimeStamped, Versioned):
    """A member of staff: a case holder or otherwise. FTE counts for caseload (DfE CSWW)."""

    JobRole: TypeAlias = StaffJobRole  # noqa: UP040 - a run-time enum, outside so Meta can name it

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="staff")
    job_role = models.CharField(max_length=30, choices=JobRole.choices)
    fte = models.DecimalField(
        "FTE",
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    is_case_holder = models.BooleanField(default=True)
    is_agency = models.BooleanField(default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="staff_end_after_start",
            ),
            models.CheckConstraint(condition=one_of("job_role", StaffJobRole), name="staff_job_role_code"),
            # A post is at most full time; caseload per FTE divides by it (DfE CSWW).
            models.CheckConstraint(condition=Q(fte__gte=0) & Q(fte__lte=1), name="staff_fte_0_to_1"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Allocation(TimeStamped):
    """A child allocated to a named worker in a team, for a period."""

    child = models.ForeignKey("people.Child", on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="allocations")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="allocations")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="allocation_end_after_start",
            ),
            # One current allocation per child; history is kept by ending the old one.
            models.UniqueConstraint(
                fields=["child"], condition=Q(end_date__isnull=True), name="allocation_one_open_per_child"
            ),
        ]
        indexes = [models.Index(fields=["worker", "end_date"])]

    def __str__(self) -> str:
        return f"{self.child} → {self.worker}"
