"""Children in Need census validation rules, checked over a local authority's records.

The rules and their numbers are DfE's: the "Children in need census 2025 to 2026" business and technical
specification and its validation rules (the 2024-25 rules, which 2025-26 keeps unchanged). Rules whose
number ends in Q are queries (explain or fix); the rest are errors. Where a check here goes beyond DfE
(a review after its plan ended, an enquiry before its strategy discussion) its docstring says so.
docs/cin-census.md lists each rule with where it is enforced: by a service, by a database constraint,
or only here.

Every rule is a function of the records (one Polars frame per table, `Records`) and the census reference
date, returning the records that break it as a frame of `FAILURE_SCHEMA` (child, table, row id); an empty
frame means the rule holds. The same functions check the synthetic borough in the generator's tests and
are meant for the data-quality page and the census export. Services keep their own checks: the domain
layers below may not import this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields

import polars as pl

from openmash.core.codes import (
    AssessmentFactor,
    CategoryOfAbuse,
    Disability,
    Ethnicity,
    PrimaryNeed,
    ReasonForClosure,
    ReferralSource,
    Sex,
    UPNUnknown,
)
from openmash.core.dates import add_years
from openmash.people.identifiers import valid_la_child_id, valid_nhs_number, valid_upn

# The columns each table must have for the rules (more are allowed), named as the model fields with
# foreign keys as `<name>_id`.
COLUMNS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "children": {
        "id": pl.Int64,
        "la_child_id": pl.String,
        "upn": pl.String,
        "upn_unknown": pl.String,
        "nhs_number": pl.String,
        "date_of_birth": pl.Date,
        "expected_date_of_birth": pl.Date,
        "date_of_death": pl.Date,
        "sex": pl.String,
        "ethnicity": pl.String,
    },
    "disabilities": {"child_id": pl.Int64, "code": pl.String},
    "referrals": {
        "id": pl.Int64,
        "child_id": pl.Int64,
        "referral_date": pl.Date,
        "source": pl.String,
        "primary_need": pl.String,
        "no_further_action": pl.Boolean,
        "closure_date": pl.Date,
        "closure_reason": pl.String,
    },
    "assessments": {"id": pl.Int64, "referral_id": pl.Int64, "start_date": pl.Date, "authorised_date": pl.Date},
    "factors": {"assessment_id": pl.Int64, "code": pl.String},
    "cin_plans": {"id": pl.Int64, "referral_id": pl.Int64, "start_date": pl.Date, "end_date": pl.Date},
    "strategy": {"id": pl.Int64, "referral_id": pl.Int64, "discussion_date": pl.Date},
    "s47": {
        "id": pl.Int64,
        "referral_id": pl.Int64,
        "strategy_discussion_id": pl.Int64,
        "start_date": pl.Date,
        "conference_date": pl.Date,
        "conference_not_required": pl.Boolean,
    },
    "plans": {
        "id": pl.Int64,
        "referral_id": pl.Int64,
        "section47_id": pl.Int64,
        "start_date": pl.Date,
        "end_date": pl.Date,
        "initial_category": pl.String,
        "latest_category": pl.String,
        "number_of_previous_plans": pl.Int64,
    },
    "reviews": {"id": pl.Int64, "plan_id": pl.Int64, "review_date": pl.Date},
}

FAILURE_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {"child_id": pl.Int64, "table": pl.String, "id": pl.Int64}

# Days from a referral to the (expected) birth beyond which the referral is too early (rule 8606: 40 weeks).
PREGNANCY_DAYS = 280
# Education Act 1996 s.8: a child reaches compulsory school age on the first of these days (month, day)
# on or after their fifth birthday.
PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))


@dataclass(frozen=True)
class Records:
    """A local authority's records for the census, one frame per table (see COLUMNS)."""

    children: pl.DataFrame
    disabilities: pl.DataFrame
    referrals: pl.DataFrame
    assessments: pl.DataFrame
    factors: pl.DataFrame
    cin_plans: pl.DataFrame
    strategy: pl.DataFrame
    s47: pl.DataFrame
    plans: pl.DataFrame
    reviews: pl.DataFrame

    def __post_init__(self) -> None:
        for f in fields(self):
            frame: pl.DataFrame = getattr(self, f.name)
            missing = sorted(set(COLUMNS[f.name]) - set(frame.columns))
            if missing:
                raise ValueError(f"{f.name} lacks the columns {', '.join(missing)}")


