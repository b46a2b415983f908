"""Staff accounts: the agency a person works for and the roles they hold."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Agency(models.TextChoices):
    """The agencies that share OpenMASH. Every account belongs to exactly one."""

    CHILDRENS_SOCIAL_CARE = "csc", "Children's Social Care"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    YOUTH_JUSTICE = "youth_justice", "Youth Justice"
    EARLY_HELP = "early_help", "Early Help"
    DEMOCRATIC_SERVICES = "democratic", "Democratic services (councillors and officers)"


class Role(models.TextChoices):
    """What a person does. One person may hold several roles."""

    MASH_PRACTITIONER = "mash_practitioner", "MASH practitioner"
    AGENCY_RESEARCHER = "agency_researcher", "Agency researcher"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    SERVICE_MANAGER = "service_manager", "Service manager"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance analyst"
    SCRUTINY_MEMBER = "scrutiny_member", "Scrutiny member (councillor)"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"
    AUDITOR = "auditor", "Information governance auditor"


class User(AbstractUser):
    """A person who signs in."""

    agency = models.CharField(max_length=20, choices=Agency.choices, default=Agency.CHILDRENS_SOCIAL_CARE)
    # Demo accounts have published passwords: they sign in only while the demo switch is on.
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.values_list("role", flat=True))

    def demo_refused(self) -> bool:
        """A demo account on an installation where the demo switch is off."""
        return self.is_demo and not getattr(settings, "OPENMASH_DEMO", False)

    def has_role(self, *roles: Role | str) -> bool:
        return any(r in self.role_set for r in roles)


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_once")]

    def __str__(self) -> str:
        return self.get_role_display()
