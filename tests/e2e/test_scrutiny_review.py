"""A scrutiny review in a real browser: an officer freezes the quarter's scorecard, opens a review from the scoping
template, records two meetings and a witness, cites the frozen quarter's figures, adds a recommendation and makes
the committee report as a PDF; a councillor on the group reads the review and the report. Every page is checked
with axe, and again at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Locator, expect

from openmash.core.dates import long_date
from openmash.performance.models import Snapshot

from ..access.world import World
from .conftest import Ui
from .test_oversight import no_sideways_scroll_at_320, sign_in_as, world  # noqa: F401 - the world fixture
from .test_scorecard import QUARTER, _open_quarter, _write_narrative

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


def freeze_the_quarter(ui: Ui) -> None:
    """Explain each figure off target (the scorecard refuses a freeze until then), then freeze the quarter."""
    _open_quarter(ui)
    ui.navigate_by(ui.page.get_by_role("link", name="Freeze this period").click)
    waiting = [line.split(":")[0].strip() for line in ui.page.locator("#missing + ul li").all_inner_texts()]
    for indicator in waiting:
        _open_quarter(ui)
        _write_narrative(ui, indicator, "Explained to the committee with the quarter's figures.")
    if waiting:
        _open_quarter(ui)
        ui.navigate_by(ui.page.get_by_role("link", name="Freeze this period").click)
    ui.navigate_by(ui.page.get_by_role("button", name=f"Freeze {QUARTER}").click)
    expect(ui.page.get_by_text(f"The scorecard for {QUARTER} is frozen")).to_be_visible()


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages).split())


def test_an_officer_records_a_review_and_a_councillor_on_the_group_reads_it(ui: Ui, world: World) -> None:  # noqa: F811
    officer, councillor = world.users["analyst"], world.users["cllr"]
    sign_in_as(ui, officer)
    freeze_the_quarter(ui)
    assert Snapshot.objects.filter(period_key=PERIOD).exists()
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
    ui.page.get_by_label("Frozen quarter", exact=True).select_option(
        label=f"{PERIOD} (frozen {long_date(timezone.localdate())})"
    )
    ui.page.get_by_label("Theme").fill("The MASH")
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_role("table", name="Evidence")).to_contain_text(f"Performance scorecard, {PERIOD}")

    ui.navigate_by(ui.page.get_by_role("link", name="Add a recommendation").click)
    ui.page.get_by_label("Recommendation").fill("Publish the MASH's decision times every quarter.")
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_role("heading", name="Recommendation 1")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Make a report for the committee").click)
    ui.page.get_by_label("Final report").check()
    ui.page.get_by_label("PDF").check()
    no_sideways_scroll_at_320(ui)
    ui.navigate_by(ui.page.get_by_role("button", name="Make the report").click)
    expect(ui.page.get_by_role("heading", name="The report is ready")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name="Download the report").click()
    made = Path(download.value.path())
    text = pdf_text(made)
    for heading in (
        "1. Introduction from the chair",
        "4. Methodology",
        "6. Performance monitoring",
        "9. Recommendations",
        "Appendix A: The scoping template",
    ):
        assert heading in text
    for value in (
        "3 June 2026",
        "8 July 2026",
        "Sam Lead",
        "Head of the MASH",
        f"{PERIOD}",
        "Publish the MASH's decision times every quarter.",
        "Dana Officer",
    ):
        assert value in text
    ui.navigate_by(ui.page.get_by_role("button", name="Publish to the committee").click)
    expect(ui.page.get_by_text("The report is published: every councillor can read it")).to_be_visible()

    ui.page.context.clear_cookies()
    sign_in_as(ui, councillor)
    ui.navigate_by(ui.page.get_by_role("link", name="Scrutiny reviews").click)
    ui.navigate_by(ui.page.get_by_role("link", name="The front door").click)
    expect(ui.page.get_by_text("Publish the MASH's decision times every quarter.")).to_be_visible()
    expect(ui.page.get_by_role("term").filter(has_text="Sam Lead")).to_be_visible()
    expect(ui.page.get_by_role("link", name="Add a recommendation")).to_have_count(0)
    expect(ui.page.get_by_role("link", name="Change the scope or status")).to_have_count(0)
    expect(ui.page.get_by_role("link", name="Make a report for the committee")).to_have_count(0)
    no_sideways_scroll_at_320(ui)
    ui.navigate_by(ui.page.get_by_role("link", name="Final report (PDF)").click)
    expect(ui.page.get_by_role("button", name="Publish to the committee")).to_have_count(0)
    no_sideways_scroll_at_320(ui)
    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name="Download the report").click()
    read = pdf_text(Path(download.value.path()))
    assert "9. Recommendations" in read
    assert "Publish the MASH's decision times every quarter." in read


def test_an_officer_makes_the_quarterly_performance_pack_and_a_councillor_reads_it(ui: Ui, world: World) -> None:  # noqa: F811
    officer, councillor = world.users["analyst"], world.users["cllr"]
    sign_in_as(ui, officer)
    freeze_the_quarter(ui)
    ui.navigate_by(ui.page.get_by_role("link", name="Scrutiny reviews").click)
    ui.navigate_by(ui.page.get_by_role("link", name="Committee reports").click)
    ui.navigate_by(ui.page.get_by_role("link", name="Make the quarterly performance pack").click)
    no_sideways_scroll_at_320(ui)
    ui.page.get_by_label("Frozen quarter").select_option(label=PERIOD)
    ui.page.get_by_label("Word (.docx)").check()
    ui.navigate_by(ui.page.get_by_role("button", name="Make the pack").click)
    expect(ui.page.get_by_role("heading", name="The report is ready")).to_be_visible()
    ui.navigate_by(ui.page.get_by_role("button", name="Publish to the committee").click)
    expect(ui.page.get_by_text("The report is published: every councillor can read it")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.page.context.clear_cookies()
    sign_in_as(ui, councillor)
    ui.navigate_by(ui.page.get_by_role("link", name="Scrutiny reviews").click)
    ui.navigate_by(ui.page.get_by_role("link", name="Committee reports").click)
    expect(ui.page.get_by_role("link", name="Make the quarterly performance pack")).to_have_count(0)
    no_sideways_scroll_at_320(ui)
    ui.navigate_by(ui.page.get_by_role("link", name=f"Quarterly performance pack: {PERIOD}").click)
    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name="Download the report").click()
    document = docx.Document(download.value.path())
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert headings[:2] == ["1. Introduction", "2. Indicators"]
    assert "The five indicators councillors scrutinise" in headings
