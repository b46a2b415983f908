"""The MASH's pages through the test client: the queue, recording and matching a contact, rating, agency
checks, the decision, and the researchers' inbox, as the people who use them. The world is the access
borough (tests/access/world.py with world_mash.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency
from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.core.codes import ReferralSource
from openmash.front_door.mash.selectors import contact_key, countdown, duration_words
from openmash.front_door.models import (
    AgencyContribution,
    Contact,
    Disclosure,
    InformationRequest,
    MatchDecision,
    RagRating,
)
from openmash.front_door.services import (
    DecisionDetails,
    contact_decide,
    contact_rate,
    contact_record,
    information_requests_send,
)
from openmash.people.models import Child

from ..access.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _contact_url(contact: Contact, name: str = "front_door:contact") -> str:
    return reverse(name, kwargs={"key": contact_key(contact)})


def _child(world: World, first: str, n: int) -> Child:
    return child_create(
        la_child_id=f"Q{n:04d}",
        first_name=first,
        last_name="Queuetest",
        date_of_birth=dt.date(2014, 5, n),
        sex="F",
        ethnicity="WBRI",
        acting_user=world.users["mash"],
    )


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Countdowns in words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (0.5, "due in less than a minute"),
        (35, "due in 35 minutes"),
        (120, "due in 2 hours"),
        (150, "due in 2 hours 30 minutes"),
        (5 * 60 + 20, "due in 5 hours"),
        (24 * 60, "due in 1 day"),
        (3 * 24 * 60 + 4 * 60, "due in 3 days 4 hours"),
        (-180, "overdue by 3 hours"),
        (-1, "overdue by 1 minute"),
    ],
)
def test_countdown_in_words(minutes: float, words: str) -> None:
    now = timezone.now()
    assert countdown(now + dt.timedelta(minutes=minutes), now) == words


def test_duration_words_round_down() -> None:
    assert duration_words(119 * 60 + 59) == "1 hour 59 minutes"


# The queue -----------------------------------------------------------------------------------------


def test_queue_puts_overdue_first_then_soonest_due_then_unrated_and_hides_restricted(world: World) -> None:
    mash = world.users["mash"]
    now = timezone.now()
    # A red contact received 6 hours ago is 2 hours overdue; one received an hour ago is due in 3 hours.
    late = contact_record(
        child=_child(world, "Late", 1), received_at=now - dt.timedelta(hours=6), source="2A", acting_user=mash
    )
    contact_rate(contact=late, rag="red", reason="Disclosure of assault", acting_user=mash)
    soon = contact_record(
        child=_child(world, "Soon", 2), received_at=now - dt.timedelta(hours=1), source="2A", acting_user=mash
    )
    contact_rate(contact=soon, rag="red", reason="Disclosure of assault", acting_user=mash)

    response = world.client_for("mash").get(reverse("front_door:queue"))
    assert response.status_code == 200
    html = _text(response)
    listed = re.findall(r'href="/mash/contacts/([A-Z0-9-]+)/"', html)
    # Those not named on a restriction are left out (the other areas' worlds add restricted children too).
    open_contacts = [c for c in Contact.objects.filter(outcome="") if not policy.is_restricted_from(mash, c.child)]
    rated = sorted((c for c in open_contacts if c.decision_due_at), key=lambda c: c.decision_due_at)
    unrated = sorted(
        (c for c in open_contacts if not c.decision_due_at), key=lambda c: (not c.immediate_risk, c.received_at)
    )
    assert listed == [contact_key(c) for c in rated + unrated]
    assert listed[0] == late.reference
    assert rated[0].decision_due_at < now < rated[1].decision_due_at  # the overdue one leads
    assert "overdue by 2 hours" in html
    assert "due in 2 hours 59 minutes" in html or "due in 3 hours" in html
    # A restricted child's contact is left out for those not named on the restriction...
    assert world.objects["mash_restricted"].reference not in html
    # ...and shown to the manager who is.
    assert world.objects["mash_restricted"].reference in _text(world.client_for("mash_manager").get("/mash/"))
    # Each row says where the contact came from and how many checks are outstanding.
    row = re.search(rf"{world.objects['mash_rated'].reference}.*?</tr>", html)
    assert row is not None
    assert "From Education" in row.group(0)
    assert 'data-label="Open checks">2<' in row.group(0)
    assert AuditEvent.objects.filter(user=mash, detail__page="MASH queue").exists()


def test_queue_sections_filter_the_contacts(world: World) -> None:
    client = world.client_for("mash")
    to_match = _text(client.get("/mash/?show=to_match"))
    assert world.objects["mash_unlinked"].reference in to_match
    assert world.objects["mash_rated"].reference not in to_match
    in_enquiry = _text(client.get("/mash/?show=in_enquiry"))
    assert world.objects["mash_rated"].reference in in_enquiry
    assert world.objects["mash_unlinked"].reference not in in_enquiry
    unmatched = Contact.objects.filter(outcome="", child__isnull=True).count()
    assert f"To match ({unmatched})" in to_match


def test_queue_is_paginated(world: World) -> None:
    mash = world.users["mash"]
    for n in range(1, 27):
        contact_record(child=_child(world, f"Many{n}", n), received_at=timezone.now(), source="2A", acting_user=mash)
    client = world.client_for("mash")
    first = re.findall(r'href="/mash/contacts/([A-Z0-9-]+)/"', _text(client.get("/mash/")))
    second = re.findall(r'href="/mash/contacts/([A-Z0-9-]+)/"', _text(client.get("/mash/?show=all&page=2")))
    assert len(first) == 25
    assert second
    assert not set(first) & set(second)


# Recording a contact and suggestions while typing -------------------------------------------------


def test_suggestions_offer_known_children_with_what_is_known_and_are_recorded(world: World) -> None:
    client = world.client_for("mash")
    response = client.get(
        reverse("front_door:suggest"),
        {"first_name": "Matchable", "last_name": "Mashtest", "date_of_birth_day": "1", "date_of_birth_month": "3"},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    known = world.objects["mash_on_register"]
    assert results[0]["id"] == known.pk
    assert results[0]["address"] == "1 Hub Street"
    assert results[0]["postcode"] == "ZZ9 9ZZ"
    assert results[0]["reasons"]
    search = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH, user=world.users["mash"]).latest("at")
    assert search.detail["query"]["last_name"] == "Mashtest"
    assert known.la_child_id in search.detail["children"]


def test_suggestions_leave_out_restricted_records_and_are_for_the_mash_only(world: World) -> None:
    query = {"first_name": "Restricted", "last_name": "Mashtest"}
    restricted = world.objects["mash_restricted"].child
    mash_results = world.client_for("mash").get(reverse("front_door:suggest"), query).json()["results"]
    assert restricted.pk not in [r["id"] for r in mash_results]
    named = world.client_for("mash_manager").get(reverse("front_door:suggest"), query).json()["results"]
    assert restricted.pk in [r["id"] for r in named]
    assert world.client_for("sw").get(reverse("front_door:suggest"), query).status_code == 404


def _record_form(**overrides: str) -> dict[str, str]:
    return {
        "source": ReferralSource.GP,
        "referrer_agency": Agency.HEALTH,
        "referrer_name": "Dr Example",
        "referrer_phone": "01234 000000",
        "first_name": "Matchable",
        "last_name": "Mashtest",
        "summary": "GP saw a burn on the child's arm with no explanation",
        "parents_aware": "no",
        "save": "1",
        **overrides,
    }


def test_find_matches_without_scripts_then_use_the_childs_details(world: World) -> None:
    client = world.client_for("mash")
    known = world.objects["mash_on_register"]
    found = _text(client.post(reverse("front_door:contact_new"), {**_record_form(), "find": "1"}))
    assert "Is it one of these children?" in found
    assert f'value="{known.pk}"' in found
    assert "There is a problem" not in found  # looking up is not submitting
    used = _text(client.post(reverse("front_door:contact_new"), {**_record_form(), "use": "1", "child": str(known.pk)}))
    # What the register knows is offered in the form instead of being typed again.
    assert 'value="1 Hub Street"' in used
    assert 'value="ZZ9 9ZZ"' in used
    assert not Contact.objects.filter(subject_first_name="Matchable", channel="recorded").exists()


def test_recording_a_contact_with_a_chosen_child_links_it(world: World) -> None:
    client = world.client_for("mash")
    known = world.objects["mash_on_register"]
    response = client.post(reverse("front_door:contact_new"), _record_form(child=str(known.pk)))
    contact = Contact.objects.get(channel="recorded", subject_first_name="Matchable")
    assert response.status_code == 302
    assert response["Location"] == _contact_url(contact)
    assert contact.child == known
    assert contact.match_decision == MatchDecision.LINKED
    assert contact.referrer_agency == Agency.HEALTH
    assert contact.matched_by == world.users["mash"]


def test_recording_a_contact_without_a_child_leaves_it_to_match(world: World) -> None:
    client = world.client_for("mash")
    response = client.post(reverse("front_door:contact_new"), _record_form(first_name="Newname", postcode="zz99zz"))
    contact = Contact.objects.get(subject_first_name="Newname")
    assert response.status_code == 302
    assert contact.child is None
    assert contact.subject_postcode == "ZZ9 9ZZ"
    assert contact.reference in _text(client.get("/mash/?show=to_match"))


def test_a_contact_that_came_in_earlier_keeps_its_time(world: World) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    when = {
        "received_date_day": str(yesterday.day),
        "received_date_month": str(yesterday.month),
        "received_date_year": str(yesterday.year),
    }
    client = world.client_for("mash")
    missing_time = client.post(reverse("front_door:contact_new"), _record_form(first_name="Earlier", **when))
    assert "Enter the time received" in _text(missing_time)
    client.post(reverse("front_door:contact_new"), _record_form(first_name="Earlier", received_time="14:30", **when))
    received = timezone.localtime(Contact.objects.get(subject_first_name="Earlier").received_at)
    assert (received.date(), received.hour, received.minute) == (yesterday, 14, 30)


def test_recording_a_contact_with_bad_input_records_nothing(world: World) -> None:
    client = world.client_for("mash")
    before = Contact.objects.count()
    for bad in (
        {"summary": ""},
        {"source": "zz"},
        {"nhs_number": "1234567890"},  # fails the check digit
        {"first_name": "", "last_name": ""},
        {"child": str(world.objects["mash_restricted"].child.pk)},  # not offered to this practitioner
        {"received_date_day": "1", "received_date_month": "1", "received_date_year": "2999", "received_time": "9:00"},
        {"received_time": "25:00"},
    ):
        response = client.post(reverse("front_door:contact_new"), _record_form(**bad))
        assert response.status_code == 200, bad
        assert "There is a problem" in _text(response), bad
    assert Contact.objects.count() == before


# Matching on the contact page ---------------------------------------------------------------------


def test_contact_page_offers_candidates_and_records_the_view_with_its_basis(world: World) -> None:
    unlinked = world.objects["mash_unlinked"]
    html = _text(world.client_for("mash").get(_contact_url(unlinked)))
    assert "Who is this child?" in html
    assert "Matchable Mashtest (M0001)" in html
    assert "This is the child" in html
    assert "Record as a new child" in html
    view = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_id=str(unlinked.pk)).get()
    assert view.detail == {"page": "MASH contact", "basis": "open or recent MASH contact"}
    rated = world.objects["mash_rated"]
    world.client_for("police").get(_contact_url(rated))
    seen = AuditEvent.objects.get(user=world.users["police"], object_id=str(rated.pk), action="view")
    assert seen.child_id == rated.child_id


def test_this_is_the_child_links_the_contact(world: World) -> None:
    unlinked, known = world.objects["mash_unlinked"], world.objects["mash_on_register"]
    response = world.client_for("mash").post(
        _contact_url(unlinked, "front_door:contact_match"), {"child": known.pk, "decision": "linked"}
    )
    assert response.status_code == 302
    unlinked.refresh_from_db()
    known.refresh_from_db()
    assert unlinked.child == known
    assert unlinked.match_decision == MatchDecision.LINKED
    assert known.address == "1 Hub Street"  # linking alone changes nothing on the record


def test_same_child_update_their_record_merges_the_chosen_details(world: World) -> None:
    unlinked, known = world.objects["mash_unlinked"], world.objects["mash_on_register"]
    response = world.client_for("mash").post(
        _contact_url(unlinked, "front_door:contact_match"),
        {"child": known.pk, "decision": "merged", "update_fields": ["address"]},
    )
    assert response.status_code == 302
    unlinked.refresh_from_db()
    known.refresh_from_db()
    assert unlinked.match_decision == MatchDecision.MERGED
    assert known.address == "1 New Road"


def test_record_as_a_new_child_generates_an_id_and_links(world: World) -> None:
    unlinked = world.objects["mash_unlinked"]
    client = world.client_for("mash")
    url = _contact_url(unlinked, "front_door:contact_new_child")
    form = _text(client.get(url))
    assert 'value="Matchable"' in form  # prefilled from the contact
    response = client.post(
        url,
        {
            "first_name": "Matchable",
            "last_name": "Mashtest",
            "date_of_birth_day": "1",
            "date_of_birth_month": "3",
            "date_of_birth_year": "2016",
            "sex": "M",
            "ethnicity": "WBRI",
            "address": "1 New Road",
            "postcode": "ZZ9 9ZZ",
        },
    )
    assert response.status_code == 302
    unlinked.refresh_from_db()
    assert unlinked.match_decision == MatchDecision.CREATED
    child = unlinked.child
    assert child is not None
    assert child != world.objects["mash_on_register"]
    assert re.fullmatch(r"N\d{9}", child.la_child_id)
    assert child.address == "1 New Road"
    assert "recorded as a new child" in _text(client.get(response["Location"]))


def test_matching_refusals_change_nothing(world: World) -> None:
    unlinked = world.objects["mash_unlinked"]
    client = world.client_for("mash")
    known = world.objects["mash_on_register"]
    for data in (
        {"child": world.objects["mash_restricted"].child.pk, "decision": "linked"},
        {"child": 10**15, "decision": "linked"},
        {"child": known.pk, "decision": "merged"},  # nothing chosen to update
        {"child": known.pk, "decision": "nonsense"},
    ):
        response = client.post(_contact_url(unlinked, "front_door:contact_match"), data)
        assert response.status_code == 200, data
        assert "There is a problem" in _text(response), data
    new_child = client.post(_contact_url(unlinked, "front_door:contact_new_child"), {"first_name": "X"})
    assert "Select the child&#x27;s sex" in _text(new_child)
    unlinked.refresh_from_db()
    assert unlinked.child is None
    assert not Child.objects.filter(la_child_id__startswith="N").exists()


def test_a_restricted_childs_contact_is_not_found_for_those_not_named(world: World) -> None:
    restricted = world.objects["mash_restricted"]
    assert world.client_for("mash").get(_contact_url(restricted)).status_code == 404
    assert world.client_for("mash").post(_contact_url(restricted, "front_door:contact_rate")).status_code == 404
    assert world.client_for("mash_manager").get(_contact_url(restricted)).status_code == 200


def test_a_re_referral_says_so(world: World) -> None:
    mash = world.users["mash"]
    child = _child(world, "Again", 1)
    first = contact_record(child=child, received_at=timezone.now(), source="2A", acting_user=mash)
    contact_decide(
        contact=first,
        outcome=Contact.Outcome.REFERRAL,
        rationale="Assessment needed",
        details=DecisionDetails(primary_need="N1"),
        acting_user=mash,
    )
    again = contact_record(child=child, received_at=timezone.now(), source="6", acting_user=mash)
    assert "Re-referral: referral in the last 12 months" in _text(world.client_for("mash").get(_contact_url(again)))
    rated = world.objects["mash_rated"]
    assert "Re-referral" not in _text(world.client_for("mash").get(_contact_url(rated)))


def test_a_contact_without_a_reference_is_reached_by_its_key_only(world: World) -> None:
    # Contacts loaded in bulk (the demo borough's) carry no reference.
    rated = world.objects["mash_rated"]
    client = world.client_for("mash")
    assert client.get(f"/mash/contacts/K{rated.pk}/").status_code == 404  # it has a reference: one address only
    Contact.objects.filter(pk=rated.pk).update(reference=None)
    assert client.get(f"/mash/contacts/K{rated.pk}/").status_code == 200
    assert f'href="/mash/contacts/K{rated.pk}/"' in _text(client.get("/mash/"))


# Rating, checks and the decision ------------------------------------------------------------------


def test_rating_sets_when_the_decision_is_due_and_keeps_the_history(world: World) -> None:
    rated = world.objects["mash_rated"]
    client = world.client_for("mash")
    response = client.post(
        _contact_url(rated, "front_door:contact_rate"), {"rate-rag": "red", "rate-reason": "New disclosure"}
    )
    assert response.status_code == 302
    rated.refresh_from_db()
    assert rated.rag == "red"
    assert rated.decision_due_at == rated.received_at + dt.timedelta(hours=4)
    assert list(RagRating.objects.filter(contact=rated).values_list("rag", flat=True)) == ["amber", "red"]
    page = _text(client.get(response["Location"]))
    assert "Rated red: decision due by" in page
    assert "due in 2 hours" in page or "due in 3 hours" in page  # received an hour ago
    assert "Red: decide within 4 hours" in page


def test_requesting_checks_sends_them_with_due_times(world: World) -> None:
    rated = world.objects["mash_rated"]
    before = timezone.now()
    response = world.client_for("mash").post(
        _contact_url(rated, "front_door:contact_requests"),
        {"checks-agencies": [Agency.EDUCATION, Agency.HOUSING], "checks-question": "Attendance?"},
    )
    assert response.status_code == 302
    sent = InformationRequest.objects.filter(contact=rated, agency__in=[Agency.EDUCATION, Agency.HOUSING])
    assert sent.count() == 2
    for request in sent:
        # An amber contact's checks are due in 6 hours (the authority's default).
        assert before + dt.timedelta(hours=6) <= request.due_at <= timezone.now() + dt.timedelta(hours=6)
        assert request.question == "Attendance?"


def test_check_refusals_change_nothing(world: World) -> None:
    rated, unlinked = world.objects["mash_rated"], world.objects["mash_unlinked"]
    client = world.client_for("mash")
    before = InformationRequest.objects.count()
    again = client.post(_contact_url(rated, "front_door:contact_requests"), {"checks-agencies": [Agency.POLICE]})
    assert "Already waiting for: Police" in _text(again)
    unrated = client.post(_contact_url(unlinked, "front_door:contact_requests"), {"checks-agencies": [Agency.POLICE]})
    assert "Rate the contact before asking agencies" in _text(unrated)
    nothing = client.post(_contact_url(rated, "front_door:contact_requests"), {})
    assert "Select at least one agency" in _text(nothing)
    assert InformationRequest.objects.count() == before


def _decision(**overrides: Any) -> dict[str, Any]:
    return {
        "decision-outcome": "referral",
        "decision-primary_need": "N1",
        "decision-rationale": "Unexplained bruising and police history: assessment needed",
        "decision-share_1_agency": Agency.POLICE,
        "decision-share_1_shared": "That a social work assessment has started",
        "decision-share_1_purpose": "Police to link their incident to the assessment",
        "decision-share_1_basis": "s17",
        "decision-share_1_consent": "not_sought",
        **overrides,
    }


def test_deciding_referral_opens_it_in_the_advice_and_assessment_team(world: World) -> None:
    rated = world.objects["mash_rated"]
    client = world.client_for("mash")
    response = client.post(_contact_url(rated, "front_door:contact_decide"), _decision())
    assert response.status_code == 302
    rated.refresh_from_db()
    assert rated.outcome == Contact.Outcome.REFERRAL
    referral = Referral.objects.get(contact=rated)
    assert referral.team == world.teams["assessment"]
    assert referral.primary_need == "N1"
    ledger = Disclosure.objects.filter(contact=rated)
    police = ledger.get(recipient_agency=Agency.POLICE, recipient="Police")
    assert police.lawful_basis == "s17"
    # The referrer (education) is told the outcome, recorded automatically.
    assert ledger.filter(recipient_agency=Agency.EDUCATION).exists()
    page = _text(client.get(response["Location"]))
    assert "The referral is in the Advice and assessment team's queue" in page
    assert f'href="/children/{rated.child.la_child_id}/"' in page
    assert 'name="decision-outcome"' not in page  # decided: no more forms


def test_deciding_early_help_records_the_package(world: World) -> None:
    rated = world.objects["mash_rated"]
    world.client_for("mash").post(
        _contact_url(rated, "front_door:contact_decide"),
        _decision(
            **{
                "decision-outcome": "early_help",
                "decision-early_help_support": "Family support worker weekly",
                "decision-early_help_lead": Agency.EARLY_HELP,
            }
        ),
    )
    rated.refresh_from_db()
    assert rated.outcome == "early_help"
    assert rated.early_help.support == "Family support worker weekly"
    assert not Referral.objects.filter(contact=rated).exists()


def test_bad_decisions_change_nothing(world: World) -> None:
    rated, unlinked = world.objects["mash_rated"], world.objects["mash_unlinked"]
    client = world.client_for("mash")
    cases = [
        (rated, {"decision-rationale": ""}, "Give the reasons for the decision"),
        (rated, {"decision-primary_need": ""}, "Select the child&#x27;s primary need"),
        (rated, {"decision-outcome": "early_help", "decision-early_help_support": ""}, "Describe the early help"),
        (rated, {"decision-share_1_basis": ""}, "Select the lawful basis for sharing"),
        (rated, {"decision-outcome": "maybe"}, "Select what happens next"),
        (unlinked, {}, "Confirm who the child is"),
    ]
    for contact, overrides, message in cases:
        response = client.post(_contact_url(contact, "front_door:contact_decide"), _decision(**overrides))
        assert response.status_code == 200
        html = _text(response)
        assert "There is a problem" in html, overrides
        assert message in html, overrides
        assert html.count("<title>Error:") == 1
    assert not Contact.objects.filter(pk__in=[rated.pk, unlinked.pk]).exclude(outcome="").exists()
    assert not Referral.objects.filter(contact__in=[rated, unlinked]).exists()
    assert not Disclosure.objects.filter(contact__in=[rated, unlinked]).exists()


HOSTILE = ["", "\x00", "x" * 5000, "ßüñ 漢字 🙂", "-1", "99999999999999999999999", "=cmd|' /C calc'!A0"]


def _state() -> tuple[Any, ...]:
    return (
        list(Contact.objects.order_by("pk").values_list("child", "rag", "outcome", "match_decision")),
        RagRating.objects.count(),
        InformationRequest.objects.count(),
        Referral.objects.count(),
        Disclosure.objects.count(),
        Child.objects.count(),
        AgencyContribution.objects.count(),
    )


def test_hostile_posts_to_every_action_change_nothing(world: World) -> None:
    client = world.client_for("mash")
    client.raise_request_exception = False
    rated, unlinked = world.objects["mash_rated"], world.objects["mash_unlinked"]
    fields = {
        "front_door:contact_match": ["child", "decision", "update_fields"],
        "front_door:contact_rate": ["rate-rag", "rate-reason"],
        "front_door:contact_requests": ["checks-agencies", "checks-question"],
        "front_door:contact_decide": list(_decision()),
        "front_door:contact_new_child": ["first_name", "last_name", "sex", "ethnicity", "date_of_birth_day"],
    }
    before = _state()
    for name, names in fields.items():
        for contact in (rated, unlinked):
            for value in HOSTILE:
                response = client.post(_contact_url(contact, name), dict.fromkeys(names, value))
                assert response.status_code < 500, (name, value)
    assert _state() == before


# The researchers' inbox and answers ---------------------------------------------------------------


def test_a_researcher_sees_only_their_agencys_requests(world: World) -> None:
    police_request = world.objects["mash_police_request"]
    health_request = world.objects["mash_health_request"]
    police_inbox = _text(world.client_for("police_researcher").get(reverse("front_door:inbox")))
    assert reverse("front_door:request_answer", args=[police_request.pk]) in police_inbox
    assert reverse("front_door:request_answer", args=[health_request.pk]) not in police_inbox
    assert "Answered Mashtest" not in police_inbox  # a health request, answered
    health_inbox = _text(world.client_for("health").get(reverse("front_door:inbox")))
    assert reverse("front_door:request_answer", args=[health_request.pk]) in health_inbox
    assert "Answered recently" in health_inbox
    assert "Answered Mashtest" in health_inbox
    assert "None waiting." in _text(world.client_for("education").get(reverse("front_door:inbox")))
    # Another agency's request answers as one that does not exist, to look at or to answer.
    other = reverse("front_door:request_answer", args=[health_request.pk])
    police = world.client_for("police_researcher")
    assert police.get(other).status_code == 404
    assert police.post(other, {"summary": "x", "sharing_level": "mash_only"}).status_code == 404
    health_request.refresh_from_db()
    assert health_request.status == InformationRequest.Status.OPEN


def test_requests_about_a_restricted_child_are_only_for_those_named(world: World) -> None:
    restricted = world.objects["mash_restricted"]
    manager = world.users["mash_manager"]  # named on the restriction
    contact_rate(contact=restricted, rag="amber", reason="Staff member's child", acting_user=manager)
    (request,) = information_requests_send(contact=restricted, agencies=[Agency.HEALTH], acting_user=manager)
    client = world.client_for("health")
    url = reverse("front_door:request_answer", args=[request.pk])
    assert url not in _text(client.get(reverse("front_door:inbox")))
    assert client.get(url).status_code == 404


def test_answer_page_shows_who_to_look_for_and_records_the_answer(world: World) -> None:
    request = world.objects["mash_police_request"]
    client = world.client_for("police_researcher")
    url = reverse("front_door:request_answer", args=[request.pk])
    page = _text(client.get(url))
    assert "Rated Mashtest" in page
    assert "Any incidents at the address?" in page
    assert "2 Hub Street" in page
    view = AuditEvent.objects.get(user=world.users["police_researcher"], object_id=str(request.pk))
    assert view.child_id == request.contact.child_id
    assert view.detail["basis"] == "their agency contributed or referred"

    refused = client.post(url, {"summary": "Two call-outs", "sharing_level": "partners"})
    assert "Select the agencies to share with" in _text(refused)
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.OPEN

    done = client.post(
        url, {"summary": "Two call-outs to the address", "sharing_level": "partners", "shared_with": [Agency.HEALTH]}
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.ANSWERED
    assert request.response is not None
    assert request.response.sharing_level == "partners"
    assert list(request.response.shares.values_list("agency", flat=True)) == [Agency.HEALTH]
    # The MASH sees the answer on the contact page.
    contact_page = _text(world.client_for("mash").get(_contact_url(request.contact)))
    assert "Two call-outs to the address" in contact_page


def test_a_police_researcher_cannot_see_the_health_response_anywhere(world: World) -> None:
    answer = world.objects["mash_health_answer"]
    client = world.client_for("police_researcher")
    assert answer.summary == "Health visitor worried about weight loss"
    # The answered contact came from police, so police researchers see that child: but not health's answer.
    child_page = client.get(reverse("journey:child_detail", args=[answer.child.la_child_id]))
    assert child_page.status_code == 200
    pages = [
        child_page,
        client.get(reverse("front_door:inbox")),
        client.get(reverse("front_door:request_answer", args=[world.objects["mash_police_request"].pk])),
        client.get(_contact_url(world.objects["mash_answered"])),
    ]
    for response in pages:
        assert answer.summary not in response.content.decode()
    # The health researcher and the MASH do see it.
    assert answer.summary in _text(world.client_for("mash").get(_contact_url(world.objects["mash_answered"])))
    assert answer.summary in _text(
        world.client_for("health").get(
            reverse("front_door:request_answer", args=[world.objects["mash_answered_request"].pk])
        )
    )


def test_researchers_cannot_answer_for_a_contact_not_yet_matched(world: World) -> None:
    mash = world.users["mash"]
    unlinked = world.objects["mash_unlinked"]
    contact_rate(contact=unlinked, rag="green", reason="Low level", acting_user=mash)
    (request,) = information_requests_send(contact=unlinked, agencies=[Agency.HEALTH], acting_user=mash)
    client = world.client_for("health")
    url = reverse("front_door:request_answer", args=[request.pk])
    assert "has not yet confirmed who this child is" in _text(client.get(url))
    refused = client.post(url, {"summary": "Registered with a GP", "sharing_level": "safeguarding"})
    assert "The MASH has not yet confirmed who this child is" in _text(refused)
    request.refresh_from_db()
    assert request.status == InformationRequest.Status.OPEN


# The menu -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "queue", "inbox"),
    [("mash", True, False), ("police", True, False), ("health", False, True), ("sw", False, False)],
)
def test_menu_offers_the_pages_each_person_may_use(world: World, role: str, queue: bool, inbox: bool) -> None:
    client: Client = world.client_for(role)
    html = _text(client.get(reverse("performance:scorecard")))
    assert ('href="/mash/"' in html) is queue
    assert ('href="/information-requests/"' in html) is inbox
