"""Shared pieces for the ways-in tests: a small hub (a MASH team, professionals, a councillor), signed-in
clients, and a complete answer to each form as the browser posts it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.workforce.models import Service, StaffMember, Team

from ..accounts.helpers import sign_in_verified


def make_user(username: str, agency: str, *roles: str, team: Team | None = None, email: str = "") -> User:
    user = User.objects.create_user(
        username=username, password="x", agency=agency, first_name=username.title(), last_name="Tester", email=email
    )
    UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
    if team is not None:
        StaffMember.objects.create(
            user=user, first_name=username, last_name="Tester", team=team, job_role="social_worker",
            start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    return user


@pytest.fixture(name="hub")
def hub_fixture(db: None) -> dict[str, User]:
    service = Service.objects.create(name="Front door")
    mash_team = Team.objects.create(name="MASH", service=service, kind=Team.Kind.MASH)
    Team.objects.create(name="Advice and assessment", service=service, kind=Team.Kind.ASSESSMENT)
    return {
        "mash": make_user("mash", Agency.CHILDRENS_SOCIAL_CARE, Role.MASH_PRACTITIONER, team=mash_team),
        "teacher": make_user("teacher", Agency.EDUCATION, Role.AGENCY_RESEARCHER, email="dsl@school.example"),
        "nurse": make_user("nurse", Agency.HEALTH, Role.AGENCY_RESEARCHER, email="nurse@health.example"),
        "cllr": make_user("cllr", Agency.DEMOCRATIC_SERVICES, Role.SCRUTINY_MEMBER),
    }


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def public_answers(**change: str) -> dict[str, str]:
    """A whole public report, as the form posts it."""
    answers = {
        "immediate_risk": "no",
        "subject_first_name": "Amira",
        "subject_last_name": "Stone",
        "subject_date_of_birth_day": "",
        "subject_date_of_birth_month": "",
        "subject_date_of_birth_year": "",
        "subject_age": "9",
        "subject_address": "12 Example Road",
        "subject_postcode": "zz1 1zz",
        "subject_school": "Hillside Primary",
        "summary": "She has bruises on her arms and says she is scared to go home",
        "parents_aware": "no",
        "source": "1B",
        "adult_1_first_name": "Kyle",
        "adult_1_last_name": "Marsh",
        "adult_1_role": "alleged_perpetrator",
        "referrer_name": "",
        "referrer_phone": "",
        "referrer_email": "neighbour@example.com",
        "website": "",
    }
    answers.update(change)
    return answers


def refer_answers(**change: str) -> dict[str, str]:
    """A whole professional referral, as the form posts it."""
    answers = {
        "action": "continue",
        "immediate_risk": "no",
        "subject_first_name": "Leo",
        "subject_last_name": "Grant",
        "subject_date_of_birth_day": "2",
        "subject_date_of_birth_month": "5",
        "subject_date_of_birth_year": "2016",
        "subject_age": "",
        "subject_nhs_number": "",
        "subject_upn": "",
        "subject_address": "4 Park Lane",
        "subject_postcode": "ZZ2 2ZZ",
        "subject_school": "Hillside Primary",
        "summary": "Leo told his teacher that his mother's partner hit him last night",
        "parents_aware": "unknown",
        "adult_1_first_name": "Dean",
        "adult_1_last_name": "Cole",
        "adult_1_date_of_birth_day": "1",
        "adult_1_date_of_birth_month": "2",
        "adult_1_date_of_birth_year": "1990",
        "adult_1_role": "alleged_perpetrator",
        "referrer_role": "Designated safeguarding lead",
        "referrer_phone": "01632 960 001",
    }
    answers.update(change)
    return answers
