"""The referrals waiting for allocation (the Advice and Assessment queue) and allocating one.

The access world (tests/access/world.py, with world_oversight.py) has referrals waiting in the safeguarding
service's Advice and assessment team (one needing a strategy discussion) and in the disability service's team,
and children already allocated; its team manager `tm` and service manager `sm` manage safeguarding.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import AuditEvent
from openmash.access.services import child_restrict
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.core.errors import ServiceError
from openmash.front_door.models import Contact
from openmash.front_door.services import contact_decide, contact_rate, contact_record
from openmash.people.models import Child
from openmash.workforce.models import Allocation, StaffMember
from openmash.workforce.services import child_allocate

from ..access.world import World, build_world
from ..access.world_oversight import decided_contact


def _child(la_child_id: str, world: World) -> Child:
    return child_create(
        la_child_id=la_child_id, first_name="Waiting", last_name="Child", date_of_birth=dt.date(2017, 2, 2),
        sex="F", ethnicity="WBRI", postcode="ZZ3 3ZZ", acting_user=world.users["mash"],
    )  # fmt: skip


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def queue(world: World, username: str) -> list[str]:
    """The LA child IDs in the user's queue, in the order shown."""
    response = world.client_for(username).get(reverse("casework:queue"))
    assert response.status_code == 200
    return [row.referral.child.la_child_id for row in response.context["rows"]]


def ids(world: World, *keys: str) -> list[str]:
    return [world.objects[k].child.la_child_id for k in keys]


def test_a_manager_sees_referrals_waiting_in_their_service_oldest_first(world: World) -> None:
    # A newer referral in the same team: it comes after the two from 40 days ago.
    newer = _child("OV0099", world)
    _c, referral, _e = decided_contact(
        newer, outcome=Contact.Outcome.REFERRAL, mash=world.users["mash"], team=world.teams["assessment"],
        received_at=timezone.now() - dt.timedelta(days=3),
    )  # fmt: skip
    assert referral is not None
    expected = [*ids(world, "waiting_assessment", "waiting_strategy"), "OV0099"]
    assert queue(world, "tm") == expected
    assert queue(world, "sm") == expected
    # Children already allocated, and referrals waiting in another service, are not in it.
    assert world.objects["waiting_disability"].child.la_child_id not in queue(world, "tm")


def test_the_queue_shows_the_front_door_rating_waiting_time_and_strategy_tag(world: World) -> None:
    html = world.client_for("tm").get(reverse("casework:queue")).content.decode()
    assert html.count("Strategy discussion needed") == 1
    assert "Amber" in html
    waited = (timezone.localdate() - world.objects["waiting_assessment"].referral_date).days
    assert f"{waited} days" in html
    assert reverse("casework:allocate", args=[world.objects["waiting_assessment"].pk]) in html


def test_a_social_worker_sees_their_own_team_and_cannot_allocate(world: World) -> None:
    assert queue(world, "sw") == []  # team A has nothing waiting
    assessor = User.objects.create_user(username="assessor", password="x", agency=Agency.CHILDRENS_SOCIAL_CARE)
    UserRole.objects.create(user=assessor, role=Role.SOCIAL_WORKER)
    StaffMember.objects.create(
        user=assessor, first_name="Ade", last_name="Assessor", team=world.teams["assessment"],
        job_role="social_worker", start_date=dt.date(2020, 1, 1),
    )  # fmt: skip
    world.users["assessor"] = assessor
    assert queue(world, "assessor") == ids(world, "waiting_assessment", "waiting_strategy")
    html = world.client_for("assessor").get(reverse("casework:queue")).content.decode()
    assert "Allocate" not in html


