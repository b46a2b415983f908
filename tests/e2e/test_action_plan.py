"""An action plan in a real browser: a service manager creates a plan, adds an action due yesterday, records
progress rating it red, and finds it on the overdue and off-track list; a councillor reads it without any way to
change it. Every page is checked with axe, and at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openmash.improvement.models import Action, ProgressUpdate

from ..access.world import World, build_world
from .conftest import Ui
from .test_oversight import PASSWORD, no_sideways_scroll_at_320, sign_in_as

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(transactional_db: None) -> World:
    w = build_world()
    for user in w.users.values():
        user.set_password(PASSWORD)
        user.save()
    return w


def _fill_date(ui: Ui, group_name: str, day: dt.date) -> None:
    group = ui.page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_manager_runs_an_action_plan_and_a_councillor_reads_it(ui: Ui, world: World) -> None:
    title = "Front door improvement plan"
    sign_in_as(ui, world.users["sm"])
    ui.navigate_by(ui.page.get_by_role("link", name="Action plans").first.click)
    expect(ui.page.get_by_role("heading", name="Action plans", exact=True)).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Create an action plan").click)
    ui.navigate_by(ui.page.get_by_role("button", name="Create plan").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("Enter the title")
    no_sideways_scroll_at_320(ui)
    ui.page.get_by_label("Title").fill("Front door plan")
    ui.page.get_by_label("Safeguarding action plan", exact=True).check()
    ui.navigate_by(ui.page.get_by_role("button", name="Create plan").click)
    expect(ui.page.get_by_role("heading", name="Front door plan")).to_be_visible()

    # Renamed: a plan is refreshed and retitled over the years.
    ui.navigate_by(ui.page.get_by_role("link", name="Change the plan's title, description or owner").click)
    expect(ui.page.get_by_text("Kind: Safeguarding action plan")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    ui.page.get_by_label("Title").fill(title)
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_text("The plan is saved")).to_be_visible()
    expect(ui.page.get_by_role("heading", name=title)).to_be_visible()

    ui.navigate_by(ui.page.get_by_role("link", name="Add an action").click)
    no_sideways_scroll_at_320(ui)
    ui.page.get_by_label("Action", exact=True).fill("Audit threshold decisions each month")
    ui.page.get_by_label("Owner's role").fill("Head of Service, MASH")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    _fill_date(ui, "Due date", yesterday)
    ui.page.get_by_label("Re-referrals within 12 months").first.check()
    ui.navigate_by(ui.page.get_by_role("button", name="Save action").click)
    expect(ui.page.get_by_text("Action 1 is added")).to_be_visible()
    actions = ui.page.get_by_role("table", name="Actions of this plan")
    expect(actions).to_contain_text("Audit threshold decisions each month")
    expect(actions).to_contain_text("Overdue")
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Audit threshold decisions each month").click)
    ui.navigate_by(ui.page.get_by_role("link", name="Record progress").click)
    no_sideways_scroll_at_320(ui)
    ui.page.get_by_label("Progress", exact=True).fill("Twenty decisions audited; three were stepped down too early.")
    ui.page.get_by_label("Evidence").fill("Audit report AR-12 on the team site")
    ui.page.get_by_label("In progress", exact=True).check()
    ui.page.get_by_label("Red", exact=True).check()
    ui.navigate_by(ui.page.get_by_role("button", name="Record progress").click)
    expect(ui.page.get_by_text("The progress update is recorded")).to_be_visible()
    expect(ui.page.get_by_text("Audit report AR-12 on the team site")).to_be_visible()
    expect(ui.page.get_by_text("RAG rating: (empty) to Red")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    action = Action.objects.get(plan__title=title)
    assert (action.status, action.rag, action.due_date) == ("in_progress", "red", yesterday)
    assert ProgressUpdate.objects.filter(action=action).count() == 1

    ui.navigate_by(ui.page.get_by_role("link", name="Action plans").first.click)
    ui.navigate_by(ui.page.get_by_role("link", name="Overdue and off-track actions").click)
    # The world's own plan has an overdue action too.
    listed = ui.page.get_by_role("table", name="2 actions")
    expect(listed).to_contain_text("Audit threshold decisions each month")
    expect(listed).to_contain_text(title)
    no_sideways_scroll_at_320(ui)

    ui.page.context.clear_cookies()
    sign_in_as(ui, world.users["cllr"])
    ui.navigate_by(ui.page.get_by_role("link", name="Action plans").first.click)
    ui.navigate_by(ui.page.get_by_role("link", name=title).click)
    expect(ui.page.get_by_role("table", name="Actions of this plan")).to_contain_text("Overdue")
    expect(ui.page.get_by_role("link", name="Add an action")).to_have_count(0)
    ui.navigate_by(ui.page.get_by_role("link", name="Audit threshold decisions each month").click)
    expect(ui.page.get_by_text("Twenty decisions audited")).to_be_visible()
    expect(ui.page.get_by_role("link", name="Record progress")).to_have_count(0)
    no_sideways_scroll_at_320(ui)
