"""The ways in, in a browser: a member of the public reports a concern on a small phone and gets a
reference; a professional refers a child, the form keeps a draft as they type, and they check their answers
before sending; a referrer answers the survey through their one-off link. Every page passes axe-core and,
at 320 pixels wide, never scrolls sideways."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.front_door import services as fd
from openmash.front_door.models import Contact, ContactAdult, FormDraft, ReferrerFeedback

from . import helpers
from .conftest import Ui

pytestmark = pytest.mark.e2e
PASSWORD = "a-long-browser-password"


def no_sideways_scroll(ui: Ui) -> None:
    overflow = ui.page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{ui.page.url} scrolls sideways by {overflow}px at {ui.page.viewport_size}"


def test_a_member_of_the_public_reports_a_concern_on_a_small_phone(ui: Ui, transactional_db: None) -> None:
    page = ui.page
    page.set_viewport_size({"width": 320, "height": 640})
    ui.goto("/sign-in/")
    ui.navigate_by(page.get_by_role("link", name="Report a concern about a child").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a concern about a child")
    no_sideways_scroll(ui)

    # Sending nothing explains what is missing and sends nothing.
    ui.navigate_by(page.get_by_role("button", name="Continue").click)
    expect(page.get_by_role("alert")).to_contain_text("Select yes if the child is in danger right now")
    expect(page.get_by_role("alert")).to_contain_text("Enter the child's name, or as much of it as you know")
    no_sideways_scroll(ui)

    danger = page.get_by_role("group", name="Is the child in danger right now?")
    expect(danger).to_contain_text("If they are, call 999 now")
    danger.get_by_label("No", exact=True).check()
    page.locator("#id_subject_first_name").fill("Amira")
    page.locator("#id_subject_last_name").fill("Stone")
    page.get_by_label("Age", exact=True).fill("9")
    page.get_by_label("Postcode").fill("zz1 1zz")
    page.get_by_label("What is worrying you about the child?").fill(
        "She has bruises on her arms and says she is scared to go home"
    )
    page.get_by_role("group", name="How do you know the child?").get_by_label(
        "I know them or their family (for example a neighbour, friend or childminder)"
    ).check()
    page.get_by_role("group", name="Do the child's parents or carers know").get_by_label("I do not know").check()
    page.get_by_label("Email address").fill("neighbour@example.com")
    ui.navigate_by(page.get_by_role("button", name="Continue").click)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your report")
    expect(page.get_by_text("Amira Stone")).to_be_visible()
    expect(page.get_by_text("ZZ1 1ZZ")).to_be_visible()
    no_sideways_scroll(ui)
    assert not Contact.objects.exists()

    ui.navigate_by(page.get_by_role("button", name="Send report").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Report sent")
    contact = Contact.objects.get()
    expect(page.locator(".govuk-panel__body")).to_contain_text(str(contact.reference))
    expect(page.get_by_text("We will tell you the outcome")).to_be_visible()
    no_sideways_scroll(ui)
    assert (contact.subject_first_name, contact.subject_postcode, contact.channel) == ("Amira", "ZZ1 1ZZ", "public")


@pytest.fixture
def nurse(transactional_db: None) -> tuple[User, bytes]:
    user = User.objects.create_user(
        username="nurse", password=PASSWORD, agency=Agency.HEALTH, first_name="Nia", last_name="Evans",
        email="nia.evans@health.example",
    )  # fmt: skip
    UserRole.objects.create(user=user, role=Role.AGENCY_RESEARCHER)
    key = b"nurse".ljust(20, b"k")
    TOTPDevice.objects.create(user=user, name="Authenticator app", key=key.hex(), confirmed=True)
    return user, key


def test_a_professional_refers_with_a_draft_kept_and_checks_their_answers(ui: Ui, nurse: tuple[User, bytes]) -> None:
    user, key = nurse
    page = ui.page
    helpers.sign_in(ui, "nurse", PASSWORD, key, start="/")
    ui.navigate_by(page.get_by_role("link", name="Refer a child").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer a child")
    expect(page.get_by_text("Nia Evans, Health")).to_be_visible()

    # What is typed is saved as a draft by the page's script, every few seconds.
    page.get_by_role("group", name="Is the child in danger right now?").get_by_label("No", exact=True).check()
    page.locator("#id_subject_first_name").fill("Leo")
    page.locator("#id_subject_last_name").fill("Grant")
    page.get_by_label("What is worrying you about the child?").fill("Leo said his mother's partner hit him")
    expect(page.locator("#app-draft-status")).to_contain_text("Draft saved at", timeout=15_000)
    draft = FormDraft.objects.get(user=user)
    assert draft.data["subject_first_name"] == "Leo"

    # Coming back (after a time-out, say) the form opens with the draft.
    page.set_viewport_size({"width": 320, "height": 640})
    ui.goto("/refer/")
    expect(page.locator("#id_subject_first_name")).to_have_value("Leo")
    expect(page.get_by_label("What is worrying you about the child?")).to_have_value(
        "Leo said his mother's partner hit him"
    )
    expect(page.get_by_text("You are carrying on with the referral you saved on")).to_be_visible()
    no_sideways_scroll(ui)

    date = page.get_by_role("group", name="Date of birth").first
    date.get_by_label("Day").fill("2")
    date.get_by_label("Month").fill("5")
    date.get_by_label("Year").fill("2016")
    page.get_by_role("group", name="Do the child's parents or carers know").get_by_label("No", exact=True).check()
    adult = page.get_by_role("group", name="Adult 1")
    adult.get_by_label("First name").fill("Dean")
    adult.get_by_label("Last name").fill("Cole")
    adult.get_by_label("How are they involved?").select_option("alleged_perpetrator")
    page.get_by_label("Your job title").fill("School nurse")
    page.get_by_label("Phone number").fill("01632 960 002")
    ui.navigate_by(page.get_by_role("button", name="Continue").click)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your referral")
    expect(page.get_by_text("2 May 2016")).to_be_visible()
    expect(page.get_by_text("Dean Cole (Alleged perpetrator)")).to_be_visible()
    no_sideways_scroll(ui)
    # Change an answer: back to that question, then to the check page again.
    ui.navigate_by(page.get_by_role("link", name="Change what is worrying you").click)
    page.get_by_label("What is worrying you about the child?").fill(
        "Leo said his mother's partner hit him last night and he has a bruise on his cheek"
    )
    ui.navigate_by(page.get_by_role("button", name="Continue").click)
    expect(page.get_by_text("he has a bruise on his cheek")).to_be_visible()
    assert not Contact.objects.exists()

    ui.navigate_by(page.get_by_role("button", name="Send referral").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    contact = Contact.objects.get()
    expect(page.locator(".govuk-panel__body")).to_contain_text(str(contact.reference))
    no_sideways_scroll(ui)
    assert (contact.submitted_by, contact.referrer_agency, contact.referrer_role) == (user, "health", "School nurse")
    assert contact.summary.endswith("bruise on his cheek")
    assert ContactAdult.objects.get(contact=contact).role == "alleged_perpetrator"
    assert not FormDraft.objects.exists()  # sent, so the draft has gone

    ui.navigate_by(page.get_by_role("link", name="your referrals").click)
    expect(page.get_by_role("heading", name=str(contact.reference))).to_be_visible()
    expect(page.get_by_text("Being looked at by the MASH")).to_be_visible()
    expect(page.get_by_text(re.compile("Carry on with your referral"))).to_have_count(0)
    no_sideways_scroll(ui)


def test_the_referrer_answers_the_survey_through_their_link(ui: Ui, nurse: tuple[User, bytes]) -> None:
    mash = User.objects.create_user(username="mash", password=PASSWORD, agency=Agency.CHILDRENS_SOCIAL_CARE)
    UserRole.objects.create(user=mash, role=Role.MASH_PRACTITIONER)
    contact = fd.contact_receive(
        channel="public",
        child=fd.ReportedChild("Amira", "Stone"),
        summary="She has bruises on her arms and says she is scared to go home",
        referrer=fd.Referrer(email="neighbour@example.com"),
    )
    child = child_create(
        la_child_id="E0001", first_name="Amira", last_name="Stone", date_of_birth=dt.date(2016, 1, 1), sex="F",
        ethnicity="WBRI", postcode="ZZ1 1ZZ", acting_user=mash,
    )  # fmt: skip
    fd.contact_link(contact=contact, child=child, acting_user=mash)
    token = fd.contact_decide_with_result(
        contact=contact, outcome="advice", rationale="Advice to the family", acting_user=mash
    ).feedback_link_token

    page = ui.page
    page.set_viewport_size({"width": 320, "height": 640})
    ui.goto(f"/survey/{token}/")
    expect(page.get_by_text("We have given advice and pointed the family to services that can help.")).to_be_visible()
    no_sideways_scroll(ui)
    ui.navigate_by(page.get_by_role("button", name="Send your answers").click)
    expect(page.get_by_role("alert")).to_contain_text("Choose a number from 1 to 5")
    page.get_by_role("group", name="How easy was it to make the referral?").get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Did we tell you what we decided?").get_by_label("Yes").check()
    page.get_by_role("group", name="Overall, how satisfied are you?").get_by_label("5 – very satisfied").check()
    ui.navigate_by(page.get_by_role("button", name="Send your answers").click)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    feedback = ReferrerFeedback.objects.get(contact=contact)
    assert (feedback.ease, feedback.told_outcome, feedback.overall) == (4, True, 5)

    ui.goto(f"/survey/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This survey link has been used or is not valid")
