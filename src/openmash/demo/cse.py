"""CSE screenings at the front door and the complex safeguarding (CSE) team's cases.

A MASH practitioner screens a young person (10 and over) for sexual exploitation when the concern points that
way: at the contact behind an episode whose assessment found child sexual exploitation (factor 11A), going
missing (10A) or criminal exploitation (24A), so screenings follow the CIN census prevalence of those factors
(DfE C3: 2.4% of episodes for CSE, 3.3% going missing, 3.2% CCE), and at most contacts reporting a child found
with older adults, missing overnight or showing signs of exploitation. Each screening rates the CSE tool's
indicators 0 (none) to 3 (high) (front_door/cse/tool.py: missing episodes, accommodation, school, substances,
family, engagement with services, coercion and older associates, gifts, sexual health, emotional health, risky
adults or places, online contact) and records vulnerabilities; the risk level is the tool's (`tool.assess`).
Screenings for CSE or CCE found at assessment are medium or high, more often high for girls; going missing
alone is mostly none to medium.

Young people whose assessment found CSE or CCE move to the complex safeguarding team (demo/workforce.py): each
of those spells is a CSE case, opened with the screening behind it, held by the allocated worker and closed
when the spell ends (risk reduced, moved to another team, or the young person turned 18).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import polars as pl

from openmash.front_door.cse import tool
from openmash.front_door.models import CSECaseClosure

from .mash import micros, whole_seconds
from .people import People
from .sampling import categorical, stream
from .simulate import MINUTE_US, Horizon, ShardFrames, as_of_moment, utc_series
from .workforce import CP_N, CP_S, CSE, Workforce

INDICATORS = tool.INDICATOR_CODES
VULNERABILITIES = tuple(tool.VULNERABILITIES)
VULNERABILITY_CHANCE = {"care_history": 0.08, "learning_disability": 0.1, "prior_abuse": 0.3, "chaotic_home": 0.35}
# The domains that stand out, by what brought the young person to notice: the first is one specific to
# exploitation, so a high rating there means at least a medium risk.
FOCUS = {
    "11A": ("risky_places", "online", "sexual_health", "gifts"),
    "24A": ("coercion", "substances", "missing", "school"),
    "10A": ("missing", "school", "family"),
    "contact": ("missing", "risky_places", "gifts"),
}
CONTACT_SUMMARIES = (
    "Child reported missing overnight; found the next morning.",
    "Child found late at night in the company of older adults.",
    "Concerns about possible exploitation: new phone, gifts, missing lessons.",
)
SCREENED_FROM_CONTACT = 0.6
# Chances of none, low, medium, high by why the young person was screened (and sex for CSE).
TARGETS = {
    "11A_girl": (0.0, 0.0, 0.55, 0.45),
    "11A_boy": (0.0, 0.0, 0.7, 0.3),
    "24A": (0.0, 0.0, 0.75, 0.25),
    "10A": (0.2, 0.45, 0.35, 0.0),
    "contact": (0.4, 0.45, 0.15, 0.0),
}


def _ratings_for(rng: np.random.Generator, level: int, focus: tuple[str, ...]) -> dict[str, int]:
    """Ratings of every domain that give the level wanted (by the CSE tool's rules, at 13 and over): the
    highest in the domains that brought the young person to notice, and now and then a low concern elsewhere."""
    ratings = dict.fromkeys(INDICATORS, 0)
    if level == 0:
        return ratings
    plan = {1: [1, 1], 2: [3, 2, 1, 1], 3: [3, 3, 2, 1, 1]}[level]
    leading = [focus[0]] + [focus[1:][i] for i in rng.permutation(len(focus) - 1)]
    others = [d for d in INDICATORS if d not in focus]
    order = leading + [others[i] for i in rng.permutation(len(others))]
    for domain, rating in zip(order, plan, strict=False):
        ratings[domain] = rating
    if level >= 2:
        for domain in order[len(plan) :]:
            ratings[domain] = int(rng.random() < 0.1)
    return ratings


@dataclass
class Screening:
    screenings: pl.DataFrame
    cases: pl.DataFrame


def build_cse(seed: int, frames: ShardFrames, people: People, workforce: Workforce, horizon: Horizon) -> Screening:
    rng = stream(seed, 906)
    contacts = frames.contacts.filter(pl.col("child_id").is_not_null() & (pl.col("rag") != ""))
    sex = people.children.select(child_id="id", female=pl.col("sex") == "F", birth="date_of_birth")
    # Episodes whose first assessment found CSE, CCE or going missing: screened at the contact behind them.
    first_assessment = frames.assessments.sort("start_date", "id").group_by("referral_id", maintain_order=True).first()
    found = (
        frames.factors.filter(pl.col("code").is_in(["11A", "24A", "10A"]))
        .join(first_assessment.select(assessment_id="id", referral_id="referral_id"), on="assessment_id")
        .group_by("referral_id")
        .agg(codes=pl.col("code"))
        .join(frames.referrals.select(referral_id="id", contact_id="contact_id"), on="referral_id")
        .select(
            "contact_id",
            why=pl.when(pl.col("codes").list.contains("11A"))
            .then(pl.lit("11A"))
            .when(pl.col("codes").list.contains("24A"))
            .then(pl.lit("24A"))
            .otherwise(pl.lit("10A")),
        )
    )
    flagged = contacts.filter(pl.col("summary").is_in(list(CONTACT_SUMMARIES))).select(
        contact_id="id", why=pl.lit("contact")
    )
    flagged = flagged.filter(pl.Series(rng.random(flagged.height) < SCREENED_FROM_CONTACT))
    screened = (
        pl.concat([found, flagged.join(found, on="contact_id", how="anti")])
        .join(
            contacts.select(
                contact_id="id",
                child_id="child_id",
                rated_at="rated_at",
                until=pl.coalesce("decided_at", pl.lit(as_of_moment(horizon.as_of))),
                owner="owner_staff",
            ),
            on="contact_id",
        )
        .join(sex, on="child_id", how="left")
        .with_columns(age=(pl.col("rated_at").dt.date() - pl.col("birth")).dt.total_days() / 365.25)
        .filter(pl.col("age") >= 10)
        .sort("rated_at", "contact_id")
    )
    n = screened.height
    why = screened["why"].to_numpy()
    female = screened["female"].fill_null(False).to_numpy()
    key = np.where(why == "11A", np.where(female, "11A_girl", "11A_boy"), why)
    u = rng.random(n)
    target = np.zeros(n, dtype=np.int64)
    for name, weights in TARGETS.items():
        sel = np.flatnonzero(key == name)
        target[sel] = categorical(u[sel], weights)
    ratings = [_ratings_for(rng, int(t), FOCUS[w]) for t, w in zip(target, why, strict=True)]
    vulnerabilities = [
        [v for v in VULNERABILITIES if rng.random() < VULNERABILITY_CHANCE.get(v, 0.03)] for _ in range(n)
    ]
    rated = micros(screened["rated_at"])
    until = micros(screened["until"])
    at = whole_seconds(rated + np.minimum((rng.uniform(10, 90, n) * MINUTE_US).astype(np.int64), (until - rated) // 2))
    screened_day = utc_series(at).dt.convert_time_zone("Europe/London").dt.date().to_list()
    # The level as the CSE tool gives it, from the ratings, the age on the day and a learning disability.
    levels = [
        tool.assess(r, age=tool.age_on(b, d), learning_disability=tool.LEARNING_DISABILITY in v).level.value
        for r, b, d, v in zip(ratings, screened["birth"].to_list(), screened_day, vulnerabilities, strict=True)
    ]
    notes = {
        "11A": "Screened after the assessment found sexual exploitation; discussed with the CSE team.",
        "24A": "Screened for sexual exploitation alongside criminal exploitation concerns.",
        "10A": "Screened after repeated missing episodes; return home interview requested.",
        "contact": "Screened at the front door on the concerns in the contact.",
    }
    screenings = pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "child_id": screened["child_id"],
            "contact_id": screened["contact_id"],
            "screened_at": utc_series(at),
            "screened_by_staff": screened["owner"],
            # As JSON text: the loader stores JSON fields from their text.
            "ratings": pl.Series([json.dumps(r) for r in ratings], dtype=pl.String),
            "vulnerabilities": pl.Series([json.dumps(v) for v in vulnerabilities], dtype=pl.String),
            "score": pl.Series([sum(r.values()) for r in ratings], dtype=pl.Int64),
            "risk_level": pl.Series(levels, dtype=pl.String),
            "notes": pl.Series([notes[w] for w in why], dtype=pl.String),
        }
    )
    return Screening(screenings=screenings, cases=_cases(screenings, workforce, people, horizon))


def _cases(screenings: pl.DataFrame, workforce: Workforce, people: People, horizon: Horizon) -> pl.DataFrame:
    """Each spell a young person spends with the CSE team is a case, from the screening behind it."""
    alloc = workforce.allocations.sort("child_id", "start_date")
    cse = alloc.filter(pl.col("team_id") == CSE)
    spells = (
        cse.with_columns(
            new=(
                pl.col("start_date")
                > (pl.col("end_date").shift(1).over("child_id").fill_null(pl.date(1900, 1, 1)) + pl.duration(days=1))
            )
        )
        .with_columns(spell=pl.col("new").cum_sum().over("child_id"))
        .group_by("child_id", "spell")
        .agg(
            opened_on=pl.col("start_date").min(),
            closed_on=pl.when(pl.col("end_date").is_null().any()).then(None).otherwise(pl.col("end_date").max()),
            worker_id=pl.col("worker_id").last(),
        )
        .sort("opened_on", "child_id")
    )
    latest = (
        screenings.filter(pl.col("risk_level").is_in(["medium", "high"]))
        .select(
            "child_id",
            screening_id="id",
            risk_level="risk_level",
            day=pl.col("screened_at").dt.convert_time_zone("Europe/London").dt.date(),
        )
        .sort("day")
    )
    cases = (
        spells.sort("opened_on")
        .join_asof(
            latest, left_on="opened_on", right_on="day", by="child_id", strategy="backward", check_sortedness=False
        )
        .filter(pl.col("screening_id").is_not_null())
    )
    nxt = alloc.select("child_id", next_start="start_date", next_team="team_id")
    births = people.children.select(child_id="id", eighteen=pl.col("date_of_birth").dt.offset_by("18y"))
    cases = (
        cases.join(births, on="child_id", how="left")
        .join(nxt, on="child_id", how="left")
        .with_columns(
            moved_on=pl.col("next_team").is_in([CP_N, CP_S])
            & pl.col("next_start").is_between(pl.col("closed_on"), pl.col("closed_on") + pl.duration(days=1))
        )
        .group_by("child_id", "spell", maintain_order=True)
        .agg(pl.exclude("moved_on", "next_start", "next_team").first(), moved_on=pl.col("moved_on").any())
    )
    reason = (
        pl.when(pl.col("closed_on").is_null())
        .then(pl.lit(""))
        .when(pl.col("closed_on") >= pl.col("eighteen") - pl.duration(days=1))
        .then(pl.lit(CSECaseClosure.EIGHTEEN.value))
        .when(pl.col("moved_on"))
        .then(pl.lit(CSECaseClosure.TRANSFERRED.value))
        .otherwise(pl.lit(CSECaseClosure.RISK_REDUCED.value))
    )
    cases = cases.sort("opened_on", "child_id").select(
        id=pl.int_range(1, cases.height + 1, dtype=pl.Int64),
        child_id="child_id",
        screening_id="screening_id",
        team_id=pl.lit(CSE, dtype=pl.Int64),
        worker_id="worker_id",
        opened_on="opened_on",
        risk_level="risk_level",
        closed_on="closed_on",
        closure_reason=reason,
    )
    return cases.filter(pl.col("opened_on") <= horizon.as_of)
