"""`openmash demo-scrutiny` (run by `make run` after `openmash demo-users`): the demo gets inspections, an action plan
from its inspection, a safeguarding action plan, a frozen quarter and a children's safeguarding review in progress,
all made through the services; running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.demo.accounts import ensure_demo_users
from openmash.improvement.models import Action, ActionPlan, Inspection, PlanKind, ProgressUpdate
from openmash.performance.models import Snapshot
from openmash.performance.scorecard import default_period
from openmash.scrutiny import councillor
from openmash.scrutiny.models import Evidence, Meeting, Recommendation, Review
from openmash.scrutiny.services import SCOPE_FIELDS


def _run() -> str:
    out = io.StringIO()
    call_command("demo-scrutiny", stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Review, Recommendation, Inspection, ActionPlan, Action, ProgressUpdate, Snapshot, AuditEvent)
    )


@pytest.mark.django_db
def test_the_demo_gets_a_safeguarding_review_in_progress_with_its_evidence_and_plans(
    settings: SettingsWrapper,
) -> None:
    settings.OPENMASH_DEMO = True
    with pytest.raises(CommandError, match="demo-users"):
        _run()  # no demo accounts yet
    ensure_demo_users()
    assert "Made the scrutiny review" in _run()
    made = _counts()
    assert "left as it is" in _run()
    assert _counts() == made

    review = Review.objects.order_by("pk").first()
    assert review is not None
    assert review.status in (Review.Status.GATHERING, Review.Status.REPORTING)
    assert all(getattr(review, name) not in ("", None) for name in SCOPE_FIELDS)
    members = [(m.name, m.is_chair, m.user.username if m.user else None) for m in review.members.all()]
    assert members[0] == ("Margaret Doyle", True, "cllr.demo")
    assert len(members) == 3
    assert review.officers.count() >= 1
    places = " ".join(m.place for m in review.meetings.filter(kind=Meeting.Kind.SITE_VISIT))
    assert review.meetings.count() >= 3
    assert "MASH" in places
    assert "Advice and Assessment" in places
    assert review.witnesses.count() >= 3
    assert all(w.summary for w in review.witnesses.all())
    kpis = review.evidence.get(kind=Evidence.Kind.KPI_SNAPSHOT)
    today = timezone.localdate()
    assert kpis.snapshot is not None
    assert kpis.snapshot.period_key == default_period(today).key
    assert kpis.snapshot.frozen_by.username == "analyst.demo"
    assert {"The MASH", "Child sexual exploitation", "The Advice and Assessment team"} <= {
        f.theme for f in review.findings.all()
    }
    recommendations = list(review.recommendations.all())
    assert 4 <= len(recommendations) <= 6
    accepted = [r for r in recommendations if r.response == Recommendation.Response.ACCEPTED]
    assert accepted
    assert any(r.response == Recommendation.Response.AWAITING for r in recommendations)
    for r in accepted:
        assert r.action is not None
        assert r.action.plan_id == review.action_plan_id
        assert r.action.updates.exists()
    assert review.update_reports.count() == 1

    own = Inspection.objects.get(la_code=settings.OPENMASH_LA_CODE)
    assert own.authority == "Demo borough"
    assert own.judgements.count() == 5
    assert own.areas_for_improvement.count() >= 3
    assert Inspection.objects.exclude(pk=own.pk).filter(framework="ilacs").count() >= 5
    from_inspection = ActionPlan.objects.get(kind=PlanKind.INSPECTION)
    assert from_inspection.inspection == own
    assert (
        from_inspection.actions.filter(area_for_improvement__isnull=False).count() == own.areas_for_improvement.count()
    )
    safeguarding = ActionPlan.objects.get(kind=PlanKind.SAFEGUARDING)
    actions = list(safeguarding.actions.all())
    assert any(a.overdue_on(today) for a in actions)
    assert all(a.owner and a.due_date for a in actions)
    assert {a.rag for a in actions} >= {"red", "amber", "green"}
    assert ProgressUpdate.objects.filter(action__plan=safeguarding).exclude(evidence="").exists()

    # The demo councillor opens their page to the review they chair and the frozen quarter's figures.
    page = councillor.page(User.objects.get(username="cllr.demo"))
    assert [(line.review, line.is_chair) for line in page.mine] == [(review, True)]
    assert page.headline.snapshot == kpis.snapshot


@pytest.mark.django_db
def test_nothing_is_made_once_a_review_exists(settings: SettingsWrapper) -> None:
    settings.OPENMASH_DEMO = True
    ensure_demo_users()
    analyst = User.objects.get(username="analyst.demo")
    Review.objects.create(topic="A review made by hand", created_by=analyst)
    assert "left as it is" in _run()
    assert not Inspection.objects.exists()
    assert not ActionPlan.objects.exists()


def test_the_command_needs_the_demo_switched_on(settings: SettingsWrapper) -> None:
    settings.OPENMASH_DEMO = False
    with pytest.raises(CommandError, match="OPENMASH_DEMO"):
        _run()
