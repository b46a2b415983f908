"""Report a concern about a child: a member of the public, no account, through to a reference.

What a reporter relies on: one report makes exactly one contact and they get its reference; a mistake is
explained and sends nothing; nothing they type goes in an address; the page never says whether the child or
anyone they name is known. What the service relies on: a bot that fills the honeypot makes nothing, and one
address cannot send more than the limit in an hour, whichever server process it reaches.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.accounts.models import User
from openmash.casework.children import child_create
from openmash.core.codes import ReferralSource
from openmash.front_door.models import Contact, ContactAdult, ContactChannel
from openmash.front_door.public.models import PublicReportAttempt
from openmash.front_door.public.services import TooManyReports, client_key, public_report_submit
from openmash.front_door.public.views import PUBLIC_ANSWERS
from openmash.front_door.services import Referrer, ReportedChild
from openmash.people.models import Adult

from .ways_in import client_for, hub_fixture, public_answers  # noqa: F401 - the hub fixture

REPORT = reverse("front_door:report")
CHECK = reverse("front_door:report_check")
DONE = reverse("front_door:report_done")


def send_report(client: Client, answers: dict[str, str] | None = None) -> str:
    """Fill in the form (unless the answers already wait in the session), check the answers and send;
    return the confirmation page."""
    if answers is not None:
        response = client.post(REPORT, answers)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == CHECK
    response = client.post(CHECK)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == DONE
    page = client.get(DONE)
    assert page.status_code == 200
    return page.content.decode()


def reference_on(page: str) -> str:
    found = re.search(r'<strong class="app-reference">(MC-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>', page)
    assert found, page
    return found.group(1)


def test_a_report_makes_one_contact_and_the_reporter_gets_its_reference(hub: dict[str, User]) -> None:
    client = Client()
    page = client.get(REPORT)
    assert page.status_code == 200
    assert "If a child is in danger right now, call 999" in page.content.decode()

    client.post(REPORT, public_answers())
    check = client.get(CHECK).content.decode()
    # Check your answers shows what was typed, with a way back to each question.
    for shown in ("Amira Stone", "ZZ1 1ZZ", "Hillside Primary", "Kyle Marsh (May have harmed the child)"):
        assert shown in check
    assert f'href="{REPORT}#id_summary"' in check
    assert not Contact.objects.exists()  # nothing is sent until they say so

    page = send_report(client)  # the answers wait in the session; the check page sends them
    reference = reference_on(page)
    contact = Contact.objects.get()
    assert contact.reference == reference
    assert (contact.channel, contact.source, contact.child) == (
        ContactChannel.PUBLIC,
        ReferralSource.ACQUAINTANCE,
        None,
    )
    assert (contact.subject_first_name, contact.subject_last_name, contact.subject_age) == ("Amira", "Stone", 9)
    assert (contact.subject_postcode, contact.parents_aware, contact.immediate_risk) == ("ZZ1 1ZZ", "no", False)
    assert contact.referrer_email == "neighbour@example.com"
    assert contact.submitted_by is None
    mention = ContactAdult.objects.select_related("adult").get(contact=contact)
    assert (mention.adult.first_name, mention.adult.last_name, mention.role) == ("Kyle", "Marsh", "alleged_perpetrator")
    assert "We will tell you the outcome" in page
    # The answers are gone from the session once sent; a refresh of the confirmation still shows the reference.
    assert PUBLIC_ANSWERS not in client.session
    assert reference_on(client.get(DONE).content.decode()) == reference
    # Sending again from the check page finds nothing to send and makes nothing.
    assert "You need to start again" in client.post(CHECK).content.decode()
    assert Contact.objects.count() == 1


def test_an_anonymous_reporter_is_told_we_cannot_tell_them_the_outcome(hub: dict[str, User]) -> None:
    page = send_report(Client(), public_answers(referrer_email="", source="9"))
    contact = Contact.objects.get()
    assert (contact.source, contact.referrer_name, contact.referrer_email) == ("9", "", "")
    assert "we cannot tell you what we decide" in page
    assert "We will tell you the outcome" not in page


def test_danger_now_tells_them_to_call_999_and_still_takes_the_report(hub: dict[str, User]) -> None:
    client = Client()
    client.post(REPORT, public_answers(immediate_risk="yes"))
    assert "If you have not called 999 yet, call now" in client.get(CHECK).content.decode()
    page = send_report(client)
    assert "If you have not called 999 yet, call now" in page
    assert Contact.objects.get().immediate_risk is True


def test_going_back_to_change_an_answer_shows_what_was_typed(hub: dict[str, User]) -> None:
    client = Client()
    client.post(REPORT, public_answers(subject_date_of_birth_day="3", subject_date_of_birth_month="4",
                                       subject_date_of_birth_year="2015"))  # fmt: skip
    form = client.get(REPORT).content.decode()
    assert 'name="subject_first_name" type="text" value="Amira"' in form
    assert 'name="subject_date_of_birth_month" type="text" inputmode="numeric" value="4"' in form
    assert re.search(r'id="id_parents_aware_1" name="parents_aware" type="radio" value="no" checked', form)


def test_more_adults_start_folded_away_unless_something_is_there(hub: dict[str, User]) -> None:
    assert '<details class="govuk-details">' in Client().get(REPORT).content.decode()
    wrong = Client().post(REPORT, public_answers(adult_3_first_name="Jo")).content.decode()
    assert '<details class="govuk-details" open>' in wrong
    client = Client()
    client.post(REPORT, public_answers(adult_2_first_name="Jo", adult_2_role="household"))
    assert '<details class="govuk-details" open>' in client.get(REPORT).content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"subject_first_name": "", "subject_last_name": ""}, "Enter the child&#x27;s name, or as much of it as"),
        ({"summary": "Worried"}, "Tell us more about what is worrying you"),
        ({"immediate_risk": ""}, "Select yes if the child is in danger right now"),
        ({"source": ""}, "Select how you know the child"),
        ({"source": "6"}, "Select a valid choice"),
        ({"subject_age": "30"}, "The age must be between 0 and 17"),
        ({"subject_date_of_birth_day": "31", "subject_date_of_birth_month": "2", "subject_date_of_birth_year": "2015"},
         "Date of birth must be a real date"),
        ({"subject_date_of_birth_day": "3", "subject_date_of_birth_year": "2015"}, "must include a month"),
        ({"subject_postcode": "12345ABC"}, "Enter a real postcode, like SW1A 1AA"),
        ({"referrer_email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"referrer_phone": "call me"}, "Enter a phone number"),
        ({"adult_2_first_name": "Jo"}, "Select how adult 2 is involved"),
        ({"adult_3_role": "parent_carer"}, "Enter a name for adult 3"),
        ({"summary": "x" * 10_001}, "The description must be 10,000 characters or fewer"),
    ],
)  # fmt: skip
def test_bad_input_is_explained_and_sends_nothing(hub: dict[str, User], change: dict[str, str], message: str) -> None:
    client = Client()
    response = client.post(REPORT, public_answers(**change))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert page.count(message) >= 2  # in the error summary and beside the question
    assert PUBLIC_ANSWERS not in client.session
    assert not Contact.objects.exists()
    assert not Adult.objects.exists()


def test_the_honeypot_is_answered_like_a_report_but_makes_nothing(
    hub: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    form = Client().get(REPORT).content.decode()
    # A person never meets it: hidden from assistive technology and out of the tab order.
    trap = re.search(r'<div class="app-honeypot" aria-hidden="true">.*?</div>', form, re.DOTALL)
    assert trap is not None
    assert 'tabindex="-1"' in trap.group(0)
    assert 'name="website"' in trap.group(0)

    page = send_report(Client(), public_answers(website="https://cheap-pills.example"))
    assert reference_on(page)  # looks the same as a real confirmation
    assert "Report sent" in page
    assert not Contact.objects.exists()
    assert not Adult.objects.exists()
    assert PublicReportAttempt.objects.count() == 1  # it still counts towards the address's limit
    assert "filled the honeypot" in caplog.text  # the operators can see bots have found the form
    assert "cheap-pills" not in caplog.text


def test_the_sixth_report_in_an_hour_from_one_address_is_refused(hub: dict[str, User], settings: object) -> None:
    for _ in range(5):
        send_report(Client(), public_answers())
    client = Client()
    client.post(REPORT, public_answers())
    refused = client.post(CHECK)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "There is a problem" in page
    assert "We cannot take another report from your internet connection just now" in page
    assert "01632 960000" in page  # somewhere to phone instead
    assert Contact.objects.count() == 5
    # Their answers are kept, so they can try again later without typing them again.
    assert PUBLIC_ANSWERS in client.session

    # Another address is not held back by this one.
    other = Client(REMOTE_ADDR="192.0.2.44")
    send_report(other, public_answers())
    assert Contact.objects.count() == 6

    # An hour after the first report, one more is taken.
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=1)):
        send_report(client, public_answers())
    assert Contact.objects.count() == 7


def test_the_limit_is_counted_in_the_database_and_can_be_set(hub: dict[str, User], settings: object) -> None:
    settings.OPENMASH_REPORT_LIMIT = 2  # type: ignore[attr-defined]
    # Reports another server process took from this address are in the shared table.
    PublicReportAttempt.objects.bulk_create(
        [PublicReportAttempt(client=client_key("127.0.0.1"), at=timezone.now()) for _ in range(2)]
    )
    client = Client()
    client.post(REPORT, public_answers())
    assert client.post(CHECK).status_code == 429
    assert not Contact.objects.exists()
    # The table keeps no address, only a keyed hash of it.
    assert not PublicReportAttempt.objects.filter(client__contains="127.0.0.1").exists()


def test_behind_a_proxy_the_address_it_names_is_counted(hub: dict[str, User], settings: object) -> None:
    settings.OPENMASH_REPORT_LIMIT = 1  # type: ignore[attr-defined]
    settings.OPENMASH_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"  # type: ignore[attr-defined]
    send_report(Client(HTTP_X_FORWARDED_FOR="198.51.100.7"), public_answers())
    # The same proxy, another client: taken. A client claiming someone else's address first: still itself.
    send_report(Client(HTTP_X_FORWARDED_FOR="198.51.100.8"), public_answers())
    again = Client(HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7")
    again.post(REPORT, public_answers())
    assert again.post(CHECK).status_code == 429
    assert Contact.objects.count() == 2


def test_ipv6_clients_are_counted_by_their_network() -> None:
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:192.0.2.1") == client_key("192.0.2.1")


def _without_reference_and_nonce(page: str) -> str:
    return re.sub(r'nonce="[^"]+"', "", re.sub(r"MC-\w{4}-\w{4}", "REF", page))


def test_the_page_never_says_whether_the_child_or_an_adult_is_known(hub: dict[str, User]) -> None:
    child_create(
        la_child_id="K0001", first_name="Amira", last_name="Stone", date_of_birth=dt.date(2016, 1, 1), sex="F",
        ethnicity="WBRI", postcode="ZZ1 1ZZ", acting_user=hub["mash"],
    )  # fmt: skip
    Adult.objects.create(first_name="Kyle", last_name="Marsh")
    known = send_report(Client(), public_answers())
    unknown = send_report(Client(REMOTE_ADDR="192.0.2.9"), public_answers(subject_first_name="Nobody",
                                                                           adult_1_first_name="Noone"))  # fmt: skip
    assert _without_reference_and_nonce(known) == _without_reference_and_nonce(unknown)
    assert Contact.objects.filter(child__isnull=True).count() == 2  # matching is the MASH's job, later


def test_nothing_typed_goes_into_an_address(hub: dict[str, User]) -> None:
    client = Client()
    locations = [client.post(REPORT, public_answers())["Location"], client.post(CHECK)["Location"]]
    assert locations == [CHECK, DONE]
    form = client.get(REPORT).content.decode()
    assert all(method == "post" for method in re.findall(r'<form method="(\w+)"', form))


def test_pages_without_answers_say_to_start_again(hub: dict[str, User]) -> None:
    for url in (CHECK, DONE):
        response = Client().get(url)
        assert response.status_code == 200
        assert "You need to start again" in response.content.decode()


def test_signed_in_staff_use_their_own_way_in(hub: dict[str, User]) -> None:
    # A professional goes to the referral form; an account that cannot refer is told how to report.
    assert client_for(hub["teacher"]).get(REPORT)["Location"] == reverse("front_door:refer")
    page = client_for(hub["cllr"]).get(REPORT)
    assert page.status_code == 200
    assert "sign out first" in page.content.decode()
    assert client_for(hub["cllr"]).post(REPORT, public_answers()).status_code == 200
    assert not Contact.objects.exists()


def test_the_form_needs_its_csrf_token(hub: dict[str, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(REPORT, public_answers()).status_code == 403
    page = client.get(REPORT).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    assert client.post(REPORT, public_answers(csrfmiddlewaretoken=token.group(1))).status_code == 302


def test_the_sign_in_page_shows_the_way_to_report(db: None) -> None:
    page = Client().get(reverse("accounts:sign_in")).content.decode()
    assert f'href="{REPORT}"' in page


def test_reports_arriving_together_cannot_all_slip_under_the_limit(transactional_db: None, settings: object) -> None:
    """Server processes answering at the same moment: counting and adding is one client at a time."""
    if connection.vendor != "postgresql":
        # The SQLite test database lives in shared-cache memory, whose table locks do not wait; a real
        # SQLite file runs one write transaction at a time (settings: transaction_mode IMMEDIATE).
        pytest.skip("concurrent writers need PostgreSQL or a SQLite file")
    settings.OPENMASH_REPORT_LIMIT = 2  # type: ignore[attr-defined]
    start = threading.Barrier(5)
    outcomes: list[str] = []

    def send() -> None:
        try:
            start.wait()
            public_report_submit(
                client_address="192.0.2.1",
                child=ReportedChild("Amira", "Stone"),
                summary="She has bruises on her arms and says she is scared to go home",
                referrer=Referrer(),
                source=ReferralSource.ACQUAINTANCE,
                immediate_risk=False,
                parents_aware="no",
            )
            outcomes.append("taken")
        except TooManyReports:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "taken", "taken"]
    assert Contact.objects.count() == 2
    assert PublicReportAttempt.objects.count() == 2
