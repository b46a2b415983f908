"""The partner API: a partner's token reaches only its own agency's contacts and requests, contacts arrive
once and whole, bad input creates nothing, answers are recorded at the level chosen, and every read is audited."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from openmash.access.models import AuditEvent
from openmash.accounts.models import Agency
from openmash.front_door import services as front_door
from openmash.front_door.models import (
    AgencyContribution,
    Contact,
    ContactAdult,
    ContactChannel,
    InformationRequest,
    PartnerApiToken,
    SharingLevel,
)
from openmash.people.models import Adult

from ..accounts.helpers import sign_in_verified
from .api_helpers import (
    API,
    Partners,
    build_partners,
    call,
    contact_body,
    enquiry_with_requests,
    recorded_contact,
    registered_child,
)


@pytest.fixture(autouse=True)
def _fresh_rate_counts() -> None:
    cache.clear()


@pytest.fixture
def partners(db: None) -> Partners:
    return build_partners()


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


def _send(partners: Partners, key: str | None = None, **changes: Any) -> str:
    response = call("POST", "/contacts", key or partners.police_key, contact_body(**changes))
    assert response.status_code == 201, response.content
    return str(response.json()["reference"])


# The schema -------------------------------------------------------------------------------------


def test_the_openapi_schema_is_served_without_a_token_and_there_is_no_docs_page_from_a_cdn(db: None) -> None:
    schema = call("GET", "/openapi.json", None)
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert set(paths) == {
        f"{API}/contacts",
        f"{API}/contacts/{{reference}}",
        f"{API}/information-requests",
        f"{API}/information-requests/{{request_id}}/answer",
    }
    assert schema.json()["components"]["securitySchemes"]["PartnerToken"] == {"type": "http", "scheme": "bearer"}
    # Ninja's default docs page would load Swagger UI from a CDN; the API serves none.
    _problem(call("GET", "/docs", None), 404)
    _problem(call("GET", "/", None), 404)


# Tokens ------------------------------------------------------------------------------------------


def test_no_key_a_wrong_key_or_a_revoked_key_is_refused_with_a_problem(partners: Partners) -> None:
    wrong = partners.police_key[:-4] + "AAAA"
    for key in (None, wrong, "om_nothing", "x" * 5000, partners.police_key + " extra"):
        body = _problem(call("GET", "/contacts", key), 401)
        assert "Bearer" in body["detail"]
    front_door_token = partners.police_token
    call_command("api-token", "revoke", front_door_token.prefix, stdout=io.StringIO())
    revoked = call("GET", "/contacts", partners.police_key)
    _problem(revoked, 401)
    assert revoked["WWW-Authenticate"].startswith("Bearer")
    # The other agency's key still works.
    assert call("GET", "/contacts", partners.health_key).status_code == 200


def test_a_signed_in_browser_session_is_not_a_key(partners: Partners) -> None:
    from django.test import Client

    client = Client()
    sign_in_verified(client, partners.mash)
    _problem(client.get(f"{API}/contacts"), 401)
    _problem(client.post(f"{API}/contacts", contact_body(), content_type="application/json"), 401)
    assert not Contact.objects.exists()


def test_a_key_stops_working_when_its_account_is_deactivated(partners: Partners) -> None:
    partners.police_user.is_active = False
    partners.police_user.save()
    _problem(call("GET", "/contacts", partners.police_key), 401)


def test_the_command_issues_a_key_once_lists_it_and_revokes_it(partners: Partners) -> None:
    out = io.StringIO()
    call_command(
        "api-token", "issue", "--agency", "health", "--name", "GP system", "--user", "health-system", stdout=out
    )
    key = out.getvalue().strip().splitlines()[-1]
    token = PartnerApiToken.objects.get(name="GP system")
    assert key.startswith(f"om_{token.prefix}_")
    assert key not in str(PartnerApiToken.objects.values_list())  # only its hash is kept
    assert call("GET", "/contacts", key).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    listing = io.StringIO()
    call_command("api-token", "list", stdout=listing)
    assert token.prefix in listing.getvalue()
    assert "GP system" in listing.getvalue()
    call_command("api-token", "revoke", token.prefix, stdout=io.StringIO())
    _problem(call("GET", "/contacts", key), 401)
    listing = io.StringIO()
    call_command("api-token", "list", stdout=listing)
    assert "revoked" in listing.getvalue()
    with pytest.raises(CommandError, match="works for Health, not Police"):
        call_command("api-token", "issue", "--agency", "police", "--name", "X", "--user", "health-system")
    with pytest.raises(CommandError, match="No account"):
        call_command("api-token", "issue", "--agency", "police", "--name", "X", "--user", "nobody")


def test_each_token_is_limited_per_minute(partners: Partners, settings: Any) -> None:
    settings.OPENMASH_API_REQUESTS_PER_MINUTE = 2
    assert call("GET", "/contacts", partners.police_key).status_code == 200
    assert call("GET", "/contacts", partners.police_key).status_code == 200
    refused = call("GET", "/contacts", partners.police_key)
    _problem(refused, 429)
    assert 0 < int(refused["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert call("GET", "/contacts", partners.health_key).status_code == 200


# Sending contacts -----------------------------------------------------------------------------------


def test_a_contact_posted_creates_exactly_one_contact_in_the_mash_queue(partners: Partners) -> None:
    response = call("POST", "/contacts", partners.police_key, contact_body())
    assert response.status_code == 201
    body = response.json()
    contact = Contact.objects.get()
    assert body["reference"] == contact.reference
    assert body["received_at"]
    assert response["Location"] == f"{API}/contacts/{contact.reference}"
    assert contact.channel == ContactChannel.API
    assert contact.referrer_agency == Agency.POLICE
    assert contact.submitted_by == partners.police_user
    assert contact.child is None  # the MASH matches it to the register
    assert (contact.subject_first_name, contact.subject_nhs_number, contact.subject_postcode) == (
        "Ava",
        "9434765919",
        "ZZ1 1ZZ",
    )
    assert contact.parents_aware == "yes"
    assert ContactAdult.objects.get(contact=contact).role == "alleged_perpetrator"


def test_an_age_stands_in_for_an_unknown_date_of_birth(partners: Partners) -> None:
    reference = _send(partners, child={"first_name": "Ava", "age": 7})
    assert Contact.objects.get(reference=reference).subject_age == 7
    child = call("GET", f"/contacts/{reference}", partners.police_key).json()["child"]
    assert (child["age"], child["date_of_birth"]) == (7, None)


HUGE = "x" * 100_001


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"child": {"first_name": "", "last_name": ""}}, "child.first_name"),
        ({"child": {"first_name": "Ava", "date_of_birth": "2016-02-30"}}, "child.date_of_birth"),
        ({"child": {"first_name": "Ava", "date_of_birth": "04/05/2016"}}, "child.date_of_birth"),
        ({"child": {"first_name": "Ava", "date_of_birth": 1462320000}}, "child.date_of_birth"),
        ({"child": {"first_name": "Ava", "date_of_birth": "1990-01-01"}}, "child.date_of_birth"),
        ({"child": {"first_name": "Ava", "nhs_number": "1234567890"}}, "child.nhs_number"),
        ({"child": {"first_name": "Ava", "nhs_number": "²²²²²²²²²²"}}, "child.nhs_number"),
        ({"child": {"first_name": "Ava", "upn": "A12345678901"}}, "child.upn"),
        ({"child": {"first_name": "Ava", "age": 18}}, "child.age"),
        ({"child": {"first_name": "Ava", "age": "7"}}, "child.age"),
        ({"child": {"first_name": HUGE}}, "child.first_name"),
        ({"child": {"first_name": "Ava\x00"}}, "child.first_name"),
        ({"child": {"first_name": "Ava\ud800"}}, "child.first_name"),
        ({"child": {"first_name": "Ava", "dob": "2016-05-04"}}, "child.dob"),
        ({"child": "Ava Testchild"}, "child"),
        ({"concern": HUGE}, "concern"),
        ({"concern": "short"}, "concern"),
        ({"concern": 12345678901}, "concern"),
        ({"immediate_risk": "yes"}, "immediate_risk"),
        ({"parents_aware": "maybe"}, "parents_aware"),
        ({"referrer": {"name": ""}}, "referrer.name"),
        ({"referrer": {"name": "PC Harper", "email": "not an email"}}, "referrer.email"),
        ({"adults": [{"first_name": "Mark", "role": "uncle"}]}, "adults.0.role"),
        (
            {"adults": [{"first_name": "Mark", "role": "household", "date_of_birth": "2999-01-01"}]},
            "adults.0.date_of_birth",
        ),
        ({"adults": [{"role": "household"}]}, "adults"),
        ({"adults": [{"first_name": "M", "role": "household"}] * 21}, "adults"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_creates_nothing(
    partners: Partners, change: dict[str, Any], field: str
) -> None:
    response = call("POST", "/contacts", partners.police_key, contact_body(**change))
    body = _problem(response, 422)
    fields = [e["field"] for e in body["errors"]]
    assert fields[:1] == [field], body
    assert all(e["message"] for e in body["errors"])
    assert not Contact.objects.exists()
    assert not Adult.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "", "[]", '"a string"', "null", '{"child": {}'])
def test_a_body_that_is_not_a_contact_is_refused_and_creates_nothing(partners: Partners, raw: str) -> None:
    response = call("POST", "/contacts", partners.police_key, raw)
    assert response.status_code in (400, 422)
    _problem(response, response.status_code)
    assert not Contact.objects.exists()


def test_a_missing_required_part_is_named(partners: Partners) -> None:
    body = contact_body()
    del body["referrer"]
    problem = _problem(call("POST", "/contacts", partners.police_key, body), 422)
    assert problem["errors"] == [{"field": "referrer", "message": "This field is required"}]


def test_a_retry_with_the_same_idempotency_key_creates_no_second_contact(partners: Partners) -> None:
    first = call("POST", "/contacts", partners.police_key, contact_body(), **{"Idempotency-Key": "case-77-a"})
    again = call("POST", "/contacts", partners.police_key, contact_body(), **{"Idempotency-Key": "case-77-a"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Contact.objects.count() == 1
    # The same key for a different contact is a mistake in the partner's system: refused, nothing created.
    other = contact_body(concern="A different concern about another matter entirely.")
    problem = _problem(call("POST", "/contacts", partners.police_key, other, **{"Idempotency-Key": "case-77-a"}), 422)
    assert problem["errors"][0]["field"] == "Idempotency-Key"
    # Keys belong to a token: another agency's system may use the same string.
    assert (
        call("POST", "/contacts", partners.health_key, contact_body(), **{"Idempotency-Key": "case-77-a"}).status_code
        == 201
    )
    assert call("POST", "/contacts", partners.police_key, contact_body()).status_code == 201
    assert Contact.objects.count() == 3
    bad_key = call("POST", "/contacts", partners.police_key, contact_body(), **{"Idempotency-Key": "bad key"})
    assert _problem(bad_key, 422)["errors"][0]["field"] == "Idempotency-Key"
    assert Contact.objects.count() == 3


# Reading contacts --------------------------------------------------------------------------------


def test_a_partner_reads_only_its_own_agencys_contacts(partners: Partners) -> None:
    own = _send(partners)
    by_health = _send(partners, partners.health_key)
    # The police's other system sends one too: the same agency's, so visible to both police tokens.
    also_own = _send(partners, partners.police_referrer_key)
    # A phone call from police typed in by the MASH is the MASH's record, not the police system's.
    child = registered_child(partners.mash)
    phoned = recorded_contact(partners.mash, child, Agency.POLICE)

    listing = call("GET", "/contacts", partners.police_key)
    assert listing.status_code == 200
    page = listing.json()
    assert {c["reference"] for c in page["results"]} == {own, also_own}
    assert (page["count"], page["page"], page["pages"]) == (2, 1, 1)
    assert call("GET", f"/contacts/{own}", partners.police_key).json()["concern"].startswith("Officers attended")

    missing = call("GET", "/contacts/MC-ZZZZ-ZZZZ", partners.police_key)
    others = [call("GET", f"/contacts/{ref}", partners.police_key) for ref in (by_health, phoned.reference)]
    for response in others:
        # Another agency's contact answers exactly like one that does not exist.
        assert (response.status_code, response.content) == (missing.status_code, missing.content)
    _problem(missing, 404)
    assert [c["reference"] for c in call("GET", "/contacts", partners.health_key).json()["results"]] == [by_health]


def test_the_outcome_shown_is_what_the_referrer_may_be_told_never_the_mash_notes(partners: Partners) -> None:
    reference = _send(partners)
    detail = call("GET", f"/contacts/{reference}", partners.police_key).json()
    assert (detail["status"], detail["outcome"], detail["decided_at"]) == ("received", None, None)

    contact = Contact.objects.get(reference=reference)
    child = registered_child(partners.mash)
    enquiry_with_requests(partners.mash, contact, child, [Agency.HEALTH])
    assert call("GET", f"/contacts/{reference}", partners.police_key).json()["status"] == "under_review"
    front_door.contact_decide(
        contact=contact,
        outcome=Contact.Outcome.NO_FURTHER_ACTION,
        rationale="INTERNAL: father known to police, mother engaging well",
        acting_user=partners.mash,
    )
    response = call("GET", f"/contacts/{reference}", partners.police_key)
    detail = response.json()
    assert detail["status"] == "decided"
    assert detail["outcome"] == contact.feedback.outcome_told
    assert detail["outcome"].startswith("We have looked at your concern")
    assert b"INTERNAL" not in response.content
    assert b"amber" not in response.content
    assert b"Repeat call-outs" not in response.content
    decided = call("GET", "/contacts?status=decided", partners.police_key).json()
    assert [c["reference"] for c in decided["results"]] == [reference]
    assert call("GET", "/contacts?status=received", partners.police_key).json()["count"] == 0
    _problem(call("GET", "/contacts?status=lost", partners.police_key), 422)


def test_contacts_come_in_pages_of_fifty(partners: Partners) -> None:
    for n in range(51):
        _send(partners, concern=f"Concern number {n} about the child at the address.")
    first = call("GET", "/contacts", partners.police_key).json()
    second = call("GET", "/contacts?page=2", partners.police_key).json()
    assert (first["count"], first["pages"], len(first["results"]), len(second["results"])) == (51, 2, 50, 1)
    assert not {c["reference"] for c in first["results"]} & {c["reference"] for c in second["results"]}
    assert call("GET", "/contacts?page=9", partners.police_key).json()["results"] == []
    for bad in ("0", "-1", "x", "99999999999999999999999"):
        _problem(call("GET", f"/contacts?page={bad}", partners.police_key), 422)


def test_every_read_of_personal_data_is_audited_as_the_tokens_account(partners: Partners) -> None:
    reference = _send(partners)
    contact = Contact.objects.get(reference=reference)
    child = registered_child(partners.mash)
    enquiry_with_requests(partners.mash, contact, child, [Agency.HEALTH])
    before = AuditEvent.objects.count()

    call("GET", "/contacts", partners.police_key)
    call("GET", f"/contacts/{reference}", partners.police_key)
    call("GET", "/information-requests", partners.health_key)
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [(r.user, r.action, r.child_id, r.detail["basis"]) for r in rows] == [
        (partners.police_user, AuditEvent.Action.VIEW, child.pk, "partner API"),
        (partners.police_user, AuditEvent.Action.VIEW, child.pk, "partner API"),
        (partners.health_user, AuditEvent.Action.VIEW, child.pk, "partner API"),
    ]
    assert all(r.detail["token"] for r in rows)
    # A refused read records nothing about a child.
    call("GET", "/contacts/MC-ZZZZ-ZZZZ", partners.health_key)
    assert AuditEvent.objects.count() == before + 3


# Information requests ----------------------------------------------------------------------------


def test_a_partner_sees_and_answers_only_its_own_agencys_requests(partners: Partners) -> None:
    contact = Contact.objects.get(reference=_send(partners))
    child = registered_child(partners.mash)
    requests = {
        r.agency: r for r in enquiry_with_requests(partners.mash, contact, child, [Agency.HEALTH, Agency.POLICE])
    }

    inbox = call("GET", "/information-requests", partners.health_key).json()
    assert [r["id"] for r in inbox["results"]] == [requests[Agency.HEALTH].pk]
    item = inbox["results"][0]
    assert item["question"] == "Any incidents at the address?"
    assert item["overdue"] is False
    assert item["child"] == {
        "first_name": "Ava",
        "last_name": "Testchild",
        "date_of_birth": "2016-05-04",
        "nhs_number": "",
        "upn": "",
        "address": "",
        "postcode": "ZZ1 1ZZ",
    }

    answer = {"answer": "Known to the health visitor.", "sharing_level": "safeguarding"}
    police_request = requests[Agency.POLICE].pk
    missing = call("POST", "/information-requests/999999/answer", partners.health_key, answer)
    other = call("POST", f"/information-requests/{police_request}/answer", partners.health_key, answer)
    assert (other.status_code, other.content) == (missing.status_code, missing.content)
    _problem(other, 404)
    assert InformationRequest.objects.get(pk=police_request).status == "open"


def test_answering_records_a_contribution_at_the_chosen_sharing_level(partners: Partners) -> None:
    contact = Contact.objects.get(reference=_send(partners))
    child = registered_child(partners.mash)
    (request,) = enquiry_with_requests(partners.mash, contact, child, [Agency.HEALTH])
    answer = {
        "answer": "Missed three health visitor appointments since March.",
        "sharing_level": "partners",
        "shared_with": ["education", "police"],
    }
    response = call("POST", f"/information-requests/{request.pk}/answer", partners.health_key, answer)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["id"], body["status"], body["sharing_level"], body["shared_with"]) == (
        request.pk,
        "answered",
        "partners",
        ["education", "police"],
    )
    contribution = AgencyContribution.objects.get()
    assert (contribution.child, contribution.agency, contribution.sharing_level, contribution.created_by) == (
        child,
        Agency.HEALTH,
        SharingLevel.PARTNERS,
        partners.health_user,
    )
    assert contribution.summary == answer["answer"]
    request.refresh_from_db()
    assert (request.status, request.response) == ("answered", contribution)
    # Answered once: a second answer is a conflict, and the inbox no longer shows it.
    _problem(call("POST", f"/information-requests/{request.pk}/answer", partners.health_key, answer), 409)
    assert call("GET", "/information-requests", partners.health_key).json()["results"] == []
    assert AgencyContribution.objects.count() == 1


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({"answer": "", "sharing_level": "safeguarding"}, "answer"),
        ({"answer": "Nothing held.", "sharing_level": "everyone"}, "sharing_level"),
        ({"answer": "Nothing held.", "sharing_level": "partners"}, "shared_with"),
        ({"answer": "Nothing held.", "sharing_level": "mash_only", "shared_with": ["police"]}, "shared_with"),
        ({"answer": "Nothing held.", "sharing_level": "partners", "shared_with": ["democratic"]}, "shared_with.0"),
        ({"answer": "   ", "sharing_level": "safeguarding"}, "answer"),
    ],
)
def test_a_bad_answer_is_refused_and_records_nothing(partners: Partners, answer: dict[str, Any], field: str) -> None:
    contact = Contact.objects.get(reference=_send(partners))
    (request,) = enquiry_with_requests(partners.mash, contact, registered_child(partners.mash), [Agency.HEALTH])
    body = _problem(call("POST", f"/information-requests/{request.pk}/answer", partners.health_key, answer), 422)
    assert body["errors"][0]["field"] == field
    assert not AgencyContribution.objects.exists()
    request.refresh_from_db()
    assert request.status == "open"


def test_only_a_researchers_token_reads_or_answers_requests(partners: Partners) -> None:
    contact = Contact.objects.get(reference=_send(partners))
    (request,) = enquiry_with_requests(partners.mash, contact, registered_child(partners.mash), [Agency.POLICE])
    # The police custody system acts as a MASH practitioner, not a researcher: it may send contacts only.
    assert "researcher" in _problem(call("GET", "/information-requests", partners.police_referrer_key), 403)["detail"]
    answer = {"answer": "Nothing held.", "sharing_level": "mash_only"}
    _problem(call("POST", f"/information-requests/{request.pk}/answer", partners.police_referrer_key, answer), 403)
    assert call("POST", f"/information-requests/{request.pk}/answer", partners.police_key, answer).status_code == 201


def test_a_request_for_a_restricted_child_is_hidden_from_the_partner(partners: Partners) -> None:
    from openmash.access.services import child_restrict
    from openmash.workforce.models import Team

    contact = Contact.objects.get(reference=_send(partners))
    child = registered_child(partners.mash)
    (request,) = enquiry_with_requests(partners.mash, contact, child, [Agency.HEALTH])
    manager = partners.mash
    manager.roles.create(role="team_manager")
    del manager.role_set
    assert Team.objects.filter(kind="mash").exists()
    child_restrict(child=child, reason="Child of a member of staff", allowed=[], acting_user=manager)
    assert call("GET", "/information-requests", partners.health_key).json()["count"] == 0
    answer = {"answer": "Nothing held.", "sharing_level": "mash_only"}
    _problem(call("POST", f"/information-requests/{request.pk}/answer", partners.health_key, answer), 404)
    _problem(call("GET", f"/contacts/{contact.reference}", partners.police_key), 404)
