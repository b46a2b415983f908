"""Signing in with a password and an authenticator app; the warning before the session times out.

The timeout tests run with the real settings (30 minutes idle, a warning 2 minutes before) and move the
page's clock on with Playwright's clock API instead of waiting: `page.clock.install()` before the first
page, then `fast_forward` jumps ahead as a laptop lid closed for that long would, and `run_for` lets a
few seconds' timers fire. The server's clock is moved on separately where its own expiry is tested.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openmash.accounts.models import Role, User, UserRole
from openmash.accounts.totp import current_code
from openmash.people.models import Child

from .conftest import Ui
from .helpers import CODE_LABEL, enter_code, enter_password, recheck, sign_in

pytestmark = pytest.mark.e2e

PASSWORD = "a-long-test-password"
IDLE_LIMIT = dt.timedelta(minutes=30)  # settings.SESSION_COOKIE_AGE
DIALOG_NAME = "You will be signed out soon"
SEARCH_LABEL = "Name, LA child ID, NHS number or UPN"


def test_sign_in_with_password_and_code(ui: Ui, worker_user: User) -> None:
    enter_password(ui, "worker", PASSWORD, start="/children/?q=Jones")
    expect(ui.page.get_by_label(CODE_LABEL)).to_have_attribute("autocomplete", "one-time-code")
    enter_code(ui, worker_user.totp_key)
    expect(ui.page.get_by_role("heading", name="Find a child")).to_be_visible()
    expect(ui.page.get_by_label(SEARCH_LABEL)).to_have_value("Jones")  # back where they were going
    expect(ui.page.get_by_text("Signed in as Wendy Worker")).to_be_visible()


def test_a_wrong_code_is_explained_and_the_right_one_then_works(ui: Ui, worker_user: User) -> None:
    enter_password(ui, "worker", PASSWORD)
    right = current_code(worker_user.totp_key)
    ui.page.get_by_label(CODE_LABEL).fill("000000" if right != "000000" else "111111")
    ui.navigate_by(ui.page.get_by_role("button", name="Continue").click)
    summary = ui.page.get_by_role("alert")
    expect(summary).to_contain_text("The code is not right: check your authenticator app and try again")
    expect(ui.page).to_have_title("Error: Enter the code from your authenticator app – OpenMASH")
    time.sleep(1.1)  # django-otp makes a device wait a second after a wrong code
    enter_code(ui, worker_user.totp_key)
    expect(ui.page.get_by_role("heading", name="Find a child")).to_be_visible()


def test_first_sign_in_sets_up_the_authenticator_app(ui: Ui, db: None) -> None:
    user = User.objects.create_user(username="newstarter", password=PASSWORD, first_name="Nia", last_name="Newton")
    UserRole.objects.create(user=user, role=Role.MASH_PRACTITIONER)
    enter_password(ui, "newstarter", PASSWORD)
    page = ui.page
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    # Do what a person without a camera would: type the key shown into the app.
    shown = page.locator("#secret-key").inner_text()
    assert len(shown.replace(" ", "")) == 32
    page.get_by_label("Code from your authenticator app").fill(current_code(shown))
    ui.navigate_by(page.get_by_role("button", name="Continue").click)
    expect(page.get_by_role("heading", name="Find a child")).to_be_visible()
    expect(page.get_by_text("Signed in as Nia Newton")).to_be_visible()


def _idle_until_just_after_the_warning(page: Page) -> None:
    """Leave the page alone for a little over 28 minutes: the warning shows 2 minutes before 30."""
    dialog = page.get_by_role("alertdialog", name=DIALOG_NAME)
    page.clock.fast_forward("27:00")
    page.clock.run_for(2_000)  # the page checks every second
    expect(dialog).to_be_hidden()  # 3 minutes left: no warning yet
    page.clock.fast_forward("01:03")
    page.clock.run_for(1_000)


def test_the_warning_lets_people_stay_signed_in_without_losing_what_they_typed(
    ui: Ui, worker_user: User, child: Child
) -> None:
    page = ui.page
    page.clock.install()
    sign_in(ui, "worker", PASSWORD, worker_user.totp_key)
    search = page.get_by_label(SEARCH_LABEL)
    search.fill("Amelia Jo")

    _idle_until_just_after_the_warning(page)
    dialog = page.get_by_role("alertdialog", name=DIALOG_NAME)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog).to_contain_text(re.compile(r"We will sign you out in 1 minute \d+ seconds?\."))
    expect(dialog).to_contain_text("if you have not done anything for 30 minutes")
    expect(page.locator(":focus")).to_have_text("Stay signed in")
    recheck(ui)  # the open dialog passes the accessibility checks too

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(search).to_have_value("Amelia Jo")
    expect(search).to_be_focused()

    search.press("End")
    search.press_sequentially("nes")
    ui.navigate_by(page.get_by_role("button", name="Search").click)
    # Still signed in: the search ran, rather than the sign-in page appearing.
    expect(page.get_by_role("heading", name=re.compile(r"found$"))).to_be_visible()
    expect(page.get_by_label(SEARCH_LABEL)).to_have_value("Amelia Jones")


def test_the_warning_works_with_a_keyboard_alone(ui: Ui, worker_user: User, child: Child) -> None:
    page = ui.page
    page.clock.install()
    sign_in(ui, "worker", PASSWORD, worker_user.totp_key)
    search = page.get_by_label(SEARCH_LABEL)
    search.focus()
    page.keyboard.type("Jones")

    _idle_until_just_after_the_warning(page)
    dialog = page.get_by_role("alertdialog", name=DIALOG_NAME)
    expect(dialog).to_be_visible()
    focused = page.locator(":focus")
    expect(focused).to_have_text("Stay signed in")
    # Focus stays inside the dialog, going round in both directions.
    page.keyboard.press("Tab")
    expect(focused).to_have_text("Sign out")
    page.keyboard.press("Tab")
    expect(focused).to_have_text("Stay signed in")
    page.keyboard.press("Shift+Tab")
    expect(focused).to_have_text("Sign out")
    page.keyboard.press("Shift+Tab")
    expect(focused).to_have_text("Stay signed in")

    # Escape means "Stay signed in": back to the search box with the text still there.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(search).to_be_focused()
    expect(search).to_have_value("Jones")

    # The warning comes back when time runs low again; this time, sign out from it.
    _idle_until_just_after_the_warning(page)
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")
    expect(focused).to_have_text("Sign out")
    ui.navigate_by(lambda: page.keyboard.press("Enter"))
    expect(page.get_by_role("heading", name="You have been signed out")).to_be_visible()
    expect(page.get_by_text("had not done anything")).to_have_count(0)


def test_when_time_runs_out_the_page_signs_out_and_says_why(
    ui: Ui, worker_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = ui.page
    page.clock.install()
    sign_in(ui, "worker", PASSWORD, worker_user.totp_key)
    dialog = page.get_by_role("alertdialog", name=DIALOG_NAME)

    _idle_until_just_after_the_warning(page)
    expect(dialog).to_be_visible()  # warned first

    # The same half hour passes on the server: its clock (which the session store reads to decide
    # whether a session has expired) now runs 30 minutes and 5 seconds ahead, past the session's end.
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + IDLE_LIMIT + dt.timedelta(seconds=5))
    # The server has ended the session by itself: any page now goes to sign in.
    response = page.request.get(f"{ui.base_url}/children/", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"] == "/sign-in/?next=/children/"

    # When the page's own time is up it signs out and says why.
    ui.navigate_by(lambda: page.clock.fast_forward("02:00"))
    expect(page).to_have_url(f"{ui.base_url}/signed-out/?reason=timeout")
    expect(page.get_by_role("heading", name="You have been signed out")).to_be_visible()
    expect(page.get_by_text("You were signed out because you had not done anything for 30 minutes")).to_be_visible()

    ui.goto("/children/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
