"""Scrutiny pages: an officer opens a review from the scoping template and records its work; a councillor on
the group reads it and is offered no way to change it."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from openmash.accounts.models import User
from openmash.improvement.models import Action, ActionStatus, ProgressUpdate
from openmash.performance.models import Snapshot
from openmash.scrutiny import services
from openmash.scrutiny.models import Meeting, Recommendation, Review
from tests.accounts.helpers import sign_in_verified


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def test_an_officer_opens_a_review_from_the_scoping_template(officer: User) -> None:
    client = _client(officer)
    page = client.get(reverse("scrutiny:review_new"))
    assert page.status_code == 200
    for heading in ("The review", "How the review will work", "Resources, risks and dates", "Contact officer"):
        assert heading in page.content.decode()
    refused = client.post(reverse("scrutiny:review_new"), {"topic": "", "status": "scoping"})
    assert "Enter the review topic" in refused.content.decode()
    assert not Review.objects.exists()
    response = client.post(
        reverse("scrutiny:review_new"),
        {
            "topic": "Child sexual exploitation",
            "status": "scoping",
            "rationale": "Rising referrals",
            "risks": "Overlap with the community safety panel",
            "contact_email": "d.officer@example.gov.uk",
            **_date("start_date", dt.date(2026, 5, 1)),
            **_date("completion_date", dt.date(2027, 3, 31)),
        },
    )
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("scrutiny:review", args=[review.pk])
    assert (review.rationale, review.completion_date) == ("Rising referrals", dt.date(2027, 3, 31))
    shown = client.get(response["Location"]).content.decode()
    assert "Overlap with the community safety panel" in shown
    assert "31 March 2027" in shown


def test_records_added_through_their_forms_show_on_the_review(
    officer: User, review: Review, snapshot: Snapshot
) -> None:
    client = _client(officer)
    day = dt.date(2026, 6, 1)
    client.post(
        reverse("scrutiny:meeting_add", args=[review.pk]),
        {"kind": "site_visit", "place": "The MASH", **_date("date", day)},
    )
    client.post(
        reverse("scrutiny:witness_add", args=[review.pk]),
        {"name": "Sam Lead", "role": "Head of the MASH", **_date("date_heard", day)},
    )
    client.post(
        reverse("scrutiny:evidence_add", args=[review.pk]),
        {"kind": "kpi_snapshot", "snapshot": snapshot.pk, "theme": "The MASH"},
    )
    client.post(reverse("scrutiny:finding_add", args=[review.pk]), {"theme": "The MASH", "text": "Timely decisions"})
    client.post(reverse("scrutiny:recommendation_add", args=[review.pk]), {"text": "Publish timeliness"})
    assert Meeting.objects.get().kind == "site_visit"
    page = client.get(reverse("scrutiny:review", args=[review.pk])).content.decode()
    for text in ("Site visit", "Sam Lead", "2025-Q4", "Timely decisions", "Recommendation 1", "Publish timeliness"):
        assert text in page, text


def test_an_accepted_response_makes_an_action_whose_progress_the_update_form_starts_from(
    officer: User, review: Review
) -> None:
    rec = services.recommendation_add(review=review, text="Publish timeliness", acting_user=officer)
    client = _client(officer)
    url = reverse("scrutiny:recommendation_respond", args=[review.pk, rec.number])
    refused = client.post(
        url, {"response": "accepted", "response_text": "", **_date("response_date", dt.date(2027, 1, 5))}
    )
    assert "Enter the reasons given" in refused.content.decode()
    client.post(
        url,
        {
            "response": "accepted",
            "response_text": "Agreed",
            "version": "1",
            **_date("response_date", dt.date(2027, 1, 5)),
        },
    )
    action = Recommendation.objects.get(pk=rec.pk).action
    assert isinstance(action, Action)
    ProgressUpdate.objects.create(
        action=action, date=dt.date(2027, 4, 1), summary="First figures out", status=ActionStatus.IN_PROGRESS,
        recorded_by=officer,
    )  # fmt: skip
    action.status = ActionStatus.IN_PROGRESS
    action.save()
    page = client.get(reverse("scrutiny:review", args=[review.pk])).content.decode()
    assert "First figures out" in page
    assert reverse("improvement:action", args=[action.pk]) in page
    assert client.get(reverse("improvement:action", args=[action.pk])).status_code == 200
    form = client.get(reverse("scrutiny:update_report_add", args=[review.pk])).content.decode()
    assert "Recommendation 1: in progress (01 April 2027: First figures out)" in form


def test_a_councillor_on_the_group_reads_the_review_and_cannot_change_it(
    officer: User, councillor: User, other_councillor: User, review: Review
) -> None:
    services.member_add(review=review, user=councillor, is_chair=True, acting_user=officer)
    services.recommendation_add(review=review, text="Publish timeliness", acting_user=officer)
    client = _client(councillor)
    listing = client.get(reverse("scrutiny:reviews")).content.decode()
    assert review.topic in listing
    assert "Open a review" not in listing
    page = client.get(reverse("scrutiny:review", args=[review.pk])).content.decode()
    assert "Publish timeliness" in page
    assert reverse("scrutiny:recommendation_add", args=[review.pk]) not in page
    assert "Record the response" not in page
    added = client.post(reverse("scrutiny:recommendation_add", args=[review.pk]), {"text": "Mine"})
    assert added.status_code == 404
    assert review.recommendations.count() == 1
    # Another councillor sees nothing of a review still in progress, until its report is published.
    other = _client(other_councillor)
    assert review.topic not in other.get(reverse("scrutiny:reviews")).content.decode()
    assert other.get(reverse("scrutiny:review", args=[review.pk])).status_code == 404
    services.review_update(
        review=review, values={"topic": review.topic, "status": "awaiting_response"}, acting_user=officer
    )
    assert other.get(reverse("scrutiny:review", args=[review.pk])).status_code == 200


def test_a_scope_saved_by_someone_else_meanwhile_is_shown_not_overwritten(officer: User, review: Review) -> None:
    client = _client(officer)
    url = reverse("scrutiny:review_scope", args=[review.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.review_update(
        review=review, values={"topic": review.topic, "status": "gathering", "rationale": "Theirs"}, acting_user=officer
    )
    page = client.post(url, {"topic": review.topic, "status": "scoping", "rationale": "Mine", "version": "1"})
    assert page.status_code == 200
    shown = page.content.decode()
    assert "Someone else saved this review after you opened it" in shown
    assert "Theirs" in shown
    saved = Review.objects.get(pk=review.pk)
    assert (saved.rationale, saved.status) == ("Theirs", "gathering")
