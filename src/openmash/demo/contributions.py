"""What partner agencies told the MASH about recent contacts: agency contributions and who they are
shared with.

For each red or amber contact received in the last three months, and each contact still waiting for a
decision, the MASH asked the co-located agencies what they know. Each agency answers with a chance
that depends on the child (education for children of school age, youth justice from 10), some time
between the contact arriving and its decision (for a waiting contact, before the as-of moment; some
agencies have not answered yet). Most answers are shared with the MASH and the child's social care
team, some are kept to the MASH (sensitive police intelligence, a probation risk assessment), and some
are shared on to named partner agencies. Every agency contributes at every sharing level at least once,
so each agency's researcher sees what their agency contributed, and the sharing rules can be shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from openmash.accounts.models import Agency
from openmash.front_door.models import SharingLevel

from .sampling import categorical, stream
from .simulate import ShardFrames, as_of_moment

ENQUIRY_DAYS = 91  # contacts received this long before the as-of date have contributions
# Chance that an agency contributes to one enquiry, and the youngest age (years) it applies from.
AGENCIES: dict[Agency, tuple[float, float]] = {
    Agency.POLICE: (0.85, -1.0),
    Agency.HEALTH: (0.80, -1.0),
    Agency.EDUCATION: (0.80, 4.0),
    Agency.CHILDRENS_SOCIAL_CARE: (0.50, -1.0),
    Agency.EARLY_HELP: (0.30, -1.0),
    Agency.HOUSING: (0.30, -1.0),
    Agency.PROBATION: (0.20, -1.0),
    Agency.YOUTH_JUSTICE: (0.35, 10.0),
}
LEVELS = [SharingLevel.MASH_ONLY, SharingLevel.SAFEGUARDING, SharingLevel.PARTNERS]
LEVEL_WEIGHTS = (0.15, 0.60, 0.25)
WAITING_ANSWERED = 0.6  # share of agencies that have already answered about a contact still waiting

# What each agency says, by sharing level (invented, in general terms).
_TEXT: dict[Agency, tuple[list[str], list[str], list[str]]] = {
    Agency.POLICE: (
        [
            "Sensitive intelligence about an adult linked to the address; not to be shared beyond the MASH.",
            "An investigation involving a household member is ongoing; details held by the MASH only.",
        ],
        [
            "Two domestic incidents at the address in the last 12 months; DASH risk assessed as medium.",
            "No police records for the adults in the household.",
            "Child reported missing once this year; returned the same night.",
        ],
        [
            "Mother's partner has a caution for assault (2021); no current bail conditions.",
            "MARAC referral made after the latest incident; partner agencies informed.",
        ],
    ),
    Agency.HEALTH: (
        ["Parent is receiving treatment from a specialist service; details for the MASH only."],
        [
            "Registered with a GP; immunisations up to date; no recent hospital attendances.",
            "Health visitor notes missed developmental checks and concerns about home conditions.",
            "Two emergency department attendances this year with minor injuries; explanations consistent.",
        ],
        [
            "Mother under the perinatal mental health team; engaging well.",
            "Child on the waiting list for CAMHS after a referral by the GP.",
        ],
    ),
    Agency.EDUCATION: (
        ["School holds a confidential disclosure from the child; details for the MASH only."],
        [
            "Attendance 86% this term; late most Mondays; presents as tired and hungry.",
            "Attendance 97%; no concerns noted by the designated safeguarding lead.",
            "One suspension this year; school reports recent changes in behaviour.",
        ],
        [
            "Child has an EHC plan; school is arranging an early annual review.",
            "Child is on a reduced timetable; the school is working with the family on a return.",
        ],
    ),
    Agency.CHILDRENS_SOCIAL_CARE: (
        ["Earlier records involve a family member who is now a member of staff; held by the MASH only."],
        [
            "Previous child in need episode closed 18 months ago; concerns then about neglect.",
            "No previous involvement with children's social care.",
        ],
        ["A sibling was on a child protection plan until last year (neglect)."],
    ),
    Agency.EARLY_HELP: (
        ["A family member has asked that their disclosure is kept within the MASH."],
        [
            "Open early help plan since the spring; family engaging with the family support worker.",
            "Early help offered last year; the family declined.",
        ],
        ["Family attend the parenting group at the family hub; attendance good."],
    ),
    Agency.HOUSING: (
        ["Information about the tenancy of another household member; for the MASH only."],
        [
            "Council tenancy since 2019; rent arrears and a notice seeking possession issued.",
            "No housing records for the family at this address.",
        ],
        ["Family placed in temporary accommodation last month; a move is planned in the next weeks."],
    ),
    Agency.PROBATION: (
        ["Risk assessment of an adult under supervision; for the MASH only."],
        [
            "No adults in the household known to probation.",
            "An adult in the household is under supervision; assessed as medium risk of serious harm.",
        ],
        ["Father is on licence with conditions about contact with the children; offender manager aware."],
    ),
    Agency.YOUTH_JUSTICE: (
        ["Information from a current youth justice assessment; for the MASH only."],
        [
            "Young person known to the service: out-of-court disposal last year, completed.",
            "Not known to the youth justice service.",
        ],
        ["Young person on a referral order; worker concerned about older peers and going missing."],
    ),
}


@dataclass
class Contributions:
    """Agency contributions and the agencies each partners-level one is shared with, keyed as in the
    database (`AgencyContribution`, `ContributionShare`)."""

    contributions: pl.DataFrame
    shares: pl.DataFrame


def build_contributions(seed: int, frames: ShardFrames, as_of: dt.date) -> Contributions:
    rng = stream(seed, 903)
    moment = as_of_moment(as_of)
    since = dt.datetime.combine(as_of - dt.timedelta(days=ENQUIRY_DAYS), dt.time(), tzinfo=dt.UTC)
    births = frames.children.select(child_id="id", birth="birth")
    enquiries = (
        frames.contacts.filter(
            (pl.col("received_at") >= since) & (pl.col("rag").is_in(["red", "amber"]) | (pl.col("outcome") == ""))
        )
        .join(births, on="child_id", how="left")
        .select(
            contact_id="id",
            child_id="child_id",
            received="received_at",
            until=pl.coalesce("decided_at", pl.lit(moment)),
            waiting=pl.col("outcome") == "",
            age=(pl.lit(as_of) - pl.col("birth")).dt.total_days() / 365.25,
        )
        .sort("contact_id")
    )
    n = enquiries.height
    age = enquiries["age"].to_numpy()
    waiting = enquiries["waiting"].to_numpy()
    rows_contact: list[np.ndarray] = []
    rows_agency: list[np.ndarray] = []
    for i, (chance, min_age) in enumerate(AGENCIES.values()):
        answered = np.where(waiting, chance * WAITING_ANSWERED, chance)
        hit = (age >= min_age) & (rng.random(n) < answered)
        rows_contact.append(np.flatnonzero(hit))
        rows_agency.append(np.full(int(hit.sum()), i))
    row = np.concatenate(rows_contact) if rows_contact else np.zeros(0, dtype=np.int64)
    agency = np.concatenate(rows_agency) if rows_agency else np.zeros(0, dtype=np.int64)
    level = categorical(rng.random(row.size), LEVEL_WEIGHTS)
    row, agency, level = _every_agency_at_every_level(rng, row, agency, level, age, n)
    agencies = list(AGENCIES)
    text = np.empty(row.size, dtype=object)
    for i, a in enumerate(agencies):
        for lv in range(len(LEVELS)):
            sel = np.flatnonzero((agency == i) & (level == lv))
            options = _TEXT[a][lv]
            text[sel] = np.asarray(options, dtype=object)[rng.integers(0, len(options), sel.size)]
    picked = enquiries[row.tolist()] if row.size else enquiries.clear()
    # Answered some time after the contact arrived and before it was decided (or the as-of moment).
    span = (picked["until"] - picked["received"]).dt.total_microseconds().to_numpy()
    offset = (rng.uniform(0.1, 0.95, row.size) * np.maximum(span, 0)).astype(np.int64) // 1_000_000 * 1_000_000
    created = picked["received"] + pl.Series(offset, dtype=pl.Duration("us"))
    order = np.lexsort((row, created.to_numpy()))
    contributions = pl.DataFrame(
        {
            "child_id": picked["child_id"],
            "contact_id": picked["contact_id"],
            "agency": pl.Series([agencies[i].value for i in agency], dtype=pl.String),
            "summary": pl.Series(text.tolist(), dtype=pl.String),
            "sharing_level": pl.Series([LEVELS[i].value for i in level], dtype=pl.String),
            "created_by_id": pl.Series([None] * row.size, dtype=pl.Int64),
            "created_at": created,
            "updated_at": created,
        }
    )[order.tolist()].with_columns(id=pl.int_range(1, row.size + 1, dtype=pl.Int64))
    return Contributions(contributions=contributions, shares=_shares(rng, contributions))


def _every_agency_at_every_level(
    rng: np.random.Generator, row: np.ndarray, agency: np.ndarray, level: np.ndarray, age: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add one contribution for each agency and sharing level that has none (small boroughs)."""
    if n == 0:
        return row, agency, level
    have = set(zip(agency.tolist(), level.tolist(), strict=True))
    extra_row, extra_agency, extra_level = [], [], []
    for i, (_agency, (_chance, min_age)) in enumerate(AGENCIES.items()):
        candidates = np.flatnonzero(age >= min_age)
        if candidates.size == 0:
            continue
        for lv in range(len(LEVELS)):
            if (i, lv) not in have:
                extra_row.append(int(candidates[rng.integers(0, candidates.size)]))
                extra_agency.append(i)
                extra_level.append(lv)
    return (
        np.concatenate([row, np.asarray(extra_row, dtype=np.int64)]),
        np.concatenate([agency, np.asarray(extra_agency, dtype=np.int64)]),
        np.concatenate([level, np.asarray(extra_level, dtype=np.int64)]),
    )


def _shares(rng: np.random.Generator, contributions: pl.DataFrame) -> pl.DataFrame:
    """Each partners-level contribution is shared with one to three other partner agencies."""
    partners = [a.value for a in AGENCIES if a != Agency.CHILDRENS_SOCIAL_CARE]
    shared = contributions.filter(pl.col("sharing_level") == SharingLevel.PARTNERS.value)
    ids: list[int] = []
    to: list[str] = []
    for pk, own in shared.select("id", "agency").iter_rows():
        others = [a for a in partners if a != own]
        k = int(rng.integers(1, 4))
        for j in sorted(rng.choice(len(others), size=k, replace=False).tolist()):
            ids.append(pk)
            to.append(others[j])
    frame = pl.DataFrame({"contribution_id": pl.Series(ids, dtype=pl.Int64), "agency": pl.Series(to, dtype=pl.String)})
    return frame.with_columns(id=pl.int_range(1, frame.height + 1, dtype=pl.Int64))
