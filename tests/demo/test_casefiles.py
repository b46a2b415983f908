"""The casework the demo's trays show: visits for every open plan with a few overdue, open assessments with an
analysis and the child seen and some waiting for authorisation, strategy discussions, enquiries and plans with
their detail, case notes for the open cases, team and service managers; and, once loaded, demo sign-ins with a
realistic caseload, something overdue and assessments to authorise."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import polars as pl
import pytest
from django.conf import settings
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from openmash.access import policy
from openmash.accounts.models import Agency, User
from openmash.casework.models import Assessment, CaseNote, CaseNoteType, Visit
from openmash.core.calendar import add_working_days, working_days_between
from openmash.demo.accounts import ensure_demo_users
from openmash.demo.casefiles import Casefiles
from openmash.demo.generator import Borough, Options, load_borough
from openmash.demo.load import staff_username
from openmash.demo.models import DemoDataset
from openmash.demo.simulate import as_of_moment
from openmash.journey.due import due_items, visit_due
from openmash.journey.trays.selectors import awaiting_authorisation, my_work
from openmash.protection.models import PlanEndReason, Section47Outcome
from openmash.workforce.models import Allocation, Service, StaffMember, Team

from .conftest import AS_OF


def _casefiles(b: Borough) -> Casefiles:
    assert b.casefiles is not None
    return b.casefiles


def _with_child(b: Borough, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.join(b.frames.referrals.select(referral_id="id", child_id="child_id"), on="referral_id", how="left")


def _births(b: Borough) -> pl.DataFrame:
    return b.people.children.select(
        child_id="id",
        born=pl.coalesce("date_of_birth", "expected_date_of_birth"),
        unborn=pl.col("date_of_birth").is_null(),
    )


def _age(day: str) -> pl.Expr:
    """Age in years on the day in the column `day`, from the `born` column."""
    return ((pl.col(day) - pl.col("born")).dt.total_days() / 365.25).alias("age")


PLANS = [
    ("plans", "cp_plan", "OPENMASH_CP_VISIT_WORKING_DAYS"),
    ("cin_plans", "cin_plan", "OPENMASH_CIN_VISIT_WORKING_DAYS"),
]


@pytest.mark.parametrize(("table", "purpose", "setting"), PLANS)
def test_every_open_plan_has_visits_at_its_frequency_and_a_few_are_overdue(
    borough: Borough, table: str, purpose: str, setting: str
) -> None:
    every = getattr(settings, setting)
    plans = _with_child(borough, getattr(borough.frames, table)).filter(pl.col("end_date").is_null())
    assert (plans["visit_every_working_days"] == every).all()
    visits = _casefiles(borough).visits
    own = visits.filter(pl.col("purpose") == purpose)
    # Every plan that has run for a few days has been visited; visits lie within the plan and the last six months.
    started = plans.filter(pl.col("start_date") <= AS_OF - dt.timedelta(days=4))
    assert started["referral_id"].is_in(own["referral_id"].implode()).all()
    spans = own.join(plans.select("referral_id", "start_date"), on="referral_id")
    assert spans.height == own.height  # only open plans are visited
    assert (spans["visit_date"] >= spans["start_date"]).all()
    assert (own["visit_date"] <= AS_OF).all()
    assert (own["visit_date"] >= AS_OF - dt.timedelta(days=190)).all()
    # Visits at which the child was seen follow each other within the plan's frequency.
    seen = own.filter(pl.col("seen")).sort("referral_id", "visit_date")
    pairs = seen.with_columns(before=pl.col("visit_date").shift(1).over("referral_id")).drop_nulls("before")
    gaps = [working_days_between(a, b) for a, b in pairs.select("before", "visit_date").iter_rows()]
    assert max(gaps) <= every
    assert min(gaps) >= every - every // 3
    # Overdue as the trays work it out: the last visit at which the child was seen, any purpose.
    last_seen = dict(visits.filter(pl.col("seen")).group_by("child_id").agg(pl.col("visit_date").max()).iter_rows())
    due = [
        visit_due(start, last_seen.get(child), every)
        for child, start in plans.select("child_id", "start_date").iter_rows()
    ]
    overdue = sum(d < AS_OF for d in due)
    assert 0.02 <= overdue / plans.height <= 0.08


def test_most_children_are_seen_and_older_children_often_alone(borough: Borough) -> None:
    visits = _casefiles(borough).visits.join(_births(borough), on="child_id").with_columns(_age("visit_date"))
    assert 0.85 <= visits["seen"].mean() < 1  # type: ignore[operator]
    assert not visits.filter(pl.col("seen_alone") & ~pl.col("seen")).height
    assert not visits.filter(pl.col("seen_alone") & (pl.col("age") < 4)).height  # babies and toddlers never alone
    assert not visits.filter(pl.col("seen") & (pl.col("visit_date") < pl.col("born"))).height  # nor before birth
    older = visits.filter(pl.col("seen") & (pl.col("age") >= 8))
    assert older["seen_alone"].mean() > 0.5  # type: ignore[operator]
    assert visits["notes"].str.len_chars().min() > 0  # type: ignore[operator]


def test_visits_are_made_by_the_worker_holding_the_child_that_day(borough: Borough) -> None:
    visits = _casefiles(borough).visits.with_row_index("row")
    assert visits["visited_by_id"].null_count() == 0
    assert (visits["visited_by_id"] == visits["recorded_by_staff"]).all()
    held = visits.join(
        borough.workforce.allocations.select("child_id", visited_by_id="worker_id", start="start_date", end="end_date"),
        on=["child_id", "visited_by_id"],
    ).filter(
        (pl.col("start") <= pl.col("visit_date")) & (pl.col("end").is_null() | (pl.col("end") >= pl.col("visit_date")))
    )
    assert held["row"].n_unique() == visits.height


@pytest.mark.parametrize("size", ["small", "borough"])
def test_open_assessments_have_an_analysis_the_child_seen_and_a_fifth_submitted(
    size: str, request: pytest.FixtureRequest
) -> None:
    b: Borough = request.getfixturevalue(size)
    open_ = (
        _with_child(b, b.frames.assessments)
        .filter(pl.col("authorised_date").is_null())
        .join(_births(b), on="child_id")
        .with_columns(_age("child_seen_date"))
    )
    assert (open_["analysis"] != "").mean() >= 0.9  # type: ignore[operator]
    assert not open_["analysis"].str.contains("{name}", literal=True).any()
    assert open_["child_seen"].mean() >= 0.8  # type: ignore[operator]
    seen = open_.filter(pl.col("child_seen"))
    assert (seen["child_seen_date"] >= seen["start_date"]).all()
    assert (seen["child_seen_date"] <= AS_OF).all()
    assert (
        open_.filter(~pl.col("child_seen"))["child_seen_date"].null_count()
        == open_.filter(~pl.col("child_seen")).height
    )
    assert not open_.filter(pl.col("seen_alone") & ((pl.col("age") < 5) | ~pl.col("child_seen"))).height
    assert not open_.filter(pl.col("child_seen") & pl.col("unborn")).height

    submitted = open_.filter(pl.col("submitted_at").is_not_null())
    if size == "borough":
        assert 0.15 <= submitted.height / open_.height <= 0.3
    # In every team holding open assessments, some are waiting for the manager.
    team_of = b.workforce.staff.select(worker_id="id", team="team_id")
    teams = open_.join(team_of, on="worker_id")
    assert set(teams["team"]) == set(submitted.join(team_of, on="worker_id")["team"])
    assert (submitted["submitted_by_staff"] == submitted["worker_id"]).all()
    assert (submitted["submitted_at"] < as_of_moment(AS_OF)).all()
    assert (submitted["submitted_at"].dt.date() >= submitted["child_seen_date"]).all()
    assert (submitted["outcome"] != "").all()
    assert (open_.filter(pl.col("submitted_at").is_null())["outcome"] == "").all()


def test_strategy_discussions_name_the_agencies_present(borough: Borough) -> None:
    sd = (
        _with_child(borough, borough.frames.strategy)
        .join(_births(borough), on="child_id")
        .with_columns(_age("discussion_date"))
    )
    present = [set(json.loads(text)) for text in sd["agencies_present"]]
    assert all({"csc", "police", "health"} <= agencies for agencies in present)
    assert set().union(*present) <= set(Agency.values)
    school_age = [("education" in agencies) for agencies, age in zip(present, sd["age"], strict=True) if age >= 5]
    assert sum(school_age) / len(school_age) > 0.7


def test_enquiries_have_their_conference_due_date_and_outcome(borough: Borough) -> None:
    s47 = _with_child(borough, borough.frames.s47).join(
        borough.frames.referrals.select(referral_id="id", closure="closure_date"), on="referral_id"
    )
    # Counted with the calendar one enquiry at a time, across Christmas, Easter and substitute bank holidays.
    for start, due in s47.select("start_date", "conference_due_from_start").iter_rows():
        assert due == add_working_days(start, 15)
    christmas = s47.filter((pl.col("start_date").dt.month() == 12) & (pl.col("start_date").dt.day() >= 15))
    assert christmas.height > 0
    held = s47.filter(pl.col("conference_date").is_not_null())
    assert (held["outcome"] == Section47Outcome.CONFERENCE.value).all()
    assert (held["outcome_date"] <= held["conference_date"]).all()
    not_needed = s47.filter(pl.col("conference_not_required"))
    assert set(not_needed["outcome"]) == {Section47Outcome.NOT_AT_RISK.value, Section47Outcome.NOT_SUBSTANTIATED.value}
    assert (not_needed["outcome_date"] <= not_needed["closure"].fill_null(AS_OF)).all()
    decided = s47.filter(pl.col("outcome") != "")
    assert decided["outcome_date"].null_count() == 0
    assert (decided["outcome_date"] >= decided["start_date"]).all()
    assert (decided["outcome_date"] <= AS_OF).all()
    waiting = s47.filter((pl.col("outcome") == "") & pl.col("outcome_date").is_null())
    assert waiting.height == s47.height - decided.height
    # Only enquiries still waiting, in their first fortnight, have no outcome yet.
    assert waiting.filter(pl.col("conference_date").is_not_null() | pl.col("conference_not_required")).height == 0


def test_plans_have_a_core_group_and_ended_plans_a_reason(borough: Borough) -> None:
    plans = _with_child(borough, borough.frames.plans).join(_births(borough), on="child_id")
    groups = [json.loads(text) for text in plans["core_group"]]
    assert all(groups)
    assert all(all(len(member.split(", ")) == 3 for member in group) for group in groups)  # name, role, agency
    open_ = plans.with_columns(group=pl.Series(groups)).filter(pl.col("end_date").is_null())
    assert all(any(m.endswith("Children's social care") for m in group) for group in open_["group"])
    assert (open_["end_reason"] == "").all()
    ended = plans.filter(pl.col("end_date").is_not_null())
    assert set(ended["end_reason"]) <= set(PlanEndReason.values) - {""}
    step_down = borough.frames.cin_plans.select("referral_id", end_date="start_date", step_down=pl.lit(True)).unique()
    ended = ended.join(step_down, on=["referral_id", "end_date"], how="left")
    assert ((ended["end_reason"] == PlanEndReason.NO_LONGER_AT_RISK.value) == ended["step_down"].fill_null(False)).all()
    adult = ended.filter(pl.col("end_reason") == PlanEndReason.ADULT.value)
    assert adult.height > 0
    assert (adult["end_date"] >= adult["born"].dt.offset_by("18y")).all()


def test_open_cases_have_recent_case_notes_by_their_workers(borough: Borough) -> None:
    notes = _casefiles(borough).case_notes
    open_episodes = borough.frames.referrals.filter(pl.col("closure_date").is_null() & ~pl.col("no_further_action"))
    assert open_episodes["id"].is_in(notes["referral_id"].implode()).all()
    assert (notes["occurred_on"] <= AS_OF).all()
    assert (notes["occurred_on"] >= AS_OF - dt.timedelta(days=92)).all()
    assert set(notes["note_type"]) == set(CaseNoteType.values)
    assert 0.01 <= notes["restricted"].mean() <= 0.08  # type: ignore[operator]
    assert not notes["body"].str.contains("{name}", literal=True).any()
    roles = borough.workforce.staff.select(author_staff="id", job_role="job_role")
    by_role = notes.join(roles, on="author_staff")
    assert by_role.height == notes.height
    managers = by_role.filter(pl.col("note_type").is_in([CaseNoteType.SUPERVISION, CaseNoteType.MANAGEMENT_OVERSIGHT]))
    assert (managers["job_role"] == StaffMember.JobRole.TEAM_MANAGER.value).all()
    # The others are the worker holding the child that day.
    workers = by_role.filter(pl.col("job_role") != StaffMember.JobRole.TEAM_MANAGER.value).with_row_index("row")
    held = workers.join(
        borough.workforce.allocations.select("child_id", author_staff="worker_id", start="start_date", end="end_date"),
        on=["child_id", "author_staff"],
    ).filter(
        (pl.col("start") <= pl.col("occurred_on"))
        & (pl.col("end").is_null() | (pl.col("end") >= pl.col("occurred_on")))
    )
    assert held["row"].n_unique() == workers.height
    assert workers.height > 0.8 * notes.height


def test_teams_and_services_are_managed_by_their_managers(small: Borough) -> None:
    staff = small.workforce.staff
    teams = small.workforce.teams.join(
        staff.select(manager_id="id", m_team="team_id", role="job_role"), on="manager_id"
    )
    assert teams.height == small.workforce.teams.height
    assert (teams["m_team"] == teams["id"]).all()
    assert (teams["role"] == StaffMember.JobRole.TEAM_MANAGER.value).all()
    services = small.workforce.services.join(
        staff.select(manager_id="id", m_team="team_id", role="job_role"), on="manager_id"
    ).join(small.workforce.teams.select(m_team="id", m_service="service_id"), on="m_team")
    assert services.height == small.workforce.services.height
    assert (services["m_service"] == services["id"]).all()
    assert (services["role"] == StaffMember.JobRole.SERVICE_MANAGER.value).all()


# --- loaded into the database ----------------------------------------------------------------------------


@pytest.fixture
def loaded(db: None, settings: SettingsWrapper) -> None:
    settings.OPENMASH_DEMO = True
    call_command(
        "generate", "--size", "small", "--seed", "1", "--as-of", AS_OF.isoformat(), "--no-progress", stdout=StringIO()
    )
    ensure_demo_users()


def test_the_casework_loads_with_the_managers_and_accounts_that_record_it(loaded: None, small: Borough) -> None:
    assert Visit.objects.count() == _casefiles(small).visits.height
    assert CaseNote.objects.count() == _casefiles(small).case_notes.height
    assert not Team.objects.filter(manager__isnull=True).exists()
    assert not Service.objects.filter(manager__isnull=True).exists()
    assert Assessment.objects.filter(authorised_date__isnull=True, submitted_at__isnull=False).exists()
    # Notes and submissions are by staff accounts that cannot sign in, or by the demo sign-ins standing for them.
    authors = User.objects.filter(pk__in=CaseNote.objects.values("author")).distinct()
    for user in authors:
        assert user.username.endswith(".generated") or user.username.endswith(".demo")
        assert user.is_active == user.username.endswith(".demo")
    sw = User.objects.get(username="sw.demo")
    assert CaseNote.objects.filter(author=sw).exists()  # the demo social worker took over the notes they wrote
    assert not CaseNote.objects.filter(author__username=staff_username(sw.staff.pk)).exists()
    # A restricted note is for its author and the managers; the others who see the child do not read it.
    mine = CaseNote.objects.filter(author=sw, restricted=True).first() or CaseNote.objects.filter(author=sw).first()
    assert mine is not None
    mine.restricted = True
    mine.save()
    scope = policy.case_notes_scope(sw, policy.basis_for(sw, mine.child))
    assert scope is not None
    assert CaseNote.objects.filter(scope, pk=mine.pk).exists()


def test_the_demo_social_worker_has_something_overdue(loaded: None) -> None:
    member = User.objects.get(username="sw.demo").staff
    held = list(Allocation.objects.filter(worker=member, end_date__isnull=True).values_list("child_id", flat=True))
    assert any(item.overdue(AS_OF) for item in due_items(held))


@pytest.mark.django_db
def test_the_borough_gives_the_demo_sign_ins_a_caseload_and_work_waiting(
    borough: Borough, borough_options: Options, settings: SettingsWrapper
) -> None:
    settings.OPENMASH_DEMO = True
    load_borough(borough, borough_options)
    DemoDataset.objects.create(size="borough", seed=1, as_of=AS_OF, summary={})
    sign_ins = {s.account.username: s for s in ensure_demo_users()}
    sw, tm = (User.objects.get(username=name) for name in ("sw.demo", "tm.demo"))
    # What their trays show: My work, and the team's assessments waiting for the manager.
    held = list(Allocation.objects.filter(worker=sw.staff, end_date__isnull=True).values_list("child_id", flat=True))
    assert 15 <= len(held) <= 25
    assert any(item.overdue(AS_OF) for item in due_items(held))
    assert my_work(user=sw).overdue >= 1  # and still on any later day
    assert "overdue" in sign_ins["sw.demo"].description
    team = tm.staff.team
    assert team == sw.staff.team
    waiting = awaiting_authorisation(tm, [team], AS_OF)[team.pk]
    assert len(waiting) >= 3
    assert all(policy.can_authorise(tm, row.child) for row in waiting)
    assert "waiting for authorisation" in sign_ins["tm.demo"].description
