"""Every coded column of the domain tables holds only codes from its list: the database refuses anything
else, whichever path writes it (an ORM update here, a bulk load or a script elsewhere)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction

from openmash.accounts.models import User
from openmash.casework.models import CaseNote, Referral, Visit
from openmash.front_door.models import (
    AgencyContribution,
    Contact,
    ContactAdult,
    ContributionShare,
    CSECase,
    CSEScreening,
    Disclosure,
    EarlyHelpPackage,
    FrontDoorSettings,
    InformationRequest,
    PartnerApiToken,
    RagRating,
)
from openmash.people.models import Adult, ChildDisability, Relationship
from openmash.protection.models import EmergencyProtection, PriorChildProtectionPlan
from openmash.workforce.models import Team

DOMAIN_APPS = ("people", "workforce", "front_door", "casework", "protection")
NOT_A_CODE = "!"  # one character, so that it fits every coded column and fails only on its list


def coded_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for label in DOMAIN_APPS
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField) and field.choices
    ]


@pytest.fixture
def one_of_everything(full_journey: Referral) -> None:
    """A row in every domain table: the journey, plus the family, front door and workforce around it."""
    child = full_journey.child
    ChildDisability.objects.create(child=child, code="NONE")
    mother = Adult.objects.create(first_name="Sarah", last_name="Jones", sex="F")
    Relationship.objects.create(child=child, adult=mother, relationship_type="parent")
    at = dt.datetime(2024, 5, 1, 9, tzinfo=dt.UTC)
    contact = Contact.objects.create(child=child, received_at=at, source="6", reference="MC-TEST-0001")
    contribution = AgencyContribution.objects.create(child=child, agency="police", summary="Known to police")
    ContributionShare.objects.create(contribution=contribution, agency="health")
    user = User.objects.create(username="someone")
    ContactAdult.objects.create(contact=contact, adult=mother, role="parent_carer")
    RagRating.objects.create(contact=contact, rag="red", rated_at=at, rated_by=user, reason="x", decision_due_at=at)
    FrontDoorSettings.current()
    InformationRequest.objects.create(contact=contact, agency="police", requested_at=at, requested_by=user, due_at=at)
    EarlyHelpPackage.objects.create(contact=contact, child=child, support="Family support", started_on=at.date())
    Disclosure.objects.create(
        child=child,
        recipient="Police",
        shared="Outcome",
        purpose="Telling the referrer",
        lawful_basis="safeguarding",
        consent="not_needed",
        shared_at=at,
        shared_by=user,
    )
    screening = CSEScreening.objects.create(child=child, screened_at=at, screened_by=user, score=0, risk_level="none")
    CSECase.objects.create(
        child=child, screening=screening, team=Team.objects.first(), opened_on=at.date(), risk_level="low"
    )
    PartnerApiToken.objects.create(agency="police", name="Police", prefix="abc", key_hash="0" * 64, acting_user=user)
    Visit.objects.create(child=child, referral=full_journey, visit_date=at.date(), purpose="cp_plan", seen=True)
    CaseNote.objects.create(
        child=child, note_type="note", occurred_on=at.date(), subject="Visit", body="Seen at home", author=user
    )
    PriorChildProtectionPlan.objects.create(
        child=child, authority="Elsewhere", start_date=dt.date(2020, 1, 1), end_date=dt.date(2021, 1, 1), category="NEG"
    )
    EmergencyProtection.objects.create(child=child, kind="police", start_date=at.date(), recorded_by=user)


def test_every_coded_column_is_found() -> None:
    # A guard on the discovery itself, so the test below cannot pass by checking nothing.
    found = {f"{model._meta.label}.{name}" for model, name in coded_fields()}
    assert {"people.Child.sex", "casework.Referral.source", "workforce.StaffMember.job_role"} <= found
    assert len(found) >= 20


@pytest.mark.parametrize(("model", "field"), coded_fields(), ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_a_code_outside_its_list_is_refused(one_of_everything: None, model: type[models.Model], field: str) -> None:
    row = model._default_manager.first()
    assert row is not None, f"the fixture needs a {model.__name__}"
    with pytest.raises(IntegrityError), transaction.atomic():
        model._default_manager.filter(pk=row.pk).update(**{field: NOT_A_CODE})
