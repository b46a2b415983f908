"""The team structure in a real browser: a service manager adds a youth justice team and a worker to it, corrects the
worker's FTE, and reads the structure along the child's journey. Every page is checked with axe, and again at
320 pixels wide for sideways scrolling."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from openmash.accounts.models import User
from openmash.workforce.models import StaffMember, Team

from ..access.world import World, build_world
from . import helpers
from .conftest import Ui

pytestmark = pytest.mark.e2e
PASSWORD = "a-long-browser-password"


@pytest.fixture
def world(transactional_db: None) -> World:
    w = build_world()
    for user in w.users.values():
        user.set_password(PASSWORD)
        user.save()
    return w


def sign_in_as(ui: Ui, user: User, *, start: str = "/") -> None:
    key = user.username.encode().ljust(20, b"k")
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name="Authenticator app", key=key.hex(), confirmed=True)
    helpers.sign_in(ui, user.username, PASSWORD, key, start=start)


def no_sideways_scroll_at_320(ui: Ui) -> None:
    ui.page.set_viewport_size({"width": 320, "height": 640})
    ui.goto(ui.page.url.removeprefix(ui.base_url))
    overflow = ui.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{ui.page.url} scrolls sideways at 320px"
    ui.page.set_viewport_size({"width": 1024, "height": 800})


def test_a_service_manager_adds_a_team_and_a_worker_and_reads_the_structure(ui: Ui, world: World) -> None:
    sign_in_as(ui, world.users["sm"])
    ui.navigate_by(ui.page.get_by_role("link", name="Team structure").click)
    expect(ui.page.get_by_role("heading", name="Team structure", exact=True)).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Change services, teams and staff").click)
    expect(ui.page.get_by_role("heading", name="Services and teams")).to_be_visible()
    # Another service's teams are listed, but only the manager's own service can be changed.
    expect(ui.page.get_by_role("link", name="Change Children with disabilities")).to_have_count(0)
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Add a team to Safeguarding").click)
    ui.page.get_by_label("Name of the team").fill("Youth justice team")
    ui.page.get_by_label("Youth justice").check()
    ui.page.get_by_label("Team manager").select_option(label="sm Staff, Team A")
    ui.navigate_by(ui.page.get_by_role("button", name="Add the team").click)
    expect(ui.page.get_by_role("heading", name="Youth justice team")).to_be_visible()
    expect(ui.page.get_by_text("Nobody works in this team yet.")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Add a member of staff").click)
    expect(ui.page.get_by_role("heading", name="Add a member of staff")).to_be_visible()
    no_sideways_scroll_at_320(ui)  # reloads the page: before anything is typed
    ui.page.get_by_label("First name").fill("Ola")
    ui.page.get_by_label("Last name").fill("Newman")
    ui.page.get_by_label("Job role").select_option(label="Newly qualified social worker (ASYE)")
    ui.page.get_by_label("FTE (full-time equivalent)").fill("1.5")
    start = ui.page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("9")
    start.get_by_label("Year").fill("2025")
    ui.navigate_by(ui.page.get_by_role("button", name="Add them").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("FTE must be 1 or less: 1 is full time")
    assert not StaffMember.objects.filter(last_name="Newman").exists()

    ui.page.get_by_label("FTE (full-time equivalent)").fill("0.8")
    ui.navigate_by(ui.page.get_by_role("button", name="Add them").click)
    expect(ui.page.get_by_text("Ola Newman added to Youth justice team")).to_be_visible()
    staff = ui.page.get_by_role("table", name="Staff of Youth justice team")
    expect(staff).to_contain_text("Newly qualified (ASYE)")
    expect(staff).to_contain_text("0.80")

    ui.navigate_by(ui.page.get_by_role("link", name="Change Ola Newman").click)
    ui.page.get_by_label("FTE (full-time equivalent)").fill("0.6")
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_text("Ola Newman's details saved")).to_be_visible()
    expect(ui.page.get_by_role("table", name="Staff of Youth justice team")).to_contain_text("0.60")
    worker = StaffMember.objects.get(last_name="Newman")
    assert (worker.team.name, worker.fte, worker.job_role, worker.version) == (
        "Youth justice team",
        Decimal("0.60"),
        "asye",
        2,
    )

    ui.navigate_by(ui.page.get_by_role("link", name="Team structure").click)
    specialist = ui.page.get_by_role("region", name="Specialist teams")
    expect(specialist).to_contain_text("Youth justice team")
    team = specialist.get_by_role("listitem").filter(has=ui.page.get_by_role("heading", name="Youth justice team"))
    expect(team).to_contain_text("sm Staff")
    expect(team).to_contain_text("0.60")
    no_sideways_scroll_at_320(ui)
    assert Team.objects.get(name="Youth justice team").manager == world.users["sm"].staff  # type: ignore[attr-defined]


def test_partner_agencies_are_not_offered_the_structure(ui: Ui, world: World) -> None:
    sign_in_as(ui, world.users["police"])
    expect(ui.page.get_by_role("link", name="Team structure")).to_have_count(0)
    ui.goto("/structure/")
    expect(ui.page.get_by_role("heading", name="Page not found")).to_be_visible()
