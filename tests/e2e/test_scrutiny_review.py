"""A scrutiny review in a real browser: an officer opens a review from the scoping template, records two
meetings and a witness, cites a frozen quarter's figures and adds a recommendation; a councillor on the group
reads it. Every page is checked with axe, and the review again at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Locator, expect

from openmash.performance import services as performance_services
from openmash.performance.periods import Period

from ..access.world import World
from .conftest import Ui
from .test_oversight import no_sideways_scroll_at_320, sign_in_as, world  # noqa: F401 - the world fixture

pytestmark = pytest.mark.e2e
PERIOD = "2025-Q4"


def fill_date(group: Locator, day: dt.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def record_meeting(ui: Ui, kind: str, day: dt.date, place: str) -> None:
    ui.navigate_by(ui.page.get_by_role("link", name="Record a meeting or visit").click)
    ui.page.get_by_label(kind, exact=True).check()
    fill_date(ui.page.get_by_role("group", name="Date", exact=True), day)
    ui.page.get_by_label("Place").fill(place)
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)


def test_an_officer_records_a_review_and_a_councillor_on_the_group_reads_it(ui: Ui, world: World) -> None:  # noqa: F811
    # The quarter is frozen by a service manager before the review cites it.
    performance_services.period_freeze(
        period=Period.parse(PERIOD), acting_user=world.users["sm"], today=dt.date(2025, 6, 1)
    )
    officer, councillor = world.users["analyst"], world.users["cllr"]
    sign_in_as(ui, officer)
    ui.navigate_by(ui.page.get_by_role("link", name="Scrutiny reviews").click)
    ui.navigate_by(ui.page.get_by_role("link", name="Open a review").click)
    expect(ui.page.get_by_role("heading", name="Open a scrutiny review")).to_be_visible()
    ui.navigate_by(ui.page.get_by_role("button", name="Open the review").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("Enter the review topic")
    ui.page.get_by_label("Review topic").fill("The front door")
    ui.page.get_by_label("Rationale").fill("Contacts rose by a third in a year.")
    ui.page.get_by_label("Methodology and approach").fill("Quarterly figures, interviews and a visit to the MASH.")
    fill_date(ui.page.get_by_role("group", name="Projected start date"), dt.date(2026, 5, 1))
    fill_date(ui.page.get_by_role("group", name="Projected completion date"), dt.date(2027, 3, 31))
    ui.page.get_by_label("Contact officer's name").fill("Dana Officer")
    ui.navigate_by(ui.page.get_by_role("button", name="Open the review").click)
    expect(ui.page.get_by_role("heading", name="The front door", level=1)).to_be_visible()

    ui.navigate_by(ui.page.get_by_role("link", name="Add a councillor").click)
    ui.page.get_by_label("Councillor", exact=True).select_option(label=councillor.get_full_name())
    ui.page.get_by_label("Chair of the group").check()
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_text(f"{councillor.get_full_name()} (chair)")).to_be_visible()

    record_meeting(ui, "Meeting", dt.date(2026, 6, 3), "Committee room 2")
    record_meeting(ui, "Site visit", dt.date(2026, 7, 8), "The MASH")
    meetings = ui.page.get_by_role("table", name="Meetings and visits")
    expect(meetings).to_contain_text("Committee room 2")
    expect(meetings).to_contain_text("The MASH")

    ui.navigate_by(ui.page.get_by_role("link", name="Record a witness").click)
    ui.page.get_by_label("Name").fill("Sam Lead")
    ui.page.get_by_label("Role", exact=True).fill("Head of the MASH")
    fill_date(ui.page.get_by_role("group", name="Date the evidence was heard"), dt.date(2026, 7, 8))
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_role("term").filter(has_text="Sam Lead")).to_be_visible()

    ui.navigate_by(ui.page.get_by_role("link", name="Add evidence").click)
    ui.page.get_by_label("Performance figures (frozen quarter)").check()
    ui.page.get_by_label("Frozen quarter", exact=True).select_option(label=f"{PERIOD} (frozen 1 June 2025)")
    ui.page.get_by_label("Theme").fill("The MASH")
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_role("table", name="Evidence")).to_contain_text(f"Performance scorecard, {PERIOD}")

    ui.navigate_by(ui.page.get_by_role("link", name="Add a recommendation").click)
    ui.page.get_by_label("Recommendation").fill("Publish the MASH's decision times every quarter.")
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_role("heading", name="Recommendation 1")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.page.context.clear_cookies()
    sign_in_as(ui, councillor)
    ui.navigate_by(ui.page.get_by_role("link", name="Scrutiny reviews").click)
    ui.navigate_by(ui.page.get_by_role("link", name="The front door").click)
    expect(ui.page.get_by_text("Publish the MASH's decision times every quarter.")).to_be_visible()
    expect(ui.page.get_by_role("term").filter(has_text="Sam Lead")).to_be_visible()
    expect(ui.page.get_by_role("link", name="Add a recommendation")).to_have_count(0)
    expect(ui.page.get_by_role("link", name="Change the scope or status")).to_have_count(0)
    no_sideways_scroll_at_320(ui)
