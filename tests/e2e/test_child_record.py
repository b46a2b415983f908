"""A social worker opens a child's record: the summary says where the case stands and warns of what matters, the
chronology is filtered by type and date, and the filtered chronology is downloaded as a PDF. Every page is
checked with axe, and again at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from openmash.access.models import ChildRestriction
from openmash.accounts.models import User
from openmash.casework import services as casework
from openmash.casework.models import CaseNote, Referral, Visit
from openmash.core.codes import CategoryOfAbuse
from openmash.front_door.models import AgencyContribution, CSEScreening, CumulativeConcernAlert
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion

from ..journey.pdf import bookmarks
from . import helpers
from .conftest import Ui

pytestmark = pytest.mark.e2e
D = dt.date


def _no_sideways_scroll_at_320(ui: Ui) -> None:
    ui.page.set_viewport_size({"width": 320, "height": 640})
    ui.goto(ui.page.url.removeprefix(ui.base_url))
    overflow = ui.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{ui.page.url} scrolls sideways at 320px"
    ui.page.set_viewport_size({"width": 1024, "height": 800})


@pytest.fixture
def on_a_plan(referral: Referral, worker_user: User) -> Referral:
    """A child protection plan since 21 May 2024, whose first review (21 August 2024) is long overdue; visits, a
    case note, a health contribution, a high CSE screening, a cumulative concern, and a record restricted to
    the social worker."""
    u = worker_user
    casework.assessment_start(referral=referral, start_date=D(2024, 5, 2), acting_user=u)
    sd = protection.strategy_discussion_record(
        referral=referral, discussion_date=D(2024, 5, 3), outcome=StrategyDiscussion.Outcome.SECTION_47, acting_user=u
    )
    s47 = protection.section47_start(referral=referral, start_date=D(2024, 5, 3), strategy_discussion=sd, acting_user=u)
    protection.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 21), plan_needed=True, category=CategoryOfAbuse.NEGLECT, acting_user=u
    )
    child = referral.child
    # Written with the ORM: the record reads these, and how each is recorded is tested where it is recorded.
    staff = u.staff  # type: ignore[attr-defined]
    Visit.objects.create(
        child=child, referral=referral, visit_date=D(2024, 6, 3), purpose=Visit.Purpose.CP_PLAN, seen=True,
        seen_alone=True, visited_by=staff, recorded_by=u, notes="Amelia showed me her room",
    )  # fmt: skip
    Visit.objects.create(
        child=child, referral=referral, visit_date=D(2024, 7, 15), purpose=Visit.Purpose.CP_PLAN, seen=False,
        visited_by=staff, recorded_by=u, notes="No answer at the door",
    )  # fmt: skip
    CaseNote.objects.create(
        child=child, referral=referral, note_type=CaseNote.NoteType.PHONE_CALL, occurred_on=D(2024, 7, 10),
        subject="Call with school", body="Attendance has improved", author=u,
    )  # fmt: skip
    AgencyContribution.objects.create(child=child, agency="health", summary="Missed immunisations")
    CSEScreening.objects.create(
        child=child, screened_at=timezone.now(), screened_by=u, ratings={}, score=20, risk_level="high"
    )
    CumulativeConcernAlert.objects.create(child=child, raised_at=timezone.now(), agencies=["police", "health"])
    restriction = ChildRestriction.objects.create(child=child, reason="Child of a member of staff")
    restriction.allowed_users.add(u)
    return referral


def test_the_summary_the_filtered_chronology_and_its_pdf(ui: Ui, on_a_plan: Referral, worker_user: User) -> None:
    child = on_a_plan.child
    device = TOTPDevice.objects.get(user=worker_user, confirmed=True)
    helpers.sign_in(ui, "worker", "a-long-test-password", device.bin_key, start=f"/children/{child.la_child_id}/")
    page = ui.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia Jones")

    summary = page.get_by_role("region", name="Summary")
    expect(summary.get_by_text("Restricted record: only the people named on it may see it")).to_be_visible()
    expect(summary.get_by_text("CSE risk: High")).to_be_visible()
    expect(summary.get_by_text("Cumulative concern: 0 contacts, not yet acknowledged by the hub")).to_be_visible()
    expect(summary.locator("dd").first).to_have_text("Child protection plan")
    expect(summary).to_contain_text("Child protection plan since 21 May 2024")
    expect(summary).to_contain_text("Category: Neglect")
    expect(summary).to_contain_text("Wendy Worker")
    review = summary.get_by_role("listitem").filter(has_text="Child protection review conference: 21 August 2024")
    expect(review.get_by_text("Overdue")).to_be_visible()
    _no_sideways_scroll_at_320(ui)

    chronology = page.locator("ol.app-chronology > li")
    expect(chronology.first).to_contain_text("Missed immunisations")  # today, from Health
    expect(page.get_by_text("Amelia showed me her room")).to_be_visible()

    # A date that does not exist is explained, and the whole chronology stays.
    page.get_by_text("Filter by type and date").click()
    page.get_by_label("Visits").check()
    start = page.get_by_role("group", name="From")
    start.get_by_label("Day").fill("30")
    start.get_by_label("Month").fill("2")
    start.get_by_label("Year").fill("2024")
    ui.navigate_by(page.get_by_role("button", name="Filter").click)
    expect(page.get_by_role("alert")).to_contain_text("From must be a real date")
    expect(chronology.first).to_contain_text("Missed immunisations")

    start = page.get_by_role("group", name="From")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("7")
    ui.navigate_by(page.get_by_role("button", name="Filter").click)
    expect(page.get_by_text("1 entry: Visits from 1 July 2024")).to_be_visible()
    expect(chronology).to_have_count(1)
    expect(chronology.first).to_contain_text("No answer at the door")
    _no_sideways_scroll_at_320(ui)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these entries as a PDF").click()
    path = download.value.path()
    assert path is not None
    assert download.value.suggested_filename.startswith(f"chronology-{child.la_child_id}-")
    titles = bookmarks(Path(path).read_bytes())
    assert "Child protection visit" in titles
    assert "Telephone call: Call with school" not in titles