def test_restricted_children_wait_only_in_the_queues_of_those_named(world: World) -> None:
    mash_manager = world.users["mash_manager"]
    child = _child("OV0098", world)
    # The MASH manager restricts the record while the contact is open, naming the service manager, then decides.
    received = timezone.now() - dt.timedelta(days=2)
    open_contact = contact_record(child=child, received_at=received, source="3A", acting_user=mash_manager)
    child_restrict(child=child, reason="Child of a staff member", allowed=[world.users["sm"]], acting_user=mash_manager)
    contact_rate(contact=open_contact, rag="red", reason="Serious injury", acting_user=mash_manager)
    contact_decide(
        contact=open_contact, outcome="referral", rationale="Needs assessment", acting_user=mash_manager,
        decided_at=received + dt.timedelta(hours=1),
    )  # fmt: skip
    assert Referral.objects.get(child=child).team == world.teams["assessment"]
    assert "OV0098" in queue(world, "sm")
    assert "OV0098" not in queue(world, "tm")


def test_looking_at_the_queue_is_recorded(world: World) -> None:
    queue(world, "tm")
    event = AuditEvent.objects.get(user=world.users["tm"], action=AuditEvent.Action.VIEW)
    assert event.detail == {
        "page": "referrals waiting",
        "children": ids(world, "waiting_assessment", "waiting_strategy"),
    }


def test_others_have_no_queue(world: World) -> None:
    for username in ["analyst", "auditor", "cllr", "police", "health", "mash"]:
        assert world.client_for(username).get(reverse("casework:queue")).status_code == 404, username


def _worker_in(world: World, team_key: str) -> StaffMember:
    return StaffMember.objects.filter(team=world.teams[team_key], is_case_holder=True).order_by("pk").first()  # type: ignore[return-value]


def _post(client: Client, referral: Referral, worker: StaffMember) -> object:
    today = timezone.localdate()
    return client.post(
        reverse("casework:allocate", args=[referral.pk]),
        {"worker": str(worker.pk), "start_date_day": today.day, "start_date_month": today.month,
         "start_date_year": today.year},
    )  # fmt: skip


def test_a_manager_allocates_a_waiting_referral_to_a_worker_in_their_service(world: World) -> None:
    referral = world.objects["waiting_assessment"]
    worker = _worker_in(world, "team_a")
    client = world.client_for("tm")
    page = client.get(reverse("casework:allocate", args=[referral.pk])).content.decode()
    assert f"{worker.full_name}, Team A (" in page
    assert "Disability" not in page
    response = _post(client, referral, worker)
    assert response.status_code == 302  # type: ignore[attr-defined]
    allocation = Allocation.objects.get(child=referral.child, end_date__isnull=True)
    assert (allocation.worker, allocation.team) == (worker, world.teams["team_a"])
    assert referral.child.la_child_id not in queue(world, "tm")


def test_allocation_is_refused_outside_the_managers_service(world: World) -> None:
    client = world.client_for("tm")
    elsewhere = world.objects["waiting_disability"]
    # A referral waiting in another service: not there to allocate.
    assert client.get(reverse("casework:allocate", args=[elsewhere.pk])).status_code == 404
    assert _post(client, elsewhere, _worker_in(world, "disability")).status_code == 404  # type: ignore[attr-defined]
    # A worker in another service: not offered, and refused if posted.
    referral = world.objects["waiting_assessment"]
    response = _post(client, referral, _worker_in(world, "disability"))
    assert "Select a worker from the list" in response.content.decode()  # type: ignore[attr-defined]
    with pytest.raises(ServiceError):
        child_allocate(
            child=referral.child, worker=_worker_in(world, "disability"), start_date=timezone.localdate(),
            acting_user=world.users["tm"],
        )  # fmt: skip
    # A social worker does not allocate at all.
    assert world.client_for("sw").get(reverse("casework:allocate", args=[referral.pk])).status_code == 404
    assert not Allocation.objects.filter(child__in=[elsewhere.child, referral.child]).exists()


def test_a_start_date_before_the_referral_is_refused(world: World) -> None:
    referral = world.objects["waiting_assessment"]
    before = referral.referral_date - dt.timedelta(days=1)
    response = world.client_for("tm").post(
        reverse("casework:allocate", args=[referral.pk]),
        {"worker": str(_worker_in(world, "team_a").pk), "start_date_day": before.day,
         "start_date_month": before.month, "start_date_year": before.year},
    )  # fmt: skip
    assert "Start date must be on or after" in response.content.decode()
    assert not Allocation.objects.filter(child=referral.child).exists()
