"""What the front door's decisions led to, as contact_decide_with_result records them: early help packages,
the disclosure ledger, telling the referrer and the survey, cumulative-concern alerts, and the adults
named in domestic abuse notifications.

- **Early help.** Each early help decision starts a package led by early help (schools for some school-age
  children, health visitors for some under-fives). Packages last a few months: one is stepped up when the
  child is referred to social care while it runs; the others close with their outcome (most with needs
  met, some declined or moved away); those started recently are still open.
- **The disclosure ledger** (from `ledger_since`: the start of the calibrated reporting year, when the
  borough's front door moved onto OpenMASH). The referrer is told the outcome (in the words contact_decide
  uses) whenever they can be reached; strategy discussions share the concerns with police and health,
  referrals often with the school or health, early help with its lead agency (with the family's consent),
  advice now and then with the GP.
- **Referrer feedback.** Each referrer told the outcome gets a one-off survey link (only its hash is kept,
  as the service keeps it); about 30% of professionals and 15% of the public answer, within days, more
  satisfied when the decision came within a working day and when they agree with it.
- **Cumulative concern.** After each decision the household's contacts decided no further action are
  checked against the authority's threshold with the service's own rule (front_door.services.
  concern_pattern); an alert is raised where they pass it, and acknowledged by the hub within a couple of
  working days (those raised in the last two days are not yet).
- **Alleged perpetrators.** Each police domestic abuse notification names the child's mother as parent and
  the alleged perpetrator (the adult the register records as one, else the child's father or step-parent),
  so later notifications naming the same man give the re-offending measure.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import polars as pl

from openmash.accounts.models import Agency
from openmash.core import workdays as wd
from openmash.front_door.models import (
    ConsentStatus,
    ContactAdultRole,
    ContactOutcome,
    EarlyHelpOutcome,
    FrontDoorSettings,
    LawfulBasis,
)
from openmash.front_door.services import concern_pattern, concern_window_start, outcome_for_referrer

from .mash import local_micros, micros, whole_seconds
from .people import People
from .sampling import categorical, pick_texts, stream
from .simulate import DAY_US, Horizon, ShardFrames, as_of_moment, utc_series

RATIONALE_OUTCOMES = [o.value for o in ContactOutcome]
TOLD_PURPOSE = "Telling the referrer the outcome of their contact (Working Together 2023)"
EARLY_HELP_MEDIAN_DAYS = 150
EARLY_HELP_ENDINGS = [
    EarlyHelpOutcome.NEEDS_MET,
    EarlyHelpOutcome.DECLINED,
    EarlyHelpOutcome.MOVED,
    EarlyHelpOutcome.OTHER,
]
EARLY_HELP_ENDING_WEIGHTS = (0.64, 0.2, 0.06, 0.1)
EARLY_HELP_SUPPORT = {
    Agency.EARLY_HELP: [
        "Family support worker: weekly visits for 12 weeks on routines, boundaries and school attendance.",
        "Parenting programme at the family hub, with a family support worker for the parents.",
        "Team Around the Family led by early help; young carers service for the eldest child.",
    ],
    Agency.EDUCATION: [
        "School-led Team Around the Family: mentoring, breakfast club and attendance support.",
        "School pastoral support plan with the education welfare officer; reviewed every six weeks.",
    ],
    Agency.HEALTH: [
        "Health visitor enhanced visits, and a place at the children's centre stay-and-play.",
        "Health visitor support for the mother's low mood, with the perinatal mental health team.",
    ],
}
SURVEY_RESPONSE = {"professional": 0.30, "public": 0.15}
COMMENTS = {
    "low": [
        "I was not told why the decision was no further action.",
        "It took several calls before anyone got back to me.",
    ],
    "high": [
        "Quick response and a clear explanation of what happens next.",
        "The social worker called me back the same day; thank you.",
    ],
}
ACTIONS_TAKEN = [
    "Pattern reviewed by the MASH manager: contacts from several agencies about the same worries. "
    "Referred for a child and family assessment.",
    "Pattern reviewed with the school and health visitor; early help offered to the family.",
    "Pattern reviewed: each concern was resolved and the family are engaging with universal services. "
    "Agencies asked to contact the MASH at once if anything changes.",
]
DOMESTIC_ABUSE_SUMMARIES = (
    "Police notification: domestic incident at the family home, children present.",
    "Domestic incident reported: the mother, who is pregnant, was assaulted by her partner.",
    "Police called to a dispute between parents; child distressed.",
)
# Who else the MASH tells about a decision, by outcome: (recipient agency, recipient, what was shared,
# purpose, lawful basis, consent, chance).
_SHARES: dict[str, list[tuple[Agency, str, str, str, LawfulBasis, ConsentStatus, float]]] = {
    "strategy": [
        (
            Agency.POLICE,
            "Police public protection unit",
            "The concerns, the agencies' checks and the decision to hold a strategy discussion.",
            "Strategy discussion (Working Together 2023, chapter 4)",
            LawfulBasis.S47,
            ConsentStatus.NOT_SOUGHT,
            1.0,
        ),
        (
            Agency.HEALTH,
            "Named nurse for safeguarding children",
            "The concerns and the decision to hold a strategy discussion.",
            "Strategy discussion (Working Together 2023, chapter 4)",
            LawfulBasis.S47,
            ConsentStatus.NOT_SOUGHT,
            0.9,
        ),
    ],
    "referral": [
        (
            Agency.EDUCATION,
            "Designated safeguarding lead at the child's school",
            "That a child and family assessment has started, and the social worker's name.",
            "Child and family assessment: information from the school",
            LawfulBasis.S17,
            ConsentStatus.GIVEN,
            0.4,
        ),
    ],
    "early_help": [],  # to the package's lead agency (below)
    "advice": [
        (
            Agency.HEALTH,
            "The family's GP practice",
            "The parent's worries and the advice given, with the parent's agreement.",
            "Advice and signposting",
            LawfulBasis.CONSENT,
            ConsentStatus.GIVEN,
            0.2,
        ),
    ],
}
LEAD_RECIPIENT = {
    Agency.EARLY_HELP: "Early help hub",
    Agency.EDUCATION: "Designated safeguarding lead at the child's school",
    Agency.HEALTH: "Health visiting team",
}


@dataclass
class Decisions:
    """Keyed as in the database: `EarlyHelpPackage`, `Disclosure`, `ReferrerFeedback`, `CumulativeConcernAlert`
    (and its contacts), `ContactAdult`. People who act are named in `*_staff` columns."""

    early_help: pl.DataFrame
    disclosures: pl.DataFrame
    feedback: pl.DataFrame
    alerts: pl.DataFrame
    alert_contacts: pl.DataFrame
    contact_adults: pl.DataFrame


def build_decisions(
    seed: int, frames: ShardFrames, people: People, horizon: Horizon, workers: np.ndarray, manager: int | None
) -> Decisions:
    rng = stream(seed, 905)
    moment = micros(pl.Series([as_of_moment(horizon.as_of)]))[0]
    since = dt.datetime.combine(ledger_since(horizon), dt.time(), tzinfo=dt.UTC)
    contacts = frames.contacts.filter(pl.col("outcome") != "")
    births = people.children.select(child_id="id", birth=pl.coalesce("date_of_birth", "expected_date_of_birth"))
    decided = contacts.join(births, on="child_id", how="left", maintain_order="left").with_columns(
        age=(pl.col("decided_at").dt.date() - pl.col("birth")).dt.total_days() / 365.25
    )
    early_help = _early_help(rng, decided, frames.contacts, horizon)
    recent = decided.filter(pl.col("decided_at") >= since)
    told, feedback = _told_and_feedback(rng, recent, moment)
    disclosures = _disclosures(rng, recent, early_help, told)
    alerts, alert_contacts = _alerts(rng, frames.contacts, people, horizon, workers, manager)
    return Decisions(
        early_help=early_help,
        disclosures=disclosures,
        feedback=feedback,
        alerts=alerts,
        alert_contacts=alert_contacts,
        contact_adults=_contact_adults(frames.contacts, people),
    )


def ledger_since(horizon: Horizon) -> dt.date:
    """The demo borough's front door has run on OpenMASH since the start of the calibrated reporting year:
    contacts from before then came across with their ratings, decisions and early help, but the disclosure
    ledger and the referrer survey start then."""
    return dt.date(horizon.year - 1, 4, 1)


def _local_day(series: pl.Series) -> pl.Series:
    return series.dt.convert_time_zone("Europe/London").dt.date()


def _early_help(
    rng: np.random.Generator, decided: pl.DataFrame, contacts: pl.DataFrame, horizon: Horizon
) -> pl.DataFrame:
    eh = decided.filter(pl.col("outcome") == "early_help").sort("id")
    n = eh.height
    age = eh["age"].fill_null(0).to_numpy()
    u = rng.random(n)
    lead = np.where(
        (age >= 5) & (u < 0.18),
        Agency.EDUCATION.value,
        np.where((age < 5) & (u < 0.3), Agency.HEALTH.value, Agency.EARLY_HELP.value),
    )
    support = np.empty(n, dtype=object)
    for agency, texts in EARLY_HELP_SUPPORT.items():
        sel = np.flatnonzero(lead == agency.value)
        support[sel] = np.asarray(texts, dtype=object)[rng.integers(0, len(texts), sel.size)]
    started = _local_day(eh["decided_at"])
    start_days = started.cast(pl.Int32).to_numpy().astype(np.int64)
    planned = start_days + np.clip(rng.lognormal(np.log(EARLY_HELP_MEDIAN_DAYS), 0.5, n), 28, 700).astype(np.int64)
    # Stepped up: the child referred to social care (or a strategy discussion) while the package ran.
    later = (
        contacts.filter(pl.col("outcome").is_in(["referral", "strategy"]))
        .select("child_id", step=pl.col("decided_at").dt.convert_time_zone("Europe/London").dt.date().cast(pl.Int32))
        .sort("step")
    )
    frame = pl.DataFrame({"row": np.arange(n), "child_id": eh["child_id"], "start": start_days.astype(np.int32)})
    step = (
        frame.sort("start")
        .join_asof(
            later,
            left_on="start",
            right_on="step",
            by="child_id",
            strategy="forward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .sort("row")["step"]
        .fill_null(2**31 - 1)
        .to_numpy()
        .astype(np.int64)
    )
    as_of = wd.day_number(horizon.as_of)
    stepped = step <= np.minimum(planned, as_of)
    closed_day = np.where(stepped, step, planned)
    closed = stepped | (planned <= as_of)
    ending = np.asarray([e.value for e in EARLY_HELP_ENDINGS])[categorical(rng.random(n), EARLY_HELP_ENDING_WEIGHTS)]
    outcome = np.where(stepped, EarlyHelpOutcome.STEPPED_UP.value, np.where(closed, ending, ""))
    return pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "contact_id": eh["id"],
            "child_id": eh["child_id"],
            "lead_agency": pl.Series(lead, dtype=pl.String),
            "support": pl.Series(support.astype(str), dtype=pl.String),
            "started_on": started,
            "closed_on": pl.Series(np.where(closed, closed_day, 0), dtype=pl.Int32)
            .cast(pl.Date)
            .to_frame("d")
            .select(pl.when(pl.Series(closed)).then(pl.col("d")))
            .to_series(),
            "outcome": pl.Series(outcome, dtype=pl.String),
            "closed_by_id": pl.Series([None] * n, dtype=pl.Int64),
        }
    )


def _told_and_feedback(
    rng: np.random.Generator, decided: pl.DataFrame, moment: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The referrers told the outcome (as _notify_referrer: anyone with an email, a phone or an account),
    and their survey rows."""
    reachable = decided.filter(
        (pl.col("referrer_email") != "") | (pl.col("referrer_phone") != "") | pl.col("submitted_staff").is_not_null()
    ).sort("id")
    n = reachable.height
    told = reachable["outcome"].replace_strict({o: outcome_for_referrer(o) for o in RATIONALE_OUTCOMES}, default="")
    tokens = rng.bytes(18 * n)
    hashes = [
        hashlib.sha256(base64.urlsafe_b64encode(tokens[18 * i : 18 * (i + 1)]).rstrip(b"=")).hexdigest()
        for i in range(n)
    ]
    if len(set(hashes)) != n:
        raise ValueError("survey tokens must differ")
    notified = micros(reachable["decided_at"])
    professional = reachable["referrer_agency"].to_numpy() != ""
    can_answer = (reachable["referrer_email"].to_numpy() != "") | (reachable["referrer_phone"].to_numpy() != "")
    chance = np.where(professional, SURVEY_RESPONSE["professional"], SURVEY_RESPONSE["public"])
    after = (np.clip(rng.lognormal(np.log(2.0), 0.8, n), 0.05, 30) * DAY_US).astype(np.int64)
    responded = whole_seconds(notified + after)
    answers = can_answer & (rng.random(n) < chance) & (responded < moment)
    # Timely: decided within a working day of arriving.
    received_day = (local_micros(reachable["received_at"]) // DAY_US).astype(np.int64)
    decided_day = (local_micros(reachable["decided_at"]) // DAY_US).astype(np.int64)
    timely = decided_day <= wd.add_working_days(received_day, 1)
    disappointing = np.isin(reachable["outcome"].to_numpy(), ["nfa", "advice"]) & professional
    u = rng.random((n, 6))
    ease = 1 + categorical(u[:, 0], (0.03, 0.07, 0.2, 0.4, 0.3))
    explained = 1 + categorical(u[:, 1], (0.05, 0.1, 0.25, 0.35, 0.25))
    agree = 1 + np.where(
        disappointing,
        categorical(u[:, 2], (0.15, 0.2, 0.3, 0.25, 0.1)),
        categorical(u[:, 2], (0.02, 0.05, 0.15, 0.4, 0.38)),
    )
    mood = np.where(timely, 0.3, -0.7) + rng.normal(0, 0.5, n)
    overall = np.clip(np.rint((ease + explained + agree) / 3 + mood), 1, 5).astype(np.int64)
    commented = answers & (u[:, 3] < 0.2)
    comment_key = np.where(commented, np.where(overall <= 2, "low", "high"), "")
    answered = pl.Series(answers)

    def when_answered(values: np.ndarray | pl.Series) -> pl.Series:
        return pl.select(pl.when(answered).then(pl.Series(values))).to_series()

    feedback = pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "contact_id": reachable["id"],
            "token_hash": pl.Series(hashes, dtype=pl.String),
            "outcome_told": told,
            "notified_at": reachable["decided_at"],
            "responded_at": when_answered(utc_series(responded)),
            "acknowledged_in_time": when_answered(np.where(timely, u[:, 4] < 0.9, u[:, 4] < 0.4)),
            "ease": when_answered(ease),
            "spoke_to_social_worker": when_answered(u[:, 5] < 0.55),
            "told_outcome": when_answered(u[:, 3] < 0.92),
            "explained_clearly": when_answered(explained),
            "agree_with_decision": when_answered(agree),
            "overall": when_answered(overall),
            "comments": pick_texts(rng, pl.Series(comment_key), COMMENTS),
            "created_at": reachable["decided_at"],
            "updated_at": utc_series(np.where(answers, responded, notified)),
        }
    )
    told_rows = reachable.select(
        child_id="child_id",
        contact_id="id",
        recipient_agency="referrer_agency",
        recipient=pl.when(pl.col("referrer_name") != "")
        .then(pl.col("referrer_name"))
        .otherwise(pl.lit("The referrer"))
        .str.slice(0, 200),
        shared=told,
        purpose=pl.lit(TOLD_PURPOSE),
        lawful_basis=pl.lit(LawfulBasis.SAFEGUARDING.value),
        consent=pl.lit(ConsentStatus.NOT_NEEDED.value),
        shared_at="decided_at",
        shared_by_staff="decided_staff",
    )
    return told_rows, feedback


