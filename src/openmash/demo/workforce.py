"""Services, teams, staff and the allocation of each open case to a named worker.

Teams hold cases through an episode: an assessment team (by locality) from the referral until the
assessment is authorised; then the child in need, child protection (by locality), complex
safeguarding (CSE/CCE) or disability team until closure, moving to a child protection team when a
plan starts. Each case-holding post is filled by a sequence of workers (permanent or agency); a case
passes to the next worker when one leaves. Posts are sized so that cases held at 30 September divided
by case-holder FTE is the national average caseload (DfE CSWW 2025: 15.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import polars as pl

from openmash.core import workdays as wd
from openmash.performance import kpis
from openmash.performance.kpis import Measure
from openmash.workforce.models import StaffMember, Team

from . import names
from .people import People
from .sampling import categorical, stream
from .simulate import NEVER, Horizon, ShardFrames

TARGET_CASELOAD = 15.2  # DfE CSWW, England, 30 September 2025

SERVICES = [
    (1, "Front door and assessment"),
    (2, "Safeguarding and child protection"),
    (3, "Specialist services"),
    (4, "Early help and prevention"),
]
MASH, ASSESS_N, ASSESS_S, CIN, CP_N, CP_S, CSE, EARLY_HELP, DISABILITY = range(1, 10)
TEAMS = [
    (MASH, "MASH and front door", 1, Team.Kind.MASH),
    (ASSESS_N, "Assessment team (north)", 1, Team.Kind.ASSESSMENT),
    (ASSESS_S, "Assessment team (south)", 1, Team.Kind.ASSESSMENT),
    (CIN, "Child in need team", 2, Team.Kind.CHILD_IN_NEED),
    (CP_N, "Child protection team (north)", 2, Team.Kind.CHILD_PROTECTION),
    (CP_S, "Child protection team (south)", 2, Team.Kind.CHILD_PROTECTION),
    (CSE, "Complex safeguarding team", 3, Team.Kind.CSE),
    (EARLY_HELP, "Early help team", 4, Team.Kind.EARLY_HELP),
    (DISABILITY, "Children with disabilities team", 3, Team.Kind.DISABILITY),
]
CASE_TEAMS = [ASSESS_N, ASSESS_S, CIN, CP_N, CP_S, CSE, DISABILITY]
# Contracted hours of a post as FTE, and how often posts are part-time.
POST_FTE = (1.0, 0.8, 0.6, 0.5)
POST_FTE_WEIGHTS = (0.85, 0.07, 0.05, 0.03)
AGENCY_SHARE = 0.13  # DfE CSWW 2025 agency rate, England


@dataclass
class Workforce:
    services: pl.DataFrame
    teams: pl.DataFrame
    staff: pl.DataFrame
    allocations: pl.DataFrame


def _days(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Int32).fill_null(int(NEVER)).to_numpy().astype(np.int64)


def _phases(frames: ShardFrames, people: People, horizon: Horizon) -> pl.DataFrame:
    """Which team holds each child when: one row per (child, team, start, end); end NEVER while open."""
    north = people.children.select(
        child_id=pl.col("id"),
        north=pl.col("postcode").str.slice(2).str.split(" ").list.first().cast(pl.Int32) <= 7,
        born=pl.coalesce("date_of_birth", "expected_date_of_birth"),
    )
    first_assessment = (
        frames.assessments.sort("start_date", "id")
        .group_by("referral_id", maintain_order=True)
        .first()
        .select("referral_id", a1_id=pl.col("id"), a1_auth=pl.col("authorised_date"), a1_need=pl.col("child_in_need"))
    )
    exploitation = (
        frames.factors.filter(pl.col("code").is_in(["11A", "24A"]))
        .select(a1_id=pl.col("assessment_id"), exploited=pl.lit(True))
        .unique()
    )
    plan = frames.plans.group_by("referral_id").agg(plan_start=pl.col("start_date").min())
    ref = (
        frames.referrals.filter(~pl.col("no_further_action"))
        .select(
            "child_id",
            referral_id=pl.col("id"),
            referral_date=pl.col("referral_date"),
            closure=pl.col("closure_date"),
            need=pl.col("primary_need"),
        )
        .join(first_assessment, on="referral_id", how="left")
        .join(exploitation, on="a1_id", how="left")
        .join(plan, on="referral_id", how="left")
        .join(north, on="child_id", how="left")
        .with_columns(
            exploited=pl.col("exploited").fill_null(False),
            age=(pl.col("referral_date") - pl.col("born")).dt.total_days() / 365.25,
        )
    )
    assess_team = pl.when(pl.col("north")).then(pl.lit(ASSESS_N)).otherwise(pl.lit(ASSESS_S))
    cp_team = pl.when(pl.col("north")).then(pl.lit(CP_N)).otherwise(pl.lit(CP_S))
    plan_at_assessment = pl.col("plan_start").is_not_null() & (pl.col("plan_start") <= pl.col("a1_auth"))
    later_plan = pl.col("plan_start").is_not_null() & (pl.col("plan_start") > pl.col("a1_auth"))
    handover = pl.col("a1_auth").is_not_null() & pl.col("a1_need").fill_null(False)
    long_team = (
        pl.when(plan_at_assessment)
        .then(cp_team)
        .when(pl.col("need") == "N2")
        .then(pl.lit(DISABILITY))
        .when(pl.col("exploited") & (pl.col("age") >= 10))
        .then(pl.lit(CSE))
        .otherwise(pl.lit(CIN))
    )
    phase1 = ref.select(
        "child_id",
        "referral_id",
        team=assess_team,
        start=pl.col("referral_date"),
        end=pl.when(handover).then(pl.col("a1_auth")).otherwise(pl.col("closure")),
    )
    phase2 = ref.filter(handover).select(
        "child_id",
        "referral_id",
        team=long_team,
        start=pl.col("a1_auth"),
        end=pl.when(later_plan & (long_team != cp_team)).then(pl.col("plan_start")).otherwise(pl.col("closure")),
    )
    phase3 = ref.filter(handover & later_plan & (long_team != cp_team)).select(
        "child_id",
        "referral_id",
        team=cp_team,
        start=pl.col("plan_start"),
        end=pl.col("closure"),
    )
    data_start = horizon.data_start
    return (
        pl.concat([phase1, phase2, phase3])
        .filter(pl.col("end").is_null() | (pl.col("end") >= data_start))
        .filter(pl.col("start") <= horizon.as_of)
        .with_columns(team=pl.col("team").cast(pl.Int64))
        .sort("start", "child_id", "team")
    )


def build_workforce(seed: int, frames: ShardFrames, people: People, horizon: Horizon) -> Workforce:
    rng = stream(seed, 901, 0)
    as_of = wd.day_number(horizon.as_of)
    census = horizon.workforce_day
    phases = _phases(frames, people, horizon)

    # Posts per case-holding team: enough FTE for the cases it holds at 30 September.
    open_at_census = phases.filter((pl.col("start") <= census) & (pl.col("end").is_null() | (pl.col("end") >= census)))
    cases = dict(open_at_census.group_by("team").agg(pl.col("child_id").n_unique()).iter_rows())
    posts: list[tuple[int, float]] = []
    for team in CASE_TEAMS:
        needed = max(cases.get(team, 0) / TARGET_CASELOAD, 0.6)
        fte: list[float] = []
        while sum(fte) < needed - 0.005:
            remaining = needed - sum(fte)
            contract = float(POST_FTE[int(categorical(rng.random(1), POST_FTE_WEIGHTS)[0])])
            # The last post takes the hours still needed (at least 0.4 FTE).
            fte.append(max(0.4, round(remaining, 2)) if remaining <= contract else contract)
        posts.extend((team, f) for f in fte)
    post_team = np.array([t for t, _ in posts], dtype=np.int64)
    post_fte = np.array([f for _, f in posts])

    earliest = int(_days(phases["start"]).min()) if phases.height else as_of
    staff, tenures = _staff(rng, post_team, post_fte, earliest, as_of, frames)

    # Each spell in a team goes to one post, and is split between the workers who held that post.
    n = phases.height
    team_posts = {t: np.flatnonzero(post_team == t) for t in CASE_TEAMS}
    post = np.zeros(n, dtype=np.int64)
    team_col = phases["team"].to_numpy()
    for t, idx in team_posts.items():
        sel = np.flatnonzero(team_col == t)
        if sel.size:
            weights = post_fte[idx] / post_fte[idx].sum()
            post[sel] = idx[categorical(rng.random(sel.size), weights)]
    spells = phases.with_columns(post=pl.Series(post), end=pl.col("end").fill_null(pl.lit(dt.date(2099, 12, 31))))
    pieces = (
        spells.join(tenures, on="post")
        .filter((pl.col("t_start") <= pl.col("end")) & (pl.col("t_end") >= pl.col("start")))
        .select(
            "child_id",
            "team",
            worker_id=pl.col("staff_id"),
            start_date=pl.max_horizontal("start", "t_start"),
            end_date=pl.min_horizontal("end", "t_end"),
        )
        .with_columns(
            end_date=pl.when(pl.col("end_date") >= dt.date(2099, 12, 31)).then(None).otherwise(pl.col("end_date"))
        )
        .sort("start_date", "child_id", "team", "worker_id")
    )
    allocations = pieces.with_columns(id=pl.int_range(1, pieces.height + 1, dtype=pl.Int64)).rename({"team": "team_id"})

    services = pl.DataFrame({"id": [s[0] for s in SERVICES], "name": [s[1] for s in SERVICES]})
    teams = pl.DataFrame(
        {
            "id": [t[0] for t in TEAMS],
            "name": [t[1] for t in TEAMS],
            "service_id": [t[2] for t in TEAMS],
            "kind": [t[3].value for t in TEAMS],
        }
    )
    return Workforce(services=services, teams=teams, staff=staff, allocations=allocations)


def _staff(
    rng: np.random.Generator,
    post_team: np.ndarray,
    post_fte: np.ndarray,
    earliest: int,
    as_of: int,
    frames: ShardFrames,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Workers in each post over time, plus managers and front-door and early help staff who hold no
    cases. Returns the staff and the tenures (post, staff, first and last day in post)."""
    rows: dict[str, list[object]] = {
        k: [] for k in ("team_id", "job_role", "fte", "is_case_holder", "is_agency", "start_date", "end_date")
    }
    tenure_rows: dict[str, list[int]] = {"post": [], "staff_index": [], "t_start": [], "t_end": []}

    def add(team: int, role: str, fte: float, holder: bool, agency: bool, start: int, end: int | None) -> int:
        rows["team_id"].append(team)
        rows["job_role"].append(role)
        rows["fte"].append(Decimal(f"{fte:.2f}"))
        rows["is_case_holder"].append(holder)
        rows["is_agency"].append(agency)
        rows["start_date"].append(wd.to_date(start))
        rows["end_date"].append(None if end is None else wd.to_date(end))
        return len(rows["team_id"]) - 1

    roles = [StaffMember.JobRole.SOCIAL_WORKER, StaffMember.JobRole.SENIOR_SOCIAL_WORKER, StaffMember.JobRole.ASYE]
    for post, (team, fte) in enumerate(zip(post_team, post_fte, strict=True)):
        start = earliest - int(rng.integers(0, 4 * 365))
        while True:
            agency = bool(rng.random() < AGENCY_SHARE)
            length = int(rng.exponential(1.2 * 365 if agency else 4.5 * 365)) + 90
            end = start + length
            role = roles[int(categorical(rng.random(1), (0.65, 0.25, 0.10))[0])].value
            last = end >= as_of
            index = add(int(team), role, float(fte), True, agency, start, None if last else end)
            tenure_rows["post"].append(post)
            tenure_rows["staff_index"].append(index)
            tenure_rows["t_start"].append(start)
            tenure_rows["t_end"].append(int(NEVER) if last else end)
            if last:
                break
            start = end + 1

    # Staff who hold no cases: team and service managers, the front door, early help.
    service_first_team = {1: MASH, 2: CIN, 3: CSE, 4: EARLY_HELP}
    for team_id, *_ in TEAMS:
        add(
            team_id,
            StaffMember.JobRole.TEAM_MANAGER.value,
            1.0,
            False,
            False,
            earliest - int(rng.integers(0, 6 * 365)),
            None,
        )
    for service_team in service_first_team.values():
        add(
            service_team,
            StaffMember.JobRole.SERVICE_MANAGER.value,
            1.0,
            False,
            False,
            earliest - int(rng.integers(0, 8 * 365)),
            None,
        )
    # About one practitioner for every 1,500 contacts a year (six or seven a working day each).
    year_ago = wd.to_date(as_of - 365)
    contacts_a_year = frames.contacts.filter(pl.col("received_at").dt.date() > year_ago).height
    front_door = max(3, round(contacts_a_year / 1500))
    for i in range(front_door):
        role = (StaffMember.JobRole.SOCIAL_WORKER if i % 3 == 0 else StaffMember.JobRole.MASH_PRACTITIONER).value
        add(MASH, role, 1.0, False, False, earliest - int(rng.integers(0, 5 * 365)), None)
    for _ in range(max(3, front_door // 2)):
        add(
            EARLY_HELP,
            StaffMember.JobRole.PRACTITIONER.value,
            float(POST_FTE[int(categorical(rng.random(1), POST_FTE_WEIGHTS)[0])]),
            False,
            False,
            earliest - int(rng.integers(0, 5 * 365)),
            None,
        )

    n = len(rows["team_id"])
    female = rng.random(n) < 0.82  # most children's social workers are women
    group = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 3, n))
    staff = pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "first_name": names.adult_first_names(rng, female, group).to_numpy(),
            "last_name": names.surnames(rng, group).to_numpy(),
            **{k: pl.Series(k, v, dtype=pl.Decimal(3, 2)) if k == "fte" else v for k, v in rows.items()},
        }
    ).with_columns(pl.col("start_date").cast(pl.Date), pl.col("end_date").cast(pl.Date))
    tenures = pl.DataFrame(
        {
            "post": np.asarray(tenure_rows["post"], dtype=np.int64),
            "staff_id": np.asarray(tenure_rows["staff_index"], dtype=np.int64) + 1,
            "t_start": pl.Series(tenure_rows["t_start"], dtype=pl.Int32).cast(pl.Date),
            "t_end": pl.Series(
                np.minimum(tenure_rows["t_end"], wd.day_number(dt.date(2099, 12, 31))), dtype=pl.Int32
            ).cast(pl.Date),
        }
    )
    return staff, tenures


