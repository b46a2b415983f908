"""The councillors' page: their reviews and the published ones, the last frozen quarter's headline figures with
small numbers hidden (for officers too), each action plan's progress, and the reports that went to committee."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.accounts.models import Agency, Role, User
from openmash.improvement import services as improvement
from openmash.improvement.models import PlanKind
from openmash.performance.models import Snapshot
from openmash.scrutiny import councillor as councillor_page
from openmash.scrutiny import services
from openmash.scrutiny.models import CommitteeReport, Review
from tests.accounts.helpers import sign_in_verified

from .conftest import make_user

URL = "/scrutiny/councillor/"


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _row(indicator_id: str, numerator: float, denominator: float, value: float) -> dict[str, object]:
    return {
        "id": indicator_id,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "available": True,
        "target": 10.0,
        "target_basis": "local",
        "target_note": "set by the authority",
        "rag": "red",
        "previous": value,
        "direction": "worsening",
        "trend": [],
        "comparators": [],
        "owner": "",
        "narrative": "",
        "narrative_by": "",
    }


@pytest.fixture
def frozen(officer: User) -> Snapshot:
    """A frozen quarter whose re-referrals are 3 of 40 (a small count) and whose long plans are 12 of 48."""
    return Snapshot.objects.create(
        period_key="2026-Q2",
        as_of=dt.date(2025, 10, 5),
        definitions_version="1",
        frozen_by=officer,
        rows=[
            _row("rereferral_rate", 3, 40, 7.5),
            _row("cpp_two_years_at_end", 12, 48, 25.0),
        ],
    )


def _review(officer: User, topic: str, status: str) -> Review:
    return services.review_create(values={"topic": topic, "status": status}, acting_user=officer)


def test_a_councillor_sees_their_reviews_with_the_chair_marked_and_the_published_ones(
    officer: User, councillor: User, other_councillor: User
) -> None:
    chaired = _review(officer, "The front door", Review.Status.GATHERING)
    sat_on = _review(officer, "Care leavers", Review.Status.REPORTING)
    published = _review(officer, "Child sexual exploitation", Review.Status.MONITORING)
    private = _review(officer, "Adoption", Review.Status.GATHERING)
    services.member_add(review=chaired, user=councillor, is_chair=True, acting_user=officer)
    services.member_add(review=sat_on, user=councillor, acting_user=officer)
    services.member_add(review=private, user=other_councillor, is_chair=True, acting_user=officer)

    data = councillor_page.page(councillor)
    assert [(line.review, line.is_chair) for line in data.mine] == [(sat_on, False), (chaired, True)]
    assert data.published == [published]

    page = _client(councillor).get(URL).content.decode()
    assert "Adoption" not in page
    mine = page.split("Reviews you sit on</h3>")[1].split("Other published reviews")[0]
    assert "The front door" in mine
    assert "Chair" in mine
    assert "Reporting" in mine
    assert "Child sexual exploitation" in page.split("Other published reviews")[1]


def test_the_headline_figures_hide_small_counts_for_councillors_and_officers_alike(
    officer: User, councillor: User, frozen: Snapshot
) -> None:
    for user in (councillor, officer):
        page = _client(user).get(URL).content.decode()
        figures = page.split("Performance: the headline figures")[1].split("Action plans")[0]
        rereferrals = figures.split("Re-referrals within 12 months")[1].split("</tr>")[0]
        assert ">c<" in rereferrals
        assert "7.5" not in rereferrals
        assert "25.0%" in figures
        assert "July to September 2025" in figures  # the reporting year 2026's second quarter
        assert f'href="{reverse("performance:scorecard")}?period=2026-Q2"' in page
        # Figures only: nothing leads to a child or to the children behind a figure.
        hrefs = re.findall(r'href="([^"]+)"', page)
        assert not [h for h in hrefs if "/children" in h or "/child/" in h or "/journey/" in h], hrefs


def test_with_no_quarter_frozen_the_page_says_so(councillor: User) -> None:
    page = _client(councillor).get(URL).content.decode()
    assert "No quarter has been frozen for committee yet" in page


def test_each_plan_shows_its_actions_by_status_overdue_red_and_progress_since_the_last_committee(
    officer: User, councillor: User
) -> None:
    today = timezone.localdate()
    plan = improvement.plan_create(title="Safeguarding action plan", kind=PlanKind.SAFEGUARDING, acting_user=officer)
    late = improvement.action_add(
        plan=plan,
        details=improvement.ActionDetails(title="Audit MASH decisions", due_date=today - dt.timedelta(days=10)),
        acting_user=officer,
    )
    red = improvement.action_add(
        plan=plan, details=improvement.ActionDetails(title="Recruit social workers", rag="red"), acting_user=officer
    )
    improvement.action_add(
        plan=plan, details=improvement.ActionDetails(title="Publish thresholds", status="complete"), acting_user=officer
    )
    review = _review(officer, "The front door", Review.Status.MONITORING)
    CommitteeReport.objects.create(
        review=review,
        kind=CommitteeReport.Kind.FINAL,
        format=CommitteeReport.Format.PDF,
        state=CommitteeReport.State.DONE,
        requested_by=officer,
        published_at=timezone.now() - dt.timedelta(days=20),
        published_by=officer,
    )
    improvement.progress_record(
        action=late,
        date=today - dt.timedelta(days=30),
        summary="Before the committee met",
        status="in_progress",
        rag="amber",
        acting_user=officer,
    )
    improvement.progress_record(
        action=red,
        date=today - dt.timedelta(days=5),
        summary="Two posts advertised",
        status="in_progress",
        rag="red",
        acting_user=officer,
    )

    data = councillor_page.page(councillor)
    assert data.since_committee
    assert data.since == today - dt.timedelta(days=20)
    (shown,) = data.plans
    assert (shown.total, shown.overdue, shown.red) == (3, 1, 1)
    assert dict(shown.by_status) == {"Not started": 0, "In progress": 2, "Complete": 1, "Closed": 0}
    assert [u.summary for u in shown.since] == ["Two posts advertised"]

    page = _client(councillor).get(URL).content.decode()
    plans = page.split('id="plans"')[1].split('id="reports"')[0]
    assert "3: 0 not started, 2 in progress, 1 complete, 0 closed" in plans
    assert "1 overdue" in plans
    assert "1 red" in plans
    assert "Two posts advertised" in plans
    assert "Before the committee met" not in plans


def test_only_published_reports_are_listed_newest_first(officer: User, councillor: User) -> None:
    review = _review(officer, "The front door", Review.Status.MONITORING)
    now = timezone.now()

    def report(kind: str, published: dt.datetime | None) -> CommitteeReport:
        return CommitteeReport.objects.create(
            review=review,
            kind=kind,
            format=CommitteeReport.Format.PDF,
            state=CommitteeReport.State.DONE,
            requested_by=officer,
            published_at=published,
            published_by=officer if published else None,
        )

    older = report(CommitteeReport.Kind.INTERIM, now - dt.timedelta(days=200))
    newer = report(CommitteeReport.Kind.FINAL, now - dt.timedelta(days=10))
    draft = report(CommitteeReport.Kind.UPDATE, None)
    assert councillor_page.published_reports(councillor) == [newer, older]
    page = _client(councillor).get(URL).content.decode()
    listed = page.split('id="reports"')[1]
    assert listed.index("Final report") < listed.index("Interim report")
    assert "Update report" not in listed
    # Each opens its report's page; a draft is not offered.
    assert f'href="{reverse("scrutiny:report", args=[newer.pk])}"' in listed
    assert f'href="{reverse("scrutiny:report", args=[older.pk])}"' in listed
    assert reverse("scrutiny:report", args=[draft.pk]) not in page


def test_people_with_no_reviews_to_read_find_nothing(social_worker: User) -> None:
    assert _client(social_worker).get(URL).status_code == 404
    partner = make_user("police", Agency.POLICE, Role.MASH_PRACTITIONER)
    assert _client(partner).get(URL).status_code == 404


def test_the_menu_offers_your_scrutiny_to_councillors(councillor: User, officer: User) -> None:
    assert f'href="{URL}"' in _client(councillor).get(reverse("scrutiny:reviews")).content.decode().split("<main")[0]
    assert "Your scrutiny" not in _client(officer).get(reverse("scrutiny:reviews")).content.decode().split("<main")[0]