def _disclosures(
    rng: np.random.Generator, decided: pl.DataFrame, early_help: pl.DataFrame, told: pl.DataFrame
) -> pl.DataFrame:
    """The ledger: each decision's sharing with agencies, then telling the referrer, in the order made."""
    parts = [told]
    columns = ["child_id", "contact_id", "shared_at", "shared_by_staff"]
    base = decided.select(
        "outcome", "age", child_id="child_id", contact_id="id", shared_at="decided_at", shared_by_staff="decided_staff"
    )
    for outcome, shares in _SHARES.items():
        rows = base.filter(pl.col("outcome") == outcome)
        for agency, recipient, shared, purpose, basis, consent, chance in shares:
            pick = rows.filter(pl.Series(rng.random(rows.height) < chance))
            if agency == Agency.EDUCATION:
                pick = pick.filter(pl.col("age") >= 5)
            parts.append(
                pick.select(
                    *columns,
                    recipient_agency=pl.lit(agency.value),
                    recipient=pl.lit(recipient),
                    shared=pl.lit(shared),
                    purpose=pl.lit(purpose),
                    lawful_basis=pl.lit(basis.value),
                    consent=pl.lit(consent.value),
                )
            )
    lead = early_help.select("contact_id", "lead_agency").join(base, on="contact_id")
    parts.append(
        lead.select(
            *columns,
            recipient_agency="lead_agency",
            recipient=pl.col("lead_agency").replace_strict({a.value: r for a, r in LEAD_RECIPIENT.items()}),
            shared=pl.lit("The family's needs, the support agreed and the family's consent to share."),
            purpose=pl.lit("Early help agreed at the front door"),
            lawful_basis=pl.lit(LawfulBasis.CONSENT.value),
            consent=pl.lit(ConsentStatus.GIVEN.value),
        )
    )
    order = [
        "child_id",
        "contact_id",
        "recipient_agency",
        "recipient",
        "shared",
        "purpose",
        "lawful_basis",
        "consent",
        "shared_at",
        "shared_by_staff",
    ]
    ledger = pl.concat([p.select(order) for p in parts], how="vertical_relaxed").with_row_index("part")
    ledger = ledger.sort("shared_at", "contact_id", "part").drop("part")
    return ledger.with_columns(id=pl.int_range(1, ledger.height + 1, dtype=pl.Int64))


