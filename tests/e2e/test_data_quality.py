"""The census data-quality page in a real browser: a performance analyst finds a record failing a DfE rule,
follows it to the record's census dates, corrects the date, and the failure has gone once the child is
checked again (with DfE's validator). Every page is checked with axe, and at 320 pixels for sideways
scrolling."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openmash.casework import services as casework
from openmash.casework.children import child_create
from openmash.casework.models import CINPlan
from openmash.core.codes import AssessmentFactor, PrimaryNeed, ReferralSource
from openmash.returns.models import Finding, FindingCount
from openmash.returns.quality import collection_year, refresh_all
from openmash.workforce.models import Allocation

from ..access.world import World
from .conftest import Ui
from .test_oversight import no_sideways_scroll_at_320, sign_in_as, world  # noqa: F401 - the fixture
from .test_protection import fill_date

pytestmark = pytest.mark.e2e


def _plan_ended_the_day_it_started(world: World) -> CINPlan:  # noqa: F811
    """A child of team A referred in the current census year, with an authorised assessment and a child in need
    plan recorded as ending the day it started (DfE query 4012Q)."""
    worker, manager = world.users["sw"], world.users["tm"]
    start = dt.date(collection_year() - 1, 4, 1)
    child = child_create(
        la_child_id="Q0001",
        first_name="Quinn",
        last_name="Census",
        date_of_birth=dt.date(2016, 5, 4),
        sex="F",
        ethnicity="WBRI",
        postcode="ZZ1 1ZZ",
        acting_user=worker,
    )
    world.children["census"] = child
    staff = worker.staff  # type: ignore[attr-defined]
    # Allocated with the ORM, as tests/conftest.py's child is.
    Allocation.objects.create(child=child, worker=staff, team=staff.team, start_date=start)
    referral = casework.referral_create(
        child=child,
        referral_date=start,
        source=ReferralSource.SCHOOLS,
        primary_need=PrimaryNeed.ABUSE_NEGLECT,
        team=staff.team,
        acting_user=worker,
    )
    assessment = casework.assessment_start(referral=referral, start_date=start, acting_user=worker)
    casework.assessment_update(
        assessment=assessment,
        analysis="Mother is the subject of domestic abuse.",
        factors=[AssessmentFactor.DOMESTIC_ABUSE_PARENT],
        child_seen=True,
        child_seen_date=start,
        seen_alone=True,
        expected_version=None,
        acting_user=worker,
    )
    casework.assessment_submit(assessment=assessment, expected_version=None, acting_user=worker)
    casework.assessment_authorise(
        assessment=assessment, authorised_date=start + dt.timedelta(days=10), child_in_need=True, acting_user=manager
    )
    plan = casework.cin_plan_start(referral=referral, start_date=start + dt.timedelta(days=14), acting_user=worker)
    return casework.cin_plan_end(plan=plan, end_date=plan.start_date, acting_user=worker)


def test_an_analyst_corrects_a_failing_record_and_the_failure_goes(ui: Ui, world: World) -> None:  # noqa: F811
    plan = _plan_ended_the_day_it_started(world)
    # An earlier full check, so the trend has a line to draw (and axe checks the chart).
    FindingCount.objects.create(
        date=timezone.localdate() - dt.timedelta(days=7),
        rule="4012Q",
        kind="query",
        count=3,
        recorded_at=timezone.now(),
    )
    refresh_all()
    child = world.children["census"]
    assert Finding.objects.filter(child=child, rule="4012Q").exists()

    sign_in_as(ui, world.users["analyst"])
    ui.navigate_by(ui.page.get_by_role("link", name="Census data quality").click)
    expect(ui.page.get_by_role("heading", name="Census data quality", level=1)).to_be_visible()
    expect(ui.page.get_by_role("img", name=re.compile("^Census failures at each full check"))).to_be_visible()
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name="4012Q", exact=True).click)
    findings = ui.page.get_by_role("table", name=re.compile("^Records to correct"))
    expect(findings).to_contain_text("CIN Plan shown as starting and ending on the same day")
    # An analyst sees the LA child ID, never the child's name.
    expect(findings).to_contain_text(child.la_child_id)
    expect(ui.page.get_by_text(child.first_name)).to_have_count(0)
    no_sideways_scroll_at_320(ui)

    ui.navigate_by(ui.page.get_by_role("link", name=f"Correct the dates of {child.la_child_id}, rule 4012Q").click)
    expect(ui.page.get_by_role("heading", name="Correct the census dates of the child in need plan")).to_be_visible()
    no_sideways_scroll_at_320(ui)
    # Before it started: refused with the reason, nothing changed.
    fill_date(ui, "Plan end date", plan.start_date - dt.timedelta(days=1))
    ui.navigate_by(ui.page.get_by_role("button", name="Save the dates").click)
    expect(ui.page.get_by_role("alert")).to_contain_text("The plan cannot end before it started")
    fill_date(ui, "Plan end date", plan.start_date + dt.timedelta(days=60))
    ui.navigate_by(ui.page.get_by_role("button", name="Save the dates").click)

    expect(ui.page.get_by_text("The census dates are saved")).to_be_visible()
    ui.goto("/returns/data-quality/?rule=4012Q")
    expect(ui.page.get_by_role("table", name=re.compile("^Records to correct"))).to_contain_text(
        "No failures you may see"
    )
    plan.refresh_from_db()
    assert plan.end_date == plan.start_date + dt.timedelta(days=60)
    assert not Finding.objects.filter(child=child, rule="4012Q").exists()
