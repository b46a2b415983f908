"""Scrutiny services: who may change a review, numbering, the executive's response turning into an action,
and the progress an update report draws on."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.improvement.models import Action, ActionPlan, ActionStatus, PlanKind, ProgressUpdate
from openmash.performance.models import Snapshot
from openmash.scrutiny import services
from openmash.scrutiny.actions import progress_text, recommendation_progress
from openmash.scrutiny.models import Evidence, Meeting, Recommendation, Review

from .conftest import SCOPE


def _audited(obj: object) -> bool:
    return AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).exists()  # type: ignore[attr-defined]


def test_a_review_is_opened_from_the_scoping_template_and_audited(review: Review) -> None:
    saved = Review.objects.get(pk=review.pk)
    for name, value in SCOPE.items():
        assert getattr(saved, name) == value, name
    assert saved.status == Review.Status.SCOPING
    assert _audited(saved)


@pytest.mark.parametrize("who", ["councillor", "social_worker"])
def test_councillors_and_caseworkers_cannot_change_a_review(
    request: pytest.FixtureRequest, review: Review, who: str
) -> None:
    user: User = request.getfixturevalue(who)
    with pytest.raises(PermissionError):
        services.review_create(values=SCOPE, acting_user=user)
    with pytest.raises(PermissionError):
        services.recommendation_add(review=review, text="Do better", acting_user=user)
    with pytest.raises(PermissionError):
        services.meeting_record(review=review, kind="meeting", date=dt.date(2026, 6, 1), acting_user=user)
    assert Review.objects.count() == 1
    assert not review.recommendations.exists()


def test_a_review_needs_a_topic_and_dates_in_order(officer: User) -> None:
    with pytest.raises(ServiceError) as caught:
        services.review_create(values={**SCOPE, "topic": "  "}, acting_user=officer)
    assert caught.value.field == "topic"
    with pytest.raises(ServiceError) as caught:
        services.review_create(values={**SCOPE, "completion_date": dt.date(2026, 4, 1)}, acting_user=officer)
    assert caught.value.field == "completion_date"
    assert not Review.objects.exists()


def test_an_edit_from_an_old_version_is_refused(review: Review, officer: User) -> None:
    services.review_update(
        review=review, values={**SCOPE, "status": "gathering"}, expected_version=1, acting_user=officer
    )
    with pytest.raises(EditConflict):
        services.review_update(
            review=review, values={**SCOPE, "topic": "Something else"}, expected_version=1, acting_user=officer
        )
    saved = Review.objects.get(pk=review.pk)
    assert (saved.topic, saved.status, saved.version) == (SCOPE["topic"], "gathering", 2)


def test_members_one_chair_and_only_scrutiny_members_by_account(
    review: Review, officer: User, councillor: User, social_worker: User
) -> None:
    member = services.member_add(review=review, user=councillor, is_chair=True, acting_user=officer)
    assert member.name == councillor.get_full_name()
    with pytest.raises(ServiceError, match="already has a chair"):
        services.member_add(review=review, name="Cllr Other", is_chair=True, acting_user=officer)
    with pytest.raises(ServiceError, match="already a member"):
        services.member_add(review=review, user=councillor, acting_user=officer)
    with pytest.raises(ServiceError, match="scrutiny member"):
        services.member_add(review=review, user=social_worker, acting_user=officer)
    services.member_add(review=review, name="Cllr Named Only", acting_user=officer)
    assert [m.name for m in review.members.all()] == [councillor.get_full_name(), "Cllr Named Only"]


def test_meetings_and_witnesses_are_recorded(review: Review, officer: User) -> None:
    services.meeting_record(
        review=review, kind="site_visit", date=dt.date(2026, 7, 2), place="The MASH", acting_user=officer
    )
    services.meeting_record(review=review, kind="meeting", date=dt.date(2026, 6, 1), acting_user=officer)
    with pytest.raises(ServiceError) as caught:
        services.meeting_record(review=review, kind="party", date=dt.date(2026, 6, 1), acting_user=officer)
    assert caught.value.field == "kind"
    assert [m.kind for m in review.meetings.all()] == [Meeting.Kind.MEETING, Meeting.Kind.SITE_VISIT]
    witness = services.witness_record(
        review=review,
        name="Sam Lead",
        role="Head of the MASH",
        organisation="Children's services",
        date_heard=dt.date(2026, 6, 1),
        acting_user=officer,
    )
    assert _audited(witness)
    with pytest.raises(ServiceError) as caught:
        services.witness_record(review=review, name="X", role="", date_heard=dt.date(2026, 6, 1), acting_user=officer)
    assert caught.value.field == "role"


def test_performance_figures_are_cited_as_a_frozen_quarter(review: Review, officer: User, snapshot: Snapshot) -> None:
    evidence = services.evidence_add(
        review=review, kind="kpi_snapshot", title="", snapshot=snapshot, theme="The MASH", acting_user=officer
    )
    assert evidence.snapshot == snapshot
    assert evidence.date == snapshot.as_of
    assert "2025-Q4" in evidence.title
    with pytest.raises(ServiceError) as caught:
        services.evidence_add(review=review, kind="kpi_snapshot", title="Figures", acting_user=officer)
    assert caught.value.field == "snapshot"
    with pytest.raises(ServiceError) as caught:
        services.evidence_add(
            review=review, kind="document", title="Guidance", date=dt.date(2026, 1, 1), snapshot=snapshot,
            acting_user=officer,
        )  # fmt: skip
    assert caught.value.field == "snapshot"
    assert list(Evidence.objects.values_list("snapshot__period_key", flat=True)) == ["2025-Q4"]


def test_findings_keep_their_order_and_recommendations_are_numbered(review: Review, officer: User) -> None:
    services.finding_add(review=review, theme="The MASH", text="Decisions are timely.", acting_user=officer)
    services.finding_add(review=review, theme="CSE", text="Screening is thorough.", acting_user=officer)
    assert [f.order for f in review.findings.all()] == [1, 2]
    numbers = [
        services.recommendation_add(review=review, text=f"Recommendation text {n}", acting_user=officer).number
        for n in range(3)
    ]
    assert numbers == [1, 2, 3]
    other = services.review_create(values={**SCOPE, "topic": "Care leavers"}, acting_user=officer)
    assert services.recommendation_add(review=other, text="Start at one", acting_user=officer).number == 1
    with pytest.raises(ServiceError):
        services.recommendation_add(review=review, text="   ", acting_user=officer)
    assert review.recommendations.count() == 3


def test_an_accepted_recommendation_becomes_an_action_in_the_reviews_plan(review: Review, officer: User) -> None:
    first = services.recommendation_add(review=review, text="Publish MASH timeliness quarterly", acting_user=officer)
    second = services.recommendation_add(review=review, text="Recruit two more social workers", acting_user=officer)
    third = services.recommendation_add(review=review, text="Open a second MASH", acting_user=officer)
    day = dt.date(2027, 5, 1)
    services.recommendation_respond(
        recommendation=first, response="accepted", response_text="Agreed.", response_date=day, acting_user=officer
    )
    services.recommendation_respond(
        recommendation=second, response="partly_accepted", response_text="One more.", response_date=day,
        acting_user=officer,
    )  # fmt: skip
    services.recommendation_respond(
        recommendation=third, response="rejected", response_text="No budget.", response_date=day, acting_user=officer
    )
    review.refresh_from_db()
    plan = ActionPlan.objects.get()
    assert review.action_plan == plan
    assert plan.kind == PlanKind.SCRUTINY
    actions = list(Action.objects.filter(plan=plan).order_by("number"))
    assert [a.number for a in actions] == [1, 2]
    assert actions[0].title.startswith("Recommendation 1: Publish MASH")
    assert Recommendation.objects.get(pk=first.pk).action == actions[0]
    assert Recommendation.objects.get(pk=second.pk).action == actions[1]
    rejected = Recommendation.objects.get(pk=third.pk)
    assert rejected.action is None
    assert rejected.status == Recommendation.Status.CLOSED
    # Responding again keeps the one action.
    services.recommendation_respond(
        recommendation=second, response="accepted", response_text="In full.", response_date=day, acting_user=officer
    )
    assert Action.objects.count() == 2
    with pytest.raises(ServiceError, match="already an action"):
        services.recommendation_respond(
            recommendation=first, response="rejected", response_text="x", response_date=day, acting_user=officer
        )
    assert Recommendation.objects.get(pk=first.pk).response == "accepted"


def test_a_response_needs_a_choice_and_reasons(review: Review, officer: User) -> None:
    rec = services.recommendation_add(review=review, text="Do it", acting_user=officer)
    with pytest.raises(ServiceError) as caught:
        services.recommendation_respond(
            recommendation=rec, response="awaiting", response_text="x", response_date=dt.date(2027, 1, 1),
            acting_user=officer,
        )  # fmt: skip
    assert caught.value.field == "response"
    with pytest.raises(ServiceError) as caught:
        services.recommendation_respond(
            recommendation=rec, response="accepted", response_text="", response_date=dt.date(2027, 1, 1),
            acting_user=officer,
        )  # fmt: skip
    assert caught.value.field == "response_text"
    assert not ActionPlan.objects.exists()
    assert Recommendation.objects.get(pk=rec.pk).response == "awaiting"


def test_progress_of_each_accepted_recommendation_comes_from_its_latest_update(review: Review, officer: User) -> None:
    day = dt.date(2027, 5, 1)
    recs = [services.recommendation_add(review=review, text=f"Rec {n}", acting_user=officer) for n in (1, 2, 3)]
    for rec, response in zip(recs, ["accepted", "rejected", "partly_accepted"], strict=True):
        services.recommendation_respond(
            recommendation=rec, response=response, response_text="Reasons", response_date=day, acting_user=officer
        )
    action = Action.objects.get(recommendation__number=1)
    for date, summary, status in [
        (dt.date(2027, 6, 1), "Draft ready", ActionStatus.IN_PROGRESS),
        (dt.date(2027, 9, 1), "First quarter published", ActionStatus.COMPLETE),
    ]:
        ProgressUpdate.objects.create(action=action, date=date, summary=summary, status=status, recorded_by=officer)
        action.status = status
        action.save()
    rows = recommendation_progress(review)
    assert [r.recommendation.number for r in rows] == [1, 3]
    assert rows[0].latest is not None
    assert rows[0].latest.summary == "First quarter published"
    assert rows[0].status_label == "Complete"
    assert rows[1].latest is None
    assert rows[1].status_label == "Not started"
    text = progress_text(review)
    assert "Recommendation 1: complete (01 September 2027: First quarter published)" in text
    assert "Recommendation 2" not in text
    report = services.update_report_record(review=review, date=dt.date(2027, 11, 1), summary=text, acting_user=officer)
    assert _audited(report)
    assert report.recorded_by == officer
