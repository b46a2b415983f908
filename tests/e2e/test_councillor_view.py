"""The councillors' page in a real browser: a councillor opens "Your scrutiny" from the menu and reads the review
they chair, the frozen quarter's headline figures with a small count shown as "c", and the action plans; an officer
reaches the same page from the reviews list. Checked with axe, and at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from openmash.performance.models import Snapshot

from ..access.world import World
from .conftest import Ui
from .test_oversight import no_sideways_scroll_at_320, sign_in_as, world  # noqa: F401 - the world fixture

pytestmark = pytest.mark.e2e


def _row(indicator_id: str, numerator: int, denominator: int, value: float) -> dict[str, object]:
    return {
        "id": indicator_id,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "available": True,
        "target": 10.0,
        "target_basis": "local",
        "target_note": "set by the authority",
        "rag": "green",
        "previous": None,
        "direction": None,
        "trend": [],
        "comparators": [],
        "owner": "",
        "narrative": "",
        "narrative_by": "",
    }


def test_a_councillor_reads_their_scrutiny_page_and_an_officer_sees_the_same(ui: Ui, world: World) -> None:  # noqa: F811
    Snapshot.objects.create(
        period_key="2026-Q2",
        as_of=dt.date(2025, 10, 6),
        definitions_version="1",
        frozen_by=world.users["analyst"],
        rows=[_row("rereferral_rate", 4, 50, 8.0), _row("cpp_two_years_at_end", 30, 120, 25.0)],
    )
    sign_in_as(ui, world.users["cllr"])
    ui.navigate_by(ui.page.get_by_role("link", name="Your scrutiny").click)
    expect(ui.page.get_by_role("heading", name="Your scrutiny", level=1)).to_be_visible()
    mine = ui.page.get_by_role("table", name="Reviews you sit on")
    expect(mine).to_contain_text("Review member")
    expect(mine).to_contain_text("Chair")
    expect(ui.page.get_by_role("link", name="Review published", exact=True)).to_be_visible()
    expect(ui.page.get_by_role("link", name="Review private", exact=True)).to_have_count(0)
    figures = ui.page.get_by_role("table", name="Headline indicators, July to September 2025")
    rereferrals = figures.get_by_role("row", name="Re-referrals within 12 months")
    expect(rereferrals.get_by_role("cell").first).to_have_text("c")
    expect(figures).to_contain_text("25.0%")
    expect(ui.page.get_by_role("link", name="See the full scorecard")).to_be_visible()
    expect(ui.page.get_by_role("heading", name="Action plans")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.page.context.clear_cookies()
    sign_in_as(ui, world.users["analyst"])
    ui.navigate_by(ui.page.get_by_role("link", name="Scrutiny reviews").click)
    ui.navigate_by(ui.page.get_by_role("link", name="See the councillors' view").click)
    figures = ui.page.get_by_role("table", name="Headline indicators, July to September 2025")
    expect(figures.get_by_role("row", name="Re-referrals within 12 months").get_by_role("cell").first).to_have_text("c")
    no_sideways_scroll_at_320(ui)
