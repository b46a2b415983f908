"""The work trays in a real browser: a social worker finds an overdue assessment in My work on a phone-sized
screen, a team manager reads the team's caseloads and the assessments waiting for authorisation, and
reallocates a child, keeping who held the child before. Every page is checked with axe, and again at 320
pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openmash.casework import services as casework
from openmash.casework.models import Assessment, Referral
from openmash.workforce.models import Allocation

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


def _assessment(world: World, key: str) -> Assessment:
    """An assessment of one of the world's children, started by their social worker two working days after
    the referral (1 January 2025), long overdue now."""
    referral = Referral.objects.get(child=world.children[key], closure_date__isnull=True)
    return casework.assessment_start(referral=referral, start_date=dt.date(2025, 1, 3), acting_user=world.users["sw"])


def test_a_social_worker_sees_an_overdue_assessment_in_my_work_on_a_small_screen(ui: Ui, world: World) -> None:
    _assessment(world, "allocated")
    child = world.children["allocated"]
    ui.page.set_viewport_size({"width": 320, "height": 640})
    sign_in_as(ui, world.users["sw"])  # a case holder starts at My work
    expect(ui.page.get_by_role("heading", name="My work")).to_be_visible()
    due = ui.page.get_by_role("table", name="Everything due for your children")
    expect(due).to_contain_text(child.full_name)
    assessment_row = due.get_by_role("row").filter(has_text="Single assessment")
    expect(assessment_row.get_by_text("Overdue")).to_have_count(1)
    cases = ui.page.get_by_role("table", name="The children allocated to you")
    expect(cases.get_by_role("row").filter(has_text=child.full_name)).to_have_count(1)
    # The restricted record the social worker holds is not named to them.
    expect(cases).not_to_contain_text(world.children["restricted"].full_name)
    overflow = ui.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "My work scrolls sideways at 320px"
    ui.page.set_viewport_size({"width": 1024, "height": 800})
    ui.navigate_by(assessment_row.get_by_role("link", name=child.full_name).click)
    expect(ui.page.get_by_role("heading", name=child.full_name)).to_be_visible()


def test_a_team_manager_reads_caseloads_and_reallocates_a_child(ui: Ui, world: World) -> None:
    submitted = _assessment(world, "team")
    # No submitting service yet: the submission is written as it would record it.
    Assessment.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now(), submitted_by=world.users["sw"])
    child = world.children["allocated"]
    sign_in_as(ui, world.users["tm"])
    ui.navigate_by(ui.page.get_by_role("link", name="Team", exact=True).click)
    expect(ui.page.get_by_role("heading", name="Team A")).to_be_visible()
    caseloads = ui.page.get_by_role("table", name="Caseloads")
    # sw holds two children (one restricted, which tm is named on); Colleague A one.
    children_held = 2  # the third cell of a worker's row
    expect(
        caseloads.get_by_role("row").filter(has_text="sw Staff").get_by_role("cell").nth(children_held)
    ).to_have_text("2")
    expect(
        caseloads.get_by_role("row").filter(has_text="Colleague A").get_by_role("cell").nth(children_held)
    ).to_have_text("1")
    awaiting = ui.page.get_by_role("table", name="Awaiting your authorisation (1)")
    expect(awaiting).to_contain_text(world.children["team"].full_name)
    no_sideways_scroll_at_320(ui)

    ui.page.get_by_text("Children held by sw Staff").click()
    ui.navigate_by(ui.page.get_by_role("link", name=f"Reallocate {child.full_name}").click)
    expect(ui.page.get_by_role("heading", name="Reallocate to another worker")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    ui.page.get_by_label("Who will hold the case now?").select_option(label="Colleague A, Team A (1 child)")
    ui.navigate_by(ui.page.get_by_role("button", name="Reallocate").click)
    expect(ui.page.get_by_text(f"{child.full_name} is reallocated from sw Staff to Colleague A")).to_be_visible()
    old, new = Allocation.objects.filter(child=child).order_by("start_date", "pk")
    assert (old.worker.user, old.end_date) == (world.users["sw"], timezone.localdate())
    assert (new.worker.last_name, new.start_date, new.end_date) == ("A", timezone.localdate(), None)


def test_recording_the_overdue_visit_clears_it_from_my_work(ui: Ui, world: World) -> None:
    # The world's allocated child has been on a child protection plan for months and not been seen since.
    child = world.children["allocated"]
    sign_in_as(ui, world.users["sw"])
    due = ui.page.get_by_role("table", name="Everything due for your children")
    visit_row = due.get_by_role("row").filter(has_text="Child protection visit")
    expect(visit_row.get_by_text("Overdue")).to_have_count(1)
    ui.navigate_by(visit_row.get_by_role("link", name=child.full_name).click)
    ui.navigate_by(ui.page.get_by_role("link", name="Visits", exact=True).click)
    ui.navigate_by(ui.page.get_by_role("button", name="Record a visit").click)
    today = timezone.localdate()
    group = ui.page.get_by_role("group", name="Date of the visit")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    ui.page.get_by_label("Child protection visit").check()
    ui.page.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
    ui.page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    ui.navigate_by(ui.page.get_by_role("button", name="Save visit").click)
    ui.navigate_by(ui.page.get_by_role("link", name="My work", exact=True).click)
    visit_row = (
        ui.page.get_by_role("table", name="Everything due for your children")
        .get_by_role("row")
        .filter(has_text="Child protection visit")
    )
    expect(visit_row).to_have_count(1)
    expect(visit_row.get_by_text("Overdue")).to_have_count(0)
