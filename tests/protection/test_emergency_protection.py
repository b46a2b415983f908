"""Recording an emergency protection order or police protection: who may, what is refused, what is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.core.errors import ServiceError
from openmash.people.models import Child
from openmash.protection.models import EmergencyProtection
from openmash.protection.services import emergency_protection_record

pytestmark = pytest.mark.django_db
D = dt.date


def test_recorded_against_the_case_open_that_day_and_audited(referral: Referral, worker_user: User) -> None:
    record = emergency_protection_record(
        child=referral.child, kind="epo", start_date=D(2024, 6, 1), end_date=D(2024, 6, 8), acting_user=worker_user
    )
    assert (record.referral, record.recorded_by) == (referral, worker_user)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(record.pk))
    assert event.child_id == referral.child.pk


def test_before_any_case_it_stands_alone(child: Child, worker_user: User) -> None:
    record = emergency_protection_record(child=child, kind="police", start_date=D(2024, 1, 1), acting_user=worker_user)
    assert record.referral is None
    assert record.end_date is None


@pytest.mark.parametrize(
    ("kind", "start", "end", "field"),
    [
        ("curfew", D(2024, 6, 1), None, "kind"),
        ("epo", D(2024, 6, 8), D(2024, 6, 1), "end_date"),
        ("epo", D(2014, 6, 1), None, "start_date"),  # before the child was born
        ("epo", timezone.localdate() + dt.timedelta(days=1), None, "start_date"),
    ],
)
def test_refused_and_nothing_kept(
    child: Child, worker_user: User, kind: str, start: dt.date, end: dt.date | None, field: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        emergency_protection_record(child=child, kind=kind, start_date=start, end_date=end, acting_user=worker_user)
    assert refused.value.field == field
    assert not EmergencyProtection.objects.exists()


def test_only_those_who_may_change_the_record(child: Child) -> None:
    stranger = User.objects.create_user(username="stranger", password="a-long-test-password")
    with pytest.raises(ServiceError):
        emergency_protection_record(child=child, kind="epo", start_date=D(2024, 6, 1), acting_user=stranger)
    assert not EmergencyProtection.objects.exists()
