"""CSE in a real browser: a MASH practitioner screens a child from a contact at high risk, the CSE team's
social worker opens a case from the queue, and the flag shows on the child's record. Pages are checked with
axe, and the screening form and queue at 320 pixels wide."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from openmash.accounts.models import User
from openmash.front_door.cse import tool
from openmash.front_door.models import Contact, CSECase, CSERiskLevel, CSEScreening

from ..access.world import World, build_world
from . import helpers
from .conftest import Ui

pytestmark = pytest.mark.e2e
PASSWORD = "a-long-browser-password"
HIGH = ("Missing episodes", "Coercion, gangs and older associates", "Gifts and money")


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


def no_sideways_scroll(ui: Ui) -> None:
    overflow = ui.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{ui.page.url} scrolls sideways at 320px"


def test_screened_at_high_risk_the_cse_team_opens_a_case_and_the_record_shows_the_flag(ui: Ui, world: World) -> None:
    child = world.children["mash_recent"]
    contact = Contact.objects.filter(child=child).latest("received_at")
    page = ui.page
    page.set_viewport_size({"width": 320, "height": 640})

    sign_in_as(ui, world.users["mash"])
    ui.navigate_by(page.get_by_role("link", name="CSE", exact=True).click)
    expect(page.get_by_role("heading", name="CSE team")).to_be_visible()
    no_sideways_scroll(ui)
    ui.navigate_by(page.get_by_role("link", name="Screen a child for CSE").click)
    page.get_by_label("LA child ID or contact reference").fill(contact.reference or "")
    ui.navigate_by(page.get_by_role("button", name="Continue").click)
    expect(page.get_by_role("heading", name="CSE screening")).to_be_visible()
    expect(page.get_by_text(f"{child.full_name}, LA child ID {child.la_child_id}")).to_be_visible()
    no_sideways_scroll(ui)

    # Leaving an indicator unrated is explained, and nothing is recorded.
    for name in HIGH:
        page.get_by_role("group", name=name, exact=True).get_by_label("High", exact=True).check()
    ui.navigate_by(page.get_by_role("button", name="Record the screening").click)
    expect(page.get_by_role("alert")).to_contain_text("Rate accommodation: none, low, medium or high")
    assert not CSEScreening.objects.filter(child=child).exists()

    for indicator in tool.INDICATORS:
        if indicator.label not in HIGH:
            page.get_by_role("group", name=indicator.label, exact=True).get_by_label("None", exact=True).check()
    page.get_by_label("Looked after now or in the past").check()
    ui.navigate_by(page.get_by_role("button", name="Record the screening").click)
    expect(page.get_by_text("CSE screening recorded: High")).to_be_visible()
    expect(page.get_by_text("CSE risk: High: being sexually exploited")).to_be_visible()
    screening = CSEScreening.objects.get(child=child)
    assert (screening.contact, screening.risk_level, screening.vulnerabilities) == (
        contact,
        CSERiskLevel.HIGH,
        ["care_history"],
    )

    # The CSE team's social worker opens the case from the queue.
    page.context.clear_cookies()
    sign_in_as(ui, world.users["cse"])
    ui.navigate_by(page.get_by_role("link", name="CSE", exact=True).click)
    no_sideways_scroll(ui)
    ui.navigate_by(page.get_by_role("button", name=f"Open a case for {child.full_name}").click)
    expect(page.get_by_text(f"Case opened for {child.full_name}")).to_be_visible()
    case = CSECase.objects.get(child=child)
    assert (case.team, case.risk_level) == (world.teams["cse"], CSERiskLevel.HIGH)
    page.get_by_label("Worker").select_option(label="cse Staff")
    ui.navigate_by(page.get_by_role("button", name="Allocate").click)
    expect(page.get_by_text("Case allocated to cse Staff")).to_be_visible()

    ui.navigate_by(page.get_by_role("link", name=child.la_child_id).click)
    expect(page.get_by_role("heading", level=1)).to_have_text(child.full_name)
    expect(page.get_by_text("CSE risk: High: being sexually exploited. Open to Complex safeguarding")).to_be_visible()
    expect(page.get_by_text("11A: Child sexual exploitation")).to_be_visible()
    expect(page.get_by_text("10A: Going or being missing")).to_be_visible()
    no_sideways_scroll(ui)
