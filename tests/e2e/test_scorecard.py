"""The quarterly scorecard in a real browser: a team manager reads a figure, its trend and the children behind
it; a councillor sees small counts hidden as "c" and no children, even by typing the address; a performance
analyst explains the figures off target and freezes the quarter. Every page is checked with axe, and again at
320 pixels wide for sideways scrolling.

The world's five held children were referred on 1 January 2025 (January to March 2025, quarter 4 of 2024 to
2025). Two more children, referred in October 2024 and closed, come back in February 2025: seven referrals in
the quarter, two of them re-referrals within 12 months (28.6%, above England's 22.6%: off target)."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, expect

from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.casework.services import referral_close
from openmash.core.codes import PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.front_door.models import Contact
from openmash.front_door.services import DecisionDetails, contact_decide, contact_record
from openmash.people.models import Child
from openmash.performance.models import Snapshot
from openmash.workforce.services import child_allocate

from ..access.world import World, build_world
from .conftest import Ui
from .test_oversight import PASSWORD, no_sideways_scroll_at_320, sign_in_as

pytestmark = pytest.mark.e2e

QUARTER = "January to March 2025"
REREFERRALS = "Re-referrals within 12 months"
CASELOAD = "Average caseload of social workers"


def _refer(world: World, child: Child, day: dt.date) -> None:
    """A school's contact on `day`, decided by the MASH the same morning as a referral to Team A."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    team = world.teams["team_a"]
    mash = world.users["mash"]
    contact = contact_record(child=child, received_at=at, source=ReferralSource.SCHOOLS, team=team, acting_user=mash)
    contact_decide(
        contact=contact,
        outcome=Contact.Outcome.REFERRAL,
        rationale="School reports bruising and hunger",
        details=DecisionDetails(primary_need=PrimaryNeed.ABUSE_NEGLECT, referral_team=team),
        decided_at=at + dt.timedelta(hours=2),
        acting_user=mash,
    )


@pytest.fixture
def world(transactional_db: None) -> World:
    w = build_world()
    for user in w.users.values():
        user.set_password(PASSWORD)
        user.save()
    tm = w.users["tm"]
    returning = []
    for n in (1, 2):
        child = child_create(
            la_child_id=f"R{n:04d}",
            first_name=f"Returning{n}",
            last_name="Testchild",
            date_of_birth=dt.date(2016, 3, n),
            sex="M",
            ethnicity="WBRI",
            postcode="ZZ1 1ZZ",
            acting_user=w.users["mash"],
        )
        _refer(w, child, dt.date(2024, 10, 1))
        child_allocate(child=child, worker=w.users["sw"].staff, start_date=dt.date(2024, 10, 1), acting_user=tm)  # type: ignore[attr-defined]
        first = Referral.objects.get(child=child)
        referral_close(
            referral=first, closure_date=dt.date(2024, 10, 15), reason=ReasonForClosure.SERVICES_CEASED, acting_user=tm
        )
        _refer(w, child, dt.date(2025, 2, 10))
        returning.append(child)
    w.objects["returning"] = returning
    return w


def _open_quarter(ui: Ui) -> None:
    """From any page: Performance in the menu, then the finished quarter January to March 2025."""
    ui.navigate_by(ui.page.get_by_role("link", name="Performance", exact=True).click)
    expect(ui.page.get_by_role("heading", name="Performance scorecard")).to_be_visible()
    ui.page.get_by_label("Period").select_option(label=f"{QUARTER} (quarter)")
    ui.navigate_by(ui.page.get_by_role("button", name="Show figures").click)
    expect(ui.page.get_by_text(f"{QUARTER}", exact=True).first).to_be_visible()


def _indicator(ui: Ui, name: str) -> Locator:
    return ui.page.get_by_role("region", name=name, exact=True)


def _figure(section: Locator) -> Locator:
    """The quarter's figure and its count, in the indicator's summary."""
    return section.locator(".govuk-summary-list__value").first


