"""Maintaining the team structure: who may change what, and the rules a manager relies on (FTE from 0 to 1, nobody
leaves while still holding children, moving team keeps the allocations' history, nothing changes on a refusal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.people.models import Child
from openmash.workforce import selectors, services
from openmash.workforce.models import Allocation, Service, StaffMember, Team, TeamKind

from ..accounts.helpers import sign_in_verified


def _account(username: str, role: str, *, agency: str = Agency.CHILDRENS_SOCIAL_CARE) -> User:
    user = User.objects.create_user(username=username, password="not-used", agency=agency, last_name=username)
    UserRole.objects.create(user=user, role=role)
    return user


@pytest.fixture
def team(worker_user: User) -> Team:
    return worker_user.staff.team  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def other_team(team: Team) -> Team:
    return Team.objects.create(name="Child protection team 1", service=team.service, kind=TeamKind.CHILD_PROTECTION)


@pytest.fixture
def disability(db: None) -> Team:
    service = Service.objects.create(name="Children with disabilities")
    return Team.objects.create(name="Disability team", service=service, kind=TeamKind.DISABILITY)


@pytest.fixture
def service_manager(team: Team) -> User:
    """Manages the Safeguarding service: works in one of its teams."""
    user = _account("sm", Role.SERVICE_MANAGER)
    StaffMember.objects.create(
        user=user, first_name="Sian", last_name="Manager", team=team, job_role="service_manager",
        is_case_holder=False, start_date=dt.date(2019, 1, 1),
    )  # fmt: skip
    return user


@pytest.fixture
def admin(db: None) -> User:
    return _account("admin", Role.SYSTEM_ADMINISTRATOR)


def _details(team: Team, **changes: object) -> services.WorkerDetails:
    values: dict[str, object] = {
        "first_name": "Ola",
        "last_name": "Newman",
        "team": team,
        "job_role": "asye",
        "fte": Decimal("1.00"),
        "is_case_holder": True,
        "is_agency": False,
        "start_date": dt.date(2026, 9, 1),
        "end_date": None,
        "user": None,
    }
    values.update(changes)
    return services.WorkerDetails(**values)  # type: ignore[arg-type]


def _details_of(worker: StaffMember, **changes: object) -> services.WorkerDetails:
    values: dict[str, object] = {
        "first_name": worker.first_name,
        "last_name": worker.last_name,
        "team": worker.team,
        "job_role": worker.job_role,
        "fte": worker.fte,
        "is_case_holder": worker.is_case_holder,
        "is_agency": worker.is_agency,
        "start_date": worker.start_date,
        "end_date": worker.end_date,
        "user": worker.user,
    }
    values.update(changes)
    return services.WorkerDetails(**values)  # type: ignore[arg-type]


# FTE -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fte", ["1.01", "-0.01", "2", "0.555", "half", "NaN"])
def test_an_fte_outside_0_to_1_or_with_more_than_two_decimals_is_refused(
    team: Team, service_manager: User, fte: str
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.worker_add(details=_details(team, fte=fte), acting_user=service_manager)
    assert refused.value.field == "fte"
    assert "from 0 to 1" in refused.value.message
    assert not StaffMember.objects.filter(last_name="Newman").exists()


@pytest.mark.parametrize("fte", ["0", "0.5", "0.75", "1"])
def test_an_fte_from_0_to_1_is_kept_to_two_decimals(team: Team, service_manager: User, fte: str) -> None:
    worker = services.worker_add(details=_details(team, fte=fte), acting_user=service_manager)
    worker.refresh_from_db()
    assert worker.fte == Decimal(fte).quantize(Decimal("0.01"))


def test_editing_the_fte_saves_it_and_moves_the_version_on(team: Team, service_manager: User) -> None:
    worker = services.worker_add(details=_details(team), acting_user=service_manager)
    services.worker_change(
        worker=worker, details=_details_of(worker, fte="0.6"), expected_version=1, acting_user=service_manager
    )
    worker.refresh_from_db()
    assert (worker.fte, worker.version) == (Decimal("0.60"), 2)


def test_a_save_from_an_older_version_is_refused_and_shows_what_changed(team: Team, service_manager: User) -> None:
    worker = services.worker_add(details=_details(team), acting_user=service_manager)
    services.worker_change(worker=worker, details=_details_of(worker, fte="0.6"), acting_user=service_manager)
    with pytest.raises(EditConflict) as conflict:
        services.worker_change(
            worker=worker, details=_details_of(worker, fte="0.8"), expected_version=1, acting_user=service_manager
        )
    assert [(d.label, d.saved, d.yours) for d in conflict.value.differences] == [
        ("Fte", Decimal("0.60"), Decimal("0.80"))
    ]
    worker.refresh_from_db()
    assert worker.fte == Decimal("0.60")


# Leaving ---------------------------------------------------------------------------------------------


def test_a_worker_who_still_holds_children_cannot_be_ended(
    worker_user: User, child: Child, service_manager: User
) -> None:
    worker = worker_user.staff  # type: ignore[attr-defined]
    with pytest.raises(ServiceError) as refused:
        services.worker_change(
            worker=worker, details=_details_of(worker, end_date=dt.date(2026, 11, 30)), acting_user=service_manager
        )
    assert refused.value.field == "end_date"
    assert "still holds 1 child in Child in need team 1" in refused.value.message
    assert "Allocate that child to another worker in Child in need team 1" in refused.value.message
    worker.refresh_from_db()
    assert (worker.end_date, worker.version) == (None, 1)


def test_a_worker_can_be_ended_once_their_children_are_reallocated(
    worker_user: User, child: Child, service_manager: User, team: Team
) -> None:
    worker = worker_user.staff  # type: ignore[attr-defined]
    colleague = services.worker_add(
        details=_details(team, job_role="social_worker", start_date=dt.date(2020, 1, 1)), acting_user=service_manager
    )
    today = timezone.localdate()
    services.child_allocate(child=child, worker=colleague, start_date=today, acting_user=service_manager)
    services.worker_change(worker=worker, details=_details_of(worker, end_date=today), acting_user=service_manager)
    worker.refresh_from_db()
    assert worker.end_date == today
    # Never deleted: the allocation they held still names them.
    assert Allocation.objects.get(child=child, worker=worker).end_date == today


def test_a_worker_who_holds_children_cannot_stop_holding_cases(
    worker_user: User, child: Child, service_manager: User
) -> None:
    worker = worker_user.staff  # type: ignore[attr-defined]
    with pytest.raises(ServiceError) as refused:
        services.worker_change(
            worker=worker, details=_details_of(worker, is_case_holder=False), acting_user=service_manager
        )
    assert refused.value.field == "is_case_holder"


def test_the_leaving_date_cannot_be_before_a_child_they_held(
    worker_user: User, child: Child, service_manager: User, team: Team
) -> None:
    worker = worker_user.staff  # type: ignore[attr-defined]
    colleague = services.worker_add(
        details=_details(team, job_role="social_worker", start_date=dt.date(2020, 1, 1)), acting_user=service_manager
    )
    services.child_allocate(child=child, worker=colleague, start_date=dt.date(2025, 3, 3), acting_user=service_manager)
    with pytest.raises(ServiceError) as refused:
        services.worker_change(
            worker=worker, details=_details_of(worker, end_date=dt.date(2025, 1, 31)), acting_user=service_manager
        )
    assert refused.value.message == "Wendy Worker held a child until 3 March 2025: the date they left cannot be earlier"


# Moving team -----------------------------------------------------------------------------------------


def test_moving_team_keeps_the_allocations_history(
    worker_user: User, child: Child, service_manager: User, team: Team, other_team: Team
) -> None:
    worker = worker_user.staff  # type: ignore[attr-defined]
    today = timezone.localdate()
    services.worker_change(worker=worker, details=_details_of(worker, team=other_team), acting_user=service_manager)
    worker.refresh_from_db()
    assert worker.team == other_team
    history = [
        (a.team.name, a.start_date, a.end_date) for a in Allocation.objects.filter(child=child).order_by("start_date")
    ]
    assert history == [
        ("Child in need team 1", dt.date(2024, 5, 1), today),
        ("Child protection team 1", today, None),
    ]
    assert set(Allocation.objects.filter(child=child).values_list("worker", flat=True)) == {worker.pk}


def test_the_manager_of_a_team_cannot_move_out_of_it_before_someone_else_manages_it(
    service_manager: User, team: Team, other_team: Team, admin: User
) -> None:
    manager = service_manager.staff  # type: ignore[attr-defined]
    services.team_change(
        team=team,
        details=services.TeamDetails(name=team.name, service=team.service, kind=team.kind, manager=manager),
        acting_user=admin,
    )
    with pytest.raises(ServiceError) as refused:
        services.worker_change(worker=manager, details=_details_of(manager, team=other_team), acting_user=admin)
    assert refused.value.message == (
        "Sian Manager manages Child in need team 1: choose a new manager for Child in need team 1 first"
    )


# Who may change what ---------------------------------------------------------------------------------


def test_a_service_manager_cannot_change_another_service(service_manager: User, disability: Team, team: Team) -> None:
    other = disability.service
    with pytest.raises(ServiceError, match="only change the services you manage"):
        services.service_change(
            service=other, details=services.ServiceDetails(name="Mine now"), acting_user=service_manager
        )
    with pytest.raises(ServiceError, match="only change the services you manage"):
        services.team_add(
            details=services.TeamDetails(name="Extra", service=other, kind=TeamKind.DISABILITY),
            acting_user=service_manager,
        )
    with pytest.raises(ServiceError, match="only change the services you manage"):
        services.worker_add(details=_details(disability), acting_user=service_manager)
    other.refresh_from_db()
    assert other.name == "Children with disabilities"
    assert list(other.teams.values_list("name", flat=True)) == ["Disability team"]
    assert not disability.staff.exists()


def test_a_service_manager_cannot_move_their_staff_into_another_service(
    worker_user: User, service_manager: User, disability: Team
) -> None:
    worker = worker_user.staff  # type: ignore[attr-defined]
    with pytest.raises(ServiceError, match="only change the services you manage"):
        services.worker_change(worker=worker, details=_details_of(worker, team=disability), acting_user=service_manager)
    worker.refresh_from_db()
    assert worker.team.name == "Child in need team 1"


def test_a_service_manager_changes_their_own_service(service_manager: User, team: Team) -> None:
    service = team.service
    services.service_change(
        service=service,
        details=services.ServiceDetails(name="Safeguarding and support", manager=service_manager.staff),  # type: ignore[attr-defined]
        expected_version=1,
        acting_user=service_manager,
    )
    service.refresh_from_db()
    assert (service.name, service.manager_id, service.version) == (
        "Safeguarding and support",
        service_manager.staff.pk,  # type: ignore[attr-defined]
        2,
    )


def test_only_an_administrator_adds_a_service(service_manager: User, admin: User) -> None:
    with pytest.raises(ServiceError, match="Only a system administrator"):
        services.service_add(details=services.ServiceDetails(name="Youth justice"), acting_user=service_manager)
    service = services.service_add(details=services.ServiceDetails(name="Youth justice"), acting_user=admin)
    assert Service.objects.filter(name="Youth justice").get() == service


def test_a_team_manager_or_social_worker_maintains_nothing(worker_user: User, manager_user: User, team: Team) -> None:
    for user in (worker_user, manager_user):
        with pytest.raises(ServiceError):
            services.team_add(
                details=services.TeamDetails(name="New", service=team.service, kind=TeamKind.CHILD_IN_NEED),
                acting_user=user,
            )
    assert not Team.objects.filter(name="New").exists()


def test_a_service_manager_who_has_left_maintains_nothing(service_manager: User, team: Team) -> None:
    StaffMember.objects.filter(user=service_manager).update(end_date=dt.date(2025, 1, 1))
    service_manager = User.objects.get(pk=service_manager.pk)
    with pytest.raises(ServiceError):
        services.worker_add(details=_details(team), acting_user=service_manager)


# Teams, names and accounts ---------------------------------------------------------------------------


def test_a_youth_justice_team_is_added_with_a_manager_from_its_service(
    service_manager: User, team: Team, disability: Team
) -> None:
    manager = service_manager.staff  # type: ignore[attr-defined]
    added = services.team_add(
        details=services.TeamDetails(
            name="Youth justice", service=team.service, kind=TeamKind.YOUTH_JUSTICE, manager=manager
        ),
        acting_user=service_manager,
    )
    assert (added.kind, added.manager) == (TeamKind.YOUTH_JUSTICE, manager)


def test_a_team_manager_from_another_service_is_refused(admin: User, team: Team, disability: Team) -> None:
    elsewhere = StaffMember.objects.create(
        first_name="Dee",
        last_name="Elsewhere",
        team=disability,
        job_role="team_manager",
        start_date=dt.date(2020, 1, 1),
    )
    with pytest.raises(ServiceError) as refused:
        services.team_add(
            details=services.TeamDetails(name="New", service=team.service, kind=TeamKind.CSE, manager=elsewhere),
            acting_user=admin,
        )
    assert refused.value.field == "manager"
    assert not Team.objects.filter(name="New").exists()


def test_names_must_be_unique_whatever_their_case(admin: User, team: Team) -> None:
    with pytest.raises(ServiceError) as refused:
        services.team_add(
            details=services.TeamDetails(name="  child IN need team 1 ", service=team.service, kind=TeamKind.CSE),
            acting_user=admin,
        )
    assert (refused.value.field, refused.value.message) == (
        "name",
        "There is already a team called child IN need team 1",
    )


def test_only_a_free_childrens_social_care_account_can_be_linked(
    team: Team, service_manager: User, worker_user: User
) -> None:
    police = _account("pc", Role.MASH_PRACTITIONER, agency=Agency.POLICE)
    for account in (police, worker_user):
        with pytest.raises(ServiceError) as refused:
            services.worker_add(details=_details(team, user=account), acting_user=service_manager)
        assert refused.value.field == "user"
    free = _account("newsw", Role.SOCIAL_WORKER)
    worker = services.worker_add(details=_details(team, user=free), acting_user=service_manager)
    assert User.objects.get(pk=free.pk).staff == worker  # type: ignore[attr-defined]


def test_each_change_is_in_the_audit_trail_and_the_change_history(team: Team, service_manager: User) -> None:
    worker = services.worker_add(details=_details(team), acting_user=service_manager)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(worker.pk))
    assert (event.user, event.summary) == (service_manager, "Added Ola Newman to Child in need team 1")
    entry = LogEntry.objects.get_for_object(worker).get()
    assert entry.actor == service_manager


# The structure page ----------------------------------------------------------------------------------


def test_the_structure_counts_each_teams_staff_fte_case_holders_and_children(
    worker_user: User, manager_user: User, child: Child, service_manager: User, team: Team
) -> None:
    services.worker_add(details=_details(team, fte="0.5", start_date=dt.date(2020, 1, 1)), acting_user=service_manager)
    starts = timezone.localdate() + dt.timedelta(days=30)
    services.worker_add(details=_details(team, last_name="Starter", start_date=starts), acting_user=service_manager)
    view = selectors.structure(user=worker_user)
    plans = next(s for s in view.stages if s.stage.key == "plans")
    figures = next(f for f in plans.teams if f.team == team)
    # Wendy (1.0), Mina (manager, 1.0, no cases), Sian (service manager, 1.0, no cases), Ola (0.5); not the starter.
    assert (figures.headcount, figures.fte, figures.case_holders, figures.case_holder_fte, figures.children) == (
        4, Decimal("3.50"), 2, Decimal("1.50"), 1,
    )  # fmt: skip
    assert figures.caseload == Decimal("0.7")
    assert figures.newly_qualified == 1


def test_partner_agencies_and_councillors_do_not_see_the_structure(db: None) -> None:
    for user in (
        _account("pc", Role.MASH_PRACTITIONER, agency=Agency.POLICE),
        _account("cllr", Role.SCRUTINY_MEMBER, agency=Agency.DEMOCRATIC_SERVICES),
    ):
        with pytest.raises(NotFound):
            selectors.structure(user=user)


def test_the_form_shows_a_bad_fte_beside_the_field_and_changes_nothing(
    worker_user: User, service_manager: User
) -> None:
    worker = worker_user.staff  # type: ignore[attr-defined]
    client = Client()
    sign_in_verified(client, service_manager)
    data = {
        "first_name": "Wendy", "last_name": "Worker", "team": str(worker.team_id), "job_role": "social_worker",
        "fte": "1.5", "is_case_holder": "yes", "is_agency": "no", "start_date_day": "1", "start_date_month": "1",
        "start_date_year": "2020", "version": "1",
    }  # fmt: skip
    response = client.post(reverse("workforce:worker_edit", args=[worker.pk]), data)
    assert response.status_code == 200
    assert "FTE must be 1 or less: 1 is full time" in response.content.decode()
    worker.refresh_from_db()
    assert worker.fte == Decimal("1.00")


def test_the_structure_page_reads_the_same_number_of_queries_for_any_number_of_teams(
    worker_user: User, child: Child, service_manager: User, team: Team
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.structure(user=worker_user)
        return len(captured)

    few = queries()
    for n in range(8):
        more = Team.objects.create(name=f"Extra {n}", service=team.service, kind=TeamKind.ASSESSMENT)
        services.worker_add(details=_details(more, last_name=f"Extra{n}"), acting_user=service_manager)
    assert queries() == few