def _households(people: People) -> dict[int, int]:
    """Each child with brothers or sisters on the register, and one key for their household."""
    pairs = people.relationships.filter(
        pl.col("other_child_id").is_not_null() & pl.col("relationship_type").is_in(["sibling", "half_sibling"])
    )
    first = pairs.group_by("child_id").agg(
        key=pl.min_horizontal(pl.col("other_child_id").min(), pl.col("child_id").first())
    )
    return dict(zip(first["child_id"].to_list(), first["key"].to_list(), strict=True))


def _alerts(
    rng: np.random.Generator,
    contacts: pl.DataFrame,
    people: People,
    horizon: Horizon,
    workers: np.ndarray,
    manager: int | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cumulative-concern alerts raised after each decision where the household's pattern meets the threshold
    (the default settings), with the service's rule; a household is alerted again only for new contacts."""
    settings = FrontDoorSettings()
    household = _households(people)
    decided = (
        contacts.filter(pl.col("outcome") != "")
        .select("id", "child_id", "received_at", "decided_at", "outcome", "referrer_agency", "source")
        .with_columns(
            household=pl.col("child_id").replace_strict(household, default=pl.col("child_id"), return_dtype=pl.Int64)
        )
    )
    nfa = decided.filter(pl.col("outcome") == "nfa")
    busy = nfa.group_by("household").len().filter(pl.col("len") >= settings.concern_contacts)["household"]
    nfa = nfa.filter(pl.col("household").is_in(busy.implode())).sort("decided_at", "id")
    by_household: dict[int, list[tuple[dt.datetime, dt.datetime, int, str, str]]] = defaultdict(list)
    for pk, received, done, agency, source, key in nfa.select(
        "id", "received_at", "decided_at", "referrer_agency", "source", "household"
    ).iter_rows():
        by_household[key].append((done, received, pk, agency, source))
    events = decided.filter(pl.col("household").is_in(busy.implode())).sort("decided_at", "id")
    alert_rows: list[tuple[int, dt.datetime, list[str]]] = []
    alert_contacts: list[tuple[int, int]] = []
    latest: dict[int, set[int]] = {}
    for child, now, key in events.select("child_id", "decided_at", "household").iter_rows():
        since = concern_window_start(now, settings)
        window = [(pk, a, s) for done, received, pk, a, s in by_household[key] if done <= now and received >= since]
        pattern = concern_pattern(window, settings)
        if pattern is None:
            continue
        ids, agencies = pattern
        if key in latest and ids <= latest[key]:
            continue
        latest[key] = ids
        alert_rows.append((child, now, agencies))
        alert_contacts.extend((len(alert_rows), pk) for pk in sorted(ids))
    n = len(alert_rows)
    raised = micros(pl.Series([r[1] for r in alert_rows], dtype=pl.Datetime("us", "UTC")))
    moment = micros(pl.Series([as_of_moment(horizon.as_of)]))[0]
    # Acknowledged by the hub within a couple of working days, except those raised in the last few days.
    acknowledged = whole_seconds(raised + (rng.uniform(0.1, 2.0, n) * DAY_US).astype(np.int64))
    done = acknowledged < moment - 2 * DAY_US
    by = np.where(rng.random(n) < 0.7, manager if manager is not None else 0, workers[rng.integers(0, workers.size, n)])
    actions = np.asarray(ACTIONS_TAKEN, dtype=object)[rng.integers(0, len(ACTIONS_TAKEN), n)]
    alerts = pl.DataFrame(
        {
            "id": np.arange(1, n + 1, dtype=np.int64),
            "child_id": pl.Series([r[0] for r in alert_rows], dtype=pl.Int64),
            "raised_at": utc_series(raised),
            "agencies": pl.Series([r[2] for r in alert_rows], dtype=pl.List(pl.String)),
            "acknowledged_at": utc_series(acknowledged)
            .to_frame("a")
            .select(pl.when(pl.Series(done)).then(pl.col("a")))
            .to_series(),
            "acknowledged_by_staff": pl.Series(np.where(done, by, 0), dtype=pl.Int64).replace(0, None),
            "action_taken": pl.Series(np.where(done, actions, "").astype(str), dtype=pl.String),
            "created_at": utc_series(raised),
            "updated_at": utc_series(np.where(done, acknowledged, raised)),
        }
    )
    links = pl.DataFrame(
        {
            "id": np.arange(1, len(alert_contacts) + 1, dtype=np.int64),
            "cumulativeconcernalert_id": pl.Series([a for a, _ in alert_contacts], dtype=pl.Int64),
            "contact_id": pl.Series([c for _, c in alert_contacts], dtype=pl.Int64),
        }
    )
    return alerts, links


def _contact_adults(contacts: pl.DataFrame, people: People) -> pl.DataFrame:
    """The mother and the alleged perpetrator named in each police domestic abuse notification."""
    da = contacts.filter(
        pl.col("child_id").is_not_null()
        & (pl.col("source") == "6")
        & pl.col("summary").is_in(list(DOMESTIC_ABUSE_SUMMARIES))
    ).select(contact_id="id", child_id="child_id")
    rel = people.relationships.filter(pl.col("adult_id").is_not_null()).join(
        people.adults.select(adult_id="id", sex="sex"), on="adult_id"
    )
    accused = (
        rel.filter(pl.col("relationship_type") == "alleged_perpetrator")
        .group_by("child_id")
        .agg(adult_id=pl.col("adult_id").min())
    )
    men = (
        rel.filter(pl.col("relationship_type").is_in(["parent", "step_parent"]) & (pl.col("sex") == "M"))
        .sort("lives_with_child", "relationship_type", descending=[True, True])
        .group_by("child_id", maintain_order=True)
        .agg(man=pl.col("adult_id").first())
    )
    mothers = (
        rel.filter((pl.col("relationship_type") == "parent") & (pl.col("sex") == "F"))
        .group_by("child_id")
        .agg(mother=pl.col("adult_id").min())
    )
    named = (
        da.join(accused, on="child_id", how="left")
        .join(men, on="child_id", how="left")
        .join(mothers, on="child_id", how="left")
        .with_columns(perpetrator=pl.coalesce("adult_id", "man"))
    )
    rows = pl.concat(
        [
            named.filter(pl.col("mother").is_not_null()).select(
                "contact_id", adult_id="mother", role=pl.lit(ContactAdultRole.PARENT_OR_CARER.value)
            ),
            named.filter(pl.col("perpetrator").is_not_null()).select(
                "contact_id", adult_id="perpetrator", role=pl.lit(ContactAdultRole.ALLEGED_PERPETRATOR.value)
            ),
        ]
    ).sort("contact_id", "role")
    return rows.with_columns(id=pl.int_range(1, rows.height + 1, dtype=pl.Int64))
