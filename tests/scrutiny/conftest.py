"""People and a review for the scrutiny tests."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.performance import services as performance_services
from openmash.performance.models import Snapshot
from openmash.performance.periods import Period
from openmash.scrutiny import services
from openmash.scrutiny.models import Review


def make_user(username: str, agency: str, *roles: str) -> User:
    user = User.objects.create_user(
        username=username, password="a-long-test-password", first_name=username.title(), last_name="Test", agency=agency
    )
    for role in roles:
        UserRole.objects.create(user=user, role=role)
    return user


@pytest.fixture
def officer(db: None) -> User:
    """A performance analyst in children's social care, who supports the review."""
    return make_user("officer", Agency.CHILDRENS_SOCIAL_CARE, Role.PERFORMANCE_ANALYST)


@pytest.fixture
def councillor(db: None) -> User:
    return make_user("cllr", Agency.DEMOCRATIC_SERVICES, Role.SCRUTINY_MEMBER)


@pytest.fixture
def other_councillor(db: None) -> User:
    return make_user("cllr2", Agency.DEMOCRATIC_SERVICES, Role.SCRUTINY_MEMBER)


@pytest.fixture
def social_worker(db: None) -> User:
    return make_user("sw", Agency.CHILDRENS_SOCIAL_CARE, Role.SOCIAL_WORKER)


SCOPE = {
    "topic": "The multi-agency safeguarding hub",
    "committee": "Children and Young People Overview and Scrutiny Committee",
    "rationale": "Contacts to the MASH rose by a third in a year.",
    "purpose": "Understand how the MASH decides, and how quickly.",
    "indicators_of_success": "Evidence-based recommendations agreed and taken forward by Cabinet.",
    "methodology": "Performance data each quarter, witness interviews, a site visit.",
    "witnesses_planned": "The head of the MASH; the police lead.",
    "documentary_evidence": "Working Together to Safeguard Children.",
    "site_visits_planned": "The MASH, in the spring.",
    "stakeholder_views": "A workshop with partner agencies.",
    "publicity": "The council's website and a press release.",
    "resources": "Officer time only.",
    "risks": "Overlap with the health panel's remit.",
    "start_date": dt.date(2026, 5, 1),
    "completion_date": dt.date(2027, 3, 31),
    "contact_name": "Dana Officer",
    "contact_role": "Democratic services officer",
    "contact_phone": "01234 567890",
    "contact_email": "dana.officer@example.gov.uk",
}


@pytest.fixture
def review(officer: User) -> Review:
    return services.review_create(values=SCOPE, acting_user=officer)


@pytest.fixture
def snapshot(db: None) -> Snapshot:
    """A frozen quarter, frozen through performance's own service by a service manager."""
    manager = make_user("freezer", Agency.CHILDRENS_SOCIAL_CARE, Role.SERVICE_MANAGER)
    return performance_services.period_freeze(
        period=Period.parse("2025-Q4"), acting_user=manager, today=dt.date(2025, 6, 1)
    )
