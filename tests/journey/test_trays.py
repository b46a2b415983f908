"""The work trays: what a social worker sees in My work, what a manager sees of a team and a service, and
reallocating a child. Dates are counted across Christmas and Easter, as the trays show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import Role, User, UserRole
from openmash.casework import services as casework
from openmash.casework.children import child_create
from openmash.casework.models import Assessment, Referral
from openmash.casework.selectors import is_re_referral
from openmash.core.codes import CategoryOfAbuse, PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.journey.due import DueKind
from openmash.journey.trays import selectors
from openmash.people.models import Child
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion
from openmash.workforce.models import Allocation, StaffMember, Team

from ..accounts.helpers import sign_in_verified


@pytest.fixture
def on_3_march_2025() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2025, 3, 3, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def _child(n: int, user: User, worker: StaffMember, *, allocated: dt.date = dt.date(2024, 5, 1)) -> Child:
    child = child_create(
        la_child_id=f"TR{n:03d}",
        first_name=f"Child{n}",
        last_name="Tray",
        date_of_birth=dt.date(2016, 1, 1),
        sex="M",
        ethnicity="WBRI",
        postcode="AB1 2CD",
        acting_user=user,
    )
    # With the ORM, as tests/conftest.py's `child`: the whole front-door path is tests/access/world.py's.
    Allocation.objects.create(child=child, worker=worker, team=worker.team, start_date=allocated)
    return child


def _referral(child: Child, user: User, day: dt.date) -> Referral:
    return casework.referral_create(
        child=child,
        referral_date=day,
        source=ReferralSource.POLICE,
        primary_need=PrimaryNeed.ABUSE_NEGLECT,
        acting_user=user,
    )


def _worker(team: Team, name: str, *, fte: str = "1.00", agency: bool = False) -> StaffMember:
    return StaffMember.objects.create(
        first_name=name, last_name="Worker", team=team, job_role="social_worker", fte=Decimal(fte),
        is_agency=agency, start_date=dt.date(2020, 1, 1),
    )  # fmt: skip


# My work -------------------------------------------------------------------------------------------------


def test_my_work_lists_the_overdue_first_counting_across_christmas(
    child: Child, worker_user: User, on_3_march_2025: None
) -> None:
    staff = worker_user.staff  # type: ignore[attr-defined]
    # Started 20 December 2024: 45 working days without 25, 26 December and 1 January is 26 February 2025.
    referral = _referral(child, worker_user, dt.date(2024, 12, 18))
    casework.assessment_start(referral=referral, start_date=dt.date(2024, 12, 20), acting_user=worker_user)
    later = _child(2, worker_user, staff)
    casework.cin_plan_start(
        referral=_referral(later, worker_user, dt.date(2025, 2, 24)), start_date=dt.date(2025, 2, 26),
        acting_user=worker_user,
    )  # fmt: skip
    work = selectors.my_work(user=worker_user)
    first, second = work.due
    assert first.child == child
    assert first.item.due == dt.date(2025, 2, 26)
    assert first.overdue
    assert first.days == 5
    assert first.working_days == 3  # 27, 28 February and 3 March
    assert second.child == later
    assert second.item.kind is DueKind.CIN_VISIT
    assert not second.overdue
    assert work.overdue == 1


def test_my_work_shows_each_childs_status_plan_category_and_next_due(
    child: Child, worker_user: User, on_3_march_2025: None
) -> None:
    staff = worker_user.staff  # type: ignore[attr-defined]
    referral = _referral(child, worker_user, dt.date(2025, 1, 6))
    discussion = protection.strategy_discussion_record(
        referral=referral, discussion_date=dt.date(2025, 1, 7), outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=worker_user,
    )  # fmt: skip
    enquiry = protection.section47_start(
        referral=referral, start_date=dt.date(2025, 1, 7), strategy_discussion=discussion, acting_user=worker_user
    )
    protection.conference_record(
        enquiry=enquiry, conference_date=dt.date(2025, 1, 27), plan_needed=True, category=CategoryOfAbuse.NEGLECT,
        acting_user=worker_user,
    )  # fmt: skip
    not_open = _child(2, worker_user, staff)
    cases = {c.child: c for c in selectors.my_work(user=worker_user).cases}
    on_plan = cases[child]
    assert on_plan.status == "Child protection plan"
    assert on_plan.plan == "Child protection plan since 27 January 2025"
    assert on_plan.category == "Neglect"
    assert on_plan.next_due is not None
    assert on_plan.next_due.item.kind is DueKind.CP_VISIT
    assert cases[not_open].status == selectors.NO_OPEN_CASE
    assert cases[not_open].next_due is None


def test_my_work_leaves_out_a_restricted_record_and_is_recorded(
    child: Child, worker_user: User, manager_user: User
) -> None:
    from openmash.access.services import child_restrict

    hidden = _child(2, worker_user, worker_user.staff)  # type: ignore[attr-defined]
    child_restrict(child=hidden, reason="Child of a staff member", allowed=[], acting_user=manager_user)
    work = selectors.my_work(user=worker_user)
    assert [c.child for c in work.cases] == [child]
    assert AuditEvent.objects.filter(user=worker_user, summary="Viewed my work (1 children)").exists()


def test_my_work_is_for_case_holders_only(manager_user: User) -> None:
    with pytest.raises(NotFound):
        selectors.my_work(user=manager_user)


# Re-referrals ----------------------------------------------------------------------------------------------


def _closed(referral: Referral, user: User, day: dt.date) -> None:
    casework.referral_close(
        referral=referral, closure_date=day, reason=ReasonForClosure.SERVICES_CEASED, acting_user=user
    )


def _flagged() -> dict[dt.date, bool]:
    return dict(Referral.objects.annotate(again=is_re_referral()).values_list("referral_date", "again"))


def test_a_referral_within_12_months_of_the_last_is_a_re_referral(child: Child, worker_user: User) -> None:
    _closed(_referral(child, worker_user, dt.date(2023, 2, 28)), worker_user, dt.date(2023, 3, 1))
    # 12 months before 29 February 2024 is 28 February 2023 (as the KPIs count).
    _closed(_referral(child, worker_user, dt.date(2024, 2, 29)), worker_user, dt.date(2024, 3, 1))
    _referral(child, worker_user, dt.date(2025, 3, 1))  # a year and a day after the last
    assert _flagged() == {dt.date(2023, 2, 28): False, dt.date(2024, 2, 29): True, dt.date(2025, 3, 1): False}


def test_my_work_marks_the_re_referral(child: Child, worker_user: User) -> None:
    _closed(_referral(child, worker_user, dt.date(2024, 6, 3)), worker_user, dt.date(2024, 7, 1))
    _referral(child, worker_user, dt.date(2025, 6, 2))
    [case] = selectors.my_work(user=worker_user).cases
    assert case.re_referral


# Team and service trays ------------------------------------------------------------------------------------


def test_caseloads_are_weighted_by_fte_and_include_agency_workers(worker_user: User, manager_user: User) -> None:
    team = worker_user.staff.team  # type: ignore[attr-defined]
    part_time = _worker(team, "Parttime", fte="0.50")
    agency = _worker(team, "Agency", agency=True)
    for n in range(3):
        _child(n, worker_user, part_time)
    _child(10, worker_user, agency)
    loads = {c.worker: c for c in selectors.team_work(user=manager_user, team_id=team.pk).caseloads}
    assert loads[part_time].children == 3
    assert loads[part_time].per_fte == Decimal("6.0")
    assert loads[agency].children == 1
    assert loads[agency].per_fte == Decimal("1.0")
    assert loads[worker_user.staff].children == 0  # type: ignore[attr-defined]
    # The manager holds no cases and is not listed.
    assert manager_user.staff not in loads  # type: ignore[attr-defined]


def test_a_worker_who_left_is_listed_while_still_holding_a_child(worker_user: User, manager_user: User) -> None:
    team = worker_user.staff.team  # type: ignore[attr-defined]
    gone = _worker(team, "Gone")
    _child(1, worker_user, gone)
    gone.end_date = dt.date(2024, 12, 31)
    gone.save()
    leaver_without_children = _worker(team, "Empty")
    leaver_without_children.end_date = dt.date(2024, 12, 31)
    leaver_without_children.save()
    listed = [c.worker for c in selectors.team_work(user=manager_user, team_id=team.pk).caseloads]
    assert gone in listed
    assert leaver_without_children not in listed


def test_overdue_counts_per_worker(child: Child, worker_user: User, manager_user: User, on_3_march_2025: None) -> None:
    referral = _referral(child, worker_user, dt.date(2024, 12, 18))
    casework.assessment_start(referral=referral, start_date=dt.date(2024, 12, 20), acting_user=worker_user)
    team = worker_user.staff.team  # type: ignore[attr-defined]
    loads = {c.worker: c for c in selectors.team_work(user=manager_user, team_id=team.pk).caseloads}
    assert loads[worker_user.staff].overdue == 1  # type: ignore[attr-defined]


def test_assessments_awaiting_authorisation_oldest_first(worker_user: User, manager_user: User) -> None:
    staff = worker_user.staff  # type: ignore[attr-defined]
    submitted = {}
    for n, day in ((1, dt.date(2025, 3, 10)), (2, dt.date(2025, 3, 4)), (3, None)):
        c = _child(n, worker_user, staff)
        a = casework.assessment_start(
            referral=_referral(c, worker_user, dt.date(2025, 3, 3)), start_date=dt.date(2025, 3, 3),
            acting_user=worker_user,
        )  # fmt: skip
        if day is not None:
            # No submitting service yet: the submission is written as it would record it.
            at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
            Assessment.objects.filter(pk=a.pk).update(submitted_at=at, submitted_by=worker_user)
            submitted[c] = a
    work = selectors.team_work(user=manager_user, team_id=staff.team_id)
    assert [row.child.la_child_id for row in work.awaiting] == ["TR002", "TR001"]
    first = next(a for c, a in submitted.items() if c.la_child_id == "TR002")
    try:  # the assessment's own page, once there is one
        expected = reverse("casework:assessment", kwargs={"assessment_id": first.pk})
    except NoReverseMatch:
        expected = reverse("journey:child_detail", args=["TR002"])
    assert work.awaiting[0].url == expected


def test_the_team_tray_costs_the_same_queries_for_more_children(
    worker_user: User, manager_user: User, on_3_march_2025: None
) -> None:
    staff = worker_user.staff  # type: ignore[attr-defined]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.team_work(user=manager_user, team_id=staff.team_id)
        return len(captured)

    def add(n: int) -> None:
        worker = _worker(staff.team, f"W{n}")
        c = _child(n, worker_user, worker)
        referral = _referral(c, worker_user, dt.date(2025, 1, 6))
        casework.cin_plan_start(referral=referral, start_date=dt.date(2025, 1, 8), acting_user=worker_user)

    add(1)
    queries()  # the first read caches the manager's staff record and team
    few = queries()
    for n in range(2, 12):
        add(n)
    assert queries() == few


def test_team_tray_only_for_its_managers(worker_user: User, manager_user: User) -> None:
    team = worker_user.staff.team  # type: ignore[attr-defined]
    other = Team.objects.create(name="Other team", service=team.service, kind=Team.Kind.CHILD_PROTECTION)
    with pytest.raises(NotFound):
        selectors.team_work(user=worker_user, team_id=team.pk)
    with pytest.raises(NotFound):
        selectors.team_work(user=manager_user, team_id=other.pk)  # a team manager sees their own team
    with pytest.raises(NotFound):
        selectors.service_work(user=manager_user, service_id=team.service_id)
    # Named as the other team's manager, they see it too.
    other.manager = manager_user.staff  # type: ignore[attr-defined]
    other.save()
    assert selectors.team_work(user=manager_user, team_id=other.pk).team == other


def test_service_tray_lists_each_team(worker_user: User, manager_user: User) -> None:
    team = worker_user.staff.team  # type: ignore[attr-defined]
    other = Team.objects.create(name="Other team", service=team.service, kind=Team.Kind.CHILD_PROTECTION)
    _child(1, worker_user, _worker(other, "Other"))
    UserRole.objects.create(user=manager_user, role=Role.SERVICE_MANAGER)
    work = selectors.service_work(user=manager_user, service_id=team.service_id)
    assert {t.team: t.children for t in work.teams} == {team: 0, other: 1}


# Reallocation ----------------------------------------------------------------------------------------------


def test_reallocating_ends_the_old_allocation_and_keeps_it(child: Child, worker_user: User, manager_user: User) -> None:
    staff = worker_user.staff  # type: ignore[attr-defined]
    # The manager's service holds the child (allocated in their team), so they may move it within the service.
    other = _worker(staff.team, "Newholder")
    client = Client()
    sign_in_verified(client, manager_user)
    url = reverse("trays:reallocate", args=[child.la_child_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Newholder Worker, Child in need team 1 (0 children)" in page.content.decode()
    response = client.post(
        url, {"worker": str(other.pk), "start_date_day": "3", "start_date_month": "3", "start_date_year": "2025"}
    )
    assert response.status_code == 302
    old, new = Allocation.objects.filter(child=child).order_by("start_date")
    assert (old.worker, old.end_date) == (staff, dt.date(2025, 3, 3))
    assert (new.worker, new.start_date, new.end_date) == (other, dt.date(2025, 3, 3), None)


def test_reallocation_before_the_current_allocation_started_is_refused(
    child: Child, worker_user: User, manager_user: User
) -> None:
    other = _worker(worker_user.staff.team, "Newholder")  # type: ignore[attr-defined]
    client = Client()
    sign_in_verified(client, manager_user)
    response = client.post(
        reverse("trays:reallocate", args=[child.la_child_id]),
        {"worker": str(other.pk), "start_date_day": "1", "start_date_month": "1", "start_date_year": "2024"},
    )
    assert response.status_code == 200
    assert "Start date must be on or after 1 May 2024" in response.content.decode()
    assert Allocation.objects.filter(child=child).count() == 1


def test_a_social_worker_cannot_reallocate(child: Child, worker_user: User) -> None:
    with pytest.raises(NotFound):
        selectors.child_for_reallocation(user=worker_user, la_child_id=child.la_child_id)


# The way in --------------------------------------------------------------------------------------------------


def _menu(user: User) -> tuple[str, list[str]]:
    client = Client()
    sign_in_verified(client, user)
    home = client.get("/")
    page = client.get(reverse("journey:child_search"))
    return home["Location"], [item["label"] for item in page.context["navigation_items"]]


def test_a_case_holder_starts_at_my_work(worker_user: User) -> None:
    start, menu = _menu(worker_user)
    assert start == reverse("trays:my_work")
    assert "My work" in menu
    assert "Team" not in menu


def test_a_manager_finds_their_teams_tray_and_a_service_manager_their_services(manager_user: User) -> None:
    start, menu = _menu(manager_user)
    assert start == reverse("journey:child_search")
    assert "Team" in menu
    assert "My work" not in menu
    assert "Service" not in menu
    UserRole.objects.filter(user=manager_user).update(role=Role.SERVICE_MANAGER)
    _start, menu = _menu(manager_user)
    assert "Service" in menu
    assert "Team" not in menu
