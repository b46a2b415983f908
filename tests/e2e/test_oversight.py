"""Oversight in a real browser: a MASH manager reads today's flow, an auditor searches the disclosure ledger,
a team manager allocates a referral waiting in the Advice and Assessment queue, and the MASH closes early help.
Every page is checked with axe, and again at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.codes import ReferralSource
from openmash.front_door.models import EarlyHelpPackage
from openmash.front_door.services import contact_rate, contact_record
from openmash.workforce.models import Allocation

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


def test_a_mash_manager_reads_todays_flow_and_the_overdue_contacts(ui: Ui, world: World) -> None:
    mash = world.users["mash"]
    received = timezone.now() - dt.timedelta(hours=6)
    late = contact_record(
        child=world.children["mash_recent"], received_at=received, source=ReferralSource.POLICE, acting_user=mash
    )
    contact_rate(contact=late, rag="red", reason="Threat of violence at home", acting_user=mash)

    sign_in_as(ui, world.users["mash_manager"])
    ui.navigate_by(ui.page.get_by_role("link", name="Today at the front door").click)
    expect(ui.page.get_by_role("heading", name="Today at the front door")).to_be_visible()
    expect(ui.page.get_by_role("table", name="Waiting for a decision, by rating")).to_contain_text("4 hours")
    expect(ui.page.get_by_text("1 overdue")).to_be_visible()
    # Counts only: no child's name on the page.
    expect(ui.page.get_by_text(world.children["mash_recent"].first_name)).to_have_count(0)
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="See the overdue contacts").click)
    expect(ui.page.get_by_role("heading", name="Overdue contacts")).to_be_visible()
    expect(ui.page.get_by_role("table")).to_contain_text(late.reference or "")
    no_sideways_scroll_at_320(ui)


def test_an_auditor_searches_the_disclosure_ledger_and_downloads_it(ui: Ui, world: World) -> None:
    child = world.children["allocated"]
    sign_in_as(ui, world.users["auditor"])
    ui.navigate_by(ui.page.get_by_role("link", name="Disclosure ledger").click)
    expect(ui.page.get_by_role("heading", name="Disclosure ledger")).to_be_visible()

    form = ui.page.get_by_role("search", name="Disclosure ledger")
    form.get_by_label("LA child ID").fill(child.la_child_id)
    start = form.get_by_role("group", name="From")
    start.get_by_label("Day").fill("31")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2025")
    ui.navigate_by(form.get_by_role("button", name="Search").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("From must be a real date")

    start = ui.page.get_by_role("group", name="From")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("1")
    ui.navigate_by(ui.page.get_by_role("button", name="Search").click)
    expect(ui.page.get_by_role("heading", name="1 disclosure found")).to_be_visible()
    results = ui.page.get_by_role("table", name="1 disclosure found")
    expect(results).to_contain_text(child.la_child_id)
    expect(results).to_contain_text("Telling the referrer the outcome")
    no_sideways_scroll_at_320(ui)

    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name="Download these 1 results (CSV)").click()
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["la_child_id"] for r in rows] == [child.la_child_id]
    # The search (run again by the reload at 320 px) and the download are recorded with their filters.
    recorded = AuditEvent.objects.filter(user=world.users["auditor"]).exclude(action=AuditEvent.Action.VIEW)
    filters = {"child": child.la_child_id, "agency": "", "start": "2025-01-01", "end": ""}
    assert [(e.action, e.detail) for e in recorded.order_by("at", "id")] == [
        (AuditEvent.Action.SEARCH, {**filters, "results": 1}),
        (AuditEvent.Action.SEARCH, {**filters, "results": 1}),
        (AuditEvent.Action.EXPORT, {**filters, "rows": 1}),
    ]


def test_a_team_manager_allocates_a_referral_waiting_in_the_queue(ui: Ui, world: World) -> None:
    waiting = world.objects["waiting_assessment"]
    name = waiting.child.full_name
    sign_in_as(ui, world.users["tm"])
    ui.navigate_by(ui.page.get_by_role("link", name="Referrals waiting").click)
    expect(ui.page.get_by_role("heading", name="Referrals waiting for allocation")).to_be_visible()
    queue = ui.page.get_by_role("table")
    expect(queue).to_contain_text(name)
    expect(queue.get_by_text("Strategy discussion needed")).to_have_count(1)
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name=f"Allocate {name}").click)
    expect(ui.page.get_by_role("heading", name="Allocate a worker")).to_be_visible()
    ui.navigate_by(ui.page.get_by_role("button", name="Allocate").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("Select a worker")
    ui.page.get_by_label("Who will hold the case?").select_option(label="Colleague A, Team A (1 child)")
    ui.navigate_by(ui.page.get_by_role("button", name="Allocate").click)
    expect(ui.page.get_by_text(f"{name} is allocated to Colleague A")).to_be_visible()
    expect(ui.page.get_by_role("table")).not_to_contain_text(name)
    allocation = Allocation.objects.get(child=waiting.child, end_date__isnull=True)
    assert (allocation.worker.last_name, allocation.start_date) == ("A", timezone.localdate())


def test_the_mash_closes_early_help_with_how_it_ended(ui: Ui, world: World) -> None:
    package = world.objects["early_help_open"]
    sign_in_as(ui, world.users["mash"])
    ui.navigate_by(ui.page.get_by_role("link", name="Early help").click)
    expect(ui.page.get_by_role("table")).to_contain_text(package.child.full_name)
    ui.navigate_by(ui.page.get_by_role("link", name=f"Close early help for {package.child.full_name}").click)
    no_sideways_scroll_at_320(ui)
    ended = timezone.localdate()
    group = ui.page.get_by_role("group", name="Date the early help ended")
    group.get_by_label("Day").fill("30")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill(str(ended.year))
    ui.page.get_by_label("Needs met: support no longer needed").check()
    ui.navigate_by(ui.page.get_by_role("button", name="Close early help").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("Date the early help ended must be a real date")
    assert EarlyHelpPackage.objects.get(pk=package.pk).closed_on is None
    group = ui.page.get_by_role("group", name="Date the early help ended")
    group.get_by_label("Day").fill(str(ended.day))
    group.get_by_label("Month").fill(str(ended.month))
    ui.page.get_by_label("Needs met: support no longer needed").check()
    ui.navigate_by(ui.page.get_by_role("button", name="Close early help").click)
    expect(ui.page.get_by_text("closed on")).to_be_visible()
    package.refresh_from_db()
    assert (package.closed_on, package.outcome) == (ended, "needs_met")
