"""The casework a social worker's tray shows for the open cases: visits, case notes, what the open
assessments say, and the detail of strategy discussions, enquiries and plans.

- Visits: every open child protection plan has a history of visits about every
  `settings.OPENMASH_CP_VISIT_WORKING_DAYS` working days, every open child in need plan about every
  `settings.OPENMASH_CIN_VISIT_WORKING_DAYS`, going back about six months before the as-of date; most
  children are seen and older children often seen alone, some visits find nobody in, and a few percent
  of plans are overdue at the as-of date (the last visit at which the child was seen is older than the
  plan's frequency). Open assessments and enquiries have the visit at which the child was seen. Each
  visit is made by the worker holding the child that day.
- Open assessments: a short analysis, whether and when the child was seen (alone, for older children);
  about a fifth are submitted and wait for a manager's authorisation, spread over the teams holding them.
- Strategy discussions name the agencies present; enquiries have their outcome once decided and the
  conference date due from their start; plans have their visiting frequency, a core group and, once
  ended, why they ended.
- A few case notes a month for every open case, by the worker holding the child (supervision and
  management oversight by the team manager); a small share restricted.

Everything here is invented text and dates; nothing comes from real records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from django.conf import settings

from openmash.accounts.models import Agency
from openmash.casework.models import AssessmentOutcome, CaseNoteType, VisitPurpose
from openmash.core import workdays as wd
from openmash.protection.models import PlanEndReason, Section47Outcome
from openmash.workforce.models import StaffMember

from . import names
from .people import People
from .sampling import categorical, pick_texts, stream
from .simulate import DAY_US, MINUTE_US, Horizon, ShardFrames, local_to_utc, utc_series
from .workforce import Workforce

VISIT_HISTORY_DAYS = 183  # visits are generated for about six months before the as-of date
NOTE_HISTORY_DAYS = 91  # case notes for the last three months
OVERDUE_VISIT_SHARE = 0.04  # open plans whose visit is overdue at the as-of date
NO_ACCESS_SHARE = 0.07  # visits preceded by an attempt at which the child was not seen
SUBMITTED_SHARE = 0.2  # open assessments submitted and waiting for authorisation
RESTRICTED_NOTE_SHARE = 0.04
ICPC_WORKING_DAYS = 15

_FIRST = wd.day_number(wd.FIRST)
_ROLE_TEXT = {
    StaffMember.JobRole.SOCIAL_WORKER.value: "social worker",
    StaffMember.JobRole.SENIOR_SOCIAL_WORKER.value: "senior social worker",
    StaffMember.JobRole.ASYE.value: "social worker",
}


@dataclass
class Casefiles:
    visits: pl.DataFrame
    case_notes: pl.DataFrame
    # The staff who recorded something here (id, first_name, last_name, job_role, team_kind): they get
    # accounts that cannot sign in, as the front door's staff do.
    staff: pl.DataFrame


def _ordinal(days: np.ndarray) -> np.ndarray:
    """Working days counted from the start of the working-day table: the last working day on or before."""
    days = np.asarray(days, dtype=np.int64)
    return wd.working_days_between(np.full(days.shape, _FIRST), days)


def _from_ordinal(k: np.ndarray) -> np.ndarray:
    k = np.asarray(k, dtype=np.int64)
    return wd.add_working_days(np.full(k.shape, _FIRST), k)


def _days(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Int32).to_numpy().astype(np.int64)


def _dates(values: np.ndarray) -> pl.Series:
    return pl.Series(np.asarray(values, dtype=np.int64), dtype=pl.Int32).cast(pl.Date)


def _json_list(items: list[pl.Expr]) -> pl.Expr:
    """A JSON list of strings (as text) from expressions that are null where an item is left out. The
    items are codes and invented names, which need no escaping."""
    return pl.format('["{}"]', pl.concat_list(items).list.drop_nulls().list.join('", "')).str.replace(r'^\[""\]$', "[]")


def build_casefiles(
    seed: int, frames: ShardFrames, people: People, workforce: Workforce, horizon: Horizon
) -> tuple[ShardFrames, Workforce, Casefiles]:
    """The frames and workforce with the detail added, and the visits, notes and acting staff."""
    rng = stream(seed, 907)
    as_of = wd.day_number(horizon.as_of)
    children = people.children.select(
        child_id=pl.col("id"),
        name=pl.when(pl.col("date_of_birth").is_null()).then(pl.lit("the baby")).otherwise(pl.col("first_name")),
        born=pl.coalesce("date_of_birth", "expected_date_of_birth"),
    )
    referrals = frames.referrals.select(
        referral_id=pl.col("id"), child_id="child_id", need="primary_need", closure="closure_date", ref_team="team_id"
    )
    managers = _managers(workforce)
    assessments = _assessments(rng, frames, referrals, children, workforce, as_of)
    cin_open, cp_open = _open_plans(frames, referrals)
    busy = pl.concat(
        [
            assessments.filter(pl.col("authorised_date").is_null()).select(referral_id="referral_id"),
            frames.s47.filter(pl.col("conference_date").is_null() & ~pl.col("conference_not_required")).select(
                "referral_id"
            ),
        ]
    ).join(referrals, on="referral_id")["child_id"]
    visits = _visits(rng, frames, assessments, cin_open, cp_open, referrals, children, busy, workforce, as_of)
    notes = _case_notes(rng, frames, referrals, children, visits, workforce, managers, as_of)
    frames = ShardFrames(
        children=frames.children,
        contacts=frames.contacts,
        referrals=frames.referrals,
        assessments=assessments.drop("seen_by_visit"),
        factors=frames.factors,
        cin_plans=frames.cin_plans.with_columns(
            visit_every_working_days=pl.lit(settings.OPENMASH_CIN_VISIT_WORKING_DAYS, dtype=pl.Int64)
        ),
        strategy=_strategy(rng, frames, referrals, children),
        s47=_section47(rng, frames, referrals, as_of),
        plans=_plans(rng, frames, referrals, children, workforce, as_of),
        reviews=frames.reviews,
    )
    workforce = Workforce(
        services=workforce.services.join(managers.services, on="id", how="left", maintain_order="left"),
        teams=workforce.teams.join(managers.teams, on="id", how="left", maintain_order="left"),
        staff=workforce.staff,
        allocations=workforce.allocations,
    )
    acting = pl.concat(
        [
            frames.assessments.select(id=pl.col("submitted_by_staff")),
            visits.select(id=pl.col("recorded_by_staff")),
            notes.select(id=pl.col("author_staff")),
        ]
    ).drop_nulls()["id"]
    staff = (
        workforce.staff.filter(pl.col("id").is_in(acting.unique().implode()))
        .join(workforce.teams.select(team_id="id", team_kind="kind"), on="team_id", how="left")
        .select("id", "first_name", "last_name", "job_role", "team_kind")
        .sort("id")
    )
    return frames, workforce, Casefiles(visits=visits, case_notes=notes, staff=staff)


# --- who held the child, and the managers ------------------------------------------------------------


def holders(workforce: Workforce, frame: pl.DataFrame, date_col: str) -> pl.DataFrame:
    """`frame` (with `child_id` and a date column) with `holder` (the worker allocated that day) and
    `holder_team`, in the frame's order; null where nobody held the child."""
    alloc = workforce.allocations.select(
        "child_id", holder="worker_id", holder_team="team_id", h_start="start_date", h_end="end_date"
    ).sort("h_start")
    joined = (
        frame.with_row_index("_row")
        .sort(date_col)
        .join_asof(
            alloc, left_on=date_col, right_on="h_start", by="child_id", strategy="backward", check_sortedness=False
        )
    )
    valid = pl.col("h_end").is_null() | (pl.col("h_end") >= pl.col(date_col))
    return (
        joined.with_columns(
            holder=pl.when(valid).then(pl.col("holder")), holder_team=pl.when(valid).then(pl.col("holder_team"))
        )
        .sort("_row")
        .drop("_row", "h_start", "h_end")
    )


