"""The front door of the generated borough (in memory): how contacts came in and whom they describe, how the MASH
rated, checked and decided them, what the decisions led to, and the live queue at the as-of moment."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import numpy as np
import polars as pl
import pytest

from openmash.core.dates import add_months
from openmash.demo.contributions import check_hours
from openmash.demo.decisions import DOMESTIC_ABUSE_SUMMARIES, ledger_since
from openmash.demo.generator import Borough, Options, build_borough
from openmash.demo.names import NICKNAMES
from openmash.demo.simulate import as_of_moment
from openmash.front_door.cse import tool
from openmash.front_door.models import FrontDoorSettings
from openmash.front_door.services import CHECKING_AGENCIES, PUBLIC_SOURCES
from openmash.front_door.timescales import decision_due

from .conftest import AS_OF

REFERENCE = re.compile(r"MC-[ABCDEFGHJKMNPQRSTVWXYZ2-9]{4}-[ABCDEFGHJKMNPQRSTVWXYZ2-9]{4}")
CHECKING = {a.value for a in CHECKING_AGENCIES}


def _queue(b: Borough) -> pl.DataFrame:
    return b.frames.contacts.filter(pl.col("outcome") == "")


@pytest.mark.parametrize(
    ("size", "as_of"),
    [("borough", AS_OF), ("small", AS_OF), ("small", dt.date(2026, 11, 28)), ("small", dt.date(2025, 12, 26))],
    ids=["borough", "small", "small-saturday", "small-boxing-day"],
)
def test_the_queue_is_live_at_the_as_of_moment(size: str, as_of: dt.date, borough: Borough, small: Borough) -> None:
    if as_of == AS_OF:
        b = borough if size == "borough" else small
    else:
        b = build_borough(Options(size=size, seed=2, as_of=as_of))
    moment = as_of_moment(as_of)
    queue = _queue(b)
    assert (queue["received_at"] < moment).all()
    # Just arrived through a form or the API and not yet matched to a child (nor rated, so not yet due).
    unmatched = queue.filter(pl.col("child_id").is_null())
    assert unmatched.height >= 5
    assert set(unmatched["channel"].to_list()) <= {"public", "professional", "api"}
    assert len(set(unmatched["channel"].to_list())) >= 2
    assert (unmatched["rag"] == "").all()
    assert unmatched["decision_due_at"].is_null().all()
    assert (unmatched["match_decision"] == "").all()
    assert (unmatched["subject_last_name"] != "").all()
    # Recorded against a known child, not yet rated.
    unrated = queue.filter(pl.col("child_id").is_not_null() & (pl.col("rag") == ""))
    assert unrated.height >= 3
    assert unrated["rated_at"].is_null().all()
    rated = queue.filter(pl.col("rag") != "")
    assert set(rated["rag"].to_list()) == {"red", "amber", "green"}
    assert set(rated.filter(pl.col("decision_due_at") < moment)["rag"].to_list()) == {"red", "amber", "green"}
    # In enquiry: open requests to every checking agency, some overdue and some not yet due.
    assert b.contributions is not None
    requests = b.contributions.requests.join(rated.select(contact_id="id"), on="contact_id")
    waiting_for = requests.filter(pl.col("status") == "open")
    for agency in CHECKING:
        mine = waiting_for.filter(pl.col("agency") == agency)
        assert (mine["due_at"] < moment).any(), agency
        assert (mine["due_at"] >= moment).any(), agency
    assert (requests["status"] == "answered").any()
    assert not (requests["status"] == "withdrawn").any()  # withdrawn only when a contact is decided


def test_contacts_not_yet_matched_describe_register_children_with_slips_and_new_children(borough: Borough) -> None:
    register = borough.people.children.select(
        "id", "first_name", "last_name", "date_of_birth", "nhs_number", "postcode"
    )
    unmatched = _queue(borough).filter(pl.col("child_id").is_null())
    exact = unmatched.join(
        register,
        left_on=["subject_first_name", "subject_last_name"],
        right_on=["first_name", "last_name"],
    ).filter(pl.col("subject_date_of_birth").is_null() | (pl.col("subject_date_of_birth") == pl.col("date_of_birth")))
    by_birth_and_postcode = unmatched.join(
        register, left_on=["subject_date_of_birth", "subject_postcode"], right_on=["date_of_birth", "postcode"]
    ).filter(
        (pl.col("subject_first_name") != pl.col("first_name")) | (pl.col("subject_last_name") != pl.col("last_name"))
    )
    unknown = unmatched.join(register, left_on="subject_last_name", right_on="last_name", how="anti").join(
        register, left_on="subject_date_of_birth", right_on="date_of_birth", how="anti"
    )
    assert exact.height >= 1  # found at once
    assert by_birth_and_postcode.height >= 1  # the same child under a nickname or a misspelt name
    assert unknown.height + unmatched.filter(pl.col("subject_date_of_birth").is_null()).height >= 2


def test_contacts_carry_how_they_came_in_and_the_child_as_reported(borough: Borough) -> None:
    c = borough.frames.contacts
    assert c["reference"].n_unique() == c.height
    assert c["reference"].str.contains(REFERENCE.pattern).all()
    public = c.filter(pl.col("source").is_in([s.value for s in PUBLIC_SOURCES]))
    assert set(public["channel"].unique().to_list()) == {"public", "recorded"}
    police = c.filter(pl.col("source") == "6")
    assert (police["channel"] == "api").mean() > 0.5  # type: ignore[operator]
    assert (c["channel"] == "professional").mean() > 0.3  # type: ignore[operator]
    linked = c.filter(pl.col("child_id").is_not_null()).join(
        borough.people.children.select(child_id="id", first="first_name", last="last_name", birth="date_of_birth"),
        on="child_id",
    )
    # Recorded by the MASH against the child: the register's details, exactly.
    recorded = linked.filter(pl.col("channel") == "recorded")
    assert (recorded["subject_first_name"] == recorded["first"]).all()
    assert (recorded["subject_last_name"] == recorded["last"]).all()
    assert set(recorded["match_decision"].unique().to_list()) == {"linked"}
    # Through a form or the API: now and then a slip, a nickname among them.
    others = linked.filter(pl.col("channel") != "recorded")
    slipped = others.filter(
        (pl.col("subject_first_name") != pl.col("first")) | (pl.col("subject_last_name") != pl.col("last"))
    )
    assert 0.02 < slipped.height / others.height < 0.15
    nicknames = {n for names in NICKNAMES.values() for n in names}
    assert slipped["subject_first_name"].is_in(list(nicknames)).any()
    assert others["subject_date_of_birth"].is_null().sum() > others.height * 0.05
    assert set(others["match_decision"].unique().to_list()) == {"linked", "created", "merged"}
    # Professionals say who they are and how to reach them; anonymous callers do not.
    professional = c.filter(pl.col("referrer_agency") != "")
    assert (professional["referrer_name"] != "").all()
    assert (professional["referrer_role"] != "").all()
    assert professional["referrer_email"].str.ends_with(".example").all()
    anonymous = c.filter(pl.col("source") == "9")
    assert (anonymous["referrer_name"] == "").all()
    assert (anonymous["referrer_email"] == "").all()
    # Health knows the NHS number more often than anyone; schools the UPN.
    health = others.filter(pl.col("source").str.starts_with("3"))
    assert (health["subject_nhs_number"] != "").mean() > 0.5  # type: ignore[operator]
    assert (others.filter(pl.col("source") == "6")["subject_nhs_number"] != "").sum() == 0


def test_re_referrals_are_contacts_after_a_referral_in_the_12_months_before(borough: Borough) -> None:
    c = borough.frames.contacts.filter(pl.col("child_id").is_not_null())
    referrals: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for child, day, contact in borough.frames.referrals.select("child_id", "referral_date", "contact_id").iter_rows():
        referrals[child].append((day, contact))
    sample = c.sample(3000, seed=1).with_columns(
        day=pl.col("received_at").dt.convert_time_zone("Europe/London").dt.date()
    )
    for pk, child, day, flag in sample.select("id", "child_id", "day", "re_referral").iter_rows():
        expected = any(
            add_months(day, -12) <= r_day <= day and r_contact != pk for r_day, r_contact in referrals[child]
        )
        assert flag == expected, pk
    assert 0.05 < c["re_referral"].mean() < 0.3  # type: ignore[operator]


def test_ratings_follow_the_front_door_timescales(borough: Borough) -> None:
    assert borough.mash is not None
    c = borough.frames.contacts
    rated = c.filter(pl.col("rag") != "")
    settings = FrontDoorSettings()
    # Including contacts received at weekends and on bank holidays.
    local = rated["received_at"].dt.convert_time_zone("Europe/London")
    sample = pl.concat([rated.sample(500, seed=2), rated.filter(local.dt.weekday() >= 6).head(200)])
    for received, rag, due in sample.select("received_at", "rag", "decision_due_at").iter_rows():
        assert due == decision_due(received, rag, settings)
    assert (rated["rated_at"] >= rated["received_at"]).all()
    decided = rated.filter(pl.col("decided_at").is_not_null())
    assert (decided["rated_at"] <= decided["decided_at"]).all()
    assert rated["owner_staff"].is_not_null().all()
    ratings = borough.mash.ratings
    counts = ratings.group_by("contact_id").agg(n=pl.len(), rags=pl.col("rag").n_unique())
    assert counts.height == rated.height
    again = counts.filter(pl.col("n") > 1)
    assert 0.04 < again.height / counts.height < 0.12
    assert (again["rags"] == 2).all()
    latest = ratings.sort("rated_at", "id").group_by("contact_id").last()
    check = latest.join(
        rated.select(contact_id="id", c_rag="rag", c_rated="rated_at", c_due="decision_due_at"), on="contact_id"
    )
    assert (check["rag"] == check["c_rag"]).all()
    assert (check["rated_at"] == check["c_rated"]).all()
    assert (check["decision_due_at"] == check["c_due"]).all()
    assert (ratings["reason"] != "").all()
    # Decided contacts say why; waiting ones not yet.
    assert (c.filter(pl.col("outcome") != "")["decision_rationale"] != "").all()
    assert (c.filter(pl.col("outcome") == "")["decision_rationale"] == "").all()


def test_agency_checks_are_asked_after_rating_and_answered_mostly_in_time(borough: Borough) -> None:
    assert borough.contributions is not None
    hours = check_hours()
    r = borough.contributions.requests.join(
        borough.frames.contacts.select(contact_id="id", rag="rag", rated="rated_at", decided="decided_at"),
        on="contact_id",
    )
    assert set(r["agency"].unique().to_list()) == CHECKING
    assert (r["requested_at"] >= r["rated"]).all()
    given = pl.duration(hours=pl.col("rag").replace_strict(hours, return_dtype=pl.Int64))
    assert r.select((pl.col("due_at") == pl.col("requested_at") + given).all()).item()
    answered = r.filter(pl.col("status") == "answered")
    assert (answered["answered_at"] > answered["requested_at"]).all()
    on_time = (answered["answered_at"] <= answered["due_at"]).mean()
    assert 0.7 < on_time < 0.97  # type: ignore[operator]
    assert (r.filter(pl.col("status") == "withdrawn")["decided"].is_not_null()).all()
    # A year of checks for partner timeliness, each answer an agency contribution at its own time.
    assert (answered["requested_at"].max() - answered["requested_at"].min()) > dt.timedelta(days=365)  # type: ignore[operator]
    answers = answered.join(
        borough.contributions.contributions.select(
            response_id="id", c_agency="agency", c_contact="contact_id", c_at="created_at"
        ),
        on="response_id",
    )
    assert answers.height == answered.height
    assert (answers["c_agency"] == answers["agency"]).all()
    assert (answers["c_contact"] == answers["contact_id"]).all()
    assert (answers["c_at"] == answers["answered_at"]).all()


def test_decisions_lead_to_early_help_the_ledger_and_the_survey(borough: Borough, borough_options: Options) -> None:
    assert borough.decisions is not None
    d = borough.decisions
    c = borough.frames.contacts
    early = c.filter(pl.col("outcome") == "early_help")
    eh = d.early_help
    assert eh.height == early.height
    assert eh["contact_id"].n_unique() == eh.height
    assert eh["closed_on"].is_null().sum() > 0
    assert eh["closed_on"].is_not_null().mean() > 0.8
    assert (eh.filter(pl.col("closed_on").is_null())["started_on"] > AS_OF - dt.timedelta(days=730)).all()
    assert set(eh["outcome"].unique().to_list()) == {"", "needs_met", "stepped_up", "declined", "moved", "other"}
    stepped = (
        eh.filter(pl.col("outcome") == "stepped_up")
        .join(
            c.filter(pl.col("outcome").is_in(["referral", "strategy"])).select("child_id", later="decided_at"),
            on="child_id",
        )
        .filter(
            (pl.col("later").dt.date() >= pl.col("started_on"))
            & (pl.col("later").dt.date() <= pl.col("closed_on") + dt.timedelta(days=1))
        )
    )
    assert stepped["contact_id"].n_unique() == (eh["outcome"] == "stepped_up").sum()
    # The referrer told the outcome, on the ledger, since the ledger started.
    since = dt.datetime.combine(ledger_since(borough_options.horizon), dt.time(), tzinfo=dt.UTC)
    fb, ledger = d.feedback, d.disclosures
    assert (fb["notified_at"] >= since).all()
    assert (ledger["shared_at"] >= since).all()
    told = ledger.filter(pl.col("purpose").str.starts_with("Telling the referrer"))
    assert told.height == fb.height
    assert set(told["contact_id"].to_list()) == set(fb["contact_id"].to_list())
    strategy = c.filter((pl.col("outcome") == "strategy") & (pl.col("decided_at") >= since))
    to_police = ledger.filter((pl.col("recipient_agency") == "police") & (pl.col("lawful_basis") == "s47"))
    assert set(strategy["id"].to_list()) == set(to_police["contact_id"].to_list())
    assert fb["token_hash"].str.contains(r"^[0-9a-f]{64}$").all()
    assert fb["token_hash"].n_unique() == fb.height
    answered = fb.join(c.select(contact_id="id", agency="referrer_agency"), on="contact_id").with_columns(
        responded=pl.col("responded_at").is_not_null()
    )
    professional = answered.filter(pl.col("agency") != "")
    assert 0.2 < professional["responded"].mean() < 0.35  # type: ignore[operator]
    responses = answered.filter(pl.col("responded"))
    assert responses["overall"].is_between(1, 5).all()
    assert (responses["responded_at"] > responses["notified_at"]).all()
    assert answered.filter(~pl.col("responded"))["overall"].is_null().all()


def test_cse_screenings_and_cases(borough: Borough) -> None:
    assert borough.cse is not None
    s = borough.cse.screenings.join(
        borough.people.children.select(child_id="id", birth="date_of_birth", sex="sex"), on="child_id"
    ).with_columns(age=(pl.col("screened_at").dt.date() - pl.col("birth")).dt.total_days() / 365.25)
    assert (s["age"] >= 10).all()
    rows = s.select(
        "ratings",
        "vulnerabilities",
        "birth",
        pl.col("screened_at").dt.convert_time_zone("Europe/London").dt.date(),
        "risk_level",
        "score",
    )
    for ratings, vulnerabilities, birth, day, level, score in rows.iter_rows():
        parsed = json.loads(ratings)
        assert set(parsed) == set(tool.INDICATOR_CODES)
        assert set(json.loads(vulnerabilities)) <= set(tool.VULNERABILITIES)
        disabled = tool.LEARNING_DISABILITY in json.loads(vulnerabilities)
        assert tool.assess(parsed, age=tool.age_on(birth, day), learning_disability=disabled).level == level
        assert sum(parsed.values()) == score
    assert set(s["risk_level"].unique().to_list()) == {"none", "low", "medium", "high"}
    for sex in ("F", "M"):
        assert s.filter((pl.col("sex") == sex) & (pl.col("risk_level") == "high")).height > 0
    # Every episode whose assessment found CSE was screened at the contact behind it.
    cse_found = (
        borough.frames.factors.filter(pl.col("code") == "11A")
        .join(borough.frames.assessments.select(assessment_id="id", referral_id="referral_id"), on="assessment_id")
        .join(borough.frames.referrals.select(referral_id="id", contact_id="contact_id"), on="referral_id")
    )
    screened = set(s["contact_id"].to_list())
    share = np.mean([cid in screened for cid in cse_found["contact_id"].to_list()])
    assert share > 0.9
    cases = borough.cse.cases.join(borough.workforce.staff.select(worker_id="id", team="team_id"), on="worker_id")
    assert (cases["team"] == 7).all()
    assert (cases["team_id"] == 7).all()
    open_cases = cases.filter(pl.col("closed_on").is_null())
    assert open_cases.height >= 10
    assert open_cases["child_id"].n_unique() == open_cases.height
    assert set(cases.filter(pl.col("closed_on").is_not_null())["closure_reason"].unique().to_list()) == {
        "reduced",
        "transferred",
        "eighteen",
    }
    case_screening = cases.join(
        borough.cse.screenings.select(screening_id="id", s_child="child_id", s_level="risk_level"), on="screening_id"
    )
    assert (case_screening["s_child"] == case_screening["child_id"]).all()
    assert case_screening["s_level"].is_in(["medium", "high"]).all()


def test_cumulative_concern_alerts_meet_the_threshold(borough: Borough) -> None:
    assert borough.decisions is not None
    settings = FrontDoorSettings()
    alerts = borough.decisions.alerts
    assert alerts.height >= 10
    contacts = borough.frames.contacts.select(
        "id", "child_id", "received_at", "decided_at", "outcome", "referrer_agency", "source"
    )
    siblings = borough.people.relationships.filter(pl.col("relationship_type").is_in(["sibling", "half_sibling"]))
    links = borough.decisions.alert_contacts.join(
        alerts.select(cumulativeconcernalert_id="id", alert_child="child_id", raised="raised_at"),
        on="cumulativeconcernalert_id",
    ).join(contacts, left_on="contact_id", right_on="id")
    assert (links["outcome"] == "nfa").all()
    assert (links["decided_at"] <= links["raised"]).all()
    assert (links["received_at"] >= links["raised"] - dt.timedelta(days=round(settings.concern_months * 30.44))).all()
    family = links.join(siblings.select(alert_child="child_id", sibling="other_child_id"), on="alert_child", how="left")
    in_household = family.filter(
        (pl.col("child_id") == pl.col("alert_child")) | (pl.col("child_id") == pl.col("sibling"))
    )
    assert in_household["contact_id"].n_unique() == links["contact_id"].n_unique()
    per_alert = (
        links.with_columns(
            key=pl.when(pl.col("referrer_agency") != "")
            .then("referrer_agency")
            .otherwise(pl.lit("source:") + pl.col("source"))
        )
        .group_by("cumulativeconcernalert_id")
        .agg(n=pl.len(), agencies=pl.col("key").n_unique())
    )
    assert (per_alert["n"] >= settings.concern_contacts).all()
    assert (per_alert["agencies"] >= settings.concern_agencies).all()


def test_domestic_abuse_notifications_name_the_alleged_perpetrator(borough: Borough) -> None:
    assert borough.decisions is not None
    c = borough.frames.contacts
    named = borough.decisions.contact_adults.join(
        c.select(contact_id="id", child_id="child_id", received="received_at", summary="summary"), on="contact_id"
    )
    assert named["summary"].is_in(list(DOMESTIC_ABUSE_SUMMARIES)).all()
    accused = named.filter(pl.col("role") == "alleged_perpetrator")
    adults = borough.people.adults.select(adult_id="id", sex="sex")
    assert (accused.join(adults, on="adult_id")["sex"] == "M").all()
    # The same man named again by the police within a year: the re-offending measure has something to count.
    again = accused.join(accused.select("adult_id", later="received"), on="adult_id").filter(
        (pl.col("later") > pl.col("received")) & (pl.col("later") <= pl.col("received") + dt.timedelta(days=365))
    )
    assert 0.05 < again["contact_id"].n_unique() / accused.height < 0.8
