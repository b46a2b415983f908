"""What managers and committees read first: overdue actions, then red, then amber, then the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openmash.access.selectors import NotFound
from openmash.accounts.models import Agency, Role
from openmash.improvement import selectors, services
from openmash.improvement.models import Action, ActionPlan
from openmash.improvement.services import ActionDetails

from .helpers import councillor, make_user, manager

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def _plan_with_actions() -> tuple[ActionPlan, dict[str, Action]]:
    sm = manager()
    plan = services.plan_create(title="Safeguarding action plan", kind="safeguarding", acting_user=sm)

    def add(title: str, **kwargs: Any) -> Action:
        return services.action_add(plan=plan, details=ActionDetails(title=title, **kwargs), acting_user=sm)

    actions = {
        "green_later": add("Green, due later", due_date=TODAY + dt.timedelta(days=30), rag="green"),
        "amber": add("Amber", due_date=TODAY + dt.timedelta(days=10), rag="amber"),
        "overdue": add("Overdue", due_date=TODAY - dt.timedelta(days=1), rag="green"),
        "red": add("Red", due_date=TODAY + dt.timedelta(days=20), rag="red"),
        "done_late": add("Complete though late", due_date=TODAY - dt.timedelta(days=5), status="complete", rag="red"),
        "undated": add("No date"),
    }
    return plan, actions


def test_a_plans_actions_list_overdue_then_red_then_amber_then_the_rest() -> None:
    plan, _actions = _plan_with_actions()
    listed = selectors.plan_actions(manager("tm"), plan, today=TODAY)
    assert [a.title for a in listed] == [
        "Overdue",
        "Red",
        "Amber",
        "Green, due later",
        "No date",
        "Complete though late",
    ]


def test_the_managers_list_holds_only_overdue_and_off_track_actions() -> None:
    _plan, _actions = _plan_with_actions()
    listed = selectors.attention(councillor(), today=TODAY)
    assert [a.title for a in listed] == ["Overdue", "Red", "Amber"]


def test_plan_counts() -> None:
    _plan_with_actions()
    (row,) = selectors.plans(make_user("analyst", Role.PERFORMANCE_ANALYST), today=TODAY)
    assert (row.actions, row.done, row.overdue, row.off_track) == (6, 1, 1, 2)


def test_partners_and_social_workers_are_refused() -> None:
    plan, _ = _plan_with_actions()
    for who in (make_user("sw", Role.SOCIAL_WORKER), make_user("police", Role.MASH_PRACTITIONER, Agency.POLICE)):
        with pytest.raises(NotFound):
            selectors.plans(who)
        with pytest.raises(NotFound):
            selectors.plan(who, plan.pk)


def test_compare_takes_each_authoritys_latest_graded_inspection_best_first() -> None:
    sm = manager()

    def record(la: str, name: str, published: dt.date, overall: str, framework: str = "ilacs") -> None:
        services.inspection_record(
            authority=name,
            la_code=la,
            framework=framework,
            published=published,
            judgements={"overall": overall, "leaders": overall} if framework == "ilacs" else {},
            acting_user=sm,
        )

    record("351", "Bury", dt.date(2019, 1, 10), "inadequate")
    record("351", "Bury", dt.date(2024, 3, 1), "good")
    record("351", "Bury", dt.date(2024, 9, 1), "good", framework="monitoring_visit")
    record("350", "Bolton", dt.date(2023, 5, 1), "requires_improvement")
    record("302", "Barnet", dt.date(2024, 7, 23), "outstanding")
    table = selectors.compare(sm)
    assert [key for key, _label in table.columns] == ["overall", "leaders"]
    assert [(r.inspection.authority, r.grades[0].grade) for r in table.rows] == [
        ("Barnet", "outstanding"),
        ("Bury", "good"),
        ("Bolton", "requires_improvement"),
    ]


def test_progress_since_a_committees_last_report() -> None:
    plan, actions = _plan_with_actions()
    sm = plan.created_by
    assert sm is not None
    for day, summary in ((dt.date(2026, 1, 10), "Before the report"), (dt.date(2026, 3, 2), "After the report")):
        services.progress_record(
            action=actions["red"], date=day, summary=summary, status="in_progress", rag="red", acting_user=sm
        )
    found = selectors.progress_since(councillor(), plan, dt.date(2026, 2, 1))
    assert [u.summary for u in found] == ["After the report"]
