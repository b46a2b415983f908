"""What partner agencies told the MASH: the MASH's information requests to the co-located agencies, their answers
(agency contributions) and who each answer is shared with.

For each red or amber contact received in the last thirteen months (a year of partner timeliness, and the
queue), and each rated contact still waiting for a decision, the practitioner asked the co-located agencies
for their checks soon after rating it, each request due a few hours later by the rating (front-door settings:
red 2 hours, amber 6, green 24). Who is asked depends on the child (education for children of school age,
youth justice from 10). An agency answers some time after the request (a median of about half the time it was
given); the practitioner waits for most late answers before deciding, and withdraws a request still unanswered
when the decision is made, so about one answer in ten comes after its due time. For a contact still waiting,
the requests not answered by the as-of moment are open, some of them overdue. Early help is not asked but adds
what it knows. Every checking agency has open requests, overdue and not yet due, so each agency researcher's
inbox has work in it.

Most answers are shared with the MASH and the child's social care team, some are kept to the MASH (sensitive
police intelligence, a probation risk assessment), and some are shared on to named partner agencies. Every
agency contributes at every sharing level at least once, so each agency's researcher sees what their agency
contributed, and the sharing rules can be shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from openmash.accounts.models import Agency
from openmash.front_door.models import FrontDoorSettings, InformationRequestStatus, SharingLevel
from openmash.front_door.services import CHECKING_AGENCIES

from .sampling import categorical, stream
from .simulate import ShardFrames, as_of_moment, utc_series

ENQUIRY_DAYS = 395  # contacts received this long before the as-of date had agency checks
# Chance that the MASH asks an agency about one enquiry, and the youngest age (years) it applies from.
# Early help is not a checking agency: it adds what it knows unasked.
AGENCIES: dict[Agency, tuple[float, float]] = {
    Agency.POLICE: (0.92, -1.0),
    Agency.HEALTH: (0.88, -1.0),
    Agency.EDUCATION: (0.86, 4.0),
    Agency.CHILDRENS_SOCIAL_CARE: (0.55, -1.0),
    Agency.EARLY_HELP: (0.30, -1.0),
    Agency.HOUSING: (0.33, -1.0),
    Agency.PROBATION: (0.22, -1.0),
    Agency.YOUTH_JUSTICE: (0.40, 10.0),
}
LEVELS = [SharingLevel.MASH_ONLY, SharingLevel.SAFEGUARDING, SharingLevel.PARTNERS]
LEVEL_WEIGHTS = (0.15, 0.60, 0.25)
ANSWERED_BEFORE_DECISION = 0.92  # of late answers, the share the practitioner waited (or chased) for
# How long an agency takes to answer, as a share of the time it was given: log-normal, median about half.
ANSWER_MEDIAN, ANSWER_SIGMA = 0.55, 0.9
QUESTIONS: dict[Agency, list[str]] = {
    Agency.POLICE: [
        "Any domestic incidents at the address in the last 12 months?",
        "Anything known about the mother's new partner?",
    ],
    Agency.HEALTH: ["Is the child registered with a GP and up to date with checks?", "Any recent A&E attendances?"],
    Agency.EDUCATION: ["Attendance this term, and any concerns from the DSL?"],
    Agency.PROBATION: ["Is any adult in the household known to probation?"],
    Agency.HOUSING: ["Who is on the tenancy, and any arrears or notices?"],
    Agency.YOUTH_JUSTICE: ["Is the young person known to the service?"],
    Agency.CHILDRENS_SOCIAL_CARE: ["Any previous involvement with the family?"],
}
MINUTE_US = 60_000_000
HOUR_US = 60 * MINUTE_US
SECOND_US = 1_000_000

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
    """The MASH's requests for checks, the agencies' answers and the agencies each partners-level answer is
    shared with, keyed as in the database (`InformationRequest`, `AgencyContribution`, `ContributionShare`).
    Requests name the practitioner who sent them in `requested_by_staff`."""

    contributions: pl.DataFrame
    shares: pl.DataFrame
    requests: pl.DataFrame


def check_hours() -> dict[str, int]:
    """How many hours agencies have to answer, by rating: the front door's default settings."""
    s = FrontDoorSettings()
    return {"red": s.red_check_hours, "amber": s.amber_check_hours, "green": s.green_check_hours}


