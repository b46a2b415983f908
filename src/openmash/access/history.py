"""Change history (old and new values) for every model holding personal data, via django-auditlog.

django-auditlog writes its entries from model signals inside the same database transaction as the
change, and works on SQLite and PostgreSQL alike. Bulk loads (the synthetic borough) bypass it.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db.models.signals import post_save

from . import chain

TRACKED = [
    "people.Child",
    "people.ChildDisability",
    "people.Adult",
    "people.Relationship",
    "front_door.Contact",
    "front_door.AgencyContribution",
    "front_door.ContributionShare",
    "front_door.ContactAdult",
    "front_door.InformationRequest",
    "front_door.EarlyHelpPackage",
    "front_door.Disclosure",
    "front_door.CSEScreening",
    "front_door.CSECase",
    "front_door.CumulativeConcernAlert",
    "front_door.FrontDoorSettings",
    "front_door.PartnerApiToken",
    "casework.Referral",
    "casework.Assessment",
    "casework.AssessmentFactorRecord",
    "casework.CINPlan",
    "protection.StrategyDiscussion",
    "protection.Section47Enquiry",
    "protection.ChildProtectionPlan",
    "protection.ChildProtectionReview",
    "workforce.Allocation",
    "workforce.StaffMember",
    "workforce.Team",
    "workforce.Service",
    "access.ChildRestriction",
    "access.BreakGlassGrant",
    "accounts.UserRole",
]


def register_models() -> None:
    for label in TRACKED:
        model = apps.get_model(label)
        if not auditlog.contains(model):
            # The name keys are derived from the names (people/name_keys.py): the names' history says it all.
            auditlog.register(model, exclude_fields=["created_at", "updated_at", "first_name_key", "last_name_key"])
    user = apps.get_model("accounts.User")
    if not auditlog.contains(user):
        auditlog.register(user, exclude_fields=["password", "last_login"])


def _seal(sender: type[LogEntry], instance: LogEntry, created: bool, using: str, **kwargs: Any) -> None:
    if created:
        chain.seal_change(instance.pk, using)


def seal_every_change() -> None:
    """Link each change-history entry into the change chains as it is written, in its transaction.

    django-auditlog writes its entries itself, so its save signal is the one place to hook in."""
    post_save.connect(_seal, sender=LogEntry, dispatch_uid="openmash.access.history.seal")
