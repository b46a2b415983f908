"""CIN census rules (docs: shared cin-census.md §4) and database constraints, checked over a generated
borough in memory. Each check returns the offending rows; an empty frame means the rule holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl

from openmash.core.calendar import add_working_days, is_working_day
from openmash.core.dates import add_months
from openmash.demo.generator import Borough
from openmash.demo.simulate import as_of_moment
from openmash.people.identifiers import valid_la_child_id, valid_nhs_number, valid_upn
from openmash.people.models import postcode_validator

Check = Callable[[Borough, dt.date], pl.DataFrame]


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


def episodes_do_not_overlap(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8815/8820: a child's next referral comes after the previous episode closed."""
    refs = b.frames.referrals.sort("child_id", "referral_date").with_columns(
        previous_closure=pl.col("closure_date").shift(1).over("child_id"),
        previous_referral=pl.col("id").shift(1).over("child_id"),
    )
    return refs.filter(
        pl.col("previous_referral").is_not_null()
        & (pl.col("previous_closure").is_null() | (pl.col("previous_closure") >= pl.col("referral_date")))
    )


def nothing_outside_the_episode(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """1103/2889/1104/1105/4015 and 8565/2990: activity on or after the referral date, on or before
    closure, and nothing after the as-of date."""
    d = _episode_dates(b)
    return d.filter(
        (pl.col("day") < pl.col("referral_date"))
        | (pl.col("closure_date").is_not_null() & (pl.col("day") > pl.col("closure_date")))
        | (pl.col("day") > as_of)
    )


def nfa_referrals_have_nothing(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8831/8832/4000: a referral with no further action has no assessment, S47, plan or strategy."""
    d = _episode_dates(b)
    bad = d.filter(pl.col("nfa"))
    needless = b.frames.referrals.filter(pl.col("no_further_action") & (pl.col("primary_need") != ""))
    return pl.concat([bad.select("referral_id"), needless.select(referral_id="id")])


def plans_start_at_a_conference(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """2885: a plan starts on the date of the initial conference of its enquiry, in the same episode."""
    joined = b.frames.plans.join(
        b.frames.s47.select(section47_id="id", s47_referral="referral_id", conference_date="conference_date"),
        on="section47_id",
        how="left",
    )
    return joined.filter(
        pl.col("conference_date").is_null()
        | (pl.col("conference_date") != pl.col("start_date"))
        | (pl.col("s47_referral") != pl.col("referral_id"))
    )


def conferences_on_working_days(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8875: never at a weekend (and, here, never on a bank holiday either)."""
    held = b.frames.s47.drop_nulls("conference_date")
    bad = [d for d in held["conference_date"].unique().to_list() if not is_working_day(d)]
    return held.filter(pl.col("conference_date").is_in(bad))


def dates_in_order(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8608, 8615, 8925/8840, 4011, 8841 and the target date of 15 working days."""
    f = b.frames
    a = (
        f.assessments.filter(pl.col("authorised_date") < pl.col("start_date"))
        .with_columns(r=pl.lit("assessment"))
        .select("r")
    )
    s = (
        f.s47.filter(
            (pl.col("conference_date") < pl.col("start_date"))
            | (pl.col("conference_date").is_not_null() & pl.col("conference_not_required"))
        )
        .with_columns(r=pl.lit("s47"))
        .select("r")
    )
    p = f.plans.filter(pl.col("end_date") <= pl.col("start_date")).with_columns(r=pl.lit("plan")).select("r")
    c = f.cin_plans.filter(pl.col("end_date") < pl.col("start_date")).with_columns(r=pl.lit("cin")).select("r")
    rv = (
        f.reviews.join(f.plans.select(plan_id="id", start="start_date", end="end_date"), on="plan_id")
        .filter((pl.col("review_date") <= pl.col("start")) | (pl.col("review_date") > pl.col("end")))
        .with_columns(r=pl.lit("review"))
        .select("r")
    )
    sd = (
        f.s47.join(
            f.strategy.select(strategy_discussion_id="id", sd_day="discussion_date"), on="strategy_discussion_id"
        )
        .filter(pl.col("start_date") < pl.col("sd_day"))
        .with_columns(r=pl.lit("s47 before its strategy discussion"))
        .select("r")
    )
    return pl.concat([a, s, p, c, rv, sd])


def one_open_at_a_time(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8896, 4004, 8935, 8839 and the database's unique constraints on open records."""
    f = b.frames
    out = [
        f.assessments.filter(pl.col("authorised_date").is_null())
        .group_by("referral_id")
        .len()
        .filter(pl.col("len") > 1),
        f.cin_plans.filter(pl.col("end_date").is_null()).group_by("referral_id").len().filter(pl.col("len") > 1),
        f.plans.filter(pl.col("end_date").is_null()).group_by("referral_id").len().filter(pl.col("len") > 1),
        f.s47.filter(pl.col("conference_date").is_null() & ~pl.col("conference_not_required"))
        .group_by("referral_id")
        .len()
        .filter(pl.col("len") > 1),
        b.workforce.allocations.filter(pl.col("end_date").is_null())
        .group_by("child_id")
        .len()
        .rename({"child_id": "referral_id"})
        .filter(pl.col("len") > 1),
    ]
    return pl.concat([o.select("referral_id") for o in out])


def cin_and_cp_plans_do_not_overlap(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """4001/4016/4017: a child in need plan never runs alongside a child protection plan."""
    far = dt.date(2100, 1, 1)
    cin = b.frames.cin_plans.select("referral_id", c_start="start_date", c_end=pl.col("end_date").fill_null(far))
    cp = b.frames.plans.select("referral_id", p_start="start_date", p_end=pl.col("end_date").fill_null(far))
    return cin.join(cp, on="referral_id").filter(
        (pl.col("c_start") < pl.col("p_end")) & (pl.col("p_start") < pl.col("c_end"))
    )


def closed_episodes_are_complete(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8867/8868 and 8805/8810: a closed episode has its assessments authorised and its enquiries
    resolved; a closure date has a reason and a reason a date."""
    f = b.frames
    closed = f.referrals.filter(pl.col("closure_date").is_not_null()).select(referral_id="id")
    open_assessment = f.assessments.filter(pl.col("authorised_date").is_null()).join(closed, on="referral_id")
    open_s47 = f.s47.filter(pl.col("conference_date").is_null() & ~pl.col("conference_not_required")).join(
        closed, on="referral_id"
    )
    reasons = f.referrals.filter(pl.col("closure_date").is_null() != (pl.col("closure_reason") == ""))
    after = f.referrals.filter(pl.col("closure_reason").is_in(["RC8", "RC9"])).join(
        f.assessments.select("referral_id").unique(), left_on="id", right_on="referral_id", how="anti"
    )
    return pl.concat(
        [
            open_assessment.select("referral_id"),
            open_s47.select("referral_id"),
            reasons.select(referral_id="id"),
            after.select(referral_id="id"),
        ]
    )


def previous_plans_are_true(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """NumberOfPreviousCPP is the count of the child's own earlier plans in the data."""
    plans = b.frames.plans.join(b.frames.referrals.select(referral_id="id", child_id="child_id"), on="referral_id")
    counted = plans.sort("child_id", "start_date").with_columns(
        earlier=pl.int_range(pl.len()).over("child_id").cast(pl.Int64)
    )
    return counted.filter(pl.col("earlier") != pl.col("number_of_previous_plans"))


def factors_are_valid(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8614/8897Q/8898/8869: factors only on authorised assessments, at least one, no duplicates,
    and 'no factors' (21) alone."""
    f = b.frames
    per = f.factors.group_by("assessment_id").agg(
        n=pl.len(), distinct=pl.col("code").n_unique(), has21=(pl.col("code") == "21").any()
    )
    bad = per.filter((pl.col("n") != pl.col("distinct")) | (pl.col("has21") & (pl.col("n") > 1)))
    authorised = f.assessments.filter(pl.col("authorised_date").is_not_null()).select(assessment_id="id")
    missing = authorised.join(per, on="assessment_id", how="anti")
    unauthorised = per.join(authorised, on="assessment_id", how="anti")
    return pl.concat([bad.select("assessment_id"), missing, unauthorised.select("assessment_id")])


def unborn_and_birth_rules(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8525Q/8750: exactly one of birth date and expected birth date, unborn children sex U;
    8606: no referral more than 40 weeks before the (expected) birth."""
    c = b.people.children
    both = c.filter(pl.col("date_of_birth").is_null() == pl.col("expected_date_of_birth").is_null())
    unborn_sex = c.filter(pl.col("expected_date_of_birth").is_not_null() & (pl.col("sex") != "U"))
    born_sex = c.filter(pl.col("date_of_birth").is_not_null() & (pl.col("sex") == "U"))
    early = (
        b.frames.referrals.join(
            c.select(child_id="id", born=pl.coalesce("date_of_birth", "expected_date_of_birth")), on="child_id"
        )
        .filter(pl.col("referral_date") < pl.col("born") - pl.duration(days=280))
        .select(id="child_id")
    )
    future = c.filter(pl.col("date_of_birth") > as_of)
    return pl.concat([both.select("id"), unborn_sex.select("id"), born_sex.select("id"), early, future.select("id")])


def identifiers_are_valid(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """1510-1580 and NHS modulus 11: LA child IDs, UPNs with check letters (or a reason), NHS numbers,
    postcodes; UPN and NHS number unique."""
    c = b.people.children
    rows = []
    for r in c.select("id", "la_child_id", "upn", "upn_unknown", "nhs_number", "postcode", "date_of_birth").iter_rows(
        named=True
    ):
        ok = valid_la_child_id(r["la_child_id"])
        ok &= (bool(r["upn"]) and valid_upn(r["upn"]) and not r["upn_unknown"]) or (
            not r["upn"] and bool(r["upn_unknown"])
        )
        if r["date_of_birth"] is not None:
            ok &= valid_nhs_number(r["nhs_number"]) and r["nhs_number"].startswith("999")
            age = (as_of - r["date_of_birth"]).days / 365.25
            ok &= not (age >= 6 and r["upn_unknown"] == "UN1")  # 8770Q: UN1 only under 6
        try:
            postcode_validator(r["postcode"])
        except Exception:
            ok = False
        if not ok:
            rows.append(r["id"])
    dup_upn = c.filter(pl.col("upn") != "").group_by("upn").len().filter(pl.col("len") > 1)
    dup_nhs = c.filter(pl.col("nhs_number") != "").group_by("nhs_number").len().filter(pl.col("len") > 1)
    adults = [v for v in b.people.adults["nhs_number"].to_list() if v and not valid_nhs_number(v)]
    return pl.DataFrame({"id": rows + [0] * (dup_upn.height + dup_nhs.height + len(adults))}, schema={"id": pl.Int64})


def disabilities_are_valid(b: Borough, as_of: dt.date) -> pl.DataFrame:
    """8540/8790/8794: born children have at least one code; NONE stands alone; no duplicates."""
    d = b.people.disabilities.group_by("child_id").agg(
        n=pl.len(), distinct=pl.col("code").n_unique(), none=(pl.col("code") == "NONE").any()
    )
    bad = d.filter((pl.col("n") != pl.col("distinct")) | (pl.col("none") & (pl.col("n") > 1)))
    born = b.people.children.filter(pl.col("date_of_birth").is_not_null()).select(child_id="id")
    missing = born.join(d, on="child_id", how="anti")
    return pl.concat([bad.select("child_id"), missing])


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
    """An allocation ends after it starts, lies within its worker's time in post, and is in the
    worker's team; workers hold cases only if they are case holders."""
    staff = b.workforce.staff.select(
        worker_id="id", s_team="team_id", s_start="start_date", s_end="end_date", holder="is_case_holder"
    )
    a = b.workforce.allocations.join(staff, on="worker_id", how="left")
    return a.filter(
        (pl.col("end_date") < pl.col("start_date"))
        | (pl.col("start_date") < pl.col("s_start"))
        | (pl.col("s_end").is_not_null() & (pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("s_end"))))
        | (pl.col("team_id") != pl.col("s_team"))
        | ~pl.col("holder")
    ).select("id")


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


CHECKS: list[Check] = [
    episodes_end_by_the_18th_birthday,
    upn_reasons_fit_the_child,
    reviews_in_timescale,
    episodes_do_not_overlap,
    nothing_outside_the_episode,
    nfa_referrals_have_nothing,
    plans_start_at_a_conference,
    conferences_on_working_days,
    dates_in_order,
    one_open_at_a_time,
    cin_and_cp_plans_do_not_overlap,
    closed_episodes_are_complete,
    previous_plans_are_true,
    factors_are_valid,
    unborn_and_birth_rules,
    identifiers_are_valid,
    disabilities_are_valid,
    contacts_are_consistent,
    allocations_are_consistent,
]
