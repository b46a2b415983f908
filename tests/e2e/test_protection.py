"""Child protection in a real browser: from an episode whose assessment is authorised, a social worker records
the strategy discussion, the Section 47 enquiry and the conference that starts a plan, two visits, two reviews
and the plan's end; the case closes, and steps that can no longer be taken are refused with their message.
Every page is checked with axe, and again at 320 pixels wide for sideways scrolling."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Locator, expect

from openmash.accounts.models import User
from openmash.casework import services as casework
from openmash.casework.models import Referral, Visit
from openmash.core.codes import AssessmentFactor
from openmash.protection.models import ChildProtectionPlan, Section47Enquiry

from . import helpers
from .conftest import Ui
from .test_oversight import no_sideways_scroll_at_320

pytestmark = pytest.mark.e2e
PASSWORD = "a-long-test-password"


@pytest.fixture
def assessed(referral: Referral, worker_user: User, manager_user: User) -> Referral:
    """The referral of 1 May 2024, its assessment authorised by the team manager on 20 June."""
    assessment = casework.assessment_start(referral=referral, start_date=dt.date(2024, 5, 2), acting_user=worker_user)
    casework.assessment_update(
        assessment=assessment,
        analysis="Mother is the subject of domestic abuse by her partner.",
        factors=[AssessmentFactor.DOMESTIC_ABUSE_PARENT],
        child_seen=True,
        child_seen_date=dt.date(2024, 5, 3),
        seen_alone=True,
        expected_version=None,
        acting_user=worker_user,
    )
    casework.assessment_submit(assessment=assessment, expected_version=None, acting_user=worker_user)
    casework.assessment_authorise(
        assessment=assessment, authorised_date=dt.date(2024, 6, 20), child_in_need=True, acting_user=manager_user
    )
    return referral


def fill_date(ui: Ui, label: str, day: dt.date) -> None:
    group = ui.page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def submit(ui: Ui, button: str) -> None:
    ui.navigate_by(ui.page.get_by_role("button", name=button).click)


def alert(ui: Ui) -> Locator:
    return ui.page.get_by_role("alert")


def test_a_social_worker_takes_a_child_through_child_protection(ui: Ui, assessed: Referral, worker_user: User) -> None:
    referral = assessed
    child = referral.child
    helpers.sign_in(
        ui, "worker", PASSWORD, worker_user.totp_key, start=f"/referrals/{referral.pk}/strategy-discussion/"
    )  # type: ignore[attr-defined]

    # Strategy discussion: the error summary first, then the discussion, which leads to a Section 47 enquiry.
    expect(ui.page.get_by_role("heading", name="Record a strategy discussion")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    submit(ui, "Save strategy discussion")
    expect(alert(ui)).to_contain_text("Enter the date of the strategy discussion")
    expect(alert(ui)).to_contain_text("Select the agencies that took part")
    fill_date(ui, "Date of the strategy discussion", dt.date(2024, 6, 24))
    for agency in ("Police", "Health", "Children's Social Care"):
        ui.page.get_by_label(agency, exact=True).check()
    ui.page.get_by_label("Section 47 enquiry").check()
    ui.page.get_by_label("Notes of the discussion").fill("Police, health and social care agree to a joint enquiry.")
    submit(ui, "Save strategy discussion")

    expect(ui.page.get_by_role("heading", name="Start a Section 47 enquiry")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    fill_date(ui, "Date the enquiry started", dt.date(2024, 6, 24))
    submit(ui, "Start the enquiry")
    expect(ui.page.get_by_role("heading", name="Section 47 enquiry")).to_be_visible()
    # 15 working days from the strategy discussion, and from the start (the same day here).
    expect(ui.page.get_by_text("15 July 2024 (15 working days from the strategy discussion)")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    enquiry = Section47Enquiry.objects.get(referral=referral)

    # The conference, checked before it is recorded, starts the plan.
    ui.navigate_by(ui.page.get_by_role("button", name="Record the conference").click)
    no_sideways_scroll_at_320(ui)
    fill_date(ui, "Date of the conference", dt.date(2024, 7, 8))
    ui.page.get_by_role("group", name="Did the conference decide on a child protection plan?").get_by_label(
        "Yes"
    ).check()
    submit(ui, "Continue")
    expect(alert(ui)).to_contain_text("Select the category of abuse for the plan")
    ui.page.get_by_label("Neglect").check()
    ui.page.get_by_label("Core group").fill("Ann Smith, health visitor, Health\nBob Jones, head teacher, Education")
    ui.page.get_by_label("Notes of the conference").fill("Unanimous decision: neglect.")
    submit(ui, "Continue")
    expect(ui.page.get_by_role("heading", name="Check the conference before recording it")).to_be_visible()
    expect(ui.page.get_by_text("Yes: Neglect")).to_be_visible()
    submit(ui, "Record the conference")
    expect(ui.page.get_by_role("heading", name="Child protection plan")).to_be_visible()
    expect(ui.page.get_by_text("8 October 2024")).to_be_visible()  # first review: 3 months on
    expect(ui.page.get_by_text("Every 10 working days.")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    plan = ChildProtectionPlan.objects.get(referral=referral)
    assert plan.core_group == ["Ann Smith, health visitor, Health", "Bob Jones, head teacher, Education"]

    # The conference cannot be recorded twice.
    ui.goto(f"/section-47/{enquiry.pk}/conference/")
    fill_date(ui, "Date of the conference", dt.date(2024, 7, 9))
    ui.page.get_by_role("group", name="Did the conference decide on a child protection plan?").get_by_label(
        "No"
    ).check()
    submit(ui, "Continue")
    submit(ui, "Record the conference")
    expect(alert(ui)).to_contain_text("The conference for this enquiry was held on 8 July 2024")

    # Two visits.
    ui.goto(f"/cp-plans/{plan.pk}/")
    ui.navigate_by(ui.page.get_by_role("link", name="Visits", exact=True).click)
    expect(ui.page.get_by_role("heading", name="Visits")).to_be_visible()
    for day, alone in ((dt.date(2024, 7, 15), "Yes"), (dt.date(2024, 7, 29), "No")):
        ui.navigate_by(ui.page.get_by_role("button", name="Record a visit").click)
        no_sideways_scroll_at_320(ui)
        fill_date(ui, "Date of the visit", day)
        ui.page.get_by_label("Child protection visit").check()
        ui.page.get_by_role("group", name="Was the child seen?").get_by_label("Yes").check()
        ui.page.get_by_role("group", name="Was the child seen alone?").get_by_label(alone).check()
        ui.page.get_by_label("What happened on the visit").fill("Saw the child's bedroom; food in the cupboards.")
        submit(ui, "Save visit")
        expect(ui.page.get_by_text(f"Visit on {day.day} July 2024 recorded")).to_be_visible()
    expect(ui.page.get_by_role("table")).to_contain_text("Yes, not alone")
    no_sideways_scroll_at_320(ui)
    assert Visit.objects.filter(child=child, seen=True).count() == 2

    # Two reviews: due 6 months after each.
    for day, due in ((dt.date(2024, 10, 7), "7 April 2025"), (dt.date(2025, 4, 7), "7 October 2025")):
        ui.goto(f"/cp-plans/{plan.pk}/")
        ui.navigate_by(ui.page.get_by_role("button", name="Record a review").click)
        no_sideways_scroll_at_320(ui)
        fill_date(ui, "Date of the review conference", day)
        ui.page.get_by_label("Notes of the review").fill("Some progress; plan continues.")
        submit(ui, "Save review")
        expect(ui.page.get_by_text(due)).to_be_visible()

    # The plan ends, and the case closes.
    ui.navigate_by(ui.page.get_by_role("button", name="End the plan").click)
    no_sideways_scroll_at_320(ui)
    fill_date(ui, "Date the plan ended", dt.date(2025, 4, 8))
    ui.page.get_by_label("No longer at risk: case closed").check()
    submit(ui, "End the plan")
    expect(ui.page.get_by_text("8 April 2025: No longer at risk: case closed")).to_be_visible()
    no_sideways_scroll_at_320(ui)

    # A review after the plan ended is refused with its reason.
    ui.goto(f"/cp-plans/{plan.pk}/reviews/new/")
    fill_date(ui, "Date of the review conference", dt.date(2025, 4, 9))
    submit(ui, "Save review")
    expect(alert(ui)).to_contain_text("This plan ended on 8 April 2025; it cannot be reviewed")

    casework.referral_close(referral=referral, closure_date=dt.date(2025, 4, 9), reason="RC7", acting_user=worker_user)
    ui.goto(f"/referrals/{referral.pk}/strategy-discussion/")
    fill_date(ui, "Date of the strategy discussion", dt.date(2025, 4, 10))
    ui.page.get_by_label("Police", exact=True).check()
    ui.page.get_by_label("No further action").check()
    submit(ui, "Save strategy discussion")
    expect(alert(ui)).to_contain_text("this case was closed on 9 April 2025")
    plan.refresh_from_db()
    assert (plan.end_date, plan.reviews.count(), plan.end_reason) == (dt.date(2025, 4, 8), 2, "closed")
