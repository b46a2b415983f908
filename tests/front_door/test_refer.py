"""The professional referral: a signed-in partner refers a child, checks the answers and gets a reference;
the form keeps a draft as it is typed, which only its owner reads, and which goes when sent or expired."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency, User
from openmash.core.codes import ReferralSource
from openmash.front_door.models import Contact, ContactAdult, ContactChannel, FormDraft
from openmash.front_door.public.models import PublicReportAttempt
from openmash.front_door.public.services import ways_in_purge

from .ways_in import client_for, hub_fixture, refer_answers  # noqa: F401 - the hub fixture

REFER = reverse("front_door:refer")
DRAFT = reverse("front_door:refer_draft")
CHECK = reverse("front_door:refer_check")
DONE = reverse("front_door:refer_done")
MINE = reverse("front_door:my_referrals")


def test_a_professional_refers_through_check_your_answers(hub: dict[str, User]) -> None:
    teacher = hub["teacher"]
    client = client_for(teacher)
    form = client.get(REFER).content.decode()
    assert "Teacher Tester, Education" in form  # who they are comes from their account
    assert "dsl@school.example" in form

    response = client.post(REFER, refer_answers(subject_nhs_number="943 476 5919", subject_upn=""))
    assert response["Location"] == CHECK
    check = client.get(CHECK).content.decode()
    for shown in ("Leo Grant", "2 May 2016", "9434765919", "Dean Cole (Alleged perpetrator), born 1 February 1990"):
        assert shown in check
    assert not Contact.objects.exists()

    assert client.post(CHECK)["Location"] == DONE
    done = client.get(DONE).content.decode()
    contact = Contact.objects.get()
    assert f'<strong class="app-reference">{contact.reference}</strong>' in done
    assert (contact.channel, contact.submitted_by, contact.referrer_agency) == (
        ContactChannel.PROFESSIONAL, teacher, Agency.EDUCATION,
    )  # fmt: skip
    assert contact.source == ReferralSource.SCHOOLS
    assert (contact.referrer_name, contact.referrer_email) == ("Teacher Tester", "dsl@school.example")
    assert (contact.referrer_role, contact.referrer_phone) == ("Designated safeguarding lead", "01632 960 001")
    assert (contact.subject_date_of_birth, contact.subject_nhs_number) == (dt.date(2016, 5, 2), "9434765919")
    adult = ContactAdult.objects.select_related("adult").get(contact=contact).adult
    assert (adult.first_name, adult.date_of_birth) == ("Dean", dt.date(1990, 2, 1))
    # Sending it deletes the draft the form kept.
    assert not FormDraft.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject_nhs_number": "1234567890"}, "Enter a valid NHS number"),
        ({"subject_upn": "A12345678901X"}, "Enter a valid UPN"),
        ({"referrer_role": ""}, "Enter your job title"),
        ({"referrer_phone": ""}, "Enter a phone number the MASH can reach you on"),
        ({"adult_1_date_of_birth_month": ""}, "Date of birth must include a month"),
        ({"adult_1_date_of_birth_year": "2999"}, "Date of birth must be today or in the past"),
    ],
)
def test_bad_input_is_explained_and_sends_nothing(hub: dict[str, User], change: dict[str, str], message: str) -> None:
    client = client_for(hub["teacher"])
    response = client.post(REFER, refer_answers(**change))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not Contact.objects.exists()
    # What was typed is kept all the same.
    assert FormDraft.objects.get(user=hub["teacher"]).data["subject_first_name"] == "Leo"


def test_the_draft_is_saved_as_typed_and_restored_for_its_owner_only(hub: dict[str, User]) -> None:
    teacher, nurse = hub["teacher"], hub["nurse"]
    client = client_for(teacher)
    # The form's script posts what is typed so far; unknown inputs and NUL characters are not kept.
    typed = {"subject_first_name": "Leo\x00", "summary": "Half a sentence", "evil": "x", "action": "continue"}
    assert client.post(DRAFT, typed).status_code == 204
    draft = FormDraft.objects.get(user=teacher)
    assert draft.data == {"subject_first_name": "Leo", "summary": "Half a sentence"}

    # Signed out by the idle timeout and back: the form opens with the draft.
    client = client_for(teacher)
    page = client.get(REFER).content.decode()
    assert 'name="subject_first_name" type="text" value="Leo"' in page
    assert "Half a sentence</textarea>" in page
    assert "You are carrying on with the referral you saved on" in page
    assert AuditEvent.objects.filter(user=teacher, summary="Reopened their draft of the refer form").exists()

    # Another professional's form is their own, empty; saving theirs leaves the teacher's alone.
    other = client_for(nurse)
    page = other.get(REFER).content.decode()
    assert "Leo" not in page
    assert "Half a sentence" not in page
    other.post(DRAFT, {"summary": "The nurse's own"})
    assert FormDraft.objects.get(user=teacher).data["summary"] == "Half a sentence"
    assert FormDraft.objects.count() == 2


def test_save_and_come_back_later_works_without_javascript(hub: dict[str, User]) -> None:
    client = client_for(hub["teacher"])
    response = client.post(REFER, refer_answers(action="save", summary="", subject_last_name=""))
    assert response["Location"] == MINE
    mine = client.get(MINE).content.decode()
    assert "Your referral is saved as a draft. Only you can see it. It is kept for 30 days." in mine
    assert "Carry on with your referral" in mine
    assert "Leo" not in mine  # the list says a draft exists, not what it holds
    assert not Contact.objects.exists()
    assert 'value="Leo"' in client.get(REFER).content.decode()


def test_a_draft_can_be_deleted_to_start_again(hub: dict[str, User]) -> None:
    client = client_for(hub["teacher"])
    client.post(DRAFT, {"subject_first_name": "Leo"})
    assert client.post(REFER, {"action": "discard"})["Location"] == REFER
    assert not FormDraft.objects.exists()
    assert 'value="Leo"' not in client.get(REFER).content.decode()


def test_old_drafts_and_spent_rate_limit_rows_are_purged(hub: dict[str, User]) -> None:
    now = timezone.now()
    old = FormDraft.objects.create(user=hub["teacher"], form="refer", data={"summary": "old"})
    fresh = FormDraft.objects.create(user=hub["nurse"], form="refer", data={"summary": "fresh"})
    FormDraft.objects.filter(pk=old.pk).update(updated_at=now - dt.timedelta(days=31))
    FormDraft.objects.filter(pk=fresh.pk).update(updated_at=now - dt.timedelta(days=29))
    PublicReportAttempt.objects.create(client="a" * 64, at=now - dt.timedelta(hours=2))
    PublicReportAttempt.objects.create(client="a" * 64, at=now - dt.timedelta(minutes=5))

    # An expired draft is not offered even before the purge runs.
    assert 'value="old"' not in client_for(hub["teacher"]).get(REFER).content.decode()
    out = io.StringIO()
    call_command("front-door-purge", stdout=out)
    assert out.getvalue().strip() == "front-door-purge: 1 expired drafts, 1 spent rate-limit rows deleted"
    assert list(FormDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert PublicReportAttempt.objects.count() == 1
    assert ways_in_purge() == (0, 0)


def test_only_those_who_refer_have_the_form_and_the_draft(hub: dict[str, User]) -> None:
    cllr = client_for(hub["cllr"])
    for url in (REFER, CHECK, DONE, MINE):
        assert cllr.get(url).status_code == 404
    assert cllr.post(DRAFT, {"summary": "x"}).status_code == 404
    assert client_for(hub["teacher"]).get(DRAFT).status_code == 405
    anonymous = Client().post(DRAFT, {"summary": "x"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/sign-in/")
    assert not FormDraft.objects.exists()


def test_the_check_page_without_answers_goes_back_to_the_form(hub: dict[str, User]) -> None:
    client = client_for(hub["teacher"])
    assert client.get(CHECK)["Location"] == REFER
    assert client.post(CHECK)["Location"] == REFER
    assert client.get(DONE)["Location"] == MINE
    assert not Contact.objects.exists()


def test_the_menu_offers_refer_a_child_to_those_who_may(hub: dict[str, User]) -> None:
    page = client_for(hub["teacher"]).get(MINE).content.decode()
    assert re.search(rf'href="{REFER}"[^>]*>\s*(<strong[^>]*>)?Refer a child', page)
    headlines = client_for(hub["cllr"]).get(reverse("performance:scorecard")).content.decode()
    assert "Refer a child" not in headlines