def _us(series: pl.Series) -> np.ndarray:
    return series.dt.replace_time_zone(None).cast(pl.Int64).fill_null(0).to_numpy()


def build_contributions(seed: int, frames: ShardFrames, as_of: dt.date) -> Contributions:
    rng = stream(seed, 903)
    moment = as_of_moment(as_of)
    moment_us = int((moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) / dt.timedelta(microseconds=1))
    since = dt.datetime.combine(as_of - dt.timedelta(days=ENQUIRY_DAYS), dt.time(), tzinfo=dt.UTC)
    births = frames.children.select(child_id="id", birth="birth")
    enquiries = (
        frames.contacts.filter(
            pl.col("child_id").is_not_null()
            & (pl.col("rag") != "")
            & (pl.col("received_at") >= since)
            & (pl.col("rag").is_in(["red", "amber"]) | (pl.col("outcome") == ""))
        )
        .join(births, on="child_id", how="left")
        .select(
            contact_id="id",
            child_id="child_id",
            rag="rag",
            received="received_at",
            rated=pl.coalesce("rated_at", "received_at"),
            until=pl.coalesce("decided_at", pl.lit(moment)),
            waiting=pl.col("outcome") == "",
            owner="owner_staff",
            age=(pl.lit(as_of) - pl.col("birth")).dt.total_days() / 365.25,
        )
        .sort("contact_id")
    )
    n = enquiries.height
    age = enquiries["age"].to_numpy()
    waiting = enquiries["waiting"].to_numpy()
    rated = _us(enquiries["rated"])
    until = _us(enquiries["until"])
    hours = check_hours()
    window = np.asarray([hours[r] for r in enquiries["rag"].to_list()], dtype=np.int64) * HOUR_US
    agencies = list(AGENCIES)
    checking = np.asarray([a in CHECKING_AGENCIES for a in agencies])

    row_l, agency_l = [], []
    for i, (chance, min_age) in enumerate(AGENCIES.values()):
        hit = np.flatnonzero((age >= min_age) & (rng.random(n) < chance))
        row_l.append(hit)
        agency_l.append(np.full(hit.size, i))
    row = np.concatenate(row_l)
    agency = np.concatenate(agency_l)
    m = row.size
    # Asked soon after the rating; answered after a delay relative to the time the agency was given.
    requested = rated[row] + np.minimum(
        (rng.uniform(1, 15, m) * MINUTE_US).astype(np.int64), (until[row] - rated[row]) // 2
    )
    requested = requested // SECOND_US * SECOND_US
    delay = (window[row] * rng.lognormal(np.log(ANSWER_MEDIAN), ANSWER_SIGMA, m)).astype(np.int64)
    answer = requested + np.maximum(delay, MINUTE_US)
    late_for_decision = ~waiting[row] & (answer >= until[row])
    # Early help is not asked: what it adds before the decision is all there is.
    unasked = ~checking[agency]
    waited = unasked | (rng.random(m) < ANSWERED_BEFORE_DECISION)
    chased = requested + ((until[row] - requested) * rng.uniform(0.5, 0.95, m)).astype(np.int64)
    answer = np.where(late_for_decision & waited, chased, answer) // SECOND_US * SECOND_US
    status = np.where(
        waiting[row],
        np.where(answer < moment_us, "answered", "open"),
        np.where(late_for_decision & ~waited, "withdrawn", "answered"),
    ).astype(object)
    keep = ~(unasked & (status == "open"))
    status[unasked] = "unasked"
    row, agency, status, requested, answer = row[keep], agency[keep], status[keep], requested[keep], answer[keep]
    row, agency, status, requested, answer = _open_in_every_inbox(
        rng, enquiries, window, moment_us, row, agency, status, requested, answer, checking
    )
    answered = np.isin(status, ["answered", "unasked"])
    level = np.full(row.size, -1)
    level[answered] = categorical(rng.random(int(answered.sum())), LEVEL_WEIGHTS)
    row, agency, status, requested, answer, level = _every_agency_at_every_level(
        rng, enquiries, window, row, agency, status, requested, answer, level, age
    )
    return _frames(rng, enquiries, agencies, row, agency, status, requested, answer, level, window)