def assign_teams(frames: ShardFrames, workforce: Workforce, horizon: Horizon) -> ShardFrames:
    """Fill in the front door team on contacts, the team on each referral and the worker on each
    assessment (whoever held the child on the day it started)."""
    contacts = frames.contacts.with_columns(team_id=pl.lit(MASH, dtype=pl.Int64))
    first_team = (
        workforce.allocations.filter(pl.col("team_id").is_in([ASSESS_N, ASSESS_S]))
        .select("child_id", "start_date", referral_team=pl.col("team_id"))
        .unique(subset=["child_id", "start_date"], keep="first")
    )
    referrals = (
        frames.referrals.join(
            first_team,
            left_on=["child_id", "referral_date"],
            right_on=["child_id", "start_date"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            team_id=pl.when(pl.col("no_further_action"))
            .then(pl.lit(MASH, dtype=pl.Int64))
            .otherwise(pl.col("referral_team").cast(pl.Int64))
        )
        .drop("referral_team")
    )
    alloc = workforce.allocations.select(
        "child_id", "worker_id", a_start=pl.col("start_date"), a_end=pl.col("end_date")
    ).sort("a_start")
    with_child = frames.assessments.join(
        frames.referrals.select(referral_id=pl.col("id"), child_id=pl.col("child_id")),
        on="referral_id",
        how="left",
        maintain_order="left",
    ).with_row_index("row")
    matched = (
        with_child.sort("start_date")
        .join_asof(
            alloc, left_on="start_date", right_on="a_start", by="child_id", strategy="backward", check_sortedness=False
        )
        .filter(pl.col("a_end").is_null() | (pl.col("a_end") >= pl.col("start_date")))
        .select("row", matched_worker=pl.col("worker_id_right"))
    )
    assessments = (
        with_child.join(matched, on="row", how="left", maintain_order="left")
        .with_columns(worker_id=pl.col("matched_worker").cast(pl.Int64))
        .drop("row", "matched_worker", "child_id")
    )
    return ShardFrames(
        children=frames.children,
        contacts=contacts,
        referrals=referrals,
        assessments=assessments,
        factors=frames.factors,
        cin_plans=frames.cin_plans,
        strategy=frames.strategy,
        s47=frames.s47,
        plans=frames.plans,
        reviews=frames.reviews,
    )


def caseload_frames(workforce: Workforce) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The staff and their allocations as the caseload measure reads them (kpis.CASELOAD_STAFF_SCHEMA,
    kpis.CASELOAD_ALLOCATION_SCHEMA)."""
    staff = workforce.staff.select(pl.col(name).cast(dtype) for name, dtype in kpis.CASELOAD_STAFF_SCHEMA.items())
    allocations = workforce.allocations.select(
        pl.col(name).cast(dtype) for name, dtype in kpis.CASELOAD_ALLOCATION_SCHEMA.items()
    )
    return staff, allocations


def caseload(workforce: Workforce, day: dt.date) -> Measure:
    """The average caseload on `day` (DfE CSWW), as kpis.average_caseload counts it."""
    return kpis.average_caseload(*caseload_frames(workforce), day)
