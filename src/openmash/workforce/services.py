"""Allocating children to workers."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from openmash.access.audit import changes_by_acting_user
from openmash.access.policy import can_allocate, can_allocate_child
from openmash.accounts.models import User
from openmash.core.dates import long_date
from openmash.core.errors import ServiceError
from openmash.people.models import Child

from .models import Allocation, StaffMember


@transaction.atomic
@changes_by_acting_user
def child_allocate(*, child: Child, worker: StaffMember, start_date: dt.date, acting_user: User) -> Allocation:
    """Allocate a child to a worker; the current allocation, if any, ends that day.

    The policy is asked about the child and about where it goes: a manager allocates only children their
    service holds (or whose open referral waits in one of its teams) and only to workers in their service.
    """
    if not can_allocate(acting_user):
        raise ServiceError("Only a team or service manager can allocate children")
    worker = StaffMember.objects.select_related("team").get(pk=worker.pk)
    if not can_allocate_child(acting_user, child, to_service_id=worker.team.service_id):
        raise ServiceError(
            "You can only allocate children held in your service, to workers in your service", field="worker"
        )
    if not worker.is_case_holder:
        raise ServiceError(f"{worker.full_name} does not hold cases", field="worker")
    if worker.end_date is not None and worker.end_date < start_date:
        raise ServiceError(f"{worker.full_name} left on {long_date(worker.end_date)}", field="worker")
    current = Allocation.objects.select_for_update().filter(child=child, end_date__isnull=True).first()
    if current is not None:
        if current.worker_id == worker.pk:
            raise ServiceError(f"{child.full_name} is already allocated to {worker.full_name}", field="worker")
        if start_date < current.start_date:
            raise ServiceError(
                f"The new allocation cannot start before the current one ({long_date(current.start_date)})",
                field="start_date",
            )
        current.end_date = start_date
        current.save(update_fields=["end_date", "updated_at"])
    return Allocation.objects.create(child=child, worker=worker, team=worker.team, start_date=start_date)
