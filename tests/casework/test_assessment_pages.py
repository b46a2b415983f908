"""The assessment pages as a social worker and a manager use them: the referral's actions and re-referral mark,
the edit form keeping what was typed (a draft, and through a conflict), check your answers, authorisation and
the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.casework import services
from openmash.casework.models import Assessment, Referral
from openmash.core.codes import ReasonForClosure
from openmash.core.models import FormDraft

from ..accounts.helpers import sign_in_verified

D = dt.date


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


@pytest.fixture
def assessment(referral: Referral, worker_user: User) -> Assessment:
    return services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)


def edit_data(a: Assessment, **changes: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "version": str(a.version),
        "analysis": "Amelia says she feels safe at her grandmother's.",
        "factors": ["3B", "11A"],
        "child_seen": "yes",
        "child_seen_date_day": "14",
        "child_seen_date_month": "5",
        "child_seen_date_year": "2024",
        "seen_alone": "yes",
    }
    data.update(changes)
    return data


def test_the_referral_page_offers_what_can_be_done_now(referral: Referral, worker_user: User) -> None:
    page = client_for(worker_user).get(reverse("casework:referral", args=[referral.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Start a single assessment" in html
    assert "Close the case" in html
    assert "Re-referral" not in html
    services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    html = client_for(worker_user).get(reverse("casework:referral", args=[referral.pk])).content.decode()
    assert "Start a single assessment" not in html
    assert "In progress" in html
    assert AuditEvent.objects.filter(user=worker_user, detail__page="referral").count() == 2


def test_a_referral_within_12_months_of_the_last_is_marked_re_referral(child: object, worker_user: User) -> None:
    first = services.referral_create(
        child=child,  # type: ignore[arg-type]
        referral_date=D(2024, 1, 10),
        source="6",
        primary_need="N1",
        acting_user=worker_user,
    )
    services.referral_close(
        referral=first, closure_date=D(2024, 2, 1), reason=ReasonForClosure.SERVICES_CEASED, acting_user=worker_user
    )
    second = services.referral_create(
        child=child,  # type: ignore[arg-type]
        referral_date=D(2024, 9, 1),
        source="6",
        primary_need="N1",
        acting_user=worker_user,
    )
    html = client_for(worker_user).get(reverse("casework:referral", args=[second.pk])).content.decode()
    assert "Re-referral" in html
    assert "last referred on 10 January 2024" in html


def test_the_assessment_page_shows_both_clocks(assessment: Assessment, worker_user: User) -> None:
    html = client_for(worker_user).get(reverse("casework:assessment", args=[assessment.pk])).content.decode()
    # Started 10 May 2024 (Spring bank holiday 27 May), referred 1 May 2024 (May Day 6 May): long overdue now.
    assert "From the start of the assessment (DfE)" in html
    assert "Due 15 July 2024" in html
    assert "From the referral (Working Together 2023)" in html
    assert "Due 5 July 2024" in html
    assert html.count("Overdue") == 2


def test_the_analysis_typed_is_kept_and_offered_again_to_its_author_only(
    assessment: Assessment, worker_user: User, manager_user: User
) -> None:
    worker = client_for(worker_user)
    kept = worker.post(
        reverse("casework:assessment_draft", args=[assessment.pk]),
        {"analysis": "Half a sentence about the", "version": "1", "factors": "3B"},
    )
    assert kept.status_code == 204
    assert FormDraft.objects.get(user=worker_user).data == {"analysis": "Half a sentence about the"}
    # Signed out and back in: a new session, the same person.
    html = client_for(worker_user).get(reverse("casework:assessment_edit", args=[assessment.pk])).content.decode()
    assert "Half a sentence about the" in html
    assert "We kept the analysis you were typing" in html
    assert (
        "Half a sentence"
        not in client_for(manager_user).get(reverse("casework:assessment_edit", args=[assessment.pk])).content.decode()
    )
    # Saving it for real ends the draft.
    saved = worker.post(reverse("casework:assessment_edit", args=[assessment.pk]), edit_data(assessment))
    assert saved.status_code == 302
    assert saved["Location"] == reverse("casework:assessment_check", args=[assessment.pk])
    assert not FormDraft.objects.filter(user=worker_user).exists()


def test_no_draft_is_kept_of_an_assessment_waiting_for_authorisation(assessment: Assessment, worker_user: User) -> None:
    worker = client_for(worker_user)
    worker.post(reverse("casework:assessment_edit", args=[assessment.pk]), edit_data(assessment))
    assessment.refresh_from_db()
    worker.post(reverse("casework:assessment_check", args=[assessment.pk]), {"version": str(assessment.version)})
    refused = worker.post(reverse("casework:assessment_draft", args=[assessment.pk]), {"analysis": "More"})
    assert refused.status_code == 404
    assert not FormDraft.objects.exists()


def test_a_conflict_shows_what_changed_and_keeps_what_was_typed(
    assessment: Assessment, worker_user: User, manager_user: User
) -> None:
    opened = assessment.version
    services.assessment_update(
        assessment=assessment,
        analysis="The manager's note",
        factors=["3B"],
        child_seen=None,
        expected_version=opened,
        acting_user=manager_user,
    )
    worker = client_for(worker_user)
    url = reverse("casework:assessment_edit", args=[assessment.pk])
    page = worker.post(url, edit_data(assessment, version=str(opened), analysis="My own words"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Someone else saved this assessment after you opened it" in html
    assert "The manager&#x27;s note" in html
    assert "My own words</textarea>" in html
    assert f'name="version" value="{opened + 1}"' in html
    assessment.refresh_from_db()
    assert assessment.analysis == "The manager's note"
    again = worker.post(url, edit_data(assessment, version=str(opened + 1), analysis="My own words"))
    assert again.status_code == 302
    assessment.refresh_from_db()
    assert assessment.analysis == "My own words"


def test_a_bad_answer_is_shown_with_the_error_summary_and_nothing_is_saved(
    assessment: Assessment, worker_user: User
) -> None:
    page = client_for(worker_user).post(
        reverse("casework:assessment_edit", args=[assessment.pk]),
        edit_data(assessment, child_seen_date_day="31", child_seen_date_month="2"),
    )
    html = page.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_child_seen_date_0"' in html
    assert "Date the child was seen must be a real date" in html
    assessment.refresh_from_db()
    assert assessment.analysis == ""


def test_check_your_answers_then_send_and_a_manager_authorises_and_records_the_outcome(
    assessment: Assessment, worker_user: User, manager_user: User
) -> None:
    worker = client_for(worker_user)
    check = reverse("casework:assessment_check", args=[assessment.pk])
    html = worker.get(check).content.decode()
    assert "Enter your analysis" in html
    assert "Send for authorisation" not in html
    worker.post(reverse("casework:assessment_edit", args=[assessment.pk]), edit_data(assessment))
    html = worker.get(check).content.decode()
    assert "Child sexual exploitation (11A)" in html
    assessment.refresh_from_db()
    sent = worker.post(check, {"version": str(assessment.version)})
    assert sent["Location"] == reverse("casework:assessment", args=[assessment.pk])
    # The worker is not a manager: the authorisation page is not there for her.
    decide = reverse("casework:assessment_decide", args=[assessment.pk])
    assert worker.get(decide).status_code == 404

    manager = client_for(manager_user)
    assessment.refresh_from_db()
    refused = manager.post(decide, {"action": "return", "reason": ""})
    assert "Enter what needs to change" in refused.content.decode()
    done = manager.post(
        decide,
        {
            "action": "authorise",
            "version": str(assessment.version),
            "child_in_need": "yes",
            "authorised_date_day": "10",
            "authorised_date_month": "6",
            "authorised_date_year": "2024",
        },
    )
    assert done["Location"] == reverse("casework:assessment_outcome", args=[assessment.pk])
    outcome = manager.post(
        done["Location"],
        {"outcome": "strategy", "decided_on_day": "11", "decided_on_month": "6", "decided_on_year": "2024"},
    )
    try:
        expected = reverse("protection:strategy_new", kwargs={"referral_id": assessment.referral_id})
    except NoReverseMatch:
        expected = reverse("journey:child_detail", args=[assessment.referral.child.la_child_id])
    assert outcome["Location"] == expected
    assessment.refresh_from_db()
    assert (assessment.authorised_by, assessment.outcome) == (manager_user, "strategy")


def test_closing_with_something_open_is_refused_with_what_to_finish(assessment: Assessment, worker_user: User) -> None:
    page = client_for(worker_user).post(
        reverse("casework:referral_close", args=[assessment.referral_id]),
        {"reason": "RC7", "closure_date_day": "1", "closure_date_month": "7", "closure_date_year": "2024"},
    )
    assert "Before the case can close, finish the assessment" in page.content.decode()
    assessment.referral.refresh_from_db()
    assert assessment.referral.closure_date is None