@dataclass
class _Managers:
    teams: pl.DataFrame  # id, manager_id
    services: pl.DataFrame  # id, manager_id
    of_team: dict[int, int]


def _managers(workforce: Workforce) -> _Managers:
    """Each team's manager and each service's manager: the staff in post in those roles."""
    current = workforce.staff.filter(pl.col("end_date").is_null())
    teams = (
        current.filter(pl.col("job_role") == StaffMember.JobRole.TEAM_MANAGER.value)
        .sort("id")
        .group_by("team_id", maintain_order=True)
        .first()
        .select(id="team_id", manager_id="id")
    )
    services = (
        current.filter(pl.col("job_role") == StaffMember.JobRole.SERVICE_MANAGER.value)
        .join(workforce.teams.select(team_id="id", service_id="service_id"), on="team_id")
        .sort("id")
        .group_by("service_id", maintain_order=True)
        .first()
        .select(id="service_id", manager_id="id")
    )
    return _Managers(teams=teams, services=services, of_team=dict(teams.iter_rows()))


# --- open assessments ----------------------------------------------------------------------------------

NEED_TEXT = {
    "N1": [
        "Concerns were raised about the care {name} receives at home, including missed health appointments "
        "and poor home conditions.",
        "The referral raised worries about bruising seen at school; the explanation given has been consistent "
        "and is being checked with health.",
        "Neighbours and school reported that {name} is often left without supervision in the evenings.",
    ],
    "N2": [
        "{name} has complex needs arising from a disability and the family need support to meet them.",
        "The carers are managing {name}'s care with little respite and are finding it harder to cope.",
    ],
    "N3": [
        "A parent's mental health has deteriorated and this is affecting the routines {name} relies on.",
        "A parent is receiving treatment and the family have limited support around them.",
    ],
    "N4": [
        "The family are under acute stress following a change in housing and income.",
        "Recent bereavement and debt have left the household struggling to meet {name}'s needs.",
    ],
    "N5": [
        "There is conflict between the adults in the household, and {name} has witnessed arguments.",
        "Police have attended the home after reports of domestic abuse; the adults give differing accounts.",
    ],
    "N6": [
        "{name} has been missing from home on several occasions and is spending time with older peers.",
        "School report a decline in attendance and behaviour, and concerns about who {name} spends time with.",
    ],
    "N7": ["The household is on a low income and has had periods without enough food or heating."],
    "N8": ["{name} is being cared for by extended family after the parents became unable to care."],
    "N9": ["The referral asked for an assessment of the support {name} needs."],
    "unborn": [
        "The midwife raised concerns in pregnancy about the home the baby will be born into.",
        "An older brother or sister was subject to a plan, and the parents' capacity to care for a new baby is "
        "being assessed before the birth.",
    ],
}
SEEN_TEXT = {
    "alone": [
        "{name} was seen alone and spoke about school, friends and life at home.",
        "{name} was seen alone at school and described home as 'mostly okay'.",
    ],
    "seen": [
        "{name} was seen at home with a parent present and appeared settled.",
        "{name} was seen at home; interaction with the parent was warm and responsive.",
    ],
    "not_seen": ["{name} has not yet been seen; a visit is arranged."],
    "unborn": ["The mother was seen at home ahead of the birth; antenatal care is in place."],
}
STRENGTH_TEXT = {
    "any": [
        "The parents engaged with the assessment and accept that things need to change.",
        "Extended family are supportive and have offered practical help.",
        "The family have worked with early help before and valued that support.",
        "The school is a protective factor and attendance has been good.",
        "Engagement has been inconsistent, with two appointments missed.",
    ]
}
CONCLUSION_TEXT = {
    AssessmentOutcome.CIN_PLAN.value: [
        "Needs remain that require a coordinated plan: a child in need plan is recommended.",
    ],
    AssessmentOutcome.NO_FURTHER_ACTION.value: [
        "The concerns have been addressed and the family have support in place: no further action is recommended.",
    ],
    AssessmentOutcome.EARLY_HELP.value: [
        "The family would benefit from support without statutory involvement: a step down to early help is "
        "recommended.",
    ],
    AssessmentOutcome.STRATEGY_DISCUSSION.value: [
        "Information gathered suggests the child may be at risk of significant harm: a strategy discussion is "
        "recommended.",
    ],
    "": ["The assessment is continuing; checks with health and education are awaited."],
}
SUBMITTED_OUTCOMES = {
    "open_plan": ([AssessmentOutcome.CIN_PLAN.value, AssessmentOutcome.STRATEGY_DISCUSSION.value], (0.8, 0.2)),
    "no_plan": (
        [
            AssessmentOutcome.CIN_PLAN.value,
            AssessmentOutcome.NO_FURTHER_ACTION.value,
            AssessmentOutcome.EARLY_HELP.value,
            AssessmentOutcome.STRATEGY_DISCUSSION.value,
        ],
        (0.45, 0.25, 0.22, 0.08),
    ),
}


