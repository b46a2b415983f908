"""What a generated borough must keep: the CIN census rules (openmash.returns.rules, the same functions the
data-quality page and the census export use) and the generator's own, stricter expectations below, which
real data need not meet (every contact decided, an NHS number for every born child, exact counts of
previous plans, reviews on time). Each check returns the offending rows; an empty frame means it holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl
from django.core.exceptions import ValidationError

from openmash.core.calendar import add_working_days, is_bank_holiday, is_working_day
from openmash.core.dates import add_months
from openmash.demo.generator import Borough
from openmash.demo.simulate import as_of_moment
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
    """Database checks on contacts (an outcome has a decision time, decided after received), nothing
    received or decided after the as-of moment, and every referral has its own decided contact from
    the same day."""
    c = b.frames.contacts
    moment = as_of_moment(as_of)
    bad = c.filter(
        (pl.col("decided_at") < pl.col("received_at"))
        | (pl.col("decided_at").is_null() != (pl.col("outcome") == ""))
        | (pl.col("received_at") >= moment)
        | (pl.col("decided_at") > moment)
        | (pl.col("is_referral") & (pl.col("outcome") == ""))
    )
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


def review_gaps(b: Borough) -> pl.DataFrame:
    """Each review with the date it was due (Working Together: the first within three months of the
    conference, each later one within six months of the one before)."""
    reviews = (
        b.frames.reviews.sort("plan_id", "review_date").group_by("plan_id", maintain_order=True).agg("review_date")
    )
    starts = dict(b.frames.plans.select("id", "start_date").iter_rows())
    rows = []
    for plan_id, days in reviews.iter_rows():
        previous, months = starts[plan_id], 3
        for day in days:
            rows.append((plan_id, previous, day, add_months(previous, months)))
            previous, months = day, 6
    return pl.DataFrame(rows, schema=["plan_id", "previous", "review_date", "due"], orient="row")


def reviews_in_timescale(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """Reviews are held on working days, at least six weeks after the one before and no more than
    seven weeks late (most are on time, see test_realism); each enquiry's conference target is 15
    working days after its strategy discussion."""
    gaps = review_gaps(b)
    bad_days = [d for d in gaps["review_date"].unique().to_list() if not is_working_day(d)]
    wrong = gaps.filter(
        (pl.col("review_date") > pl.col("due") + pl.duration(days=49))
        | (pl.col("review_date") < pl.col("previous") + pl.duration(days=42))
        | pl.col("review_date").is_in(bad_days)
    )
    rows = wrong["plan_id"].to_list()
    s47 = b.frames.s47.join(
        b.frames.strategy.select(strategy_discussion_id="id", sd="discussion_date"), on="strategy_discussion_id"
    )
    for pk, sd, target in s47.select("id", "sd", "conference_target_date").iter_rows():
        if add_working_days(sd, 15) != target:
            rows.append(pk)
    return pl.DataFrame({"id": rows}, schema={"id": pl.Int64})


def _episode_dates(b: Borough) -> pl.DataFrame:
    """Every dated activity with its episode, to compare against referral and closure dates."""
    f = b.frames
    parts = [
        f.assessments.select(referral_id="referral_id", day="start_date", what=pl.lit("assessment start")),
        f.assessments.select(referral_id="referral_id", day="authorised_date", what=pl.lit("assessment authorised")),
        f.cin_plans.select(referral_id="referral_id", day="start_date", what=pl.lit("CIN plan start")),
        f.cin_plans.select(referral_id="referral_id", day="end_date", what=pl.lit("CIN plan end")),
        f.strategy.select(referral_id="referral_id", day="discussion_date", what=pl.lit("strategy discussion")),
        f.s47.select(referral_id="referral_id", day="start_date", what=pl.lit("S47 start")),
        f.s47.select(referral_id="referral_id", day="conference_date", what=pl.lit("ICPC")),
        f.plans.select(referral_id="referral_id", day="start_date", what=pl.lit("CP plan start")),
        f.plans.select(referral_id="referral_id", day="end_date", what=pl.lit("CP plan end")),
        f.reviews.join(f.plans.select(plan_id="id", referral_id="referral_id"), on="plan_id").select(
            "referral_id", day="review_date", what=pl.lit("CP review")
        ),
    ]
    return (
        pl.concat(parts)
        .drop_nulls("day")
        .join(
            f.referrals.select(
                referral_id="id",
                child_id="child_id",
                referral_date="referral_date",
                closure_date="closure_date",
                nfa="no_further_action",
            ),
            on="referral_id",
        )
    )


def episodes_end_by_the_18th_birthday(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """No episode, plan or activity runs past the child's 18th birthday: an episode open then closes
    on it, with RC6 (adult social care), RC7 (services ceased) or RC8 (no further action after the
    assessment); no referral in the four weeks before it."""
    f = b.frames
    eighteen = b.people.children.select(
        child_id="id", e18=pl.coalesce("date_of_birth", "expected_date_of_birth").dt.offset_by("18y")
    )
    d = _episode_dates(b).join(eighteen, on="child_id")
    late = d.filter(pl.col("day") > pl.col("e18")).select("referral_id")
    refs = f.referrals.join(eighteen, on="child_id")
    open_after = refs.filter(
        (pl.col("closure_date").is_null() & (pl.col("e18") <= as_of)) | (pl.col("closure_date") > pl.col("e18"))
    )
    wrong_reason = refs.filter(
        (pl.col("closure_date") == pl.col("e18")) & ~pl.col("closure_reason").is_in(["RC6", "RC7", "RC8"])
    )
    too_close = refs.filter(pl.col("referral_date") > pl.col("e18") - pl.duration(days=28))
    return pl.concat([late, *(x.select(referral_id="id") for x in (open_after, wrong_reason, too_close))])


def upn_reasons_fit_the_child(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """A UPN only for children who have started school (the September after their 4th birthday), and a
    reason for the others that fits what is known of them: UN6 exactly for unborn children; UN1 only
    under 6; UN7 only where every referral ended in no further action (8772); UN4 only for children
    first known in the last three months; unaccompanied asylum-seeking children never UN1 or UN4."""
    c = b.people.children
    known = b.frames.contacts.group_by("child_id").agg(
        first=pl.col("received_at").min().dt.convert_time_zone("Europe/London").dt.date()
    )
    referrals = b.frames.referrals.group_by("child_id").agg(only_nfa=pl.col("no_further_action").all())
    uasc = (
        b.frames.factors.filter(pl.col("code") == "9A")
        .join(b.frames.assessments.select(assessment_id="id", referral_id="referral_id"), on="assessment_id")
        .join(b.frames.referrals.select(referral_id="id", child_id="child_id"), on="referral_id")
        .select(child_id="child_id", uasc=pl.lit(True))
        .unique()
    )
    born = pl.col("date_of_birth")
    fourth = born.dt.offset_by("4y")
    september = pl.date(fourth.dt.year(), 9, 1)
    entry = pl.when(fourth < september).then(september).otherwise(pl.date(fourth.dt.year() + 1, 9, 1))
    reason = pl.col("upn_unknown")
    x = (
        c.rename({"id": "child_id"})
        .join(known, on="child_id", how="left")
        .join(referrals, on="child_id", how="left")
        .join(uasc, on="child_id", how="left")
        .with_columns(uasc=pl.col("uasc").fill_null(False), at_school=born.is_not_null() & (entry <= as_of))
    )
    return x.filter(
        ((pl.col("upn") != "") & ~pl.col("at_school"))
        | ((reason == "UN6") != born.is_null())
        | ((reason == "UN1") & (born.dt.offset_by("6y") <= as_of))
        | (born.is_not_null() & ~pl.col("at_school") & (reason != "UN1"))
        | ((reason == "UN7") & ~pl.col("only_nfa").fill_null(False))
        | ((reason == "UN4") & ~(pl.col("first") >= as_of - dt.timedelta(days=91)).fill_null(False))
        | (pl.col("uasc") & reason.is_in(["UN1", "UN4"]))
    ).select(id="child_id")


CENSUS_CHECKS: list[Check] = [_census(r.check) for r in RULES]
GENERATOR_CHECKS: list[Check] = [
    episodes_end_by_the_18th_birthday,
    upn_reasons_fit_the_child,
    conferences_on_working_days,
    previous_plans_are_exact,
    children_are_complete,
    contacts_are_consistent,
    allocations_are_consistent,
    reviews_in_timescale,
]
CHECKS: list[Check] = CENSUS_CHECKS + GENERATOR_CHECKS
