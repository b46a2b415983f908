"""The MASH in a real browser: a practitioner matches a contact, rates it and asks agencies for checks; the
health researcher answers from their own sign-in; the practitioner reads the answer and decides "referral to
children's social care", which puts the referral in the Advice and Assessment team's queue; a police
researcher never sees the health answer. Also: recording a contact by phone, with the register's suggestions filling
in what is known, and the pages at 320 pixels wide."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, expect

from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.front_door.models import Contact, InformationRequest, MatchDecision

from ..access.world import World, build_world
from . import helpers
from .conftest import Ui

pytestmark = pytest.mark.e2e
PASSWORD = "a-long-browser-password"
HEALTH_ANSWER = "Health visitor: two missed development checks, mother declined visits"


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


@pytest.fixture
def second_ui(browser: Browser, live_server: Any, transactional_db: None) -> Iterator[Ui]:
    """Another person at another computer: a browser context of their own, checked like the first."""
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    harness = Ui(page, live_server.url)
    yield harness
    try:
        harness.check_if_needed()
        assert not harness.unchecked, f"pages visited without an accessibility check: {harness.unchecked}"
    finally:
        context.close()


def no_sideways_scroll(ui: Ui) -> None:
    overflow = ui.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{ui.page.url} scrolls sideways at {ui.page.viewport_size}"


def test_match_rate_check_answer_decide_referral(ui: Ui, second_ui: Ui, world: World) -> None:
    contact = world.objects["mash_unlinked"]
    child = world.objects["mash_on_register"]
    page = ui.page

    sign_in_as(ui, world.users["mash"])
    ui.navigate_by(page.get_by_role("link", name="MASH queue").click)
    expect(page.get_by_role("heading", name="MASH queue")).to_be_visible()
    ui.navigate_by(page.get_by_role("link", name=re.compile(r"^To match \(\d+\)$")).click)
    ui.navigate_by(page.get_by_role("link", name=contact.reference).click)

    # Matching: the child already on the register is offered with why.
    expect(page.get_by_role("heading", name="Who is this child?")).to_be_visible()
    card = page.locator(".govuk-summary-card", has_text=child.la_child_id)
    expect(card).to_contain_text("Matchable Mashtest")
    ui.navigate_by(card.get_by_role("button", name="This is the child").click)
    expect(page.get_by_text("Linked to Matchable Mashtest")).to_be_visible()

    # Rating sets when the decision is due.
    page.get_by_label("Red: decide within 4 hours").check()
    page.get_by_label("Why this rating?").fill("Neighbour reports a child screaming; police called before")
    ui.navigate_by(page.get_by_role("button", name="Rate the contact").click)
    expect(page.get_by_text("Rated red: decision due by")).to_be_visible()

    # Checks from health and police.
    checks = page.get_by_role("group", name="Which agencies should check their records?")
    checks.get_by_label("Health").check()
    checks.get_by_label("Police").check()
    page.get_by_label("What should they look for? (optional)").fill("Health visiting and any incidents")
    ui.navigate_by(page.get_by_role("button", name="Request checks").click)
    expect(page.get_by_text("Checks requested from Police, Health")).to_be_visible()
    assert InformationRequest.objects.filter(contact=contact, status="open").count() == 2

    # The health researcher, at their own desk, answers from the inbox.
    health = second_ui.page
    sign_in_as(second_ui, world.users["health"])
    second_ui.navigate_by(health.get_by_role("link", name="Information requests").click)
    second_ui.navigate_by(health.get_by_role("link", name="Matchable Mashtest").click)
    expect(health.get_by_text("Health visiting and any incidents")).to_be_visible()
    second_ui.navigate_by(health.get_by_role("button", name="Send the answer to the MASH").click)
    expect(health.get_by_role("alert")).to_contain_text("Enter what your agency knows")
    health.get_by_label("What does your agency know?").fill(HEALTH_ANSWER)
    health.get_by_label("MASH and the child's social care team").check()
    second_ui.navigate_by(health.get_by_role("button", name="Send the answer to the MASH").click)
    expect(health.get_by_text("Your answer was sent to the MASH")).to_be_visible()

    # The practitioner sees the answer, and decides.
    ui.goto(f"/mash/contacts/{contact.reference}/")
    expect(page.get_by_text(HEALTH_ANSWER)).to_be_visible()
    page.get_by_label("Referral to children's social care").check()
    # The usual words for the referrer are offered for the outcome chosen.
    expect(page.get_by_label("What the referrer is told")).to_have_value(
        "Your concern has been passed to a social work team for an assessment."
    )
    page.get_by_label("The child's primary need").select_option(label="Abuse or neglect")
    ui.navigate_by(page.get_by_role("button", name="Record the decision").click)
    expect(page.get_by_role("alert")).to_contain_text("Give the reasons for the decision")
    contact.refresh_from_db()
    assert contact.outcome == ""
    page.get_by_label("Reasons for the decision").fill("Health and neighbour concerns together: assessment needed")
    ui.navigate_by(page.get_by_role("button", name="Record the decision").click)
    expect(page.get_by_text("The referral is in the Advice and assessment team's queue").first).to_be_visible()

    referral = Referral.objects.get(contact=contact)
    assert referral.team == world.teams["assessment"]
    contact.refresh_from_db()
    assert (contact.match_decision, contact.rag, contact.outcome) == (MatchDecision.LINKED, "red", "referral")

    # The child's record shows the referral with the Advice and Assessment team.
    ui.navigate_by(page.get_by_role("link", name="View Matchable Mashtest's record").click)
    referral_entry = page.locator("ol.app-chronology > li", has_text="Referral")
    expect(referral_entry.first).to_contain_text("Team: Advice and assessment")

    # A police researcher, signed in, never sees the health answer: not on the child's record, not in their inbox,
    # not on their own request.
    second_ui.page.context.clear_cookies()
    sign_in_as(second_ui, world.users["police_researcher"])
    police = second_ui.page
    second_ui.navigate_by(police.get_by_role("link", name="Information requests").click)
    expect(police.get_by_role("link", name="Matchable Mashtest")).to_be_visible()
    expect(police.get_by_text(HEALTH_ANSWER)).to_have_count(0)
    second_ui.navigate_by(police.get_by_role("link", name="Matchable Mashtest").click)
    expect(police.get_by_text(HEALTH_ANSWER)).to_have_count(0)
    second_ui.goto(f"/children/{child.la_child_id}/")
    expect(police.get_by_role("heading", level=1)).to_have_text("Matchable Mashtest")
    expect(police.get_by_text(HEALTH_ANSWER)).to_have_count(0)
    second_ui.goto(f"/mash/contacts/{contact.reference}/")
    expect(police.get_by_role("heading", name="Page not found")).to_be_visible()

    # The referral waits in the Advice and Assessment team's queue for its managers to allocate.
    second_ui.page.context.clear_cookies()
    sign_in_as(second_ui, world.users["tm"])
    manager = second_ui.page
    second_ui.navigate_by(manager.get_by_role("link", name="Referrals waiting").click)
    row = manager.get_by_role("row").filter(has_text="Matchable Mashtest")
    expect(row).to_contain_text("Advice and assessment")
    expect(row).to_contain_text("Red")


def test_record_a_contact_with_the_registers_suggestions(ui: Ui, world: World) -> None:
    child = world.objects["mash_on_register"]
    page = ui.page
    sign_in_as(ui, world.users["police"], start="/mash/")
    ui.navigate_by(page.get_by_role("button", name="Record a contact").click)
    page.get_by_label("Who made the contact?").select_option(label="Health – GP")
    page.get_by_label("Their agency (if a professional)").select_option(label="Health")
    page.get_by_label("Their name").fill("Dr Example")
    page.get_by_label("First name").fill("Matchable")
    page.get_by_label("Last name").fill("Mashtest")
    # Suggestions arrive while typing; choosing one fills in what the register knows.
    suggestion = page.get_by_label(f"Matchable Mashtest, born 1 March 2016 ({child.la_child_id})")
    expect(suggestion).to_be_visible()
    ui.check_if_needed()
    helpers.recheck(ui)
    suggestion.check()
    expect(page.get_by_label("Address", exact=True)).to_have_value("1 Hub Street")
    expect(page.get_by_label("Postcode")).to_have_value("ZZ9 9ZZ")
    expect(page.get_by_role("group", name="Date of birth").get_by_label("Year")).to_have_value("2016")
    page.get_by_label("What is the concern?").fill("GP saw an unexplained burn on the child's arm")
    page.get_by_label("No", exact=True).check()
    ui.navigate_by(page.get_by_role("button", name="Record the contact").click)
    expect(page.get_by_text("recorded", exact=False).first).to_be_visible()
    recorded = Contact.objects.get(channel="recorded", submitted_by=world.users["police"])
    assert recorded.child == child
    assert recorded.subject_address == "1 Hub Street"
    assert recorded.referrer_agency == "health"


def test_mash_pages_at_320_pixels(ui: Ui, world: World) -> None:
    ui.page.set_viewport_size({"width": 320, "height": 640})
    sign_in_as(ui, world.users["mash"], start="/mash/")
    no_sideways_scroll(ui)
    for contact in ("mash_unlinked", "mash_rated", "mash_answered"):
        ui.goto(f"/mash/contacts/{world.objects[contact].reference}/")
        no_sideways_scroll(ui)
    ui.goto("/mash/contacts/new/")
    no_sideways_scroll(ui)
    ui.goto(f"/mash/contacts/{world.objects['mash_unlinked'].reference}/new-child/")
    no_sideways_scroll(ui)
    ui.page.context.clear_cookies()
    sign_in_as(ui, world.users["health"], start="/information-requests/")
    no_sideways_scroll(ui)
    ui.goto(f"/information-requests/{world.objects['mash_health_request'].pk}/")
    no_sideways_scroll(ui)