Check = Callable[[Records, dt.date], pl.DataFrame]


@dataclass(frozen=True)
class Rule:
    """A check with the DfE rule numbers it implements and what it requires, in words."""

    codes: tuple[str, ...]
    requirement: str
    check: Check

    @property
    def name(self) -> str:
        return self.check.__name__


RULES: list[Rule] = []


def rule(*codes: str) -> Callable[[Check], Check]:
    """Register a check under its DfE rule numbers; the first line of its docstring says what it requires."""

    def register(check: Check) -> Check:
        requirement = (check.__doc__ or "").strip().splitlines()[0]
        RULES.append(Rule(codes=codes, requirement=requirement, check=check))
        return check

    return register


def check_all(records: Records, as_of: dt.date) -> dict[str, pl.DataFrame]:
    """Every rule's failures, by rule name (empty frames included)."""
    return {r.name: r.check(records, as_of) for r in RULES}


# Helpers ------------------------------------------------------------------------------------------------


def _failures(frame: pl.DataFrame, table: str, *, id_column: str = "id") -> pl.DataFrame:
    """Rows of `frame` (which has a child_id column) as failures of `table`, once each."""
    return frame.select(
        child_id=pl.col("child_id").cast(pl.Int64),
        table=pl.lit(table, dtype=pl.String),
        id=pl.col(id_column).cast(pl.Int64),
    ).unique(maintain_order=True)


