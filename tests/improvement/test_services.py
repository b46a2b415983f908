"""Action plans and inspections: who may change them, what is refused, and that a refused change leaves nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from auditlog.models import LogEntry

from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency, Role, User
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.improvement import services
from openmash.improvement.models import Action, ActionPlan, Inspection, Judgement, ProgressUpdate
from openmash.improvement.services import ActionDetails, CsvRejected

from .helpers import councillor, make_user, manager

SAMPLE = Path(__file__).parent / "data" / "inspection_outcomes.csv"
HEADER = (
    "la_code,authority,framework,inspection_type,published,"
    "overall,leaders,help_protection,children_in_care,care_leavers\n"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sm() -> User:
    return manager()


@pytest.fixture
def plan(sm: User) -> ActionPlan:
    return services.plan_create(title="Safeguarding action plan 2025", kind="safeguarding", acting_user=sm)


def test_plan_create_is_audited_and_refused_to_councillors_and_social_workers(sm: User) -> None:
    plan = services.plan_create(title="  MASH improvement  ", kind="safeguarding", owner=sm, acting_user=sm)
    assert plan.title == "MASH improvement"
    assert plan.owner == sm
    assert plan.created_by == sm
    assert AuditEvent.objects.filter(object_type="improvement.ActionPlan", object_id=str(plan.pk)).exists()
    for who in (
        councillor(),
        make_user("sw", Role.SOCIAL_WORKER),
        make_user("police", Role.TEAM_MANAGER, Agency.POLICE),
    ):
        with pytest.raises(PermissionError):
            services.plan_create(title="Theirs", kind="safeguarding", acting_user=who)
    assert ActionPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"title": " "}, "title"), ({"kind": "wishlist"}, "kind"), ({"title": "x" * 201}, "title")],
)
def test_plan_create_refuses_bad_input(sm: User, kwargs: dict[str, str], field: str) -> None:
    with pytest.raises(ServiceError) as caught:
        services.plan_create(**{"title": "A plan", "kind": "safeguarding", **kwargs}, acting_user=sm)
    assert caught.value.field == field
    assert not ActionPlan.objects.exists()


def test_actions_are_numbered_in_turn_and_indicators_checked(sm: User, plan: ActionPlan) -> None:
    first = services.action_add(
        plan=plan,
        details=ActionDetails(title="Audit threshold decisions", indicators=["rereferral_rate"]),
        acting_user=sm,
    )
    second = services.action_add(
        plan=plan, details=ActionDetails(title="Recruit two MASH social workers"), acting_user=sm
    )
    assert (first.number, second.number) == (1, 2)
    assert first.indicators == ["rereferral_rate"]
    with pytest.raises(ServiceError) as caught:
        services.action_add(plan=plan, details=ActionDetails(title="Bad", indicators=["no_such_kpi"]), acting_user=sm)
    assert caught.value.field == "indicators"
    with pytest.raises(ServiceError):
        services.action_add(
            plan=plan, details=ActionDetails(title="Owned by a councillor", owner=councillor()), acting_user=sm
        )
    assert plan.actions.count() == 2


def test_action_update_refuses_a_stale_form_and_keeps_history(sm: User, plan: ActionPlan) -> None:
    action = services.action_add(plan=plan, details=ActionDetails(title="Audit"), acting_user=sm)
    opened = action.version
    services.action_update(
        action=action, details=ActionDetails(title="Audit", rag="amber"), expected_version=opened, acting_user=sm
    )
    other = make_user("analyst", Role.PERFORMANCE_ANALYST)
    with pytest.raises(EditConflict) as caught:
        services.action_update(
            action=action, details=ActionDetails(title="Audit", rag="green"), expected_version=opened, acting_user=other
        )
    assert [d.field for d in caught.value.differences] == ["rag"]
    action.refresh_from_db()
    assert action.rag == "amber"
    assert action.version == opened + 1
    changes = [e.changes_dict for e in LogEntry.objects.get_for_object(action)]
    assert {"rag": ["", "amber"], "version": ["1", "2"]} in changes


def test_progress_moves_the_action_and_is_refused_in_the_future(sm: User, plan: ActionPlan) -> None:
    action = services.action_add(plan=plan, details=ActionDetails(title="Audit"), acting_user=sm)
    update = services.progress_record(
        action=action,
        date=dt.date.today(),
        summary="First audit of 20 decisions done",
        evidence="Audit report AR-12",
        status="in_progress",
        rag="red",
        acting_user=sm,
    )
    action.refresh_from_db()
    assert (action.status, action.rag, update.recorded_by) == ("in_progress", "red", sm)
    assert action.is_off_track
    with pytest.raises(ServiceError) as caught:
        services.progress_record(
            action=action,
            date=dt.date.today() + dt.timedelta(days=1),
            summary="Later",
            status="complete",
            rag="green",
            acting_user=sm,
        )
    assert caught.value.field == "date"
    with pytest.raises(PermissionError):
        services.progress_record(
            action=action,
            date=dt.date.today(),
            summary="Done",
            status="complete",
            rag="green",
            acting_user=councillor(),
        )
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert ProgressUpdate.objects.count() == 1


def test_overdue_means_due_date_passed_and_not_done(sm: User, plan: ActionPlan) -> None:
    past = dt.date.today() - dt.timedelta(days=1)
    action = services.action_add(plan=plan, details=ActionDetails(title="Late", due_date=past), acting_user=sm)
    assert action.is_overdue
    services.progress_record(
        action=action, date=dt.date.today(), summary="Done", status="complete", rag="red", acting_user=sm
    )
    action.refresh_from_db()
    assert not action.is_overdue
    assert not action.is_off_track


def test_inspection_record_keeps_judgements_of_its_framework_only(sm: User) -> None:
    inspection = services.inspection_record(
        authority="Bury",
        la_code="351",
        framework="ilacs",
        inspection_type="Standard",
        published=dt.date(2024, 3, 1),
        judgements={"overall": "good", "care_leavers": "requires_improvement"},
        areas_for_improvement=["Management oversight of step-down to early help", " ", "Return home interviews"],
        acting_user=sm,
    )
    assert dict(inspection.judgements.values_list("area", "grade")) == {
        "overall": "good",
        "care_leavers": "requires_improvement",
    }
    assert list(inspection.areas_for_improvement.values_list("number", flat=True)) == [1, 2]
    # Care leavers were judged on their own only from January 2023.
    with pytest.raises(ServiceError) as caught:
        services.inspection_record(
            authority="Bury",
            la_code="351",
            framework="ilacs",
            published=dt.date(2021, 3, 1),
            judgements={"care_leavers": "good"},
            acting_user=sm,
        )
    assert caught.value.field == "care_leavers"
    for bad in ({"la_code": "35"}, {"la_code": "E08000002"}, {"authority": " "}, {"framework": "sif2"}):
        with pytest.raises(ServiceError):
            services.inspection_record(
                **{"authority": "Bury", "la_code": "351", "framework": "ilacs", **bad},
                published=dt.date(2020, 1, 1),
                acting_user=sm,
            )
    assert Inspection.objects.count() == 1


def test_csv_loads_every_row(sm: User) -> None:
    report = services.inspections_load_csv(data=SAMPLE.read_bytes(), acting_user=sm)
    assert len(report.added) == 5
    assert report.unchanged == 0
    barnet = Inspection.objects.get(la_code="302")
    assert barnet.published == dt.date(2024, 7, 23)
    assert dict(barnet.judgements.values_list("area", "grade"))["children_in_care"] == "outstanding"
    # The 2022 ILACS judgement had no care leavers line; the monitoring visit has no grades.
    assert Judgement.objects.filter(inspection__la_code="351").count() == 4
    again = services.inspections_load_csv(data=SAMPLE.read_bytes(), acting_user=sm)
    assert (len(again.added), again.unchanged) == (0, 5)
    assert AuditEvent.objects.filter(summary__startswith="Loaded 5 inspection outcomes").exists()


def test_csv_is_all_or_nothing_with_each_bad_line_named(sm: User) -> None:
    text = (
        HEADER
        + "301,Barking and Dagenham,ILACS,Standard,04/09/2023,Good,Good,Good,Good,Good\n"
        + "30,Nowhere,ILACS,Standard,04/09/2023,Good,Good,Good,Good,Good\n"
        + "302,Barnet,ILACS,Standard,31/02/2024,Good,Good,Good,Good,Good\n"
        + "370,Barnsley,ILACS,Short,27/10/2023,Great,Good,Good,Good,Good\n"
        + "301,Barking and Dagenham,ILACS,Standard,2023-09-04,Good,Good,Good,Good,Good\n"
        + "350,Bolton,Inspection of sorts,,2023-09-04,,,,,\n"
    )
    with pytest.raises(CsvRejected) as caught:
        services.inspections_load_csv(data=text.encode(), acting_user=sm)
    lines = [line for line, _ in caught.value.problems]
    assert lines == [3, 4, 5, 6, 7]
    messages = dict(caught.value.problems)
    assert "three digits" in messages[3]
    assert "31/02/2024" in messages[4]
    assert "Great" in messages[5]
    assert "line 2" in messages[6]
    assert "framework" in messages[7]
    assert not Inspection.objects.exists()


def test_csv_refuses_different_judgements_for_a_held_inspection(sm: User) -> None:
    services.inspections_load_csv(data=SAMPLE.read_bytes(), acting_user=sm)
    changed = HEADER + "302,Barnet,ILACS,Standard,23/07/2024,Good,Good,Good,Good,Good\n"
    added = HEADER + "873,Cambridgeshire,ILACS,Standard,2024-01-01,Good,Good,Good,Good,Good\n"
    with pytest.raises(CsvRejected) as caught:
        services.inspections_load_csv(data=(changed + added.split("\n", 1)[1]).encode(), acting_user=sm)
    assert [line for line, _ in caught.value.problems] == [2]
    assert not Inspection.objects.filter(la_code="873").exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"authority,framework\nBury,ILACS\n", "missing: la_code, published"),
        (HEADER.replace("care_leavers", "shoe_size").encode(), "shoe_size"),
        (b"\xff\xfe\x00", "UTF-8"),
        (HEADER.encode(), "no inspections"),
    ],
)
def test_csv_refuses_files_it_cannot_read(sm: User, data: bytes, words: str) -> None:
    with pytest.raises(ServiceError) as caught:
        services.inspections_load_csv(data=data, acting_user=sm)
    assert words in caught.value.message


def test_csv_load_is_for_managers_only() -> None:
    with pytest.raises(PermissionError):
        services.inspections_load_csv(data=SAMPLE.read_bytes(), acting_user=councillor())
    assert not Inspection.objects.exists()


def test_plan_from_inspection_makes_an_action_for_each_area(sm: User) -> None:
    inspection = services.inspection_record(
        authority="Bury",
        la_code="351",
        framework="ilacs",
        published=dt.date(2024, 3, 1),
        judgements={"overall": "requires_improvement"},
        areas_for_improvement=["Timeliness of initial child protection conferences", "Supervision records"],
        acting_user=sm,
    )
    plan = services.plan_from_inspection(inspection=inspection, owner=sm, acting_user=sm)
    assert plan.kind == "inspection"
    assert plan.inspection == inspection
    actions = list(plan.actions.order_by("number"))
    assert [(a.number, a.title) for a in actions] == [
        (1, "Timeliness of initial child protection conferences"),
        (2, "Supervision records"),
    ]
    assert [a.area_for_improvement.number for a in actions if a.area_for_improvement] == [1, 2]
    bare = services.inspection_record(
        authority="Bury", la_code="351", framework="focused_visit", published=dt.date(2024, 6, 1), acting_user=sm
    )
    with pytest.raises(ServiceError):
        services.plan_from_inspection(inspection=bare, acting_user=sm)
    assert ActionPlan.objects.count() == 1
    assert Action.objects.count() == 2