def _assessments(
    rng: np.random.Generator,
    frames: ShardFrames,
    referrals: pl.DataFrame,
    children: pl.DataFrame,
    workforce: Workforce,
    as_of: int,
) -> pl.DataFrame:
    """Analysis, child seen (and alone) and submission for the open assessments; the others unchanged."""
    a = frames.assessments
    open_rows = a.with_row_index("_row").filter(pl.col("authorised_date").is_null())
    n = open_rows.height
    info = open_rows.join(referrals, on="referral_id", how="left", maintain_order="left").join(
        children, on="child_id", how="left", maintain_order="left"
    )
    on_plan = pl.concat(
        [
            frames.cin_plans.filter(pl.col("end_date").is_null()).select("referral_id"),
            frames.plans.filter(pl.col("end_date").is_null()).select("referral_id"),
        ]
    )["referral_id"]
    has_plan = info["referral_id"].is_in(on_plan.implode()).to_numpy()
    a_ord = int(_ordinal(np.array([as_of]))[0])
    start_ord = _ordinal(wd.next_working_day(_days(info["start_date"])))
    elapsed = a_ord - start_ord
    born = _days(info["born"])
    unborn = born > as_of
    seen = ~unborn & (elapsed >= 0) & (rng.random(n) < np.where(elapsed >= 2, 0.93, 0.45))
    seen_ord = start_ord + (rng.random(n) * (np.clip(elapsed, 0, 10) + 1)).astype(np.int64)
    seen_day = _from_ordinal(np.where(seen, seen_ord, a_ord))
    age = (seen_day - born) / 365.25
    u = rng.random(n)
    alone = seen & (((age >= 8) & (u < 0.75)) | ((age >= 5) & (age < 8) & (u < 0.35)))

    # About a fifth submitted, in every team holding open assessments (rounded up), the longer-running first.
    team_of = dict(workforce.staff.select("id", "team_id").iter_rows())
    team = np.array([team_of.get(w, 0) if w is not None else 0 for w in info["worker_id"].to_list()])
    eligible = seen & (elapsed >= 10)
    score = np.where(eligible, elapsed + rng.random(n) * 15, -1.0)
    ranked = pl.DataFrame({"team": team, "score": score}).select(
        rank=pl.col("score").rank("ordinal", descending=True).over("team"),
        quota=(pl.len().over("team") * SUBMITTED_SHARE).ceil(),
    )
    submitted = eligible & (ranked["rank"].to_numpy() <= ranked["quota"].to_numpy())
    lo = np.maximum(seen_ord, start_ord + 5)
    submit_ord = a_ord - (rng.random(n) * (np.clip(a_ord - lo, 0, 8) + 1)).astype(np.int64)
    submit_day = _from_ordinal(np.where(submitted, submit_ord, a_ord))
    latest_minute = np.where(submit_day == as_of, 14 * 60 + 45, 17 * 60 + 30)  # before the as-of moment
    minute = 9 * 60 + (rng.random(n) * (latest_minute - 9 * 60)).astype(np.int64)
    submitted_at = utc_series(local_to_utc(submit_day * DAY_US + minute * MINUTE_US) // 1_000_000 * 1_000_000)

    outcome = np.full(n, "", dtype=object)
    for key, mask in (("open_plan", has_plan), ("no_plan", ~has_plan)):
        codes, weights = SUBMITTED_OUTCOMES[key]
        sel = submitted & mask
        outcome[sel] = np.asarray(codes, dtype=object)[categorical(rng.random(int(sel.sum())), weights)]
    seen_key = np.where(unborn, "unborn", np.where(alone, "alone", np.where(seen, "seen", "not_seen")))
    need = pl.Series(np.where(unborn, "unborn", info["need"].fill_null("N9").replace("", "N9").to_numpy()))
    analysis = (
        pl.DataFrame(
            {
                "need": pick_texts(rng, need, NEED_TEXT),
                "seen": pick_texts(rng, pl.Series(seen_key), SEEN_TEXT),
                "strength": pick_texts(rng, pl.Series(["any"] * n), STRENGTH_TEXT),
                "end": pick_texts(rng, pl.Series(outcome.astype(str)), CONCLUSION_TEXT),
                "name": info["name"],
            }
        )
        .select(
            text=pl.concat_str(["need", "seen", "strength", "end"], separator=" ")
            .str.replace_all("{name}", pl.col("name"), literal=True)
            # An unborn child is "the baby", capitalised where a sentence starts with it.
            .str.replace_all(r"(^|\. )the baby", "${1}The baby")
        )["text"]
        .to_numpy()
    )
    analysis = np.where(elapsed >= 1, analysis, "")  # nothing written on the first day

    detail = pl.DataFrame(
        {
            "_row": open_rows["_row"],
            "analysis": pl.Series(analysis, dtype=pl.String),
            "child_seen": pl.Series(seen),
            "child_seen_date": pl.Series(np.where(seen, seen_day, 0), dtype=pl.Int32).cast(pl.Date),
            "seen_alone": pl.Series(alone),
            "outcome": pl.Series(outcome.astype(str), dtype=pl.String),
            "submitted_at": submitted_at,
            "submitted_by_staff": info["worker_id"],
            "submitted": pl.Series(submitted),
            "seen_by_visit": pl.Series(seen),
        }
    ).with_columns(
        child_seen_date=pl.when(pl.col("child_seen")).then(pl.col("child_seen_date")),
        submitted_at=pl.when(pl.col("submitted")).then(pl.col("submitted_at")),
        submitted_by_staff=pl.when(pl.col("submitted")).then(pl.col("submitted_by_staff")),
    )
    return (
        a.with_row_index("_row")
        .join(detail.drop("submitted"), on="_row", how="left", maintain_order="left")
        .with_columns(
            analysis=pl.col("analysis").fill_null(""),
            outcome=pl.col("outcome").fill_null(""),
            seen_by_visit=pl.col("seen_by_visit").fill_null(False),
        )
        .drop("_row")
    )


# --- visits ----------------------------------------------------------------------------------------------

VISIT_NOTES = {
    "alone": [
        "Seen alone in their bedroom; talked about school and friends. Home conditions acceptable.",
        "Seen alone on a walk to the park; said things at home are calmer.",
        "Seen alone after school; completed a three houses worksheet together.",
    ],
    "seen": [
        "Seen at home with a parent present; appeared well cared for.",
        "Seen with a parent; sleeping arrangements and kitchen seen, adequate food in the house.",
        "Seen at home; interaction with the parent observed to be warm.",
    ],
    "not_seen": [
        "No answer at the door; card left and the family contacted by phone.",
        "Parent said the child was at a relative's; a further visit is arranged.",
    ],
    "unborn": ["Pre-birth visit: the mother was seen at home; antenatal care is in place."],
}


def _open_plans(frames: ShardFrames, referrals: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    def open_(plans: pl.DataFrame) -> pl.DataFrame:
        return (
            plans.filter(pl.col("end_date").is_null())
            .select("referral_id", plan_start="start_date")
            .join(referrals.select("referral_id", "child_id"), on="referral_id", how="left", maintain_order="left")
        )

    return open_(frames.cin_plans), open_(frames.plans)


def _plan_visits(
    rng: np.random.Generator, plans: pl.DataFrame, every: int, avoid: pl.Series, as_of: int
) -> pl.DataFrame:
    """Visits for open plans (child_id, referral_id, day, seen): the last visit at which the child was seen
    within the frequency for most, older than it for a few; earlier ones every `every` working days or a
    little sooner, back to the start of the plan or about six months; now and then an attempt at which
    the child was not seen."""
    n = plans.height
    if n == 0:
        return pl.DataFrame(schema={"child_id": pl.Int64, "referral_id": pl.Int64, "day": pl.Int64, "seen": pl.Boolean})
    a_ord = int(_ordinal(np.array([as_of]))[0])
    start_ord = _ordinal(wd.next_working_day(_days(plans["plan_start"])))
    elapsed = a_ord - start_ord
    lo_ord = np.maximum(start_ord, _ordinal(wd.next_working_day(np.array([as_of - VISIT_HISTORY_DAYS])))[0])
    eligible = (elapsed >= every + 8) & ~plans["child_id"].is_in(avoid.implode()).to_numpy()
    wanted = min(int(eligible.sum()), max(1, round(OVERDUE_VISIT_SHARE * n)))
    overdue = np.zeros(n, dtype=bool)
    overdue[rng.choice(np.flatnonzero(eligible), wanted, replace=False)] = True
    lag = np.where(overdue, every + rng.integers(1, 7, n), np.minimum(rng.integers(0, every, n), elapsed))
    last = a_ord - lag
    shortest = every - every // 3
    steps = (VISIT_HISTORY_DAYS * 5) // (7 * shortest) + 2
    gaps = rng.integers(shortest, every + 1, (n, steps))
    gaps[:, 0] = 0
    ords = last[:, None] - np.cumsum(gaps, axis=1)
    keep = (ords >= lo_ord[:, None]) & (elapsed >= 1)[:, None]
    row, _ = np.nonzero(keep)
    seen_ord = ords[keep]
    # An attempt a day or two before some visits, and after the last one for half the overdue plans.
    tried = rng.random(seen_ord.size) < NO_ACCESS_SHARE
    tried_ord = seen_ord[tried] - rng.integers(1, 3, int(tried.sum()))
    tried_row = row[tried]
    ok = tried_ord >= lo_ord[tried_row]
    late = np.flatnonzero(overdue & (rng.random(n) < 0.5))
    late_ord = a_ord - rng.integers(0, 4, late.size)
    all_row = np.concatenate([row, tried_row[ok], late])
    all_ord = np.concatenate([seen_ord, tried_ord[ok], late_ord])
    seen = np.concatenate([np.ones(row.size, bool), np.zeros(int(ok.sum()) + late.size, bool)])
    return pl.DataFrame(
        {
            "child_id": plans["child_id"].gather(all_row),
            "referral_id": plans["referral_id"].gather(all_row),
            "day": _from_ordinal(all_ord),
            "seen": seen,
        }
    )


def _visits(
    rng: np.random.Generator,
    frames: ShardFrames,
    assessments: pl.DataFrame,
    cin_open: pl.DataFrame,
    cp_open: pl.DataFrame,
    referrals: pl.DataFrame,
    children: pl.DataFrame,
    busy: pl.Series,
    workforce: Workforce,
    as_of: int,
) -> pl.DataFrame:
    cp = _plan_visits(rng, cp_open, settings.OPENMASH_CP_VISIT_WORKING_DAYS, busy, as_of).with_columns(
        purpose=pl.lit(VisitPurpose.CP_PLAN.value)
    )
    cin = _plan_visits(rng, cin_open, settings.OPENMASH_CIN_VISIT_WORKING_DAYS, busy, as_of).with_columns(
        purpose=pl.lit(VisitPurpose.CIN_PLAN.value)
    )
    # The visit at which an open assessment saw the child, and an open enquiry's visit in its first days.
    assessed = (
        assessments.filter(pl.col("authorised_date").is_null() & pl.col("seen_by_visit"))
        .join(referrals.select("referral_id", "child_id"), on="referral_id", how="left", maintain_order="left")
        .select(
            "child_id",
            "referral_id",
            day=pl.col("child_seen_date").cast(pl.Int32).cast(pl.Int64),
            seen=pl.lit(True),
            purpose=pl.lit(VisitPurpose.ASSESSMENT.value),
            alone=pl.col("seen_alone"),
        )
    )
    enquiries = frames.s47.filter(pl.col("conference_date").is_null() & ~pl.col("conference_not_required"))
    s47_day = _days(enquiries["start_date"])
    a_ord = int(_ordinal(np.array([as_of]))[0])
    s47_ord = np.minimum(_ordinal(wd.next_working_day(s47_day)) + rng.integers(0, 3, s47_day.size), a_ord)
    s47 = (
        enquiries.select("referral_id")
        .join(referrals.select("referral_id", "child_id"), on="referral_id", how="left", maintain_order="left")
        .select(
            "child_id",
            "referral_id",
            day=pl.Series(np.maximum(_from_ordinal(s47_ord), s47_day), dtype=pl.Int64),
            seen=pl.lit(True),
            purpose=pl.lit(VisitPurpose.S47.value),
        )
    )
    visits = pl.concat([cp, cin, s47, assessed], how="diagonal_relaxed").join(
        children, on="child_id", how="left", maintain_order="left"
    )
    day = visits["day"].to_numpy()
    born = _days(visits["born"])
    unborn = day < born
    age = (day - born) / 365.25
    u = rng.random(visits.height)
    alone = ((age >= 8) & (u < 0.7)) | ((age >= 4) & (age < 8) & (u < 0.3))
    seen = visits["seen"].to_numpy() & ~unborn
    given = visits["alone"].fill_null(False).to_numpy()
    is_assessment = (visits["purpose"] == VisitPurpose.ASSESSMENT.value).to_numpy()
    alone = seen & np.where(is_assessment, given, alone)
    key = np.where(unborn, "unborn", np.where(alone, "alone", np.where(seen, "seen", "not_seen")))
    visits = visits.select(
        "child_id",
        "referral_id",
        "purpose",
        visit_date=_dates(day),
        seen=pl.Series(seen),
        seen_alone=pl.Series(alone),
        notes=pick_texts(rng, pl.Series(key), VISIT_NOTES),
    ).sort("visit_date", "child_id", "purpose")
    held = holders(workforce, visits, "visit_date")
    return held.with_columns(visited_by_id=pl.col("holder"), recorded_by_staff=pl.col("holder")).drop(
        "holder", "holder_team"
    )


# --- case notes --------------------------------------------------------------------------------------------

NOTE_TYPE_WEIGHTS = {
    CaseNoteType.PHONE_CALL.value: 25,
    CaseNoteType.PROFESSIONALS.value: 20,
    CaseNoteType.CASE_NOTE.value: 14,
    CaseNoteType.DIRECT_WORK.value: 10,
    CaseNoteType.MEETING.value: 9,
    CaseNoteType.LETTER_EMAIL.value: 8,
    CaseNoteType.MANAGEMENT_OVERSIGHT.value: 8,
    CaseNoteType.SUPERVISION.value: 6,
}
MANAGERS_NOTES = {CaseNoteType.MANAGEMENT_OVERSIGHT.value, CaseNoteType.SUPERVISION.value}
# Subject and text of each kind of note (and of notes about babies and toddlers, with no school in them).
_P, _PRO, _N, _D, _M, _L, _O, _S, _H = (
    CaseNoteType.PHONE_CALL.value,
    CaseNoteType.PROFESSIONALS.value,
    CaseNoteType.CASE_NOTE.value,
    CaseNoteType.DIRECT_WORK.value,
    CaseNoteType.MEETING.value,
    CaseNoteType.LETTER_EMAIL.value,
    CaseNoteType.MANAGEMENT_OVERSIGHT.value,
    CaseNoteType.SUPERVISION.value,
    CaseNoteType.HOME_VISIT.value,
)
NOTE_TEXTS: dict[str, list[tuple[str, str]]] = {
    _P: [
        (
            "Call with parent",
            "Spoke with the parent about the plan; they agreed to attend the next appointment with {name}.",
        ),
        ("Call from school", "School called to say attendance has improved over the last fortnight."),
        ("Call with school nurse", "School nurse confirmed the health assessment has been booked."),
    ],
    _P + "_young": [
        (
            "Call with parent",
            "Spoke with the parent about the plan; they agreed to attend the next health appointment.",
        ),
        ("Call with health visitor", "Health visitor confirmed the developmental check has been booked."),
        ("Call with midwife", "Midwife confirmed antenatal appointments are being kept."),
    ],
    _PRO: [
        ("Update from school", "School report that {name} is settled in class and eating breakfast club meals."),
        (
            "Discussion with GP",
            "Health shared that the last two appointments were missed; a new date has been offered.",
        ),
        ("Police information shared", "Police confirmed no further call-outs to the address since the last review."),
        ("Discussion with housing officer", "Housing confirmed the repairs to the flat are booked for next month."),
    ],
    _PRO + "_young": [
        ("Discussion with health visitor", "Health visitor reports weight gain on track; the home was warm and clean."),
        ("Police information shared", "Police confirmed no further call-outs to the address since the last review."),
        ("Update from nursery", "Nursery report that {name} attends most sessions and is well presented."),
    ],
    _N: [
        ("Chronology updated", "Chronology brought up to date with the latest contacts and agency information."),
        ("Change of address", "The family have moved within the borough; new address confirmed and agencies told."),
    ],
    _D: [
        ("Direct work session", "Used a worry jar with {name}; the main worry was arguments at home."),
        (
            "Wishes and feelings",
            "Completed an all about me sheet with {name}, who named a grandparent as a trusted adult.",
        ),
    ],
    _M: [
        ("Core group meeting", "Core group reviewed the plan; actions on school attendance and routines agreed."),
        ("Family meeting", "Family meeting held with the wider family to agree support at weekends."),
    ],
    _L: [
        ("Letter to parent", "Letter sent to the parent confirming the date of the next meeting."),
        ("Email from school", "Email from school with the latest attendance figures."),
    ],
    _L + "_young": [("Letter to parent", "Letter sent to the parent confirming the date of the next meeting.")],
    _O: [
        (
            "Management oversight",
            "Reviewed the case: the plan remains right; visits to continue at the agreed frequency.",
        ),
        ("Case direction", "The worker to update the chronology and arrange a core group before the review."),
    ],
    _S: [
        ("Supervision", "Discussed the family's engagement and the next steps for {name}'s plan."),
        ("Reflective supervision", "Reflected on the impact of the home situation on {name}; the plan is on track."),
    ],
    _H: [("Home visit", "See the visit record for who was seen and what was observed.")],
    "restricted": [
        (
            "Confidential information",
            "Information shared in confidence by the police about an adult in the household; not to be disclosed "
            "to the family.",
        ),
        (
            "Confidential information",
            "Health information about a parent shared in confidence; recorded here and not in the general record.",
        ),
    ],
}
_YOUNG_TEXTS = [_P, _PRO, _L]


def _case_notes(
    rng: np.random.Generator,
    frames: ShardFrames,
    referrals: pl.DataFrame,
    children: pl.DataFrame,
    visits: pl.DataFrame,
    workforce: Workforce,
    managers: _Managers,
    as_of: int,
) -> pl.DataFrame:
    """A few notes a month for every open episode, by the worker holding the child that day; the home
    visit note of each child's latest visit; supervision and oversight by the team manager."""
    open_ = referrals.filter(pl.col("closure").is_null()).join(
        frames.referrals.select(referral_id="id", referral_date="referral_date", nfa="no_further_action"),
        on="referral_id",
    )
    open_ = open_.filter(~pl.col("nfa"))
    a_ord = int(_ordinal(np.array([as_of]))[0])
    lo_ord = np.maximum(
        _ordinal(wd.next_working_day(_days(open_["referral_date"]))),
        _ordinal(wd.next_working_day(np.array([as_of - NOTE_HISTORY_DAYS])))[0],
    )
    span = np.maximum(a_ord - lo_ord + 1, 1)
    count = 1 + span // 15 + rng.integers(0, 2, open_.height)
    row = np.repeat(np.arange(open_.height), count)
    note_ord = lo_ord[row] + (rng.random(row.size) * span[row]).astype(np.int64)
    kinds = list(NOTE_TYPE_WEIGHTS)
    note_type = np.asarray(kinds, dtype=object)[categorical(rng.random(row.size), list(NOTE_TYPE_WEIGHTS.values()))]
    notes = pl.DataFrame(
        {
            "child_id": open_["child_id"].gather(row),
            "referral_id": open_["referral_id"].gather(row),
            "occurred_on": _dates(_from_ordinal(note_ord)),
            "note_type": pl.Series(note_type.astype(str), dtype=pl.String),
        }
    )
    latest_visit = (
        visits.filter(pl.col("visit_date") >= pl.lit(as_of - NOTE_HISTORY_DAYS).cast(pl.Date))
        .sort("visit_date")
        .group_by("child_id", maintain_order=True)
        .last()
        .select("child_id", "referral_id", occurred_on="visit_date", note_type=pl.lit(CaseNoteType.HOME_VISIT.value))
    )
    notes = (
        pl.concat([notes, latest_visit])
        .join(children.select("child_id", "born"), on="child_id", how="left", maintain_order="left")
        .with_columns(young=(pl.col("occurred_on") - pl.col("born")).dt.total_days() < 4 * 365)
        .with_columns(
            # No direct work with a baby; about babies and toddlers the calls are with parents and health.
            note_type=pl.when(pl.col("young") & (pl.col("note_type") == CaseNoteType.DIRECT_WORK.value))
            .then(pl.lit(CaseNoteType.PHONE_CALL.value))
            .otherwise(pl.col("note_type"))
        )
        .with_columns(
            text_key=pl.when(pl.col("young") & pl.col("note_type").is_in(_YOUNG_TEXTS))
            .then(pl.col("note_type") + "_young")
            .otherwise(pl.col("note_type"))
        )
        .drop("born", "young")
        .sort("occurred_on", "child_id", "note_type")
    )
    held = holders(workforce, notes, "occurred_on")
    # Where nobody held the child that day, the manager of the team the referral went to writes the note.
    team = held.join(referrals.select("referral_id", "ref_team"), on="referral_id", how="left", maintain_order="left")
    team_manager = (
        team["holder_team"]
        .fill_null(team["ref_team"])
        .replace_strict(managers.of_team, default=None, return_dtype=pl.Int64)
    )
    by_manager = held["note_type"].is_in(list(MANAGERS_NOTES))
    author = pl.select(
        pl.when(by_manager.not_() & held["holder"].is_not_null()).then(held["holder"]).otherwise(team_manager)
    ).to_series()
    restricted = (rng.random(notes.height) < RESTRICTED_NOTE_SHARE) & ~by_manager.to_numpy()
    restricted &= (held["note_type"] != CaseNoteType.HOME_VISIT.value).to_numpy()
    body_key = np.where(restricted, "restricted", held["text_key"].to_numpy())
    names_of = held.join(children.select("child_id", "name"), on="child_id", how="left", maintain_order="left")
    texts = {key: [f"{subject}\t{body}" for subject, body in pairs] for key, pairs in NOTE_TEXTS.items()}
    text = pl.DataFrame(
        {"text": pick_texts(rng, pl.Series(body_key.astype(str)), texts), "name": names_of["name"]}
    ).select(
        subject=pl.col("text").str.split_exact("\t", 1).struct.field("field_0"),
        body=pl.col("text")
        .str.split_exact("\t", 1)
        .struct.field("field_1")
        .str.replace_all("{name}", pl.col("name"), literal=True),
    )
    subject, body = text["subject"], text["body"]
    return (
        held.select("child_id", "referral_id", "note_type", "occurred_on")
        .with_columns(
            subject=subject,
            body=body,
            author_staff=author,
            restricted=pl.Series(restricted),
        )
        .filter(pl.col("author_staff").is_not_null())
    )


# --- strategy discussions, enquiries, plans ----------------------------------------------------------------


def _strategy(
    rng: np.random.Generator, frames: ShardFrames, referrals: pl.DataFrame, children: pl.DataFrame
) -> pl.DataFrame:
    """Who took part: police, health and children's social care always, education for most school-age
    children, and now and then probation, housing or youth justice."""
    sd = frames.strategy
    info = (
        sd.select("referral_id", "discussion_date")
        .join(referrals.select("referral_id", "child_id"), on="referral_id", how="left", maintain_order="left")
        .join(children.select("child_id", "born"), on="child_id", how="left", maintain_order="left")
    )
    age = (_days(info["discussion_date"]) - _days(info["born"])) / 365.25
    n = sd.height
    u = rng.random((n, 4))
    flags = pl.DataFrame(
        {
            "education": (age >= 4) & (u[:, 0] < 0.85) | (age >= 2) & (age < 4) & (u[:, 0] < 0.25),
            "probation": u[:, 1] < 0.1,
            "housing": u[:, 2] < 0.06,
            "youth_justice": (age >= 10) & (u[:, 3] < 0.15),
        }
    )
    agencies = flags.select(
        agencies_present=_json_list(
            [
                pl.lit(Agency.CHILDRENS_SOCIAL_CARE.value),
                pl.lit(Agency.POLICE.value),
                pl.lit(Agency.HEALTH.value),
                *(pl.when(pl.col(code)).then(pl.lit(code)) for code in flags.columns),
            ]
        )
    )
    return pl.concat([sd, agencies], how="horizontal")


def _section47(rng: np.random.Generator, frames: ShardFrames, referrals: pl.DataFrame, as_of: int) -> pl.DataFrame:
    """The conference date due from the start, and the outcome once decided: a conference where one was
    held or is awaited, otherwise substantiated or not, a week or two into the enquiry."""
    s = frames.s47.join(referrals.select("referral_id", "closure"), on="referral_id", how="left", maintain_order="left")
    n = s.height
    start = _days(s["start_date"])
    start_ord = _ordinal(wd.next_working_day(start))
    a_ord = int(_ordinal(np.array([as_of]))[0])
    held = s["conference_date"].is_not_null().to_numpy()
    not_required = s["conference_not_required"].to_numpy()
    awaited = ~held & ~not_required & (a_ord - start_ord >= 10)
    conference = np.where(held, _days(s["conference_date"].fill_null(s["start_date"])), start)
    closure = _days(s["closure"].fill_null(pl.lit(wd.LAST)))
    before_conference = _from_ordinal(np.maximum(_ordinal(conference) - rng.integers(1, 6, n), start_ord))
    decided = _from_ordinal(np.minimum(start_ord + rng.integers(5, 11, n), a_ord))
    outcome_day = np.where(held, np.maximum(np.minimum(before_conference, conference), start), decided)
    outcome_day = np.where(not_required, np.minimum(outcome_day, closure), outcome_day)
    outcome_day = np.maximum(outcome_day, start)
    found = np.where(rng.random(n) < 0.35, Section47Outcome.NOT_AT_RISK.value, Section47Outcome.NOT_SUBSTANTIATED.value)
    outcome = np.where(held | awaited, Section47Outcome.CONFERENCE.value, np.where(not_required, found, ""))
    return frames.s47.with_columns(
        conference_due_from_start=_dates(wd.add_working_days(start, ICPC_WORKING_DAYS)),
        outcome=pl.Series(outcome, dtype=pl.String),
        outcome_date=pl.Series(np.where(outcome != "", outcome_day, 0), dtype=pl.Int32).cast(pl.Date),
    ).with_columns(outcome_date=pl.when(pl.col("outcome") != "").then(pl.col("outcome_date")))


def _plans(
    rng: np.random.Generator,
    frames: ShardFrames,
    referrals: pl.DataFrame,
    children: pl.DataFrame,
    workforce: Workforce,
    as_of: int,
) -> pl.DataFrame:
    """Visiting frequency, a core group (the social worker and the professionals around the child, with
    invented names) and why each ended plan ended."""
    p = frames.plans
    n = p.height
    info = (
        p.select("referral_id", "start_date", "end_date")
        .join(
            referrals.select("referral_id", "child_id", "closure"), on="referral_id", how="left", maintain_order="left"
        )
        .join(children.select("child_id", "born"), on="child_id", how="left", maintain_order="left")
        .with_columns(on=pl.coalesce("end_date", pl.lit(as_of).cast(pl.Date)))
    )
    held = holders(workforce, info.select("child_id", "on"), "on")
    staff = workforce.staff.select(
        holder="id", worker=pl.concat_str("first_name", "last_name", separator=" "), role="job_role"
    )
    worker = held.join(staff, on="holder", how="left", maintain_order="left")
    age = (_days(info["start_date"]) - _days(info["born"])) / 365.25
    group = np.where(rng.random(3 * n) < 0.8, 0, rng.integers(1, 3, 3 * n))
    female = rng.random(3 * n) < 0.75
    people_names = (
        names.adult_first_names(rng, female, group).to_numpy().astype(object)
        + " "
        + names.surnames(rng, group).to_numpy().astype(object)
    ).reshape(3, n)
    u = rng.random((n, 2))
    parts = pl.DataFrame(
        {
            "worker": worker["worker"],
            "role": worker["role"].replace_strict(_ROLE_TEXT, default="social worker"),
            "health": people_names[0],
            "health_role": np.where(age < 5, "health visitor", "school nurse"),
            "education": people_names[1],
            "school": (age >= 4) | (u[:, 0] < 0.2),
            "education_role": np.where(age >= 4, "designated safeguarding lead", "nursery manager"),
            "other": people_names[2],
            "police": u[:, 1] < 0.25,
        }
    )
    core_group = parts.select(
        core_group=_json_list(
            [
                pl.when(pl.col("worker").is_not_null()).then(
                    pl.format("{}, {}, Children's social care", "worker", "role")
                ),
                pl.format("{}, {}, Health", "health", "health_role"),
                pl.when(pl.col("school")).then(pl.format("{}, {}, Education", "education", "education_role")),
                pl.when(pl.col("police")).then(pl.format("{}, public protection officer, Police", "other")),
            ]
        )
    )["core_group"]

    # Why ended plans ended, from what followed: a step-down plan, the 18th birthday, the episode closing
    # that day (moved away, died or closed), or else a spell looked after.
    step_down = frames.cin_plans.select("referral_id", end_date="start_date").with_columns(step_down=pl.lit(True))
    ended = info.join(step_down.unique(), on=["referral_id", "end_date"], how="left", maintain_order="left").join(
        frames.referrals.select(referral_id="id", reason="closure_reason"),
        on="referral_id",
        how="left",
        maintain_order="left",
    )
    end = ended["end_date"].cast(pl.Int32).fill_null(0).to_numpy().astype(np.int64)
    eighteen = wd.add_years(_days(ended["born"]), 18)
    closed_then = (ended["closure"] == ended["end_date"]).fill_null(False).to_numpy()
    reason_code = ended["reason"].fill_null("").to_numpy()
    reason = np.select(
        [
            ended["step_down"].fill_null(False).to_numpy(),
            end >= eighteen,
            closed_then & (reason_code == "RC5"),
            closed_then & (reason_code == "RC2"),
            closed_then,
        ],
        [
            PlanEndReason.NO_LONGER_AT_RISK.value,
            PlanEndReason.ADULT.value,
            PlanEndReason.MOVED.value,
            PlanEndReason.DIED.value,
            PlanEndReason.CLOSED.value,
        ],
        PlanEndReason.LOOKED_AFTER.value,
    )
    reason = np.where(ended["end_date"].is_null().to_numpy(), "", reason)
    return p.with_columns(
        core_group=core_group,
        end_reason=pl.Series(reason.astype(str), dtype=pl.String),
        visit_every_working_days=pl.lit(settings.OPENMASH_CP_VISIT_WORKING_DAYS, dtype=pl.Int64),
    )
