"""The single assessment in a real browser: a manager allocates a referral waiting in the queue, the social
worker starts the assessment and types her analysis, loses her session mid-sentence and finds the text kept
when she signs in again; she sends it for authorisation and cannot authorise it herself; the manager authorises
it and the child gets a child in need plan. Every page is checked with axe, and at 320 pixels wide for sideways
scrolling."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openmash.casework.models import Assessment, CINPlan
from openmash.core.models import FormDraft

from ..access.world import World
from .conftest import Ui
from .test_oversight import no_sideways_scroll_at_320, sign_in_as, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e
TYPED = "Amelia told me her mother's partner shouts at them both and she is frightened at home"


def fill_date(ui: Ui, group_name: str, day: str, month: str, year: str) -> None:
    group = ui.page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_an_assessment_from_allocation_to_a_child_in_need_plan(ui: Ui, world: World) -> None:  # noqa: F811
    page = ui.page
    referral = world.objects["waiting_assessment"]
    child = referral.child
    sw, tm = world.users["sw"], world.users["tm"]

    # The manager allocates the waiting referral to the social worker.
    sign_in_as(ui, tm)
    ui.navigate_by(page.get_by_role("link", name="Referrals waiting").click)
    ui.navigate_by(page.get_by_role("link", name=f"Allocate {child.full_name}").click)
    option = page.locator("#id_worker option", has_text="sw Staff, Team A").text_content()
    assert option is not None
    page.get_by_label("Who will hold the case?").select_option(label=option)
    ui.navigate_by(page.get_by_role("button", name="Allocate").click)
    expect(page.get_by_text(f"{child.full_name} is allocated to")).to_be_visible()

    # The social worker opens the referral and starts the assessment.
    page.context.clear_cookies()
    sign_in_as(ui, sw, start=f"/referrals/{referral.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral of")
    no_sideways_scroll_at_320(ui)
    ui.navigate_by(page.get_by_role("link", name="Start a single assessment").click)
    no_sideways_scroll_at_320(ui)
    ui.navigate_by(page.get_by_role("button", name="Start the assessment").click)
    expect(page.get_by_role("heading", name="Record the assessment")).to_be_visible()
    assessment = Assessment.objects.get(referral=referral)
    edit_path = f"/assessments/{assessment.pk}/edit/"
    no_sideways_scroll_at_320(ui)

    # She types; the page keeps a draft as she goes. Then her session ends mid-sentence.
    analysis = page.get_by_label("Your analysis")
    analysis.press_sequentially(TYPED, delay=5)
    expect(page.locator("#app-draft-status")).to_contain_text("Draft saved at", timeout=20_000)
    page.context.clear_cookies()
    analysis.press_sequentially(" and", delay=5)
    assert FormDraft.objects.get(user=sw).data["analysis"] == TYPED

    # Signed in again, the text is back.
    sign_in_as(ui, sw, start=edit_path)
    expect(page.get_by_text("We kept the analysis you were typing")).to_be_visible()
    expect(page.get_by_label("Your analysis")).to_have_value(TYPED)

    # A date that does not exist is refused with the error summary; what she typed stays.
    page.get_by_label("Domestic abuse – parent or carer is the subject").check()
    page.get_by_label("Child sexual exploitation").check()
    page.get_by_role("group", name="Was the child seen during the assessment?").get_by_label("Yes").check()
    today = timezone.localdate()
    fill_date(ui, "Date the child was seen", "31", "2", str(today.year))
    page.get_by_role("group", name="Was the child seen alone?").get_by_label("Yes").check()
    ui.navigate_by(page.get_by_role("button", name="Save and continue").click)
    expect(page.get_by_role("alert")).to_contain_text("Date the child was seen must be a real date")
    expect(page.get_by_label("Your analysis")).to_have_value(TYPED)
    fill_date(ui, "Date the child was seen", str(today.day), str(today.month), str(today.year))
    ui.navigate_by(page.get_by_role("button", name="Save and continue").click)

    # Check your answers, then send.
    expect(page.get_by_role("heading", name="Check the assessment before you send it")).to_be_visible()
    expect(page.get_by_text("Child sexual exploitation (11A)")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    ui.navigate_by(page.get_by_role("button", name="Send for authorisation").click)
    expect(page.get_by_text("Waiting for authorisation").first).to_be_visible()
    no_sideways_scroll_at_320(ui)
    # Both clocks, from the assessment's start and from the referral.
    expect(page.get_by_text("From the start of the assessment (DfE)")).to_be_visible()
    expect(page.get_by_text("From the referral (Working Together 2023)")).to_be_visible()

    # She cannot authorise her own assessment: there is no button, and no page for her.
    expect(page.get_by_role("link", name="Authorise or return")).to_have_count(0)
    ui.goto(f"/assessments/{assessment.pk}/authorise/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()

    # The manager authorises it and the child gets a child in need plan.
    page.context.clear_cookies()
    sign_in_as(ui, tm, start=f"/assessments/{assessment.pk}/")
    ui.navigate_by(page.get_by_role("link", name="Authorise or return").click)
    expect(page.get_by_role("heading", name="Authorise the assessment")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    page.get_by_role("group", name="Is the child in need?").get_by_label("Yes").check()
    ui.navigate_by(page.get_by_role("button", name="Authorise", exact=True).click)
    expect(page.get_by_role("heading", name="What the assessment leads to")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    page.get_by_label("Child in need plan").check()
    ui.navigate_by(page.get_by_role("button", name="Record the outcome").click)
    expect(page.get_by_text("Outcome recorded: child in need plan")).to_be_visible()
    expect(page.get_by_text("Child in need plan").first).to_be_visible()
    no_sideways_scroll_at_320(ui)

    assessment.refresh_from_db()
    assert (assessment.submitted_by, assessment.authorised_by, assessment.outcome) == (sw, tm, "cin_plan")
    assert sorted(assessment.factors.values_list("code", flat=True)) == ["11A", "3B"]
    assert assessment.analysis == TYPED
    assert CINPlan.objects.get(referral=referral).start_date == today
    assert not FormDraft.objects.filter(user=sw).exists()

    # Closing now is refused: the plan is still open.
    ui.navigate_by(page.get_by_role("link", name="Close the case").click)
    no_sideways_scroll_at_320(ui)
    page.get_by_label("Services ceased for any other reason, including child no longer in need").check()
    ui.navigate_by(page.get_by_role("button", name="Close the case").click)
    expect(page.get_by_role("alert")).to_contain_text("Before the case can close, finish the child in need plan")