def _concat(parts: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat([pl.DataFrame(schema=FAILURE_SCHEMA), *parts]).unique(maintain_order=True)


def _with_child(frame: pl.DataFrame, r: Records) -> pl.DataFrame:
    """Add the child of each row's referral."""
    return frame.join(r.referrals.select(referral_id="id", child_id="child_id"), on="referral_id", how="left")


def _not_in(column: str, codes: list[str]) -> pl.Expr:
    return ~pl.col(column).is_in(codes)


def _episode_activity(r: Records) -> pl.DataFrame:
    """Every dated activity with its table, row, episode and the episode's dates."""
    reviews = r.reviews.join(r.plans.select(plan_id="id", referral_id="referral_id"), on="plan_id", how="left")
    parts = [
        r.assessments.select("id", "referral_id", day="start_date", table=pl.lit("assessments")),
        r.assessments.select("id", "referral_id", day="authorised_date", table=pl.lit("assessments")),
        r.cin_plans.select("id", "referral_id", day="start_date", table=pl.lit("cin_plans")),
        r.cin_plans.select("id", "referral_id", day="end_date", table=pl.lit("cin_plans")),
        r.strategy.select("id", "referral_id", day="discussion_date", table=pl.lit("strategy")),
        r.s47.select("id", "referral_id", day="start_date", table=pl.lit("s47")),
        r.s47.select("id", "referral_id", day="conference_date", table=pl.lit("s47")),
        r.plans.select("id", "referral_id", day="start_date", table=pl.lit("plans")),
        r.plans.select("id", "referral_id", day="end_date", table=pl.lit("plans")),
        reviews.select("id", "referral_id", day="review_date", table=pl.lit("reviews")),
    ]
    return (
        pl.concat([p.cast({"id": pl.Int64, "referral_id": pl.Int64, "day": pl.Date}) for p in parts])
        .drop_nulls("day")
        .join(
            r.referrals.select(
                referral_id="id",
                child_id="child_id",
                referral_date="referral_date",
                closure_date="closure_date",
                nfa="no_further_action",
            ),
            on="referral_id",
            how="left",
        )
    )


def _activity_failures(activity: pl.DataFrame) -> pl.DataFrame:
    return _concat(
        [
            _failures(rows, table)
            for (table,), rows in activity.partition_by("table", as_dict=True, maintain_order=True).items()
        ]
    )


def school_age_from(born: dt.date) -> dt.date:
    """The day a child born on `born` reaches compulsory school age."""
    fifth = add_years(born, 5)
    return min(d for d in (dt.date(fifth.year, m, day) for m, day in PRESCRIBED_DAYS) if d >= fifth)


def _open_s47() -> pl.Expr:
    return pl.col("conference_date").is_null() & ~pl.col("conference_not_required")


# Rules --------------------------------------------------------------------------------------------------


@rule("8816", "8820")
def episodes_do_not_overlap(r: Records, as_of: dt.date) -> pl.DataFrame:
    """A child's episodes do not overlap: each referral is on or after the closure of the one before,
    and only the latest episode may be open (unless the open one needed no further action).
    One episode may close on the day the next is referred."""
    refs = r.referrals.sort("child_id", "referral_date", "id").with_columns(
        previous=pl.col("id").shift(1).over("child_id"),
        previous_closure=pl.col("closure_date").shift(1).over("child_id"),
        previous_nfa=pl.col("no_further_action").shift(1).over("child_id"),
    )
    bad = refs.filter(
        pl.col("previous").is_not_null()
        & (
            (pl.col("previous_closure").is_null() & ~pl.col("previous_nfa"))
            | (pl.col("previous_closure") > pl.col("referral_date"))
        )
    )
    return _failures(bad, "referrals")


@rule("1103", "2889", "1104", "1105", "4015", "8565")
def activity_within_its_episode(r: Records, as_of: dt.date) -> pl.DataFrame:
    """Assessments, plans, enquiries, conferences and reviews fall on or after the referral date and on
    or before the closure date. (DfE names the census items; strategy discussions and reviews are ours.)"""
    d = _episode_activity(r)
    return _activity_failures(
        d.filter(
            (pl.col("day") < pl.col("referral_date"))
            | (pl.col("closure_date").is_not_null() & (pl.col("day") > pl.col("closure_date")))
        )
    )


@rule("8520", "8600", "8620", "8696", "8715", "8720", "8930", "4010", "4013")
def nothing_after_the_reference_date(r: Records, as_of: dt.date) -> pl.DataFrame:
    """Nothing is dated after the reference date: births, referrals, closures and every activity."""
    late_children = r.children.filter(pl.col("date_of_birth") > as_of).with_columns(child_id="id")
    late_referrals = r.referrals.filter((pl.col("referral_date") > as_of) | (pl.col("closure_date") > as_of))
    return _concat(
        [
            _failures(late_children, "children"),
            _failures(late_referrals, "referrals"),
            _activity_failures(_episode_activity(r).filter(pl.col("day") > as_of)),
        ]
    )


@rule("8831", "8832", "4000")
def no_further_action_means_no_activity(r: Records, as_of: dt.date) -> pl.DataFrame:
    """A referral with no further action has no assessment, child in need plan, Section 47 enquiry,
    conference or child protection plan (nor, here, a strategy discussion)."""
    return _activity_failures(_episode_activity(r).filter(pl.col("nfa")))


@rule("2885")
def plans_start_at_a_conference(r: Records, as_of: dt.date) -> pl.DataFrame:
    """A child protection plan starts on the date of an initial conference in its episode; where the plan
    names its enquiry, that enquiry is in the same episode and its conference was that day."""
    conferences = r.s47.drop_nulls("conference_date").select(
        referral_id="referral_id", start_date="conference_date", held=pl.lit(True)
    )
    plans = r.plans.join(conferences.unique(), on=["referral_id", "start_date"], how="left").join(
        r.s47.select(section47_id="id", s47_referral="referral_id", own_conference="conference_date"),
        on="section47_id",
        how="left",
    )
    bad = plans.filter(
        pl.col("held").is_null()
        | (
            pl.col("section47_id").is_not_null()
            & (
                (pl.col("s47_referral") != pl.col("referral_id"))
                | pl.col("own_conference").is_null()
                | (pl.col("own_conference") != pl.col("start_date"))
            )
        )
    )
    return _failures(_with_child(bad, r), "plans")


@rule("8875")
def conferences_not_at_weekends(r: Records, as_of: dt.date) -> pl.DataFrame:
    """An initial child protection conference is never held on a Saturday or Sunday."""
    bad = r.s47.filter(pl.col("conference_date").dt.weekday() >= 6)
    return _failures(_with_child(bad, r), "s47")


@rule("8608", "8615", "8925", "8840", "4011", "8841")
def dates_in_order(r: Records, as_of: dt.date) -> pl.DataFrame:
    """Assessments are authorised on or after they start; conferences are on or after their enquiry
    starts; child protection plans end after the day they start, child in need plans on or after;
    reviews fall after their plan starts (and, ours, not after it ends). Also ours: an enquiry does not
    start before its strategy discussion, and has either a conference or "not required", not both."""
    assessments = r.assessments.filter(pl.col("authorised_date") < pl.col("start_date"))
    s47 = r.s47.join(
        r.strategy.select(strategy_discussion_id="id", discussed="discussion_date"),
        on="strategy_discussion_id",
        how="left",
    ).filter(
        (pl.col("conference_date") < pl.col("start_date"))
        | (pl.col("conference_date").is_not_null() & pl.col("conference_not_required"))
        | (pl.col("start_date") < pl.col("discussed"))
    )
    plans = r.plans.filter(pl.col("end_date") <= pl.col("start_date"))
    cin = r.cin_plans.filter(pl.col("end_date") < pl.col("start_date"))
    reviews = r.reviews.join(
        r.plans.select(plan_id="id", referral_id="referral_id", started="start_date", ended="end_date"),
        on="plan_id",
        how="left",
    ).filter((pl.col("review_date") <= pl.col("started")) | (pl.col("review_date") > pl.col("ended")))
    return _concat(
        [
            _failures(_with_child(assessments, r), "assessments"),
            _failures(_with_child(s47, r), "s47"),
            _failures(_with_child(plans, r), "plans"),
            _failures(_with_child(cin, r), "cin_plans"),
            _failures(_with_child(reviews, r), "reviews"),
        ]
    )


@rule("8896", "4004", "8935", "8839")
def one_open_at_a_time(r: Records, as_of: dt.date) -> pl.DataFrame:
    """An episode has at most one assessment not yet authorised, one child in need plan and one child
    protection plan not yet ended, and one Section 47 enquiry still waiting for its conference."""

    def extra(frame: pl.DataFrame, table: str) -> pl.DataFrame:
        # Every open row after the first in its episode.
        bad = frame.sort("referral_id", "id").filter(pl.int_range(pl.len()).over("referral_id") > 0)
        return _failures(_with_child(bad, r), table)

    return _concat(
        [
            extra(r.assessments.filter(pl.col("authorised_date").is_null()), "assessments"),
            extra(r.cin_plans.filter(pl.col("end_date").is_null()), "cin_plans"),
            extra(r.plans.filter(pl.col("end_date").is_null()), "plans"),
            extra(r.s47.filter(_open_s47()), "s47"),
        ]
    )


@rule("4001", "4016", "4017")
def cin_and_cp_plans_do_not_overlap(r: Records, as_of: dt.date) -> pl.DataFrame:
    """A child in need plan never runs alongside a child protection plan in the same episode; one may end
    on the day the other starts."""
    never = dt.date(9999, 12, 31)
    cin = r.cin_plans.select("referral_id", "id", c_start="start_date", c_end=pl.col("end_date").fill_null(never))
    cp = r.plans.select("referral_id", p_start="start_date", p_end=pl.col("end_date").fill_null(never))
    bad = cin.join(cp, on="referral_id").filter(
        (pl.col("c_start") < pl.col("p_end")) & (pl.col("p_start") < pl.col("c_end"))
    )
    return _failures(_with_child(bad, r), "cin_plans")


@rule("8805", "8810", "8867", "8868", "8825Q")
def closed_episodes_are_complete(r: Records, as_of: dt.date) -> pl.DataFrame:
    """A closure date has a reason and a reason a date; a closed episode has every assessment authorised
    and every enquiry resolved (conference held or not required); closing "after assessment" (RC8, RC9)
    needs an assessment."""
    closed = r.referrals.filter(pl.col("closure_date").is_not_null()).select(referral_id="id")
    open_assessments = r.assessments.filter(pl.col("authorised_date").is_null()).join(closed, on="referral_id")
    open_s47 = r.s47.filter(_open_s47()).join(closed, on="referral_id")
    unmatched = r.referrals.filter(pl.col("closure_date").is_null() != (pl.col("closure_reason") == ""))
    after_assessment = [ReasonForClosure.NFA_AFTER_ASSESSMENT, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT]
    unassessed = r.referrals.filter(pl.col("closure_reason").is_in(after_assessment)).join(
        r.assessments.select("referral_id").unique(), left_on="id", right_on="referral_id", how="anti"
    )
    return _concat(
        [
            _failures(_with_child(open_assessments, r), "assessments"),
            _failures(_with_child(open_s47, r), "s47"),
            _failures(unmatched, "referrals"),
            _failures(unassessed, "referrals"),
        ]
    )


@rule("8730")
def previous_plans_counted(r: Records, as_of: dt.date) -> pl.DataFrame:
    """Each child protection plan gives the number of the child's earlier plans, at least as many as the
    earlier plans in these records (more where the child had plans elsewhere)."""
    plans = _with_child(r.plans, r).sort("child_id", "start_date", "id")
    counted = plans.with_columns(earlier=pl.int_range(pl.len()).over("child_id").cast(pl.Int64))
    bad = counted.filter(
        pl.col("number_of_previous_plans").is_null() | (pl.col("number_of_previous_plans") < pl.col("earlier"))
    )
    return _failures(bad, "plans")


@rule("8614", "8897Q", "8898", "8869")
def factors_are_valid(r: Records, as_of: dt.date) -> pl.DataFrame:
    """Factors are recorded only on authorised assessments, and every authorised assessment has at
    least one; no factor twice; "21" (no factors identified) stands alone."""
    per = r.factors.group_by("assessment_id").agg(
        n=pl.len(),
        distinct=pl.col("code").n_unique(),
        no_factors=(pl.col("code") == AssessmentFactor.NO_FACTORS).any(),
    )
    assessments = r.assessments.select(assessment_id="id", referral_id="referral_id", authorised="authorised_date")
    joined = assessments.join(per, on="assessment_id", how="full", coalesce=True)
    bad = joined.filter(
        (pl.col("authorised").is_not_null() & pl.col("n").is_null())
        | (pl.col("authorised").is_null() & pl.col("n").is_not_null())
        | (pl.col("n") != pl.col("distinct"))
        | (pl.col("no_factors") & (pl.col("n") > 1))
    )
    return _failures(_with_child(bad, r), "assessments", id_column="assessment_id")


@rule("8525Q", "8535Q", "8750", "8606")
def births_are_consistent(r: Records, as_of: dt.date) -> pl.DataFrame:
    """A child has a date of birth or, unborn, an expected one, never both; an unborn child's sex is U;
    a death is not before the birth; no referral is more than 40 weeks before the (expected) birth."""
    c = r.children.with_columns(child_id="id")
    bad = c.filter(
        (pl.col("date_of_birth").is_null() == pl.col("expected_date_of_birth").is_null())
        | (pl.col("expected_date_of_birth").is_not_null() & (pl.col("sex") != Sex.UNKNOWN))
        | (pl.col("date_of_death") < pl.col("date_of_birth"))
    )
    early = r.referrals.join(
        c.select("child_id", born=pl.coalesce("date_of_birth", "expected_date_of_birth")), on="child_id", how="left"
    ).filter(pl.col("referral_date") < pl.col("born") - pl.duration(days=PREGNANCY_DAYS))
    return _concat([_failures(bad, "children"), _failures(early, "referrals")])


@rule("8500", "8510", "1570", "1580", "1510", "1520", "1530", "1540", "1550", "8770Q", "8772")
def identifiers_are_valid(r: Records, as_of: dt.date) -> pl.DataFrame:
    """LA child IDs are present, unique, at most 20 letters or digits; UPNs are well formed with their
    check letter and unique; a child has a UPN or the reason it is unknown, not both; "not of school
    age" (UN1) is not given for a child of school age, nor "no further action" (UN7) unless every episode
    needed none. NHS numbers, where given, pass the modulus 11 check (not a census item, but ours)."""
    c = r.children.with_columns(child_id="id")
    bad_ids: list[int] = []
    for row in c.select("id", "la_child_id", "upn", "upn_unknown", "nhs_number").iter_rows(named=True):
        upn, reason, nhs = row["upn"] or "", row["upn_unknown"] or "", row["nhs_number"] or ""
        ok = valid_la_child_id(row["la_child_id"] or "")
        ok &= (bool(upn) and valid_upn(upn) and not reason) or (not upn and bool(reason))
        ok &= not nhs or valid_nhs_number(nhs)
        if not ok:
            bad_ids.append(row["id"])
    malformed = c.filter(pl.col("id").is_in(bad_ids))
    duplicate_ids = c.filter(pl.col("la_child_id").is_duplicated())
    duplicate_upns = c.filter((pl.col("upn") != "") & pl.col("upn").is_duplicated())
    school_age = c.filter(
        (pl.col("upn_unknown") == UPNUnknown.UN1)
        & (pl.col("date_of_birth").map_elements(school_age_from, return_dtype=pl.Date) <= as_of)
    )
    followed_up = r.referrals.filter(~pl.col("no_further_action")).select("child_id").unique()
    un7 = c.filter(pl.col("upn_unknown") == UPNUnknown.UN7).join(followed_up, on="child_id", how="semi")
    return _concat([_failures(f, "children") for f in (malformed, duplicate_ids, duplicate_upns, school_age, un7)])


@rule("8540", "8790", "8794")
def disabilities_are_valid(r: Records, as_of: dt.date) -> pl.DataFrame:
    """A born child with an episode that needed further action has at least one disability code;
    "NONE" stands alone; no code twice."""
    per = r.disabilities.group_by("child_id").agg(
        n=pl.len(), distinct=pl.col("code").n_unique(), none=(pl.col("code") == Disability.NONE).any()
    )
    mixed = per.filter((pl.col("n") != pl.col("distinct")) | (pl.col("none") & (pl.col("n") > 1)))
    followed_up = r.referrals.filter(~pl.col("no_further_action")).select("child_id").unique()
    needing = (
        r.children.filter(pl.col("date_of_birth").is_not_null())
        .select(child_id="id")
        .join(followed_up, on="child_id", how="semi")
    )
    missing = needing.join(per, on="child_id", how="anti")
    return _concat(
        [
            _failures(mixed.with_columns(id="child_id"), "children"),
            _failures(missing.with_columns(id="child_id"), "children"),
        ]
    )


@rule("4180", "4220", "8610", "8640", "8650", "8866", "8905", "8910")
def codes_in_their_lists(r: Records, as_of: dt.date) -> pl.DataFrame:
    """Every coded item holds a code from its DfE list: sex, ethnicity, reason UPN unknown, disability,
    referral source, primary need (required unless no further action), reason for closure, categories
    of abuse and assessment factors."""
    children = r.children.with_columns(child_id="id").filter(
        _not_in("sex", Sex.values)
        | _not_in("ethnicity", Ethnicity.values)
        | _not_in("upn_unknown", ["", *UPNUnknown.values])
    )
    disabilities = r.disabilities.filter(_not_in("code", Disability.values)).with_columns(id="child_id")
    referrals = r.referrals.filter(
        _not_in("source", ReferralSource.values)
        | _not_in("primary_need", ["", *PrimaryNeed.values])
        | ((pl.col("primary_need") == "") & ~pl.col("no_further_action"))
        | _not_in("closure_reason", ["", *ReasonForClosure.values])
    )
    plans = r.plans.filter(
        _not_in("initial_category", CategoryOfAbuse.values) | _not_in("latest_category", CategoryOfAbuse.values)
    )
    factors = r.factors.filter(_not_in("code", AssessmentFactor.values)).join(
        r.assessments.select(assessment_id="id", referral_id="referral_id"), on="assessment_id", how="left"
    )
    return _concat(
        [
            _failures(children, "children"),
            _failures(disabilities, "children"),
            _failures(referrals, "referrals"),
            _failures(_with_child(plans, r), "plans"),
            _failures(_with_child(factors, r), "assessments", id_column="assessment_id"),
        ]
    )
