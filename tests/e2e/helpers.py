"""Shared steps for browser tests: signing in with a password and a code from an authenticator app."""

from __future__ import annotations

from playwright.sync_api import expect

from openmash.accounts.totp import current_code

from .conftest import Ui

CODE_LABEL = "Enter the code from your authenticator app"


def enter_password(ui: Ui, username: str, password: str, *, start: str = "/children/") -> None:
    """Go to a page, get sent to sign in, and give the username and password."""
    ui.goto(start)
    expect(ui.page.get_by_role("heading", name="Sign in")).to_be_visible()
    ui.page.get_by_label("Username").fill(username)
    ui.page.get_by_label("Password").fill(password)
    ui.navigate_by(ui.page.get_by_role("button", name="Sign in").click)


def enter_code(ui: Ui, key: bytes | str) -> None:
    """On the code step, type the code an authenticator app holding this secret shows now."""
    expect(ui.page.get_by_role("heading", name=CODE_LABEL)).to_be_visible()
    ui.page.get_by_label(CODE_LABEL).fill(current_code(key))
    ui.navigate_by(ui.page.get_by_role("button", name="Continue").click)


def sign_in(ui: Ui, username: str, password: str, key: bytes | str, *, start: str = "/children/") -> None:
    """The whole journey: password, then code. Stops after the password if it was refused."""
    enter_password(ui, username, password, start=start)
    if "/sign-in/code/" in ui.page.url:
        enter_code(ui, key)


def recheck(ui: Ui) -> None:
    """Run the accessibility checks again on a page that changed without navigating (a dialog opened)."""
    ui.navigations += 1  # not a navigation, but counted as one so check() looks at the page again
    ui.check()
