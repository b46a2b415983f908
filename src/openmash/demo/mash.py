"""The MASH's side of each contact: how it came in, the child as the person contacting described them, who
made it, how the MASH matched, rated and decided it, and the queue at the as-of moment.

- **Ways in.** Members of the public report online or by phone; professionals use the referral form or
  phone; the police send most notifications from their own system through the partner API. A contact
  taken by phone is recorded by a MASH practitioner straight against the child.
- **The child as reported.** Each contact keeps the child's details as given (the register is the truth):
  a phone call recorded by the MASH copies the register; others give what the person knew (health staff
  the NHS number, schools the UPN, the public rarely a date of birth) with the slips people make: a
  nickname, a misspelt name, a date of birth with day and month swapped.
- **Matching, rating, deciding.** A practitioner links the contact to the child (a new record for a child's
  first contact through a form, details merged into the record now and then), rates it (red, amber or
  green, which sets when the decision is due: front_door/timescales.py), now and then rates it again
  after the checks, and decides it with a short rationale; strategy discussions are mostly decided by the
  team manager. A contact is a re-referral when the child had a referral in the 12 months before it.
- **The queue at the as-of moment.** Besides the contacts the simulation leaves waiting (every rating,
  some overdue), contacts have just arrived: phone calls recorded against known children but not yet
  rated, and reports through the forms and the API not yet matched to a child: most about children on
  the register (some described with slips), a few about children the borough has never known.

People who act in these records are the front-door team's staff (`Mash.staff`); the frames name them in
`*_staff` columns, which the loader turns into their accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from openmash.core import workdays as wd
from openmash.core.codes import ReferralSource
from openmash.front_door.models import ContactChannel, MatchDecision
from openmash.front_door.services import _REFERENCE_ALPHABET as REFERENCE_ALPHABET
from openmash.front_door.services import PUBLIC_SOURCES
from openmash.workforce.models import StaffMember

from . import names
from .people import People
from .sampling import categorical, pick_texts, stream
from .simulate import (
    AS_OF_MINUTE,
    DAY_US,
    MINUTE_US,
    RAGS,
    Horizon,
    ShardFrames,
    as_of_moment,
    contact_deadline,
    fit_source_to_age,
    local_to_utc,
    utc_series,
)
from .workforce import MASH, Workforce

SECOND_US = 1_000_000
_LONDON = "Europe/London"
PUBLIC = [s.value for s in PUBLIC_SOURCES]
HEALTH = ["3A", "3B", "3C", "3D", "3E", "3F"]
EDUCATION = ["2A", "2B"]
POLICE = ReferralSource.POLICE.value
# How contacts reach the front door, by who makes them: (public form, professional form, API, recorded).
CHANNELS = [
    ContactChannel.PUBLIC.value,
    ContactChannel.PROFESSIONAL.value,
    ContactChannel.API.value,
    ContactChannel.RECORDED.value,
]
CHANNEL_WEIGHTS = {
    "public": (0.55, 0.0, 0.0, 0.45),
    "police": (0.0, 0.15, 0.65, 0.20),
    "health": (0.0, 0.60, 0.10, 0.30),
    "education": (0.0, 0.75, 0.0, 0.25),
    "other": (0.0, 0.55, 0.0, 0.45),
}
# Share of contacts through a form or the API describing the child with a slip, by channel.
SLIP_CHANCE = {"public": 0.25, "professional": 0.08, "api": 0.05, "recorded": 0.0}
RE_RATED = 0.08  # rated again after the checks came back
MERGED = 0.06  # of contacts linked to a known child through a form: details copied to the record
MANAGER_DECIDES_STRATEGY = 0.7

RATIONALE: dict[str, list[str]] = {
    "nfa": [
        "Checks show no current safeguarding concerns; the family are already addressing the issue.",
        "Single incident with no history; parents acted protectively. No role for children's services.",
        "Information noted on the child's record; no further action needed by children's services.",
    ],
    "advice": [
        "Needs can be met by universal services; advice given to the referrer and the family signposted.",
        "Parent given advice and details of the family hub; school to keep monitoring.",
    ],
    "early_help": [
        "Needs below the threshold for social care; the family agree to a targeted early help offer.",
        "Emerging concerns about routines and school attendance; early help assessment with consent.",
    ],
    "referral": [
        "Concerns meet the threshold for a child and family assessment (section 17).",
        "Cumulative concerns about neglect; a social work assessment is needed to understand the risk.",
    ],
    "strategy": [
        "Reasonable cause to suspect significant harm: strategy discussion with police and health today.",
        "Injury without an explanation that fits: strategy discussion to consider a section 47 enquiry.",
    ],
    "already_open": ["The child has an allocated social worker; information passed on to them the same day."],
    "other_la": ["The family live in another authority; contact passed to their front door by phone and email."],
}
RATING_REASONS: dict[str, list[str]] = {
    "red": [
        "Possible significant harm today: the child may not be safe tonight.",
        "Injury to a young child with no explanation given.",
        "Child says they are frightened to go home.",
        "Domestic incident with children present and a weapon mentioned.",
    ],
    "amber": [
        "Concerns need partner checks today; no immediate risk identified.",
        "Pattern of concerns about neglect; checks needed before a decision.",
        "Parent's mental health deteriorating; the other parent caring for the children for now.",
    ],
    "green": [
        "No immediate risk; information and advice likely to be enough.",
        "Low-level concern; checks to confirm the family are known to universal services.",
    ],
}
# Why a contact was rated again: (first rating, final rating) to the reason.
RE_RATING_REASONS: dict[tuple[str, str], str] = {
    ("amber", "red"): "Re-rated red: police checks show a history of violence by an adult in the household.",
    ("green", "amber"): "Re-rated amber: the school reports a fall in attendance and new concerns this week.",
    ("red", "amber"): "Re-rated amber: the child is safe with a grandparent tonight while checks continue.",
    ("amber", "green"): "Re-rated green: health and school checks show no concerns; the parent is engaging.",
}
# Earlier rating of a contact rated again, by its final rating (red, amber, green).
EARLIER_RATING = {"red": ["amber"], "amber": ["green", "red"], "green": ["amber"]}


@dataclass
class Mash:
    contacts: pl.DataFrame
    ratings: pl.DataFrame
    staff: pl.DataFrame


def front_door_staff(workforce: Workforce) -> pl.DataFrame:
    """The MASH team's staff who work on contacts (practitioners and social workers) and its manager."""
    roles = [StaffMember.JobRole.MASH_PRACTITIONER.value, StaffMember.JobRole.SOCIAL_WORKER.value]
    team = workforce.staff.filter(pl.col("team_id") == MASH)
    return team.filter(
        pl.col("job_role").is_in([*roles, StaffMember.JobRole.TEAM_MANAGER.value]) & pl.col("end_date").is_null()
    ).select("id", "first_name", "last_name", "job_role")