def test_a_team_manager_reads_a_figure_and_the_children_behind_it(ui: Ui, world: World) -> None:
    sign_in_as(ui, world.users["tm"])
    _open_quarter(ui)
    glance = ui.page.get_by_role("table", name="At a glance")
    expect(glance.get_by_role("row").filter(has_text=REREFERRALS)).to_contain_text("28.6%")
    section = _indicator(ui, REREFERRALS)
    expect(_figure(section)).to_have_text(re.compile(r"^\s*28\.6%\s+2 out of 7\s*$"))
    expect(section.locator(".govuk-tag").filter(has_text="Off target")).to_have_count(1)
    chart = section.locator("svg[role='img']")
    expect(chart).to_have_count(1)
    expect(chart.locator("title")).to_have_text(f"{REREFERRALS}, last 8 quarters")
    by_quarter = section.get_by_role("table", name=f"{REREFERRALS} by quarter")
    expect(by_quarter.get_by_role("row").filter(has_text="Q4 2024-25")).to_contain_text("28.6%")
    # The quarter before: the two October referrals, neither a re-referral.
    expect(by_quarter.get_by_role("row").filter(has_text="Q3 2024-25")).to_contain_text("0.0%")
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(
        _indicator(ui, REREFERRALS).get_by_role("link", name=re.compile("^See the children behind this figure")).click
    )
    expect(ui.page.get_by_role("heading", name=REREFERRALS, level=1)).to_be_visible()
    expect(ui.page.get_by_text("28.6%: 2 out of 7.")).to_be_visible()
    # Seven records counted: six about children this manager may see, one (another service's) counted only.
    expect(ui.page.get_by_text("1 record about children outside your access is counted but not listed")).to_be_visible()
    listed = ui.page.get_by_role("table", name="6 records listed")
    rows = listed.get_by_role("row")
    expect(rows).to_have_count(7)  # the header and six children
    for child in world.objects["returning"]:
        expect(rows.filter(has_text=child.la_child_id)).to_contain_text("Yes")
    expect(rows.filter(has_text="Yes")).to_have_count(2)
    expect(rows.filter(has_text=world.children["allocated"].la_child_id)).to_contain_text("No")
    expect(listed).not_to_contain_text(world.children["other_service"].full_name)
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Show only records in the figure").click)
    expect(ui.page.get_by_role("table", name="2 records listed")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    child = world.objects["returning"][0]
    ui.navigate_by(ui.page.get_by_role("link", name=child.full_name).click)
    expect(ui.page.get_by_role("heading", name=child.full_name, level=1)).to_be_visible()
    no_sideways_scroll_at_320(ui)


def test_a_councillor_sees_small_counts_as_c_and_no_children(ui: Ui, world: World) -> None:
    sign_in_as(ui, world.users["cllr"])
    _open_quarter(ui)
    expect(ui.page.get_by_text("Counts from 1 to 5 are shown as “c”")).to_be_visible()
    section = _indicator(ui, REREFERRALS)
    # Two re-referrals: the count and the rate built on it are hidden, and so is the rating that would give it away.
    expect(_figure(section)).to_have_text(re.compile(r"^\s*c\s+c out of 7\s*$"))
    expect(section.locator(".govuk-tag")).to_have_count(0)
    expect(section.get_by_role("table", name=f"{REREFERRALS} by quarter")).not_to_contain_text("28.6%")
    # At a glance: the figure, its rating and its change since the quarter before (two referrals) all hidden.
    glance = ui.page.get_by_role("table", name="At a glance").get_by_role("row").filter(has_text=REREFERRALS)
    expect(glance.get_by_role("cell")).to_have_text([REREFERRALS, "c", "c", "c"])
    expect(ui.page.get_by_role("link", name=re.compile("See the children"))).to_have_count(0)
    no_sideways_scroll_at_320(ui)

    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name="Download as CSV").click()
    path = download.value.path()
    assert path is not None
    with open(path, encoding="utf-8") as f:
        rows = {r["Indicator"]: r for r in csv.DictReader(f)}
    assert (rows[REREFERRALS]["Period"], rows[REREFERRALS]["Figure"]) == (QUARTER, "c")
    assert (rows[REREFERRALS]["Count"], rows[REREFERRALS]["Out of"], rows[REREFERRALS]["Rating"]) == ("c", "7", "c")
    assert rows[REREFERRALS]["Change since the period before"] == "c"

    ui.navigate_by(section.get_by_role("link", name=f"How “{REREFERRALS}” is counted").click)
    expect(ui.page.get_by_role("heading", name=REREFERRALS, level=1)).to_be_visible()
    expect(
        ui.page.get_by_text("22.6%: a national target (England's rate for 2024 to 2025). Lower is better.")
    ).to_be_visible()
    expect(ui.page.get_by_role("heading", name="Owner and local target")).to_have_count(0)
    no_sideways_scroll_at_320(ui)

    ui.goto("/performance/2025-Q4/rereferral_rate/children/")
    expect(ui.page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(ui.page.get_by_text(world.objects["returning"][0].full_name)).to_have_count(0)
    no_sideways_scroll_at_320(ui)


def _write_narrative(ui: Ui, indicator: str, text: str) -> None:
    ui.navigate_by(ui.page.get_by_role("link", name=f"Write the narrative for {indicator}").click)
    expect(ui.page.get_by_role("heading", name=f"Narrative for “{indicator}”")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    ui.page.get_by_label("Narrative").fill(text)
    ui.navigate_by(ui.page.get_by_role("button", name="Save narrative").click)
    expect(ui.page.get_by_text(f"The narrative for “{indicator}” is saved")).to_be_visible()
    expect(_indicator(ui, indicator)).to_contain_text(text)


def test_an_analyst_explains_the_figures_off_target_and_freezes_the_quarter(ui: Ui, world: World) -> None:
    analyst = world.users["analyst"]
    sign_in_as(ui, analyst)
    _open_quarter(ui)
    # A local target of 1 child per worker puts the average caseload (7 children, 5 workers: 1.4) off target too.
    ui.navigate_by(_indicator(ui, CASELOAD).get_by_role("link", name=f"How “{CASELOAD}” is counted").click)
    ui.page.get_by_label("Local target").fill("1")
    ui.page.get_by_label("Why this target").fill("the caseload plan")
    ui.navigate_by(ui.page.get_by_role("button", name="Save").click)
    expect(ui.page.get_by_text(f"“{CASELOAD}” is updated")).to_be_visible()
    expect(ui.page.get_by_text("1.0: a local target (the caseload plan). Lower is better.")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    _open_quarter(ui)
    expect(_figure(_indicator(ui, CASELOAD))).to_contain_text("1.4")
    expect(_indicator(ui, CASELOAD).locator(".govuk-tag").filter(has_text="Off target")).to_have_count(1)
    expect(ui.page.get_by_text("2 figures off target need a narrative from their owners")).to_be_visible()
    _write_narrative(ui, REREFERRALS, "Two children came back after early closures; closures now need a manager.")
    expect(ui.page.get_by_text("1 figure off target needs a narrative from its owner")).to_be_visible()

    ui.navigate_by(ui.page.get_by_role("link", name="Freeze this period").click)
    expect(ui.page.get_by_role("heading", name="Freeze the scorecard")).to_be_visible()
    waiting = ui.page.get_by_role("heading", name="Figures that need a narrative first")
    expect(waiting).to_be_visible()
    expect(ui.page.locator("#missing + ul")).to_have_text(re.compile(rf"^\s*{CASELOAD}: 1\.4 against a target of 1\.0"))
    no_sideways_scroll_at_320(ui)
    ui.navigate_by(ui.page.get_by_role("button", name=f"Freeze {QUARTER}").click)
    expect(ui.page.get_by_role("alert")).to_contain_text(
        f"Before freezing, the owners must explain each figure rated red: {CASELOAD}"
    )
    assert not Snapshot.objects.filter(period_key="2025-Q4").exists()
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="Scorecard").click)
    _write_narrative(ui, CASELOAD, "Two workers joined in February; caseloads fall next quarter.")
    ui.navigate_by(ui.page.get_by_role("link", name="Freeze this period").click)
    expect(ui.page.get_by_role("heading", name="Figures that need a narrative first")).to_have_count(0)
    ui.navigate_by(ui.page.get_by_role("button", name=f"Freeze {QUARTER}").click)
    expect(ui.page.get_by_text(f"The scorecard for {QUARTER} is frozen")).to_be_visible()
    expect(ui.page.get_by_text(re.compile(r"^Frozen on \d{1,2} \w+ \d{4} by Analyst User\.$"))).to_be_visible()
    expect(ui.page.get_by_role("link", name="Freeze this period")).to_have_count(0)
    expect(ui.page.get_by_role("link", name=re.compile("narrative"))).to_have_count(0)
    expect(_figure(_indicator(ui, REREFERRALS))).to_have_text(re.compile(r"^\s*28\.6%\s+2 out of 7\s*$"))
    snapshot = Snapshot.objects.get(period_key="2025-Q4")
    assert (snapshot.frozen_by, snapshot.as_of) == (analyst, timezone.localdate())
    no_sideways_scroll_at_320(ui)
