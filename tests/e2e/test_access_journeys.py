"""Journeys through the access rules in a real browser: break glass and its review, who has seen a
record, the audit export, and what a councillor sees."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from openmash.access.models import AuditEvent, BreakGlassGrant, ChildRestriction
from openmash.accounts.models import User

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


def test_break_glass_is_explained_recorded_and_reviewed_by_the_manager(ui: Ui, world: World) -> None:
    child = world.children["same_service"]
    sign_in_as(ui, world.users["sw"])
    ui.goto(f"/children/{child.la_child_id}/")
    expect(ui.page.get_by_role("heading", name="Page not found")).to_be_visible()

    ui.goto("/children/open-with-reason/")
    ui.page.get_by_label("LA child ID").fill(child.la_child_id)
    ui.page.get_by_label("Why do you need to open this record?").fill("Too short")
    ui.navigate_by(ui.page.get_by_role("button", name="Open the record").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("at least 20 characters")
    assert not BreakGlassGrant.objects.exists()

    reason = "Police called out of hours and the allocated team cannot be reached"
    ui.page.get_by_label("Why do you need to open this record?").fill(reason)
    ui.navigate_by(ui.page.get_by_role("button", name="Open the record").click)
    expect(ui.page.get_by_role("heading", level=1)).to_have_text(f"{child.first_name} {child.last_name}")
    expect(ui.page.get_by_text("You opened this record outside your normal access").first).to_be_visible()

    ui.page.context.clear_cookies()
    sign_in_as(ui, world.users["tm"])
    ui.navigate_by(ui.page.get_by_role("link", name="Records opened outside access").click)
    expect(ui.page.get_by_role("cell", name=reason)).to_be_visible()
    ui.navigate_by(ui.page.get_by_role("button", name="Mark as reviewed").click)
    expect(ui.page.get_by_text("Reviewed", exact=False).first).to_be_visible()
    assert BreakGlassGrant.objects.get().reviewed_by == world.users["tm"]

    ui.goto(f"/children/{child.la_child_id}/")
    ui.navigate_by(ui.page.get_by_role("link", name="Who has seen this record").click)
    table = ui.page.get_by_role("table")
    expect(table).to_contain_text("Sw User")
    expect(table).to_contain_text(reason)


def test_a_councillor_sees_the_scorecard_and_no_child(ui: Ui, world: World) -> None:
    sign_in_as(ui, world.users["cllr"])
    expect(ui.page.get_by_role("heading", name="Performance scorecard")).to_be_visible()
    expect(ui.page.get_by_text("Counts from 1 to 5 are shown as")).to_be_visible()
    expect(ui.page.get_by_role("link", name="Find a child")).to_have_count(0)
    ui.goto(f"/children/{world.children['allocated'].la_child_id}/")
    expect(ui.page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert not AuditEvent.objects.filter(user=world.users["cllr"], child_id__isnull=False).exists()


def test_an_auditor_downloads_the_audit_log_for_a_period(ui: Ui, world: World) -> None:
    sign_in_as(ui, world.users["auditor"])
    expect(ui.page.get_by_role("heading", name="Export the audit log")).to_be_visible()
    ui.page.get_by_label("From").fill("2025-02-01")
    ui.page.get_by_label("To").fill("2025-01-01")
    ui.navigate_by(ui.page.get_by_role("button", name="Download CSV").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("The last day must be the same as or after the first day")
    ui.page.get_by_label("From").fill("2020-01-01")
    ui.page.get_by_label("To").fill("2099-12-31")
    with ui.page.expect_download() as download:
        ui.page.get_by_role("button", name="Download CSV").click()
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as f:
        assert f.readline().startswith("at,username,action")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=world.users["auditor"]).exists()


def test_a_manager_restricts_a_record_to_named_colleagues(ui: Ui, world: World) -> None:
    child = world.children["allocated"]
    sign_in_as(ui, world.users["tm"], start=f"/children/{child.la_child_id}/")
    ui.navigate_by(ui.page.get_by_role("link", name="Restrict this record").click)
    ui.navigate_by(ui.page.get_by_role("button", name="Restrict the record").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("Give the reason for restricting the record")
    ui.page.get_by_label("Why should this record be restricted?").fill("Child of a member of staff")
    ui.page.get_by_label("Sm User").check()
    ui.navigate_by(ui.page.get_by_role("button", name="Restrict the record").click)
    expect(ui.page.get_by_text("The record is now restricted to the people you named")).to_be_visible()
    restriction = ChildRestriction.objects.get(child_id=child.pk)
    assert set(restriction.allowed_users.values_list("username", flat=True)) == {"tm", "sm"}