def build_mash(seed: int, frames: ShardFrames, people: People, workforce: Workforce, horizon: Horizon) -> Mash:
    rng = stream(seed, 904)
    moment = _micros_of(as_of_moment(horizon.as_of))
    staff = front_door_staff(workforce)
    workers = staff.filter(pl.col("job_role") != StaffMember.JobRole.TEAM_MANAGER.value)["id"].to_numpy()
    manager = staff.filter(pl.col("job_role") == StaffMember.JobRole.TEAM_MANAGER.value)["id"].to_numpy()
    per_day = _contacts_per_working_day(frames.contacts, horizon.as_of)

    contacts = frames.contacts
    recorded = _just_recorded(rng, contacts, people, horizon, max(3, round(per_day * 0.12)))
    contacts = pl.concat([contacts, recorded.drop("channel")], how="diagonal_relaxed")
    channel = _channels(rng, contacts["source"].to_numpy())
    channel[contacts.height - recorded.height :] = ContactChannel.RECORDED.value
    contacts = contacts.with_columns(channel=pl.Series(channel, dtype=pl.String))
    contacts = _subjects(rng, contacts, people.children)
    contacts = _handling(rng, contacts, workers, manager, moment)
    contacts = _re_referrals(contacts, frames.referrals)
    unmatched = _not_yet_matched(rng, contacts, people, horizon, max(5, round(per_day * 0.3)))
    contacts = pl.concat([contacts, unmatched], how="diagonal_relaxed")
    contacts = contacts.with_columns(reference=_references(rng, contacts.height))
    ratings = _ratings(rng, contacts, moment)
    return Mash(contacts=contacts_with_final_rating_times(contacts, ratings), ratings=ratings, staff=staff)