def _open_in_every_inbox(
    rng: np.random.Generator,
    enquiries: pl.DataFrame,
    window: np.ndarray,
    moment: int,
    row: np.ndarray,
    agency: np.ndarray,
    status: np.ndarray,
    requested: np.ndarray,
    answer: np.ndarray,
    checking: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Make sure every checking agency has an open request past its due time and one not yet due: the
    answer to an enquiry's request has not come yet, or the request is added (or, for one not yet due, was
    sent again after the first checks came back)."""
    waiting = np.flatnonzero(enquiries["waiting"].to_numpy())
    age = enquiries["age"].to_numpy()
    rated = _us(enquiries["rated"])
    rows = {(int(k), int(a)): i for i, (k, a) in enumerate(zip(row.tolist(), agency.tolist(), strict=True))}
    status = status.copy()
    requested = requested.copy()
    added: list[tuple[int, int, int]] = []

    def make_open(k: int, i: int, sent: int) -> None:
        at = rows.get((k, i))
        if at is None:
            added.append((k, i, sent))
        else:
            status[at], requested[at] = "open", sent

    for i, (_chance, min_age) in enumerate(AGENCIES.values()):
        if not checking[i]:
            continue
        eligible = sorted((int(k) for k in waiting if age[k] >= min_age), key=lambda k: (rated[k], k))
        mine = np.flatnonzero((agency == i) & (status == "open"))
        due = requested[mine] + window[row[mine]]
        overdue = [k for k in eligible if rated[k] + 2 * MINUTE_US + window[k] < moment]
        if not (due < moment).any() and overdue:
            k = overdue[0]  # the longest waiting: its checks are overdue
            make_open(k, i, rated[k] + 2 * MINUTE_US)
            eligible.remove(k)
        if not (due >= moment).any() and eligible:
            k = eligible[int(rng.integers(0, len(eligible)))]
            make_open(k, i, max(rated[k], moment - int(window[k] * rng.uniform(0.2, 0.7))))
    k = len(added)
    requested = requested // SECOND_US * SECOND_US
    if not k:
        return row, agency, status, requested, answer
    cols = list(zip(*added, strict=True))
    return (
        np.concatenate([row, np.asarray(cols[0], dtype=np.int64)]),
        np.concatenate([agency, np.asarray(cols[1], dtype=np.int64)]),
        np.concatenate([status, np.full(k, "open", dtype=object)]),
        np.concatenate([requested, np.asarray(cols[2], dtype=np.int64) // SECOND_US * SECOND_US]),
        np.concatenate([answer, np.zeros(k, dtype=np.int64)]),
    )


def _every_agency_at_every_level(
    rng: np.random.Generator,
    enquiries: pl.DataFrame,
    window: np.ndarray,
    row: np.ndarray,
    agency: np.ndarray,
    status: np.ndarray,
    requested: np.ndarray,
    answer: np.ndarray,
    level: np.ndarray,
    age: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Add one answered request for each agency and sharing level that has no answer (small boroughs)."""
    n = enquiries.height
    if n == 0:
        return row, agency, status, requested, answer, level
    rated = _us(enquiries["rated"])
    until = _us(enquiries["until"])
    have = set(zip(agency[level >= 0].tolist(), level[level >= 0].tolist(), strict=True))
    extra: list[tuple[int, int, str, int, int, int]] = []
    taken = set(zip(row.tolist(), agency.tolist(), strict=True))
    for i, (a, (_chance, min_age)) in enumerate(AGENCIES.items()):
        candidates = [k for k in np.flatnonzero(age >= min_age).tolist() if (k, i) not in taken]
        for lv in range(len(LEVELS)):
            if (i, lv) in have or not candidates:
                continue
            k = candidates.pop(int(rng.integers(0, len(candidates))))
            asked = rated[k] + min(5 * MINUTE_US, (until[k] - rated[k]) // 2)
            answered = asked + int((until[k] - asked) * rng.uniform(0.2, 0.8))
            kind = "answered" if a in CHECKING_AGENCIES else "unasked"
            extra.append((k, i, kind, asked // SECOND_US * SECOND_US, answered // SECOND_US * SECOND_US, lv))
    if not extra:
        return row, agency, status, requested, answer, level
    cols = list(zip(*extra, strict=True))
    return (
        np.concatenate([row, np.asarray(cols[0], dtype=np.int64)]),
        np.concatenate([agency, np.asarray(cols[1], dtype=np.int64)]),
        np.concatenate([status, np.asarray(cols[2], dtype=object)]),
        np.concatenate([requested, np.asarray(cols[3], dtype=np.int64)]),
        np.concatenate([answer, np.asarray(cols[4], dtype=np.int64)]),
        np.concatenate([level, np.asarray(cols[5], dtype=np.int64)]),
    )


def _frames(
    rng: np.random.Generator,
    enquiries: pl.DataFrame,
    agencies: list[Agency],
    row: np.ndarray,
    agency: np.ndarray,
    status: np.ndarray,
    requested: np.ndarray,
    answer: np.ndarray,
    level: np.ndarray,
    window: np.ndarray,
) -> Contributions:
    answered = level >= 0
    # Contributions: keyed in the order they were made.
    a_idx = np.flatnonzero(answered)
    a_idx = a_idx[np.lexsort((row[a_idx], answer[a_idx]))]
    text = np.empty(a_idx.size, dtype=object)
    for i, a in enumerate(agencies):
        for lv in range(len(LEVELS)):
            sel = np.flatnonzero((agency[a_idx] == i) & (level[a_idx] == lv))
            options = _TEXT[a][lv]
            text[sel] = np.asarray(options, dtype=object)[rng.integers(0, len(options), sel.size)]
    picked = enquiries[row[a_idx].tolist()] if a_idx.size else enquiries.clear()
    created = utc_series(answer[a_idx])
    contributions = pl.DataFrame(
        {
            "id": pl.int_range(1, a_idx.size + 1, dtype=pl.Int64, eager=True),
            "child_id": picked["child_id"],
            "contact_id": picked["contact_id"],
            "agency": pl.Series([agencies[i].value for i in agency[a_idx]], dtype=pl.String),
            "summary": pl.Series(text.tolist(), dtype=pl.String),
            "sharing_level": pl.Series([LEVELS[i].value for i in level[a_idx]], dtype=pl.String),
            "created_by_id": pl.Series([None] * a_idx.size, dtype=pl.Int64),
            "created_at": created,
            "updated_at": created,
        }
    )
    contribution_of = np.zeros(row.size, dtype=np.int64)
    contribution_of[a_idx] = np.arange(1, a_idx.size + 1)
    # Requests: every row but what early help added unasked, keyed in the order they were sent.
    r_idx = np.flatnonzero(status != "unasked")
    r_idx = r_idx[np.lexsort((agency[r_idx], row[r_idx], requested[r_idx]))]
    is_answered = status[r_idx] == "answered"
    r_agency = [agencies[i] for i in agency[r_idx]]
    question = np.asarray(
        [
            QUESTIONS[a][int(k) % len(QUESTIONS[a])] if ask else ""
            for a, k, ask in zip(r_agency, rng.integers(0, 2, r_idx.size), rng.random(r_idx.size) < 0.4, strict=True)
        ],
        dtype=object,
    )
    sent = enquiries[row[r_idx].tolist()] if r_idx.size else enquiries.clear()
    answered_at = utc_series(answer[r_idx]).to_frame("a").select(pl.when(pl.Series(is_answered)).then(pl.col("a")))
    requested_at = utc_series(requested[r_idx])
    requests = pl.DataFrame(
        {
            "id": pl.int_range(1, r_idx.size + 1, dtype=pl.Int64, eager=True),
            "contact_id": sent["contact_id"],
            "agency": pl.Series([a.value for a in r_agency], dtype=pl.String),
            "question": pl.Series(question.astype(str), dtype=pl.String),
            "requested_at": requested_at,
            "requested_by_staff": sent["owner"],
            "due_at": utc_series(requested[r_idx] + window[row[r_idx]]),
            "status": pl.Series(status[r_idx].astype(str), dtype=pl.String),
            "answered_at": answered_at.to_series(),
            "answered_by_id": pl.Series([None] * r_idx.size, dtype=pl.Int64),
            "response_id": pl.Series(np.where(is_answered, contribution_of[r_idx], 0), dtype=pl.Int64).replace(0, None),
            "created_at": requested_at,
            "updated_at": answered_at.to_series().fill_null(requested_at),
        }
    )
    if not set(requests["status"].unique().to_list()) <= set(InformationRequestStatus.values):
        raise ValueError("unknown request status")
    return Contributions(contributions=contributions, shares=_shares(rng, contributions), requests=requests)


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
