"""Shared fixtures: a user to act as, and a child with a whole journey built through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.accounts.models import User
from openmash.casework import services as casework
from openmash.casework.models import Referral
from openmash.core.codes import AssessmentFactor, CategoryOfAbuse, PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.people.models import Child
from openmash.people.services import child_create
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion


@pytest.fixture
def worker_user(db: None) -> User:
    return User.objects.create_user(username="worker", password="a-long-test-password", first_name="Wendy",
                                    last_name="Worker")


@pytest.fixture
def child(worker_user: User) -> Child:
    return child_create(
        la_child_id="C100", first_name="Amelia", last_name="Jones", date_of_birth=dt.date(2015, 6, 1),
        sex="F", ethnicity="WBRI", postcode="AB1 2CD", acting_user=worker_user,
    )


@pytest.fixture
def referral(child: Child, worker_user: User) -> Referral:
    return casework.referral_create(
        child=child, referral_date=dt.date(2024, 5, 1), source=ReferralSource.POLICE,
        primary_need=PrimaryNeed.ABUSE_NEGLECT, acting_user=worker_user,
    )


@pytest.fixture
def full_journey(referral: Referral, worker_user: User) -> Referral:
    """Referral → assessment → strategy → S47 → ICPC and plan → review → plan end → closure."""
    u = worker_user
    a = casework.assessment_start(referral=referral, start_date=dt.date(2024, 5, 2), acting_user=u)
    casework.assessment_authorise(
        assessment=a, authorised_date=dt.date(2024, 6, 20), child_in_need=True,
        factors=[AssessmentFactor.DOMESTIC_ABUSE_PARENT, AssessmentFactor.CSE], acting_user=u,
    )
    sd = protection.strategy_discussion_record(
        referral=referral, discussion_date=dt.date(2024, 5, 3), outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=u,
    )
    s47 = protection.section47_start(referral=referral, start_date=dt.date(2024, 5, 3), strategy_discussion=sd,
                                     acting_user=u)
    plan = protection.conference_record(
        enquiry=s47, conference_date=dt.date(2024, 5, 21), plan_needed=True, category=CategoryOfAbuse.NEGLECT,
        acting_user=u,
    )
    assert plan is not None
    protection.cp_plan_review(plan=plan, review_date=dt.date(2024, 8, 20), acting_user=u)
    protection.cp_plan_end(plan=plan, end_date=dt.date(2025, 2, 10), acting_user=u)
    casework.referral_close(referral=referral, closure_date=dt.date(2025, 2, 10),
                            reason=ReasonForClosure.SERVICES_CEASED, acting_user=u)
    referral.refresh_from_db()
    return referral
