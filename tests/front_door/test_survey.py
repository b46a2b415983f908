"""After the decision: the referrer reads what they were told and answers the survey, once, through their
one-off link or, for a signed-in professional, from "Your referrals", which lists their own referrals only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.casework.children import child_create
from openmash.front_door import services as fd
from openmash.front_door.models import Contact, ReferrerFeedback

from .ways_in import client_for, hub_fixture  # noqa: F401 - the hub fixture


def _decided(hub: dict[str, User], *, by: User | None, n: int, email: str = "") -> tuple[Contact, str]:
    """A contact (a professional's, or a member of the public's) matched and decided; with its survey token."""
    contact = fd.contact_receive(
        channel="professional" if by else "public",
        child=fd.ReportedChild(first_name="Leo", last_name=f"Grant{n}"),
        summary="Leo told his teacher that he is often left alone overnight",
        referrer=fd.Referrer(email=email),
        acting_user=by,
    )
    child = child_create(
        la_child_id=f"S{n:04d}", first_name="Leo", last_name=f"Grant{n}", date_of_birth=dt.date(2016, 5, 2),
        sex="M", ethnicity="WBRI", postcode="ZZ1 1ZZ", acting_user=hub["mash"],
    )  # fmt: skip
    fd.contact_link(contact=contact, child=child, acting_user=hub["mash"])
    result = fd.contact_decide_with_result(
        contact=contact, outcome="early_help", rationale="Needs support at home",
        details=fd.DecisionDetails(early_help_support="Family support worker visits weekly"),
        acting_user=hub["mash"],
    )  # fmt: skip
    assert result.feedback_link_token is not None
    return result.contact, result.feedback_link_token


ANSWERS = {
    "acknowledged_in_time": "yes",
    "ease": "4",
    "spoke_to_social_worker": "no",
    "told_outcome": "yes",
    "explained_clearly": "5",
    "agree_with_decision": "3",
    "overall": "4",
    "comments": "Quick and clear",
}


@pytest.fixture
def public_survey(hub: dict[str, User]) -> tuple[Contact, str]:
    return _decided(hub, by=None, n=1, email="neighbour@example.com")


def test_the_referrer_reads_the_outcome_and_answers_once(public_survey: tuple[Contact, str]) -> None:
    contact, token = public_survey
    url = reverse("front_door:survey", kwargs={"token": token})
    page = Client().get(url)
    assert page.status_code == 200
    assert "The family has been offered early help." in page.content.decode()
    assert contact.reference in page.content.decode()

    assert Client().post(url, ANSWERS)["Location"] == reverse("front_door:survey_thanks")
    feedback = ReferrerFeedback.objects.get(contact=contact)
    assert (feedback.ease, feedback.overall, feedback.told_outcome, feedback.spoke_to_social_worker) == (
        4,
        4,
        True,
        False,
    )
    assert feedback.comments == "Quick and clear"
    assert feedback.responded_at is not None

    used = Client().get(url)
    assert used.status_code == 404
    assert "This survey link has been used or is not valid" in used.content.decode()
    assert Client().post(url, {**ANSWERS, "overall": "1"}).status_code == 404
    assert ReferrerFeedback.objects.get(contact=contact).overall == 4


def test_a_survey_needs_the_overall_answer_and_numbers_from_1_to_5(public_survey: tuple[Contact, str]) -> None:
    _contact, token = public_survey
    url = reverse("front_door:survey", kwargs={"token": token})
    missing = Client().post(url, {**ANSWERS, "overall": ""}).content.decode()
    assert "There is a problem" in missing
    assert "Choose a number from 1 to 5" in missing
    wrong = Client().post(url, {**ANSWERS, "ease": "9"}).content.decode()
    assert "Choose a number from 1 to 5" in wrong
    assert ReferrerFeedback.objects.get().responded_at is None


@pytest.mark.parametrize("token", ["not-a-real-token-at-all-000000000", "short", "x" * 200])
def test_an_unknown_link_is_a_friendly_not_found(hub: dict[str, User], token: str) -> None:
    response = Client().get(reverse("front_door:survey", kwargs={"token": token}))
    assert response.status_code == 404
    assert "This survey link has been used or is not valid" in response.content.decode()


def test_your_referrals_lists_only_your_own_with_their_outcome(hub: dict[str, User]) -> None:
    teacher, nurse = hub["teacher"], hub["nurse"]
    own, _ = _decided(hub, by=teacher, n=1)
    waiting = fd.contact_receive(
        channel="professional", child=fd.ReportedChild("Mia", "Patel"), summary="Mia has not been at school for weeks",
        referrer=fd.Referrer(), acting_user=teacher,
    )  # fmt: skip
    theirs, _ = _decided(hub, by=nurse, n=2)

    page = client_for(teacher).get(reverse("front_door:my_referrals")).content.decode()
    assert own.reference in page
    assert waiting.reference in page
    assert theirs.reference not in page
    assert "The family has been offered early help." in page
    assert "Being looked at by the MASH" in page
    assert "Needs support at home" not in page  # the MASH's rationale is not the referrer's to read
    seen = AuditEvent.objects.get(user=teacher, action=AuditEvent.Action.VIEW, detail__page="your referrals")
    assert seen.detail["contacts"] == [waiting.reference, own.reference]


def test_a_professional_answers_the_survey_from_their_referrals(hub: dict[str, User]) -> None:
    teacher = hub["teacher"]
    own, _ = _decided(hub, by=teacher, n=1)
    theirs, _ = _decided(hub, by=hub["nurse"], n=2)
    client = client_for(teacher)
    url = reverse("front_door:referral_survey", kwargs={"reference": own.reference})
    assert url in client.get(reverse("front_door:my_referrals")).content.decode()
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(user=teacher, child_id=own.child_id, detail__page="referral survey").exists()

    # Someone else's referral, or a reference that is not one, is not there.
    for reference in (theirs.reference, "MC-0000-0000", "nonsense"):
        other = reverse("front_door:referral_survey", kwargs={"reference": reference})
        assert client.get(other).status_code == 404
        assert client.post(other, ANSWERS).status_code == 404
    assert ReferrerFeedback.objects.get(contact=theirs).responded_at is None

    assert client.post(url, ANSWERS)["Location"] == reverse("front_door:my_referrals")
    assert ReferrerFeedback.objects.get(contact=own).overall == 4
    assert "Answered – thank you" in client.get(reverse("front_door:my_referrals")).content.decode()
    # Once answered, going back to it says so rather than taking new answers.
    assert client.post(url, {**ANSWERS, "overall": "1"})["Location"] == reverse("front_door:my_referrals")
    assert ReferrerFeedback.objects.get(contact=own).overall == 4
