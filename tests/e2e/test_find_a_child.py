"""A social worker signs in, finds a child and reads the chronology."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from openmash.access.models import AuditEvent
from openmash.casework.models import Referral

from . import helpers
from .conftest import Ui

pytestmark = pytest.mark.e2e


def sign_in(ui: Ui, username: str, password: str) -> None:
    """Password, then the code from the user's authenticator app (the step is skipped if the password is wrong)."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    helpers.sign_in(ui, username, password, device.bin_key)


def test_sign_in_search_and_open_the_chronology(ui: Ui, full_journey: Referral) -> None:
    sign_in(ui, "worker", "a-long-test-password")
    expect(ui.page.get_by_role("heading", name="Find a child")).to_be_visible()

    ui.page.get_by_label("Name, LA child ID, NHS number or UPN").fill("Amelia Jones")
    ui.navigate_by(ui.page.get_by_role("button", name="Search").click)
    expect(ui.page.get_by_role("heading", name="1 child found")).to_be_visible()

    ui.navigate_by(ui.page.get_by_role("link", name="Amelia Jones").click)
    expect(ui.page.get_by_role("heading", level=1)).to_have_text("Amelia Jones")
    chronology = ui.page.locator("ol.app-chronology > li")
    expect(chronology).to_have_count(10)
    expect(chronology.first).to_contain_text("Case closed")
    expect(chronology.last).to_contain_text("Referral to children's social care")
    expect(ui.page.get_by_text("Initial category: Neglect")).to_be_visible()

    # The journey left an audit entry for the search and for every child-level page it opened.
    search = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert (search.username, search.detail) == ("worker", {"query": "Amelia Jones", "results": 1})
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW)
    assert [(v.child_id, v.detail["page"]) for v in views] == [(full_journey.child_id, "child record")]


def test_wrong_password_gives_a_clear_message(ui: Ui, full_journey: Referral) -> None:
    sign_in(ui, "worker", "not-the-password")
    expect(ui.page.get_by_role("alert")).to_contain_text("Enter a correct username and password")


def test_keyboard_only_at_320_pixels(ui: Ui, full_journey: Referral) -> None:
    ui.page.set_viewport_size({"width": 320, "height": 640})
    sign_in(ui, "worker", "a-long-test-password")
    page = ui.page
    # Tab from the top of the page: the skip link comes first.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    page.get_by_label("Name, LA child ID, NHS number or UPN").focus()
    page.keyboard.type("C100")
    ui.navigate_by(lambda: page.keyboard.press("Enter"))
    page.get_by_role("link", name="Amelia Jones").focus()
    ui.navigate_by(lambda: page.keyboard.press("Enter"))
    expect(page).to_have_url(re.compile(r"/children/C100/$"))
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the child record scrolls sideways at 320px"
