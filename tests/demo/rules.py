"""What a generated borough must keep: the CIN census rules (openmash.returns.rules, the same functions the
data-quality page and the census export use) and the generator's own, stricter expectations below, which
real data need not meet (every contact decided, an NHS number for every born child, exact counts of
previous plans, reviews on time). Each check returns the offending rows; an empty frame means it holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl
from django.core.exceptions import ValidationError

from openmash.core.calendar import add_working_days, is_bank_holiday
from openmash.core.dates import add_months
from openmash.demo.generator import Borough
from openmash.people.identifiers import valid_nhs_number
from openmash.people.models import postcode_validator
from openmash.returns.rules import RULES, Records

Check = Callable[[Borough, dt.date], pl.DataFrame]


def census_records(b: Borough) -> Records:
    f, p = b.frames, b.people
    return Records(
        children=p.children,
        disabilities=p.disabilities,
        referrals=f.referrals,
        assessments=f.assessments,
        factors=f.factors,
        cin_plans=f.cin_plans,
        strategy=f.strategy,
        s47=f.s47,
        plans=f.plans,
        reviews=f.reviews,
    )


def _census(rule: Callable[[Records, dt.date], pl.DataFrame]) -> Check:
    def check(b: Borough, as_of: dt.date) -> pl.DataFrame:
        return rule(census_records(b), as_of)

    check.__name__ = rule.__name__
    return check


def conferences_on_working_days(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """Never on a bank holiday either (rule 8875 forbids only weekends)."""
    held = b.frames.s47.drop_nulls("conference_date")
    holidays = [d for d in held["conference_date"].unique().to_list() if is_bank_holiday(d)]
    return held.filter(pl.col("conference_date").is_in(holidays))


def previous_plans_are_exact(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """NumberOfPreviousCPP is exactly the child's earlier plans: the borough has no children from elsewhere."""
    plans = b.frames.plans.join(b.frames.referrals.select(referral_id="id", child_id="child_id"), on="referral_id")
    counted = plans.sort("child_id", "start_date").with_columns(
        earlier=pl.int_range(pl.len()).over("child_id").cast(pl.Int64)
    )
    return counted.filter(pl.col("earlier") != pl.col("number_of_previous_plans"))


def children_are_complete(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """Born children have a known sex, an NHS number in the synthetic range (999), a valid postcode and
    at least one disability code; NFA referrals carry no primary need; NHS numbers are unique and every
    adult's is valid."""
    c = b.people.children
    rows = []
    for r in c.select("id", "nhs_number", "postcode", "date_of_birth", "sex").iter_rows(named=True):
        ok = True
        if r["date_of_birth"] is not None:
            ok &= r["sex"] != "U" and valid_nhs_number(r["nhs_number"]) and r["nhs_number"].startswith("999")
        try:
            postcode_validator(r["postcode"])
        except ValidationError:
            ok = False
        if not ok:
            rows.append(r["id"])
    born = c.filter(pl.col("date_of_birth").is_not_null()).select(child_id="id")
    no_disability = born.join(b.people.disabilities, on="child_id", how="anti").get_column("child_id").to_list()
    duplicate_nhs = c.filter((pl.col("nhs_number") != "") & pl.col("nhs_number").is_duplicated())["id"].to_list()
    nfa_with_need = b.frames.referrals.filter(pl.col("no_further_action") & (pl.col("primary_need") != ""))
    adults = b.people.adults.filter(
        (pl.col("nhs_number") != "") & ~pl.col("nhs_number").map_elements(valid_nhs_number, return_dtype=pl.Boolean)
    )
    ids = rows + no_disability + duplicate_nhs + nfa_with_need["child_id"].to_list() + adults["id"].to_list()
    return pl.DataFrame({"id": ids}, schema={"id": pl.Int64})


def contacts_are_consistent(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """Every contact is decided, not before it was received; every referral has its own contact from the
    same day."""
    c = b.frames.contacts
    bad = c.filter((pl.col("decided_at") < pl.col("received_at")) | pl.col("decided_at").is_null())
    refs = b.frames.referrals.join(
        c.select(contact_id="id", day=pl.col("received_at").dt.date(), contact_child="child_id"),
        on="contact_id",
        how="left",
    ).filter((pl.col("day") != pl.col("referral_date")) | (pl.col("contact_child") != pl.col("child_id")))
    return pl.concat([bad.select("id"), refs.select("id")])


def allocations_are_consistent(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """One open allocation per child; an allocation ends after it starts, lies within its worker's time
    in post, and is in the worker's team; workers hold cases only if they are case holders."""
    staff = b.workforce.staff.select(
        worker_id="id", s_team="team_id", s_start="start_date", s_end="end_date", holder="is_case_holder"
    )
    a = b.workforce.allocations.join(staff, on="worker_id", how="left")
    bad = a.filter(
        (pl.col("end_date") < pl.col("start_date"))
        | (pl.col("start_date") < pl.col("s_start"))
        | (pl.col("s_end").is_not_null() & (pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("s_end"))))
        | (pl.col("team_id") != pl.col("s_team"))
        | ~pl.col("holder")
    ).select("id")
    two_open = (
        b.workforce.allocations.filter(pl.col("end_date").is_null())
        .filter(pl.col("child_id").is_duplicated())
        .select("id")
    )
    return pl.concat([bad, two_open])


def reviews_in_timescale(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """Working Together: the first review within three months of the conference, then at most six
    months apart; and each enquiry's conference target is 15 working days after its strategy discussion."""
    rows = []
    reviews = (
        b.frames.reviews.sort("plan_id", "review_date").group_by("plan_id", maintain_order=True).agg("review_date")
    )
    starts = dict(b.frames.plans.select("id", "start_date").iter_rows())
    for plan_id, days in reviews.iter_rows():
        previous, limit = starts[plan_id], 3
        for day in days:
            if day > add_months(previous, limit):
                rows.append(plan_id)
            previous, limit = day, 6
    s47 = b.frames.s47.join(
        b.frames.strategy.select(strategy_discussion_id="id", sd="discussion_date"), on="strategy_discussion_id"
    )
    for pk, sd, target in s47.select("id", "sd", "conference_target_date").iter_rows():
        if add_working_days(sd, 15) != target:
            rows.append(pk)
    return pl.DataFrame({"id": rows}, schema={"id": pl.Int64})


CENSUS_CHECKS: list[Check] = [_census(r.check) for r in RULES]
GENERATOR_CHECKS: list[Check] = [
    conferences_on_working_days,
    previous_plans_are_exact,
    children_are_complete,
    contacts_are_consistent,
    allocations_are_consistent,
    reviews_in_timescale,
]
CHECKS: list[Check] = CENSUS_CHECKS + GENERATOR_CHECKS