# Times -------------------------------------------------------------------------------------------


def _micros_of(moment: dt.datetime) -> int:
    return int((moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) / dt.timedelta(microseconds=1))


def micros(series: pl.Series) -> np.ndarray:
    """UTC microseconds since 1970 of an aware date-time column (nulls as 0)."""
    return series.dt.replace_time_zone(None).cast(pl.Int64).fill_null(0).to_numpy()


def local_micros(series: pl.Series) -> np.ndarray:
    """London-time microseconds since 1970 of an aware date-time column (nulls as 0)."""
    return series.dt.convert_time_zone(_LONDON).dt.replace_time_zone(None).cast(pl.Int64).fill_null(0).to_numpy()


def decision_due(received: np.ndarray, rag: np.ndarray) -> np.ndarray:
    """When each contact (received at UTC microseconds, rated RAG index 0 red, 1 amber, 2 green) is due to be
    decided, in UTC microseconds: front_door.timescales.decision_due, vectorised."""
    local = local_micros(utc_series(received))
    return local_to_utc(contact_deadline(local, rag))


def whole_seconds(us: np.ndarray) -> np.ndarray:
    return np.asarray(us, dtype=np.int64) // SECOND_US * SECOND_US


def _minutes(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return (rng.uniform(lo, hi, n) * MINUTE_US).astype(np.int64)


def _contacts_per_working_day(contacts: pl.DataFrame, as_of: dt.date) -> float:
    year = contacts.filter(pl.col("received_at").dt.date() > as_of - dt.timedelta(days=365)).height
    return year / 253


# Ways in and the child as reported -----------------------------------------------------------------


def _group(source: np.ndarray) -> np.ndarray:
    return np.where(
        np.isin(source, PUBLIC),
        "public",
        np.where(
            source == POLICE,
            "police",
            np.where(np.isin(source, HEALTH), "health", np.where(np.isin(source, EDUCATION), "education", "other")),
        ),
    )


def _channels(rng: np.random.Generator, source: np.ndarray) -> np.ndarray:
    group = _group(source)
    channel = np.empty(source.size, dtype=object)
    u = rng.random(source.size)
    for name, weights in CHANNEL_WEIGHTS.items():
        sel = np.flatnonzero(group == name)
        channel[sel] = np.asarray(CHANNELS, dtype=object)[categorical(u[sel], weights)]
    return channel


def _subjects(rng: np.random.Generator, contacts: pl.DataFrame, children: pl.DataFrame) -> pl.DataFrame:
    """The child as each contact describes them: what this kind of referrer knows, with their slips."""
    register = children.select(
        child_id="id",
        c_first="first_name",
        c_last="last_name",
        c_birth="date_of_birth",
        c_nhs="nhs_number",
        c_upn="upn",
        c_address="address",
        c_postcode="postcode",
    )
    c = contacts.join(register, on="child_id", how="left", maintain_order="left")
    return c.with_columns(**_as_reported(rng, c)).drop(
        "c_first", "c_last", "c_birth", "c_nhs", "c_upn", "c_address", "c_postcode"
    )


def _as_reported(
    rng: np.random.Generator, c: pl.DataFrame, force_slip: np.ndarray | None = None
) -> dict[str, pl.Series]:
    n = c.height
    channel = c["channel"].to_numpy()
    group = _group(c["source"].to_numpy())
    recorded = channel == ContactChannel.RECORDED.value
    public = channel == ContactChannel.PUBLIC.value
    u = rng.random((n, 5))
    knows_birth = recorded | np.where(public, u[:, 0] < 0.6, u[:, 0] < 0.93)
    knows_address = ~recorded & np.where(public, u[:, 1] < 0.75, u[:, 1] < 0.9)
    knows_nhs = ~recorded & (group == "health") & (u[:, 2] < 0.8)
    knows_upn = ~recorded & (group == "education") & (u[:, 3] < 0.75)
    chance = np.select([channel == k for k in SLIP_CHANCE], list(SLIP_CHANCE.values()), 0.0)
    slip = chance > u[:, 4]
    if force_slip is not None:
        slip |= force_slip
    first = c["c_first"].fill_null("")
    last = c["c_last"].fill_null("")
    birth = c["c_birth"]
    idx = np.flatnonzero(slip)
    kinds = categorical(rng.random(idx.size), (0.35, 0.25, 0.15, 0.15, 0.10))  # nickname, surname, first, birth, none
    new_first, new_last, new_birth = (
        first.gather(idx).to_list(),
        last.gather(idx).to_list(),
        birth.gather(idx).to_list(),
    )
    for j, kind in enumerate(kinds.tolist()):
        if kind == 0 and new_first[j] in names.NICKNAMES:
            options = names.NICKNAMES[new_first[j]]
            new_first[j] = options[int(rng.integers(0, len(options)))]
        elif kind in (0, 1) and new_last[j]:
            new_last[j] = names.typo(rng, new_last[j])
        elif kind == 2 and new_first[j] and new_first[j] != "Unborn":
            new_first[j] = names.typo(rng, new_first[j])
        elif kind == 3 and new_birth[j] is not None:
            new_birth[j] = _misremembered(rng, new_birth[j])
        else:
            knows_birth[idx[j]] = False
    if idx.size:
        first = first.scatter(idx, new_first)
        last = last.scatter(idx, new_last)
        birth = birth.scatter(idx, pl.Series(new_birth, dtype=pl.Date))

    def known(flag: np.ndarray, column: str) -> pl.Series:
        return c.select(pl.when(pl.Series(flag)).then(pl.col(column).fill_null("")).otherwise(pl.lit(""))).to_series()

    return {
        "subject_first_name": first,
        "subject_last_name": last,
        "subject_date_of_birth": birth.to_frame("b").select(pl.when(pl.Series(knows_birth)).then("b")).to_series(),
        "subject_nhs_number": known(knows_nhs, "c_nhs"),
        "subject_upn": known(knows_upn, "c_upn"),
        "subject_address": known(knows_address, "c_address"),
        "subject_postcode": known(knows_address, "c_postcode"),
    }


def _misremembered(rng: np.random.Generator, day: dt.date) -> dt.date:
    """A date of birth as someone misremembers it: day and month swapped where that is a date, else a day out."""
    if day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    return day + dt.timedelta(days=1 if rng.random() < 0.5 else -1)


# Matching, rating and deciding -------------------------------------------------------------------


def _handling(
    rng: np.random.Generator, contacts: pl.DataFrame, workers: np.ndarray, manager: np.ndarray, moment: int
) -> pl.DataFrame:
    n = contacts.height
    received = micros(contacts["received_at"])
    decided_col = contacts["decided_at"]
    until = np.where(decided_col.is_null().to_numpy(), moment, micros(decided_col))
    span = np.maximum(until - received, 0)
    recorded = contacts["channel"].to_numpy() == ContactChannel.RECORDED.value
    rated = contacts["rag"].to_numpy() != ""
    matched = np.where(recorded, received, received + np.minimum(_minutes(rng, 2, 25, n), span * 0.15).astype(np.int64))
    rated_at = matched + np.minimum(_minutes(rng, 2, 30, n), span * 0.25).astype(np.int64)
    owner = workers[rng.integers(0, workers.size, n)]
    outcome = contacts["outcome"].to_numpy()
    strategy_by_manager = (outcome == "strategy") & (rng.random(n) < MANAGER_DECIDES_STRATEGY) & (manager.size > 0)
    decider = np.where(strategy_by_manager, manager[0] if manager.size else 0, owner)
    u = rng.random((n, 3))
    is_recorded, is_rated = pl.Series(recorded), pl.Series(rated)
    # A child's first contact through a form or the API becomes their record; now and then details a form
    # gives (a new address) are merged into the record.
    first_contact = pl.col("received_at").rank("ordinal").over("child_id") == 1
    merge = pl.Series(u[:, 0] < MERGED) & (pl.col("subject_address") != "")
    return contacts.with_columns(
        matched_at=utc_series(whole_seconds(matched)),
        match_decision=pl.when(is_recorded)
        .then(pl.lit(MatchDecision.LINKED.value))
        .when(first_contact)
        .then(pl.lit(MatchDecision.CREATED.value))
        .when(merge)
        .then(pl.lit(MatchDecision.MERGED.value))
        .otherwise(pl.lit(MatchDecision.LINKED.value)),
        matched_staff=pl.Series(owner, dtype=pl.Int64),
        submitted_staff=_masked_ids(owner, recorded),
        owner_staff=_masked_ids(owner, rated),
        rated_at=pl.when(is_rated).then(utc_series(whole_seconds(rated_at))),
        decision_due_at=pl.when(is_rated).then(pl.col("decision_due_at")),
        decided_staff=_masked_ids(decider, outcome != ""),
        decision_rationale=pick_texts(rng, contacts["outcome"], RATIONALE),
        immediate_risk=~is_recorded & (pl.col("rag") == "red") & pl.Series(u[:, 1] < 0.35),
        parents_aware=pl.when(is_recorded)
        .then(pl.lit(""))
        .otherwise(pl.Series(np.asarray(["yes", "no", "unknown"])[categorical(u[:, 2], (0.45, 0.3, 0.25))])),
    )


def _masked_ids(ids: np.ndarray, present: np.ndarray) -> pl.Series:
    return (
        pl.Series(ids, dtype=pl.Int64).to_frame("x").select(pl.when(pl.Series(present)).then(pl.col("x"))).to_series()
    )


def _re_referrals(contacts: pl.DataFrame, referrals: pl.DataFrame) -> pl.DataFrame:
    """A contact is a re-referral when the child had a referral (other than the one it led to) in the 12
    months up to the day it arrived, as contact_record and contact_link work it out."""
    day = pl.col("received_at").dt.convert_time_zone(_LONDON).dt.date()
    c = contacts.select("id", "child_id", day=day).filter(pl.col("child_id").is_not_null())
    r = referrals.select("child_id", r_day="referral_date", r_contact="contact_id")
    hits = (
        c.join(r, on="child_id")
        .filter(
            (pl.col("r_contact") != pl.col("id"))
            & (pl.col("r_day") <= pl.col("day"))
            & (pl.col("r_day") >= pl.col("day").dt.offset_by("-12mo"))
        )
        .select("id")
        .unique()
    )
    return contacts.with_columns(re_referral=pl.col("id").is_in(hits["id"].implode()))


def _ratings(rng: np.random.Generator, contacts: pl.DataFrame, moment: int) -> pl.DataFrame:
    """Each rated contact's rating, and for some an earlier rating changed after the checks."""
    rated = contacts.filter(pl.col("rag") != "")
    n = rated.height
    rag = rated["rag"].to_numpy()
    first_at = micros(rated["rated_at"])
    decided = rated["decided_at"]
    until = np.where(decided.is_null().to_numpy(), moment, micros(decided))
    final_at = whole_seconds(
        first_at + np.minimum(_minutes(rng, 30, 240, n), (until - first_at) * 0.6).astype(np.int64)
    )
    again = (rng.random(n) < RE_RATED) & (final_at > first_at)
    earlier = np.where(rag == "amber", np.where(rng.random(n) < 0.6, "green", "red"), "amber")
    reason = pick_texts(rng, rated["rag"], RATING_REASONS)
    change = pl.select(pl.concat_str(pl.Series(earlier), pl.lit(">"), rated["rag"])).to_series()
    re_reason = pick_texts(rng, change, {f"{e}>{r}": [text] for (e, r), text in RE_RATING_REASONS.items()})
    idx = np.flatnonzero(again)
    received = micros(rated["received_at"])
    earlier_due = decision_due(received[idx], np.asarray([RAGS.index(r) for r in earlier[idx]], dtype=np.int64))
    final_reason = pl.select(
        pl.when(pl.Series(again) & (re_reason != "")).then(re_reason).otherwise(reason)
    ).to_series()
    rows_final = pl.DataFrame(
        {
            "contact_id": rated["id"],
            "rag": rated["rag"],
            "rated_at": utc_series(np.where(again, final_at, first_at)),
            "rated_by_staff": rated["owner_staff"],
            "reason": final_reason,
            "decision_due_at": rated["decision_due_at"],
        }
    )
    rows_earlier = pl.DataFrame(
        {
            "contact_id": rated["id"].gather(idx),
            "rag": pl.Series(earlier[idx], dtype=pl.String),
            "rated_at": utc_series(first_at[idx]),
            "rated_by_staff": rated["owner_staff"].gather(idx),
            "reason": pick_texts(rng, pl.Series(earlier[idx], dtype=pl.String), RATING_REASONS),
            "decision_due_at": utc_series(earlier_due),
        }
    )
    ratings = pl.concat([rows_earlier, rows_final]).sort("rated_at", "contact_id")
    return ratings.with_columns(id=pl.int_range(1, ratings.height + 1, dtype=pl.Int64))


def contacts_with_final_rating_times(contacts: pl.DataFrame, ratings: pl.DataFrame) -> pl.DataFrame:
    """The contacts with rated_at set to their latest rating (as contact_rate leaves it)."""
    latest = ratings.group_by("contact_id").agg(latest=pl.col("rated_at").max())
    return (
        contacts.join(latest, left_on="id", right_on="contact_id", how="left", maintain_order="left")
        .with_columns(rated_at=pl.coalesce("latest", "rated_at"))
        .drop("latest")
    )


def _references(rng: np.random.Generator, n: int) -> pl.Series:
    """Unique references in the format contact_receive gives (MC-XXXX-XXXX from the unambiguous alphabet)."""
    alphabet = np.asarray(list(REFERENCE_ALPHABET), dtype="<U1")
    refs = pl.Series([], dtype=pl.String)
    while refs.len() < n:
        letters = alphabet[rng.integers(0, alphabet.size, (n - refs.len(), 8))]
        body = pl.Series(np.ascontiguousarray(letters).view("<U8").ravel())
        drawn = pl.concat_str(pl.lit("MC-"), body.str.slice(0, 4), pl.lit("-"), body.str.slice(4))
        refs = pl.concat([refs, pl.select(drawn).to_series()]).unique(maintain_order=True)
    return refs.alias("reference")


# The queue at the as-of moment ------------------------------------------------------------------


def _alive_children(people: People, as_of: dt.date, known: pl.Series | None = None) -> pl.DataFrame:
    c = people.children.filter(
        pl.col("date_of_birth").is_not_null()
        & (pl.col("date_of_birth") <= as_of)
        & (pl.col("date_of_birth").dt.offset_by("18y") > as_of)
    )
    if known is not None:
        c = c.filter(pl.col("id").is_in(known.implode()))
    return c.sort("id")


def _arrival_times(rng: np.random.Generator, horizon: Horizon, n: int, office: bool) -> np.ndarray:
    """Receipt times (UTC microseconds) in the hours before the as-of moment: for phone calls and forms from
    professionals in office hours on the last working day, for the public and partner systems any time."""
    as_of = wd.day_number(horizon.as_of)
    last = int(wd.last_working_day_by(np.array([as_of]))[0])
    if office and last == as_of:
        start, end = max(8 * 60 + 30, AS_OF_MINUTE - 180), AS_OF_MINUTE - 5
        local = as_of * DAY_US + rng.integers(start, end, n) * MINUTE_US
    elif office:
        local = last * DAY_US + rng.integers(14 * 60, 17 * 60 + 15, n) * MINUTE_US
    else:
        local = as_of * DAY_US + (AS_OF_MINUTE - rng.integers(5, 8 * 60, n)) * MINUTE_US
    return local_to_utc(np.asarray(local, dtype=np.int64))


def _new_ids(contacts: pl.DataFrame, n: int) -> np.ndarray:
    start = int(contacts["id"].max() or 0) + 1  # type: ignore[arg-type]
    return np.arange(start, start + n, dtype=np.int64)


def _described(rng: np.random.Generator, source: np.ndarray, age: np.ndarray) -> pl.DataFrame:
    return names.describe_contacts(rng, pl.Series(source, dtype=pl.String), age)


def _just_recorded(
    rng: np.random.Generator, contacts: pl.DataFrame, people: People, horizon: Horizon, n: int
) -> pl.DataFrame:
    """Phone calls about children the MASH already knows, recorded against the child in the last hours and
    not yet rated."""
    known = _alive_children(people, horizon.as_of, contacts["child_id"].unique())
    pick = known[rng.choice(known.height, size=min(n, known.height), replace=False).tolist()]
    k = pick.height
    received = np.sort(_arrival_times(rng, horizon, k, office=True))
    age_days = wd.day_number(horizon.as_of) - pick["date_of_birth"].cast(pl.Int32).to_numpy()
    pool = contacts["source"].to_numpy()
    source = fit_source_to_age(
        np.searchsorted(SOURCE_CODES, pool[rng.integers(0, pool.size, k)]), age_days, SOURCE_CODES
    )
    codes = np.asarray(SOURCE_CODES, dtype=object)[source]
    frame = pl.DataFrame(
        {
            "id": _new_ids(contacts, k),
            "child_id": pick["id"],
            "received_at": utc_series(received),
            "decided_at": pl.Series([None] * k, dtype=pl.Datetime("us", "UTC")),
            "source": pl.Series(codes.astype(str), dtype=pl.String),
            "rag": pl.Series([""] * k, dtype=pl.String),
            "rated_at": pl.Series([None] * k, dtype=pl.Datetime("us", "UTC")),
            "decision_due_at": pl.Series([None] * k, dtype=pl.Datetime("us", "UTC")),
            "match_decision": pl.Series(["linked"] * k, dtype=pl.String),
            "outcome": pl.Series([""] * k, dtype=pl.String),
            "team_id": pl.Series([MASH] * k, dtype=pl.Int64),
            "is_referral": pl.Series([False] * k),
            "channel": pl.Series([ContactChannel.RECORDED.value] * k),
        }
    )
    return pl.concat([frame, _described(rng, codes.astype(str), age_days / 365.25)], how="horizontal")


SOURCE_CODES = sorted(s.value for s in ReferralSource)
# Sources of the professionals who use the referral form (by agency), and of partner systems (the police).
FORM_SOURCES = ["2A", "3A", "3B", "3C", "3D", "3E", "4", "7", "5D"]


def _not_yet_matched(
    rng: np.random.Generator, contacts: pl.DataFrame, people: People, horizon: Horizon, n: int
) -> pl.DataFrame:
    """Contacts through the public form, the professional form and the API in the last hours, not yet matched
    to a child: half about register children described with a slip, a quarter described accurately (often
    with an identifier that finds the child at once) and a quarter about children the borough has never known."""
    new = max(2, n // 4)
    slipped = max(2, n // 2)
    exact = max(1, n - new - slipped)
    alive = _alive_children(people, horizon.as_of)
    pick = alive[rng.choice(alive.height, size=slipped + exact, replace=False).tolist()]
    as_of_day = wd.day_number(horizon.as_of)
    # One through each way in, the rest mostly from the public.
    channel = np.asarray(CHANNELS[:3], dtype=object)[categorical(rng.random(n), (0.45, 0.35, 0.20))]
    channel[rng.choice(n, size=min(n, 3), replace=False)] = CHANNELS[: min(n, 3)]
    age_days = np.concatenate(
        [as_of_day - pick["date_of_birth"].cast(pl.Int32).to_numpy(), rng.integers(200, 17 * 365, new)]
    )
    source = np.where(
        channel == ContactChannel.PUBLIC.value,
        np.asarray(PUBLIC, dtype=object)[rng.integers(0, len(PUBLIC), n)],
        np.where(
            channel == ContactChannel.API.value,
            POLICE,
            np.asarray(FORM_SOURCES, dtype=object)[rng.integers(0, len(FORM_SOURCES), n)],
        ),
    )
    source = np.asarray(SOURCE_CODES, dtype=object)[
        fit_source_to_age(np.searchsorted(SOURCE_CODES, source.astype(str)), age_days, SOURCE_CODES)
    ]
    received = np.sort(_arrival_times(rng, horizon, n, office=False))
    # Children nobody has recorded yet: a name, a date of birth and an address as the reporter gives them.
    female = rng.random(new) < 0.5
    group = np.where(rng.random(new) < 0.8, 0, rng.integers(1, 3, new))
    address, postcode = names.addresses(rng, new)
    births = pl.Series(as_of_day - age_days[-new:], dtype=pl.Int32).cast(pl.Date)
    register = pl.DataFrame(
        {
            "c_first": pl.concat([pick["first_name"], names.child_first_names(rng, female, group)]),
            "c_last": pl.concat([pick["last_name"], names.surnames(rng, group)]),
            "c_birth": pl.concat([pick["date_of_birth"], births]),
            "c_nhs": pl.concat([pick["nhs_number"], pl.Series([""] * new)]),
            "c_upn": pl.concat([pick["upn"], pl.Series([""] * new)]),
            "c_address": pl.concat([pick["address"], address]),
            "c_postcode": pl.concat([pick["postcode"], postcode]),
            "channel": pl.Series(channel.astype(str)),
            "source": pl.Series(source.astype(str)),
        }
    )
    force = np.zeros(n, dtype=bool)
    force[:slipped] = True
    reported = _as_reported(rng, register, force_slip=force)
    frame = pl.DataFrame(
        {
            "id": _new_ids(contacts, n),
            "child_id": pl.Series([None] * n, dtype=pl.Int64),
            "received_at": utc_series(received),
            "decided_at": pl.Series([None] * n, dtype=pl.Datetime("us", "UTC")),
            "source": register["source"],
            "rag": pl.Series([""] * n, dtype=pl.String),
            "match_decision": pl.Series([""] * n, dtype=pl.String),
            "outcome": pl.Series([""] * n, dtype=pl.String),
            "team_id": pl.Series([MASH] * n, dtype=pl.Int64),
            "is_referral": pl.Series([False] * n),
            "channel": register["channel"],
            "re_referral": pl.Series([False] * n),
            "immediate_risk": pl.Series(rng.random(n) < 0.1),
            "parents_aware": pl.Series(np.asarray(["yes", "no", "unknown"])[rng.integers(0, 3, n)]),
            "decision_rationale": pl.Series([""] * n, dtype=pl.String),
            **reported,
        }
    )
    frame = pl.concat([frame, _described(rng, source.astype(str), age_days / 365.25)], how="horizontal")
    # Drawn in order (slipped, exact, new): arrival times in random order, so the keys do not tell which is which.
    frame = frame.with_columns(received_at=frame["received_at"].gather(rng.permutation(n).tolist()))
    return frame.sort("received_at").with_columns(id=pl.Series(_new_ids(contacts, n)))
