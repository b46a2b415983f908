"""Emergency protection in a real browser: the allocated social worker records police protection from the
child's page and sees it listed. Each page is checked with axe, and at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from openmash.protection.models import EmergencyProtection

from ..access.world import World
from .conftest import Ui
from .test_oversight import no_sideways_scroll_at_320, sign_in_as, world  # noqa: F401 - the fixture
from .test_protection import fill_date, submit

pytestmark = pytest.mark.e2e


def test_a_social_worker_records_police_protection(ui: Ui, world: World) -> None:  # noqa: F811
    child = world.children["allocated"]
    sign_in_as(ui, world.users["sw"], start=f"/children/{child.la_child_id}/")
    ui.navigate_by(ui.page.get_by_role("link", name="Emergency protection").click)
    expect(ui.page.get_by_role("heading", name="Emergency protection", exact=True)).to_be_visible()
    expect(ui.page.get_by_text("None recorded.")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    # A start date after the end date is refused, and nothing is recorded.
    ui.page.get_by_label("Police protection").check()
    fill_date(ui, "Start date", dt.date(2025, 1, 10))
    fill_date(ui, "End date (if it has ended)", dt.date(2025, 1, 9))
    submit(ui, "Record it")
    expect(ui.page.get_by_role("alert")).to_contain_text("The end date must be on or after the start date")
    assert not EmergencyProtection.objects.exists()

    fill_date(ui, "End date (if it has ended)", dt.date(2025, 1, 12))
    submit(ui, "Record it")
    expect(ui.page.get_by_text("The police protection is recorded")).to_be_visible()
    expect(
        ui.page.get_by_role("listitem").filter(has_text="Police protection: from 10 January 2025 to 12 January 2025")
    ).to_be_visible()
    no_sideways_scroll_at_320(ui)
    recorded = EmergencyProtection.objects.get()
    assert (recorded.child, recorded.kind, recorded.recorded_by) == (child, "police", world.users["sw"])
