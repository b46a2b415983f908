"""The promises of docs/access.md that a partner agency, an auditor or an administrator relies on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openmash.access import policy
from openmash.access.audit import record
from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency
from openmash.core.errors import ServiceError
from openmash.front_door.models import AgencyContribution, Contact, SharingLevel
from openmash.front_door.selectors import visible_contributions
from openmash.people.models import Child
from openmash.workforce.models import Allocation, StaffMember
from openmash.workforce.services import child_allocate

from .world import World


def _worker_in(world: World, team_key: str) -> StaffMember:
    return StaffMember.objects.create(
        first_name="New", last_name="Worker", team=world.teams[team_key], job_role="social_worker",
        start_date=dt.date(2020, 1, 1),
    )  # fmt: skip


# 1. Writes check the policy for every object they touch ------------------------------------------


def test_a_manager_cannot_allocate_a_child_held_in_another_service(world: World) -> None:
    child = world.children["other_service"]
    worker = world.users["sw"].staff  # type: ignore[attr-defined]
    with pytest.raises(ServiceError, match="only allocate children held in your service"):
        child_allocate(child=child, worker=worker, start_date=dt.date(2025, 6, 1), acting_user=world.users["tm"])
    assert not policy.can_view_child(world.users["tm"], child)
    assert Allocation.objects.get(child=child, end_date__isnull=True).team == world.teams["disability"]


def test_a_manager_cannot_allocate_to_a_worker_in_another_service(world: World) -> None:
    child = world.children["same_service"]
    with pytest.raises(ServiceError, match="to workers in your service"):
        child_allocate(
            child=child, worker=_worker_in(world, "disability"), start_date=dt.date(2025, 6, 1),
            acting_user=world.users["sm"],
        )  # fmt: skip
    assert Allocation.objects.get(child=child, end_date__isnull=True).team == world.teams["team_b"]


def test_a_manager_reallocates_within_their_service_and_history_is_kept(world: World) -> None:
    child = world.children["same_service"]
    worker = world.users["sw"].staff  # type: ignore[attr-defined]
    child_allocate(child=child, worker=worker, start_date=dt.date(2025, 6, 1), acting_user=world.users["tm"])
    allocations = list(Allocation.objects.filter(child=child).order_by("start_date"))
    assert [a.end_date for a in allocations] == [dt.date(2025, 6, 1), None]
    assert allocations[-1].worker == worker


def test_a_manager_cannot_allocate_a_restricted_child_they_are_not_named_on(world: World) -> None:
    with pytest.raises(ServiceError):
        child_allocate(
            child=world.children["restricted"], worker=_worker_in(world, "team_b"), start_date=dt.date(2025, 6, 1),
            acting_user=world.users["sm"],
        )  # fmt: skip


# 2. A partner sees another agency's restricted information only through the MASH ----------------


def test_a_police_officer_who_sees_a_child_only_because_police_referred_does_not_see_mash_only_items(
    world: World,
) -> None:
    child = Child.objects.create(
        la_child_id="T0900", first_name="Police", last_name="Referred", date_of_birth=dt.date(2014, 3, 1), sex="M",
        ethnicity="WBRI",
    )  # fmt: skip
    long_ago = timezone.now() - dt.timedelta(days=400)
    Contact.objects.create(
        child=child, received_at=long_ago, source="6", referrer_agency=Agency.POLICE, outcome="nfa",
        decided_at=long_ago + dt.timedelta(hours=3),
    )  # fmt: skip
    health_mash_only = AgencyContribution.objects.create(
        child=child, agency=Agency.HEALTH, summary="Health: MASH only", sharing_level=SharingLevel.MASH_ONLY
    )
    police_own = AgencyContribution.objects.create(
        child=child, agency=Agency.POLICE, summary="Police: own record", sharing_level=SharingLevel.MASH_ONLY
    )
    police = world.users["police"]
    basis = policy.basis_for(police, child)
    assert basis == policy.Basis.AGENCY
    seen = set(visible_contributions(user=police, child=child, basis=basis))
    assert seen == {police_own}
    assert health_mash_only not in seen
    page = world.client_for("police").get(f"/children/{child.la_child_id}/").content.decode()
    assert "Police: own record" in page
    assert "Health: MASH only" not in page


# 4. Every page that shows a child writes an audit row with its basis ----------------------------


def test_opening_the_restrict_page_is_recorded_with_its_basis(world: World) -> None:
    child = world.children["same_service"]
    before = AuditEvent.objects.filter(child_id=child.pk).count()
    assert world.client_for("tm").get(f"/children/{child.la_child_id}/restrict/").status_code == 200
    rows = AuditEvent.objects.filter(child_id=child.pk).order_by("-id")
    assert rows.count() == before + 1
    assert rows[0].detail == {"page": "restrict record", "basis": policy.Basis.SERVICE.value}


def test_an_auditor_sees_the_trail_by_id_without_the_childs_details_and_is_recorded(world: World) -> None:
    child = world.children["other_service"]
    response = world.client_for("auditor").get(f"/children/{child.la_child_id}/who-has-seen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert child.la_child_id in html
    assert child.first_name not in html
    assert child.last_name not in html
    row = AuditEvent.objects.filter(child_id=child.pk, user=world.users["auditor"]).latest("id")
    assert row.detail["page"] == "who viewed"


# 6. Hostile input on the break-glass review and CSV exports --------------------------------------


@pytest.mark.parametrize("grant", ["abc", "", "-1", "99999999999999999999999", "\x00"])
def test_reviewing_break_glass_with_a_bad_grant_is_a_message_not_an_error(world: World, grant: str) -> None:
    response = world.client_for("tm").post("/access/break-glass/", {"grant": grant}, follow=True)
    assert response.status_code == 200
    assert b"not one you can review" in response.content


def test_audit_export_cells_cannot_run_as_spreadsheet_formulas(world: World) -> None:
    record(user=world.users["sw"], action=AuditEvent.Action.SEARCH, summary='=cmd|" /C calc"!A0')
    response = world.client_for("auditor").get("/access/audit-log/", {"start": "2020-01-01", "end": "2099-01-01"})
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "'=cmd|" in body
    assert ",=cmd" not in body
    assert ',"=cmd' not in body


# 9. Pages with personal data are never cached ---------------------------------------------------


def test_pages_with_personal_data_are_not_stored(world: World) -> None:
    child = world.children["allocated"]
    for url in (f"/children/{child.la_child_id}/", "/children/?q=Testchild"):
        response = world.client_for("sw").get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


# 10. The menu offers only what a role can use --------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "analyst", "admin", "cllr"])
def test_roles_that_never_see_a_child_are_not_offered_the_search(world: World, role: str) -> None:
    client = world.client_for(role)
    page = client.get("/performance/").content.decode()
    assert "Find a child" not in page
    assert client.get("/children/", {"q": "Testchild"}).status_code == 404
    assert client.get("/children/open-with-reason/").status_code == 404


@pytest.mark.parametrize("role", ["sw", "mash", "police", "health"])
def test_roles_that_work_with_children_are_offered_the_search(world: World, role: str) -> None:
    assert "Find a child" in world.client_for(role).get("/children/").content.decode()
