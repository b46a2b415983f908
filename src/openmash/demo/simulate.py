"""The model of children's journeys through children's social care, simulated with numpy.

Every child in the population is simulated from conception to their 18th birthday (or the as-of
date): families with siblings and a shared family frailty, and a sequence of episodes. Each episode
starts with a referral (always from a contact) and runs through the statutory steps: assessment with
factors, strategy discussions, Section 47 enquiries, initial conferences, child protection plans with
reviews, child in need plans, and closure. Episodes of one child never overlap: the next referral
is drawn only after the last episode closed. Second and subsequent plans go to children who had a
plan before, so every NumberOfPreviousCPP is the count of the child's own earlier plans.

The loop visits calendar months in order and is vectorised across the children referred in each, so
the same code simulates 2,000 children or England in shards of about half a million. The result is a
set of Polars frames, one per table, with the keys they will have in the database.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from openmash.core import workdays as wd
from openmash.core.codes import PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.front_door.models import Contact, FrontDoorSettings, TimescaleUnit
from openmash.protection.models import StrategyDiscussion

from .params import (
    ASSESSMENT_DURATION_BANDS,
    FACTOR_COUNTS,
    FACTOR_EPISODES_WITH_ANY,
    FACTOR_MIN_AGE,
    FEMALE_ONLY_FACTORS,
    INITIAL_CATEGORIES,
    PRIMARY_NEEDS,
    FlowParameters,
)
from .sampling import Quasi, categorical, choice, stream

NEVER = np.int64(10**7)  # a day number far beyond any date used
YEAR = 365.25
PREGNANCY_DAYS = 280
UNBORN_REFERRAL_DAYS = 140  # referrals of unborn children come in the last 20 weeks of pregnancy
# No new referral in the last four weeks before the 18th birthday: a young person about to turn 18 is
# signposted to adult services, and an episode opened then could not finish its first steps in time.
REFERRAL_CUTOFF_DAYS = 28
AGE_EDGES = np.array([0, 365, 5 * 365, 10 * 365, 16 * 365])  # unborn, <1, 1-4, 5-9, 10-15, 16-17
# Families drawn per shard: about a million children, half of them under 18 within the span simulated.
FAMILIES_PER_SHARD = 515_000

FAMILY_SIZES = (1, 2, 3, 4, 5)
FAMILY_SIZE_WEIGHTS = (0.42, 0.36, 0.15, 0.05, 0.02)

CATEGORY_CODES = list(INITIAL_CATEGORIES)
NEED_CODES = list(PRIMARY_NEEDS)
FACTOR_CODES = list(FACTOR_COUNTS)
SD_OUTCOMES = [
    StrategyDiscussion.Outcome.SECTION_47.value,
    StrategyDiscussion.Outcome.SECTION_17.value,
    StrategyDiscussion.Outcome.NO_FURTHER_ACTION.value,
]
CONTACT_OUTCOMES = [o.value for o in Contact.Outcome]
RAGS = [r.value for r in Contact.Rag]
CLOSURE_CODES = [r.value for r in ReasonForClosure]


@dataclass(frozen=True)
class Horizon:
    """The dates a run is built around."""

    as_of: dt.date
    years: int

    @property
    def year(self) -> int:
        """The last complete DfE reporting year (ending 31 March) before the as-of date."""
        return self.as_of.year if self.as_of > dt.date(self.as_of.year, 3, 31) else self.as_of.year - 1

    @property
    def window_start(self) -> dt.date:
        return dt.date(self.year - self.years, 4, 1)

    @property
    def data_start(self) -> dt.date:
        """One run-in year before the window, so re-referrals in its first year can look back."""
        return dt.date(self.year - self.years - 1, 4, 1)

    @property
    def census_day(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    @property
    def workforce_day(self) -> dt.date:
        """30 September inside the calibrated reporting year (the workforce census date)."""
        return dt.date(self.year - 1, 9, 30)


@dataclass
class IdCounters:
    """Next free key per table, so shards get consecutive keys."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str, n: int) -> np.ndarray:
        start = self.next.get(table, 1)
        self.next[table] = start + n
        return np.arange(start, start + n, dtype=np.int64)


@dataclass
class ShardFrames:
    """One shard of the simulation: a frame per table, keyed as in the database."""

    children: pl.DataFrame
    contacts: pl.DataFrame
    referrals: pl.DataFrame
    assessments: pl.DataFrame
    factors: pl.DataFrame
    cin_plans: pl.DataFrame
    strategy: pl.DataFrame
    s47: pl.DataFrame
    plans: pl.DataFrame
    reviews: pl.DataFrame

    def tables(self) -> dict[str, pl.DataFrame]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def plan_shards(population: int, horizon: Horizon) -> list[int]:
    """Number of families in each shard. Families are drawn over a wide span of first births so the
    number of children alive on any date is the population."""
    lo, hi = _birth_span(horizon)
    span_days = hi - lo + _FAMILY_LEAD_DAYS
    mean_size = float(np.dot(FAMILY_SIZES, FAMILY_SIZE_WEIGHTS))
    families = round(population / (18 * YEAR) * span_days / mean_size)
    per_shard = FAMILIES_PER_SHARD
    shards = max(1, -(-families // per_shard))
    base, extra = divmod(families, shards)
    return [base + (1 if i < extra else 0) for i in range(shards)]


_FAMILY_LEAD_DAYS = int(22 * YEAR)  # first births this long before the span still put children in it


def _birth_span(horizon: Horizon) -> tuple[int, int]:
    """Children born in this span are under 18 at some point from the data start to the as-of date."""
    start = wd.day_number(horizon.data_start)
    lo = int(wd.add_years(np.array([start]), -18)[0]) + 1
    hi = wd.day_number(horizon.as_of) + PREGNANCY_DAYS
    return lo, hi


def earliest_date(horizon: Horizon) -> dt.date:
    """The first day simulated: the conception of the oldest child alive at the data start."""
    return wd.to_date(_birth_span(horizon)[0] - PREGNANCY_DAYS)


# --- population --------------------------------------------------------------------------------------


@dataclass
class Population:
    family: np.ndarray  # shard-local family index
    birth: np.ndarray  # day number
    female: np.ndarray
    frailty: np.ndarray
    family_count: int


def _population(rng: np.random.Generator, families: int, horizon: Horizon, p: FlowParameters) -> Population:
    lo, hi = _birth_span(horizon)
    # Family sizes in their exact shares and first births evenly spread (with jitter), so the number
    # of children alive on any day stays on the population whatever the seed.
    counts = np.floor(np.asarray(FAMILY_SIZE_WEIGHTS) * families).astype(np.int64)
    counts[0] += families - counts.sum()
    size = rng.permutation(np.repeat(np.asarray(FAMILY_SIZES), counts))
    span = hi + 1 - (lo - _FAMILY_LEAD_DAYS)
    first = (lo - _FAMILY_LEAD_DAYS + (np.arange(families) + rng.random(families)) * span / families).astype(np.int64)
    family = np.repeat(np.arange(families), size)
    gaps = (rng.gamma(4.0, 2.4 * YEAR / 4.0, size=family.size) + 330).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]])
    gaps[starts] = 0
    cum = np.cumsum(gaps)
    birth = first[family] + cum - cum[starts][family]
    keep = (birth >= lo) & (birth <= hi)
    family_frailty = rng.gamma(p.frailty_shape, 1.0 / p.frailty_shape, size=families)
    own = rng.gamma(p.child_frailty_shape, 1.0 / p.child_frailty_shape, size=family.size)
    frailty = family_frailty[family] * own
    female = rng.random(family.size) < 0.488
    return Population(
        family=family[keep], birth=birth[keep], female=female[keep], frailty=frailty[keep], family_count=families
    )


def _hazard_table(p: FlowParameters) -> np.ndarray:
    """Cumulative referral hazard at frailty 1 by age in days from conception-280 to 18 years."""
    ages = np.arange(-PREGNANCY_DAYS, 18 * 366 + 1)
    band = np.digitize(ages, AGE_EDGES)
    per_day = np.asarray(p.referral_hazard)[band] / YEAR
    per_day[ages < -UNBORN_REFERRAL_DAYS] = 0.0
    return np.concatenate([[0.0], np.cumsum(per_day)])


# --- the episode model -------------------------------------------------------------------------------


def _icpc_working_days(rng: np.random.Generator, n: int) -> np.ndarray:
    """Working days from the strategy discussion to the initial conference: 81.4% within 15 (DfE C4
    2025, median 14)."""
    days = list(range(8, 16)) + list(range(16, 26)) + list(range(26, 41))
    weights = [3, 4, 6, 8, 10, 14, 17, 19.4] + [1.2] * 10 + [6.6 / 15] * 15
    return choice(rng, days, weights, n)


def _assessment_working_days(u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Durations in the DfE C2 2025 bands (band by `u`, uniform inside it; a tail beyond 61)."""
    bands = categorical(u, [c for _, _, c in ASSESSMENT_DURATION_BANDS])
    lo = np.array([b[0] for b in ASSESSMENT_DURATION_BANDS])[bands]
    hi = np.array([b[1] for b in ASSESSMENT_DURATION_BANDS])[bands]
    days = lo + np.floor(rng.random(u.size) * (hi - lo + 1)).astype(np.int64)
    tail = bands == len(ASSESSMENT_DURATION_BANDS) - 1
    days[tail] = 61 + np.minimum(rng.geometric(1 / 22, size=int(tail.sum())) - 1, 140)
    return days


@dataclass
class Episodes:
    """A batch of episodes (one for each child referred together), all arrays of equal length."""

    data: dict[str, np.ndarray]

    def __getitem__(self, key: str) -> np.ndarray:
        return self.data[key]


def _lognormal_days(rng: np.random.Generator, median: float, sigma: float, n: int, lo: int, hi: int) -> np.ndarray:
    return np.clip(np.round(median * np.exp(sigma * rng.standard_normal(n))), lo, hi).astype(np.int64)


def _episodes(
    q: Quasi,
    rng: np.random.Generator,
    p: FlowParameters,
    r: np.ndarray,
    birth: np.ndarray,
    e18: np.ndarray,
    forced: np.ndarray,
    cp_allowed: np.ndarray,
) -> Episodes:
    n = r.size
    order = r + rng.random(n)
    age = r - birth
    band = np.digitize(age, AGE_EDGES)
    d: dict[str, np.ndarray] = {"referral": r}

    nfa = ~forced & (q.u("nfa", order) < p.nfa_share)
    live = ~nfa
    d["nfa"] = nfa
    s47a = live & (forced | _banded(q, "s47", order, live & ~forced, band, p.s47_at_start, p.s47_age))
    sd_only = live & ~s47a & (q.u("sd_only", order, live & ~s47a) < p.strategy_without_s47)
    r_wd = wd.next_working_day(r)
    sd0_day = wd.add_working_days(r_wd, choice(rng, [0, 1, 2], [0.65, 0.30, 0.05], n))
    sd0_outcome = np.where(s47a, 0, np.where(rng.random(n) < 0.75, 1, 2))
    d["sd0"] = s47a | sd_only
    d["sd0_day"] = sd0_day
    d["sd0_outcome"] = sd0_outcome
    d["s47a"] = s47a

    eligible = s47a & cp_allowed
    icpc_a = eligible & (forced | _banded(q, "icpc", order, eligible & ~forced, band, p.icpc_after_s47, p.icpc_age))
    icpc_a_day = wd.add_working_days(sd0_day, _icpc_working_days(rng, n))
    icpc_a &= icpc_a_day < e18
    plan_a = icpc_a & (forced | (q.u("plan", order, icpc_a & ~forced) < p.plan_after_icpc))
    d["icpc_a"] = icpc_a
    d["icpc_a_day"] = icpc_a_day

    a1_start = wd.add_working_days(r_wd, choice(rng, [0, 1, 2, 3], [0.5, 0.25, 0.15, 0.10], n))
    a1_auth = wd.add_working_days(a1_start, _assessment_working_days(q.u("duration", order, live), rng))
    # An assessment still running at the 18th birthday is completed by then.
    a1_auth = np.where(a1_auth > e18, np.maximum(a1_start, wd.last_working_day_by(e18)), a1_auth)
    d["a1"] = live
    d["a1_start"] = a1_start
    d["a1_auth"] = a1_auth

    in_need = plan_a | (live & (q.u("in_need", order, live & ~plan_a) < p.in_need_without_plan))
    d["in_need"] = in_need
    after_a = np.where(icpc_a, np.maximum(a1_auth, icpc_a_day), a1_auth)

    cin_path = in_need & ~plan_a
    cin1_start = after_a + rng.integers(0, 8, n)
    # No child in need plan starts on or after the 18th birthday.
    cin = cin_path & (q.u("cin", order, cin_path) < p.cin_plan_share) & (cin1_start < e18)
    services_only = cin_path & ~cin
    cin1_len = _lognormal_days(rng, p.cin_plan_median_days, 0.65, n, 30, 1200)
    esc = cin & cp_allowed & (q.u("escalation", order, cin & cp_allowed) < p.escalation)
    sd1_day = wd.next_working_day(
        np.minimum(cin1_start + np.maximum(14, (rng.uniform(0.1, 0.8, n) * cin1_len).astype(np.int64)), e18)
    )
    esc &= wd.add_working_days(sd1_day, 10) < e18  # the enquiry is resolved before the 18th birthday
    sd1_s47 = esc & (rng.random(n) < p.escalation_s47)
    icpc_b = _banded(q, "icpc_b", order, sd1_s47, band, p.icpc_after_escalation, p.icpc_age)
    icpc_b_day = wd.add_working_days(sd1_day, _icpc_working_days(rng, n))
    icpc_b &= icpc_b_day < e18
    plan_b = icpc_b & (q.u("plan_b", order, icpc_b) < p.plan_after_icpc)
    cin1_end = np.where(esc, np.maximum(cin1_start + cin1_len, sd1_day + 21), cin1_start + cin1_len)
    cin1_end = np.where(icpc_b, np.maximum(cin1_end, icpc_b_day), cin1_end)
    cin1_end = np.where(plan_b, icpc_b_day, np.minimum(cin1_end, np.maximum(e18, cin1_start)))
    d.update(
        cin1=cin,
        cin1_start=cin1_start,
        cin1_end=cin1_end,
        sd1=esc,
        sd1_day=sd1_day,
        sd1_outcome=np.where(sd1_s47, 0, 1),
        s47b=sd1_s47,
        icpc_b=icpc_b,
        icpc_b_day=icpc_b_day,
    )

    plan = plan_a | plan_b
    plan_start = np.where(plan_a, icpc_a_day, icpc_b_day)
    plan_end, reviews = _plan_course(q, rng, p, order, plan, plan_start)
    plan_end = np.where(plan, np.minimum(plan_end, np.maximum(e18, plan_start + 1)), plan_end)
    reviews = np.where(reviews <= plan_end[:, None], reviews, NEVER)
    d.update(plan=plan, plan_start=plan_start, plan_end=plan_end)

    u_post = q.u("after_plan", order, plan)
    step_down = plan & (u_post < p.step_down) & (plan_end < e18)
    looked_after = plan & ~step_down & (u_post < p.step_down + p.looked_after)
    cin2_start = plan_end
    cin2_end = np.minimum(cin2_start + _lognormal_days(rng, 150, 0.5, n, 30, 600), np.maximum(e18, cin2_start))
    d.update(cin2=step_down, cin2_start=cin2_start, cin2_end=cin2_end)

    closure = np.where(nfa, r + choice(rng, [0, 1, 2, 3], [0.6, 0.25, 0.1, 0.05], n), 0)
    reason = np.full(n, 6)  # RC7 services ceased
    not_need = live & ~in_need
    closure = np.where(not_need, after_a + rng.integers(0, 8, n), closure)
    # RC8 / RC9 "closed after assessment" only where the assessment was all there was: an episode with a
    # Section 47 enquiry closes RC7 (census rule 2990).
    after_assessment = np.where(rng.random(n) < 0.65, 7, 8)  # RC8 / RC9
    reason = np.where(not_need, np.where(s47a, 6, after_assessment), reason)
    closure = np.where(services_only, after_a + rng.integers(30, 300, n), closure)
    closure = np.where(cin & ~plan_b, cin1_end + rng.integers(0, 22, n), closure)
    closure = np.where(step_down, cin2_end + rng.integers(0, 15, n), closure)
    direct = plan & ~step_down & ~looked_after
    closure = np.where(direct, plan_end + rng.integers(0, 22, n), closure)
    reason = np.where(direct & (rng.random(n) < 0.2), 4, reason)  # RC5 transferred to another LA
    cared_for_until = np.minimum(plan_end + rng.integers(365, 8 * 365, n), np.maximum(e18, plan_end))
    closure = np.where(looked_after, cared_for_until, closure)
    young = (closure - birth) < 6 * 365
    care_reason = np.where(
        young,
        choice(rng, [0, 3, 2, 6], [0.45, 0.35, 0.10, 0.10], n),  # RC1 adopted, RC4 SGO, RC3 CAO, RC7
        choice(rng, [3, 2, 6], [0.35, 0.15, 0.50], n),
    )
    reason = np.where(looked_after, care_reason, reason)

    # Nothing may happen after closure: close on the last activity at the latest.
    last = np.where(live, a1_auth, r)
    last = np.maximum(last, np.where(d["sd0"], sd0_day, 0))
    last = np.maximum(last, np.where(icpc_a, icpc_a_day, 0))
    last = np.maximum(last, np.where(s47a, wd.add_working_days(sd0_day, 10), 0))
    last = np.maximum(last, np.where(cin, cin1_end, 0))
    last = np.maximum(last, np.where(esc, sd1_day, 0))
    last = np.maximum(last, np.where(sd1_s47, wd.add_working_days(sd1_day, 10), 0))
    last = np.maximum(last, np.where(icpc_b, icpc_b_day, 0))
    last = np.maximum(last, np.where(plan, plan_end, 0))
    last = np.maximum(last, np.where(step_down, cin2_end, 0))
    closure = np.maximum(closure, last)
    # Every episode still open at the 18th birthday closes on it (activity never runs beyond it).
    at_18 = closure >= e18
    closure = np.minimum(closure, e18)
    d["closure"] = closure

    # A second assessment in long episodes, finished before the case closes.
    again = live & ((closure - a1_auth) > 200) & (rng.random(n) < p.reassessment)
    a2_days = _assessment_working_days(rng.random(n), rng)
    earliest = a1_auth + 60
    latest_start = wd.latest_start_for(closure, a2_days)
    again &= latest_start > earliest
    a2_start = wd.next_working_day(earliest + (rng.random(n) * np.maximum(latest_start - earliest, 0)).astype(np.int64))
    a2_start = np.minimum(a2_start, latest_start)
    d.update(a2=again, a2_start=a2_start, a2_auth=wd.add_working_days(a2_start, a2_days))

    need = categorical(rng.random(n), list(PRIMARY_NEEDS.values()))
    need = np.where((band == 0) & (need == NEED_CODES.index("N2")), 0, need)  # unborn: not their disability
    need = np.where(plan, choice(rng, [0, 4, 3], [0.85, 0.08, 0.07], n), need)
    d["need"] = need
    d["reason"] = np.where(at_18, _reason_at_18(rng, reason, need), reason)
    source = fit_source_to_age(categorical(rng.random(n), list(p.sources.values())), age, list(p.sources))
    # The few referrals on weekends and bank holidays come mostly from the police out of hours.
    out_of_hours = ~wd.is_working(r) & (rng.random(n) < p.out_of_hours_police)
    d["source"] = np.where(out_of_hours, list(p.sources).index(ReferralSource.POLICE), source)
    d["reviews"] = reviews
    return Episodes(d)


_RC = {code: i for i, code in enumerate(CLOSURE_CODES)}


def _reason_at_18(rng: np.random.Generator, reason: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Reason for closing an episode on the 18th birthday: still RC8 where the assessment found no
    further action (RC9 early help becomes RC8, as early help is for children); RC6 transferred to
    adult social care for young people referred for their disability and some others whose needs
    continue; otherwise RC7 services ceased."""
    after_assessment = (reason == _RC["RC8"]) | (reason == _RC["RC9"])
    disabled = need == NEED_CODES.index(PrimaryNeed.CHILD_DISABILITY)
    adult_care = disabled | (rng.random(reason.size) < 0.2)
    return np.where(after_assessment, _RC["RC8"], np.where(adult_care, _RC["RC6"], _RC["RC7"]))


def _banded(
    q: Quasi,
    name: str,
    order: np.ndarray,
    mask: np.ndarray,
    band: np.ndarray,
    base: float,
    multipliers: tuple[float, ...],
) -> np.ndarray:
    """A yes/no decision that is likelier at some ages. The age multipliers are rescaled over the
    items decided together, so age decides who, and `base` alone decides how many; each age band
    has its own sequence so its share is kept exactly."""
    hit = np.zeros(mask.size, dtype=bool)
    if not mask.any():
        return hit
    mult = np.asarray(multipliers)
    chance = np.minimum(base * mult / mult[band[mask]].mean(), 0.98)
    for b in range(len(AGE_EDGES) + 1):
        m = mask & (band == b)
        hit |= m & (q.u(f"{name}_{b}", order, m) < chance[b])
    return hit


def _plan_course(
    q: Quasi, rng: np.random.Generator, p: FlowParameters, order: np.ndarray, plan: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """End date and review conference dates of each plan (first review within 3 months, then every six).

    Plans mostly end at a review conference; the length band follows DfE D7 2025."""
    n = start.size
    reviews_max = 14
    reviews = np.full((n, reviews_max), NEVER, dtype=np.int64)
    reviews[plan] = _review_days(rng, p, start[plan], reviews_max)
    band = categorical(q.u("plan_length", order, plan), p.plan_length_bands)
    u = np.nan_to_num(q.u("plan_end_review", order, plan), nan=0.5)
    off_cycle = start + np.select(
        [band == 1, band == 2, band == 3],
        [rng.integers(95, 181, n), rng.integers(190, 360, n), rng.integers(372, 725, n)],
        default=0,
    )
    # Plans of two years or more end at the fifth review or a later one (geometric, by quantile).
    extra = np.floor(np.log1p(-np.minimum(u, 0.999)) / np.log(p.long_plan_continue)).astype(np.int64)
    long_k = 4 + np.minimum(extra, reviews_max - 5)
    at_review = np.select(
        [band == 0, (band == 2) & (u < 0.72), (band == 3) & (u < 0.5), (band == 3) & (u < 0.8), band == 4],
        [0, 1, 2, 3, long_k],
        default=-1,
    )
    review_end = reviews[np.arange(n), np.maximum(at_review, 0)]
    end = np.where(at_review >= 0, review_end, wd.next_working_day(off_cycle))
    end = np.where(plan, end, NEVER)
    return end, reviews


def _review_days(rng: np.random.Generator, p: FlowParameters, start: np.ndarray, count: int) -> np.ndarray:
    """Review conference dates of plans starting on `start` (one column per review), on working days.

    The first is due three months after the initial conference, each later one six months after the
    one before. Most are held somewhat before they are due; a share (`review_late`) are late."""
    n = start.size
    reviews = np.empty((n, count), dtype=np.int64)
    previous = start
    for k in range(count):
        due = wd.add_months(previous, 3 if k == 0 else 6)
        median = p.review_early_median_days[0 if k == 0 else 1]
        early = _lognormal_days(rng, median, 0.7, n, 0, 45)
        late = rng.random(n) < p.review_late
        late_by = np.minimum(rng.geometric(1 / p.review_late_mean_days, n), 45)
        reviews[:, k] = np.where(late, wd.next_working_day(due + late_by), wd.last_working_day_by(due - early))
        previous = reviews[:, k]
    return reviews


# --- the loop over episodes --------------------------------------------------------------------------


def _draw_next(
    rng: np.random.Generator,
    q: Quasi | None,
    p: FlowParameters,
    table: np.ndarray,
    birth: np.ndarray,
    frailty: np.ndarray,
    start: np.ndarray,
) -> np.ndarray:
    """Day of the next referral from `start`: the age-dependent hazard times the child's frailty,
    and (when `q` is given, just after an episode closed) a fading extra hazard of being referred
    again. Whether that bounce-back happens, and when, come from low-discrepancy sequences."""
    n = start.size
    age_index = np.clip(start - birth + PREGNANCY_DAYS, 0, table.size - 1)
    target = table[age_index] + rng.exponential(1.0, n) / np.maximum(frailty, 1e-12)
    hit = np.searchsorted(table, target, side="left") - 1
    base = np.where(hit < table.size - 2, birth - PREGNANCY_DAYS + hit, NEVER)
    base = np.maximum(base, start)
    if q is None:
        return base
    # Extra hazard b * exp(-t / tau): it fires at all with chance 1 - exp(-b * tau); given that it
    # fires, its time follows by inverting the cumulative hazard.
    cap = p.bounce_hazard / YEAR * p.bounce_days
    chance = 1.0 - np.exp(-cap)
    order = start + rng.random(n)
    fires = q.u("bounce", order) < chance
    w = np.nan_to_num(q.u("bounce_delay", order, fires), nan=0.0)
    spent = -np.log1p(-w * chance)
    delay = -p.bounce_days * np.log1p(-np.minimum(spent / cap, 0.999999))
    bounce = np.where(fires, start + np.floor(delay).astype(np.int64), NEVER)
    return np.minimum(base, bounce)


# Sources that do not fit a child's age, the age range (years) where they do not, and what is used instead.
_SOURCE_FOR_AGE = [
    (ReferralSource.SCHOOLS, (-1.0, 4.0), ReferralSource.EDUCATION_SERVICES),  # early years, before school
    (ReferralSource.EDUCATION_SERVICES, (-1.0, 2.0), ReferralSource.OTHER),  # babies: a children's centre
    (ReferralSource.SCHOOL_NURSE, (-1.0, 4.0), ReferralSource.HEALTH_VISITOR),
    (ReferralSource.HEALTH_VISITOR, (5.0, 99.0), ReferralSource.SCHOOL_NURSE),
    (ReferralSource.SELF, (-1.0, 10.0), ReferralSource.FAMILY),
    (ReferralSource.LA_OTHER_INTERNAL, (-1.0, 10.0), ReferralSource.LA_SOCIAL_CARE),  # youth justice from 10
]


def fit_source_to_age(source: np.ndarray, age_days: np.ndarray, codes: list[str]) -> np.ndarray:
    """Sources of referral (indexes into `codes`) made to fit the child's age on the day: no school or
    school nurse before school age, no health visitor after it, no self-referral or youth justice
    service for a child under 10."""
    years = np.asarray(age_days) / YEAR
    out = np.asarray(source).copy()
    index = {code: i for i, code in enumerate(codes)}
    for code, (lo, hi), instead in _SOURCE_FOR_AGE:
        if code in index and instead in index:
            out[(out == index[code]) & (years >= lo) & (years < hi)] = index[instead]
    return out


def _mostly_working_days(
    rng: np.random.Generator, day: np.ndarray, keep: float | np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """Arrival days, mostly on working days: a day that falls on a weekend or bank holiday stays there
    with chance `keep` and otherwise moves to the next working day (the one before if the next is after
    `hi`; it stays if neither fits in `lo`..`hi`). Days outside `lo`..`hi` (NEVER) are left alone."""
    day = np.asarray(day, dtype=np.int64)
    lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), day.shape)
    hi = np.broadcast_to(np.asarray(hi, dtype=np.int64), day.shape)
    keep = np.broadcast_to(np.asarray(keep, dtype=np.float64), day.shape)
    out = day.copy()
    idx = np.flatnonzero((day >= lo) & (day <= hi))
    if idx.size == 0:
        return out
    d = day[idx]
    move = ~wd.is_working(d) & (rng.random(idx.size) >= keep[idx])
    after = wd.next_working_day(d)
    before = wd.last_working_day_by(d)
    moved = np.where(after <= hi[idx], after, np.where(before >= lo[idx], before, d))
    out[idx] = np.where(move, moved, d)
    return out


def _slices(first: int, horizon: Horizon) -> list[tuple[int, int]]:
    """Time slices the loop visits in order: whole reporting years before the data start (only
    plans matter there), then calendar months, so each reporting year is a run of whole slices."""
    data_start = horizon.data_start
    as_of = wd.day_number(horizon.as_of)
    years_back = int((wd.day_number(data_start) - first) // YEAR) + 2
    bounds = [wd.day_number(data_start.replace(year=data_start.year - back)) for back in range(years_back, 0, -1)]
    months = np.arange(np.datetime64(data_start, "M"), np.datetime64(horizon.as_of, "M") + np.timedelta64(2, "M"))
    bounds += [int(m) for m in months.astype("datetime64[D]").astype(np.int64)]
    bounds[-1] = max(bounds[-1], as_of + 1)
    return list(itertools.pairwise(bounds))


def _simulate_journeys(
    rng: np.random.Generator, q: Quasi, p: FlowParameters, pop: Population, horizon: Horizon
) -> tuple[np.ndarray, Episodes]:
    """All episodes of all children in the shard, with the index of the child each belongs to.

    Children are visited month by month: every child whose next referral falls before the end of
    the month has that episode simulated, then their next referral is drawn from the day after it
    closed (later that month, or in a later month).

    Second and subsequent plans: each month the borough owes repeat plans in proportion to the first
    plans of the month before (DfE D3: 24.5% of plans starting are not the child's first). They are
    referrals of children who had a plan before, chosen with more weight the more recently their
    last episode with a plan closed. Other referrals of those children do not lead to a plan."""
    table = _hazard_table(p)
    as_of = wd.day_number(horizon.as_of)
    e18 = wd.add_years(pop.birth, 18)
    last_day = np.minimum(e18 - REFERRAL_CUTOFF_DAYS, as_of)
    n = pop.birth.size
    previous_plans = np.zeros(n, dtype=np.int64)
    last_plan_closed = np.full(n, NEVER)
    busy_until = np.full(n, -NEVER)  # closure of the child's latest episode (NEVER while open)
    forced_next = np.zeros(n, dtype=bool)
    conceived = pop.birth - PREGNANCY_DAYS
    nxt = _draw_next(rng, None, p, table, pop.birth, pop.frailty, conceived)
    nxt = _mostly_working_days(rng, nxt, p.referral_weekend_keep, conceived, last_day)
    next_day = np.where(nxt <= last_day, nxt, NEVER)
    owners: list[np.ndarray] = []
    batches: list[Episodes] = []
    ratio = p.repeat_share / (1 - p.repeat_share)
    owed = 0.0
    first = int(conceived.min()) if n else as_of
    for slice_start, slice_end in _slices(first, horizon):
        owed = _schedule_repeats(
            rng,
            p,
            owed,
            slice_start,
            slice_end,
            previous_plans,
            last_plan_closed,
            busy_until,
            last_day,
            next_day,
            forced_next,
        )
        firsts = 0
        while True:
            active = np.flatnonzero(next_day < slice_end)
            if not active.size:
                break
            r = next_day[active]
            forced = forced_next[active]
            forced_next[active] = False
            allowed = forced | (previous_plans[active] == 0)
            batch = _episodes(q, rng, p, r, pop.birth[active], e18[active], forced, allowed)
            batch.data["previous_plans"] = previous_plans[active].copy()
            owners.append(active)
            batches.append(batch)

            plan = batch["plan"]
            closure = batch["closure"]
            firsts += int((plan & (previous_plans[active] == 0)).sum())
            previous_plans[active] += plan.astype(np.int64)
            last_plan_closed[active[plan]] = closure[plan]
            busy_until[active] = np.where(closure <= as_of, closure, NEVER)
            after = _draw_next(rng, q, p, table, pop.birth[active], pop.frailty[active], closure + 1)
            after = _mostly_working_days(rng, after, p.referral_weekend_keep, closure + 1, last_day[active])
            ok = (closure < as_of) & (after <= last_day[active])
            next_day[active] = np.where(ok, after, NEVER)
        owed += ratio * firsts
    owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64)
    keys = batches[0].data.keys() if batches else []
    merged = {k: np.concatenate([b.data[k] for b in batches]) for k in keys}
    return owner, Episodes(merged)


def _schedule_repeats(
    rng: np.random.Generator,
    p: FlowParameters,
    owed: float,
    slice_start: int,
    slice_end: int,
    previous_plans: np.ndarray,
    last_plan_closed: np.ndarray,
    busy_until: np.ndarray,
    last_day: np.ndarray,
    next_day: np.ndarray,
    forced_next: np.ndarray,
) -> float:
    """Give `owed` children who had a plan before a referral this month that leads to another plan.
    Returns what is still owed (the fraction, or all of it when too few children can be chosen)."""
    due = int(np.floor(owed))
    if due <= 0:
        return owed
    pool = np.flatnonzero(
        (previous_plans > 0) & (busy_until + 30 <= slice_start) & (last_day >= slice_start + 30) & ~forced_next
    )
    if pool.size == 0:
        return owed - due
    since = (slice_start - last_plan_closed[pool]).astype(np.float64)
    weight = np.exp(-since / p.repeat_recent_days) + p.repeat_background
    # Weighted choice without replacement (Gumbel top-k).
    keys = np.log(weight) + rng.gumbel(size=pool.size)
    k = min(due, pool.size)
    chosen = pool[np.argpartition(-keys, k - 1)[:k]] if k < pool.size else pool
    lo = np.maximum(slice_start, busy_until[chosen] + 1)
    hi = np.minimum(slice_end - 1, last_day[chosen])
    day = lo + np.floor(rng.random(chosen.size) * np.maximum(hi - lo + 1, 1)).astype(np.int64)
    next_day[chosen] = _mostly_working_days(rng, day, p.referral_weekend_keep, lo, hi)
    forced_next[chosen] = True
    return owed - due


# --- from episodes to tables -------------------------------------------------------------------------


def _day_col(values: np.ndarray, name: str) -> pl.Series:
    return pl.Series(name, values, dtype=pl.Int32).cast(pl.Date)


def _opt_day(values: np.ndarray, present: np.ndarray, name: str) -> pl.Series:
    """Dates where `present`, nulls elsewhere."""
    return _masked(pl.Series(name, np.where(present, values, 0), dtype=pl.Int32).cast(pl.Date), present)


def _labels(values: list[str], index: np.ndarray) -> pl.Series:
    """Codes by position, built in Polars (much faster than numpy string arrays)."""
    return pl.Series(values, dtype=pl.String).gather(np.asarray(index, dtype=np.int64))


def _masked(series: pl.Series, present: np.ndarray) -> pl.Series:
    frame = pl.DataFrame({"v": series, "m": present})
    return frame.select(pl.when(pl.col("m")).then(pl.col("v")).alias(series.name)).to_series()


def simulate_shard(
    seed: int,
    shard: int,
    families: int,
    horizon: Horizon,
    p: FlowParameters,
    ids: IdCounters,
    family_offset: int,
) -> ShardFrames:
    """Simulate one shard of families and return its tables with database keys."""
    rng = stream(seed, shard, 1)
    q = Quasi(stream(seed, shard, 2))
    pop = _population(stream(seed, shard, 0), families, horizon, p)
    owner, ep = _simulate_journeys(rng, q, p, pop, horizon)
    return _build_tables(
        stream(seed, shard, 3), Quasi(stream(seed, shard, 4)), p, pop, owner, ep, horizon, ids, family_offset
    )


def _build_tables(
    rng: np.random.Generator,
    q: Quasi,
    p: FlowParameters,
    pop: Population,
    owner: np.ndarray,
    ep: Episodes,
    horizon: Horizon,
    ids: IdCounters,
    family_offset: int,
) -> ShardFrames:
    as_of = wd.day_number(horizon.as_of)
    data_start = wd.day_number(horizon.data_start)

    # Episodes kept: those touching the data span, and every episode with a plan (so the count of
    # earlier plans on each plan is backed by rows).
    closure = ep["closure"]
    keep = (ep["referral"] <= as_of) & ((closure >= data_start) | ep["plan"])
    index = np.flatnonzero(keep)
    index = index[np.lexsort((owner[index], ep["referral"][index]))]
    n = index.size
    e = {k: v[index] for k, v in ep.data.items()}
    child_local = owner[index]

    # Children: everyone in the shard gets a key now; those never known are dropped by the loader.
    n_children = pop.birth.size
    child_ids = ids.take("child", n_children)
    child_of = child_ids[child_local]

    referral_ids = ids.take("referral", n)
    contact_ids_for_referrals = np.zeros(n, dtype=np.int64)  # filled once contacts are numbered

    def present(day: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return mask & (day <= as_of)

    closed = closure[index] <= as_of

    # Assessments (first, and a second in some long episodes).
    a_rows = []
    for prefix in ("a1", "a2"):
        m = present(e[f"{prefix}_start"], e[prefix])
        auth_ok = m & (e[f"{prefix}_auth"] <= as_of)
        a_rows.append((np.flatnonzero(m), e[f"{prefix}_start"], e[f"{prefix}_auth"], auth_ok, prefix == "a1"))
    a_ep = np.concatenate([r[0] for r in a_rows])
    a_start = np.concatenate([r[1][r[0]] for r in a_rows])
    a_auth = np.concatenate([r[2][r[0]] for r in a_rows])
    a_done = np.concatenate([r[3][r[0]] for r in a_rows])
    a_first = np.concatenate([np.full(r[0].size, r[4]) for r in a_rows])
    a_need = np.where(a_first, e["in_need"][a_ep], True)
    a_order = np.lexsort((a_ep, a_start))
    a_ep, a_start, a_auth, a_done, a_need, a_first = (
        x[a_order] for x in (a_ep, a_start, a_auth, a_done, a_need, a_first)
    )
    assessment_ids = ids.take("assessment", a_ep.size)
    assessments = pl.DataFrame(
        {
            "id": assessment_ids,
            "referral_id": referral_ids[a_ep],
            "start_date": _day_col(a_start, "start_date"),
            "authorised_date": _opt_day(a_auth, a_done, "authorised_date"),
            "child_in_need": _masked(pl.Series("child_in_need", a_need), a_done),
            "worker_id": pl.Series([None] * a_ep.size, dtype=pl.Int64),
        }
    )
    # Factors belong to the episode (DfE C3 counts episodes): drawn at the first assessment, and a
    # later assessment in the same episode finds the same ones.
    first = a_done & a_first
    factors = _factors(
        rng,
        q,
        p,
        assessment_ids[first],
        a_auth[first],
        a_need[first],
        (a_auth - pop.birth[child_local[a_ep]])[first],
        pop.female[child_local[a_ep]][first],
    )
    first_of_episode = np.zeros(n, dtype=np.int64)
    first_of_episode[a_ep[first]] = assessment_ids[first]
    again = a_done & ~a_first
    repeats = pl.DataFrame({"assessment_id": assessment_ids[again], "first_id": first_of_episode[a_ep[again]]}).join(
        factors.rename({"assessment_id": "first_id"}), on="first_id", how="inner"
    )
    repeats = repeats.select(
        "assessment_id", code=pl.when(pl.col("code") == "21").then(pl.lit("20")).otherwise(pl.col("code"))
    )
    factors = pl.concat([factors, repeats]).sort(["assessment_id", "code"])

    # Strategy discussions: at the start of the episode and on escalation from a child in need plan.
    sd_parts = []
    for key, day_key, out_key in (("sd0", "sd0_day", "sd0_outcome"), ("sd1", "sd1_day", "sd1_outcome")):
        m = present(e[day_key], e[key])
        idx = np.flatnonzero(m)
        sd_parts.append((idx, e[day_key][idx], e[out_key][idx], key))
    sd_ep = np.concatenate([s[0] for s in sd_parts])
    sd_day = np.concatenate([s[1] for s in sd_parts])
    sd_out = np.concatenate([s[2] for s in sd_parts])
    sd_kind = np.concatenate([np.full(s[0].size, i) for i, s in enumerate(sd_parts)])
    sd_order = np.lexsort((sd_ep, sd_day))
    sd_ep, sd_day, sd_out, sd_kind = (x[sd_order] for x in (sd_ep, sd_day, sd_out, sd_kind))
    sd_ids = ids.take("strategy", sd_ep.size)
    strategy = pl.DataFrame(
        {
            "id": sd_ids,
            "referral_id": referral_ids[sd_ep],
            "discussion_date": _day_col(sd_day, "discussion_date"),
            "outcome": _labels(SD_OUTCOMES, sd_out),
        }
    )
    # Key of the strategy discussion by kind (at start, on escalation) and episode.
    sd_id_by_kind = [np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)]
    for kind in (0, 1):
        sel = sd_kind == kind
        sd_id_by_kind[kind][sd_ep[sel]] = sd_ids[sel]

    # Section 47 enquiries with their initial conferences.
    s_parts = []
    for kind, (key, sd_key, icpc, icpc_day) in enumerate(
        (("s47a", "sd0_day", "icpc_a", "icpc_a_day"), ("s47b", "sd1_day", "icpc_b", "icpc_b_day"))
    ):
        m = present(e[sd_key], e[key])
        idx = np.flatnonzero(m)
        held = (e[icpc][idx]) & (e[icpc_day][idx] <= as_of)
        start = e[sd_key][idx]
        resolved = ~held & (~e[icpc][idx]) & ((wd.add_working_days(start, 10) <= as_of) | closed[idx])
        s_parts.append((idx, start, e[icpc_day][idx], held, resolved, kind))
    s_ep = np.concatenate([s[0] for s in s_parts])
    s_start = np.concatenate([s[1] for s in s_parts])
    s_conf = np.concatenate([s[2] for s in s_parts])
    s_held = np.concatenate([s[3] for s in s_parts])
    s_not_required = np.concatenate([s[4] for s in s_parts])
    s_kind = np.concatenate([np.full(s[0].size, s[5]) for s in s_parts])
    s_order = np.lexsort((s_ep, s_start))
    s_ep, s_start, s_conf, s_held, s_not_required, s_kind = (
        x[s_order] for x in (s_ep, s_start, s_conf, s_held, s_not_required, s_kind)
    )
    s47_ids = ids.take("s47", s_ep.size)
    s47_sd = np.where(s_kind == 0, sd_id_by_kind[0][s_ep], sd_id_by_kind[1][s_ep])
    s47 = pl.DataFrame(
        {
            "id": s47_ids,
            "referral_id": referral_ids[s_ep],
            "strategy_discussion_id": s47_sd,
            "start_date": _day_col(s_start, "start_date"),
            "conference_target_date": _day_col(wd.add_working_days(s_start, 15), "conference_target_date"),
            "conference_date": _opt_day(s_conf, s_held, "conference_date"),
            "conference_not_required": s_not_required,
        }
    )
    s47_id_by_kind = [np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)]
    for kind in (0, 1):
        sel = s_kind == kind
        s47_id_by_kind[kind][s_ep[sel]] = s47_ids[sel]

    # Child protection plans and reviews. Previous plans: the child's own earlier plans.
    pm = present(e["plan_start"], e["plan"])
    p_ep = np.flatnonzero(pm)
    p_start = e["plan_start"][p_ep]
    p_end = e["plan_end"][p_ep]
    p_ended = p_end <= as_of
    plan_ids = ids.take("plan", p_ep.size)
    from_a = e["icpc_a"][p_ep] & (e["icpc_a_day"][p_ep] == p_start)
    plan_s47 = np.where(from_a, s47_id_by_kind[0][p_ep], s47_id_by_kind[1][p_ep])
    # Categories do not change the course of a plan, so they are drawn over all plans in date order.
    initial = categorical(q.u("category", p_start + rng.random(p_start.size)), list(INITIAL_CATEGORIES.values()))
    latest = np.where(rng.random(p_start.size) < 0.1, np.where(initial == 0, 1, 0), initial)
    plans = pl.DataFrame(
        {
            "id": plan_ids,
            "referral_id": referral_ids[p_ep],
            "section47_id": plan_s47,
            "start_date": _day_col(p_start, "start_date"),
            "end_date": _opt_day(p_end, p_ended, "end_date"),
            "initial_category": _labels(CATEGORY_CODES, initial),
            "latest_category": _labels(CATEGORY_CODES, latest),
            "number_of_previous_plans": e["previous_plans"][p_ep].astype(np.int64),
        }
    )
    rv = e["reviews"][p_ep]
    rv_plan, rv_col = np.nonzero((rv < NEVER) & (rv <= as_of) & (rv > p_start[:, None]))
    rv_day = rv[rv_plan, rv_col]
    rv_order = np.lexsort((rv_plan, rv_day))
    rv_plan, rv_day = rv_plan[rv_order], rv_day[rv_order]
    reviews = pl.DataFrame(
        {
            "id": ids.take("review", rv_plan.size),
            "plan_id": plan_ids[rv_plan],
            "review_date": _day_col(rv_day, "review_date"),
        }
    )

    # Child in need plans: before any plan (ending on the conference day) and stepping down after it.
    c_parts = []
    for key in ("cin1", "cin2"):
        m = present(e[f"{key}_start"], e[key])
        idx = np.flatnonzero(m)
        c_parts.append((idx, e[f"{key}_start"][idx], e[f"{key}_end"][idx]))
    c_ep = np.concatenate([c[0] for c in c_parts])
    c_start = np.concatenate([c[1] for c in c_parts])
    c_end = np.concatenate([c[2] for c in c_parts])
    c_order = np.lexsort((c_ep, c_start))
    c_ep, c_start, c_end = c_ep[c_order], c_start[c_order], c_end[c_order]
    cin_plans = pl.DataFrame(
        {
            "id": ids.take("cin_plan", c_ep.size),
            "referral_id": referral_ids[c_ep],
            "start_date": _day_col(c_start, "start_date"),
            "end_date": _opt_day(c_end, c_end <= as_of, "end_date"),
        }
    )

    # Contacts: one behind every referral, and the others that did not become referrals.
    contacts, referral_contact = _contacts(
        rng, p, pop, horizon, ids, child_ids, child_local, e, closed, index.size, owner, ep
    )
    contact_ids_for_referrals[:] = referral_contact
    referrals = pl.DataFrame(
        {
            "id": referral_ids,
            "child_id": child_of,
            "contact_id": contact_ids_for_referrals,
            "referral_date": _day_col(e["referral"], "referral_date"),
            "source": _labels(list(p.sources), e["source"]),
            "primary_need": _labels([*NEED_CODES, ""], np.where(e["nfa"], len(NEED_CODES), e["need"])),
            "no_further_action": e["nfa"],
            "closure_date": _opt_day(closure[index], closed, "closure_date"),
            "closure_reason": _labels([*CLOSURE_CODES, ""], np.where(closed, e["reason"], len(CLOSURE_CODES))),
            "team_id": pl.Series([None] * n, dtype=pl.Int64),
        }
    )
    children = pl.DataFrame(
        {
            "id": child_ids,
            "family": pop.family.astype(np.int64) + family_offset,
            "birth": _day_col(pop.birth, "birth"),
            "female": pop.female,
        }
    )
    return ShardFrames(
        children=children,
        contacts=contacts,
        referrals=referrals,
        assessments=assessments,
        factors=factors,
        cin_plans=cin_plans,
        strategy=strategy,
        s47=s47,
        plans=plans,
        reviews=reviews,
    )


def _factors(
    rng: np.random.Generator,
    q: Quasi,
    p: FlowParameters,
    assessment_ids: np.ndarray,
    authorised: np.ndarray,
    in_need: np.ndarray,
    age_days: np.ndarray,
    female: np.ndarray,
) -> pl.DataFrame:
    """Factors identified at each authorised assessment, each with its national prevalence (DfE C3
    2025) among assessments that identified any factor."""
    n = assessment_ids.size
    order = authorised + rng.random(n)
    no_factors = ~in_need & (q.u("no_factors", order, ~in_need) < p.no_factors_when_not_in_need)
    with_factors = ~no_factors
    hits = np.zeros((n, len(FACTOR_CODES)), dtype=bool)
    other = FACTOR_CODES.index("20")
    none_yet = np.ones(n)
    # Age-limited factors: raise the chance among eligible children by the share eligible in the
    # same reporting year, so each year's prevalence matches the national one.
    year = reporting_years(authorised)
    year -= year.min() if n else 0
    with_per_year = np.bincount(year, weights=with_factors, minlength=int(year.max(initial=0)) + 1)
    for j, code in enumerate(FACTOR_CODES):
        if j == other:
            continue
        share = FACTOR_COUNTS[code] / FACTOR_EPISODES_WITH_ANY
        eligible = with_factors.copy()
        if code in FACTOR_MIN_AGE:
            eligible &= age_days >= FACTOR_MIN_AGE[code] * 365
        if code in FEMALE_ONLY_FACTORS:
            eligible &= female
        if not eligible.any():
            continue
        eligible_per_year = np.bincount(year, weights=eligible, minlength=with_per_year.size)
        ratio = np.divide(
            with_per_year, eligible_per_year, out=np.zeros_like(with_per_year), where=eligible_per_year > 0
        )
        chance = np.minimum(0.97, share * ratio[year])
        hits[:, j] = eligible & (q.u(f"factor_{code}", order, eligible) < chance)
        none_yet *= 1.0 - np.where(eligible, chance, 0.0)
    # "Other" tops up assessments that drew no factor, so its total share stays on the national one.
    p_none = float(none_yet[with_factors].mean()) if with_factors.any() else 0.0
    p_other = FACTOR_COUNTS["20"] / FACTOR_EPISODES_WITH_ANY
    chance_other = max(0.0, (p_other - p_none) / (1.0 - p_none))
    hits[:, other] = with_factors & ((q.u("factor_20", order, with_factors) < chance_other) | ~hits.any(axis=1))
    row, col = np.nonzero(hits)
    nf_rows = np.flatnonzero(no_factors)
    frame = pl.DataFrame(
        {
            "assessment_id": np.concatenate([assessment_ids[row], assessment_ids[nf_rows]]),
            "code": _labels([*FACTOR_CODES, "21"], np.concatenate([col, np.full(nf_rows.size, len(FACTOR_CODES))])),
        }
    )
    return frame.sort(["assessment_id", "code"])


def reporting_years(days: np.ndarray) -> np.ndarray:
    """DfE reporting year (ending 31 March) of each day number."""
    dates = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return (1970 + months // 12 + (months % 12 >= 3)).astype(np.int64)


def _contacts(
    rng: np.random.Generator,
    p: FlowParameters,
    pop: Population,
    horizon: Horizon,
    ids: IdCounters,
    child_ids: np.ndarray,
    child_local: np.ndarray,
    e: dict[str, np.ndarray],
    closed: np.ndarray,
    n_referrals: int,
    owner_all: np.ndarray,
    ep_all: Episodes,
) -> tuple[pl.DataFrame, np.ndarray]:
    as_of = wd.day_number(horizon.as_of)
    data_start = wd.day_number(horizon.data_start)
    e18 = wd.add_years(pop.birth, 18)

    # Contacts that did not become referrals, from the data start on, mostly on working days.
    lo = np.maximum(pop.birth - UNBORN_REFERRAL_DAYS, data_start)
    hi = np.minimum(e18 - 1, as_of)
    exposure = np.maximum(hi - lo + 1, 0)
    s = p.other_contact_frailty_share
    rate = p.other_contacts / YEAR * ((1 - s) + s * pop.frailty)
    counts = rng.poisson(rate * exposure)
    who = np.repeat(np.arange(pop.birth.size), counts)
    day = lo[who] + np.floor(rng.random(who.size) * exposure[who]).astype(np.int64)
    source = categorical(rng.random(who.size), list(p.sources.values()))
    police = source == list(p.sources).index(ReferralSource.POLICE)
    keep = np.where(police, p.contact_weekend_keep_police, p.contact_weekend_keep_other)
    day = _mostly_working_days(rng, day, keep, lo[who], hi[who])
    source = fit_source_to_age(source, day - pop.birth[who], list(p.sources))

    # Open at that date? Then the contact goes to the allocated worker.
    all_ref = ep_all["referral"]
    all_close = np.where(ep_all["closure"] <= as_of, ep_all["closure"], NEVER)
    key_ep = owner_all.astype(np.int64) * (1 << 24) + all_ref
    order = np.argsort(key_ep, kind="stable")
    key_sorted = key_ep[order]
    key_contact = who.astype(np.int64) * (1 << 24) + day
    pos = np.searchsorted(key_sorted, key_contact, side="right") - 1
    valid = pos >= 0
    cand = order[np.maximum(pos, 0)]
    open_then = valid & (owner_all[cand] == who) & (day <= all_close[cand]) & (day >= all_ref[cand])
    other_outcome = choice(rng, [0, 1, 2, 6], [0.36, 0.30, 0.29, 0.05], who.size)  # NFA, advice, EH, other LA
    outcome = np.where(open_then, 5, other_outcome)

    # The contact behind each referral: outcome "strategy" where a strategy discussion followed at once.
    ref_day = e["referral"]
    ref_outcome = np.where(e["sd0"] & e["s47a"], 4, 3)
    c_child = np.concatenate([child_local, who])
    c_day = np.concatenate([ref_day, day])
    c_outcome = np.concatenate([ref_outcome, outcome])
    c_source = np.concatenate([e["source"], source])
    is_referral = np.concatenate([np.ones(ref_day.size, dtype=bool), np.zeros(who.size, dtype=bool)])
    rag = np.where(
        c_outcome == 4,
        0,
        np.where(
            c_outcome == 3,
            choice(rng, [0, 1, 2], [0.15, 0.65, 0.20], c_day.size),
            choice(rng, [0, 1, 2], [0.03, 0.32, 0.65], c_day.size),
        ),
    )
    received, decided = _contact_times(rng, c_day, c_outcome, rag, as_of)
    # Contacts not decided by the as-of moment are still waiting in the MASH: no outcome yet.
    waiting = ~is_referral & (decided > as_of * DAY_US + AS_OF_MINUTE * MINUTE_US)
    extra_child, extra_received, extra_rag = _waiting_top_up(
        rng, pop, as_of, c_child[waiting], received[waiting], rag[waiting]
    )
    k = extra_child.size
    c_child = np.concatenate([c_child, extra_child])
    received = np.concatenate([received, extra_received])
    decided = np.concatenate([decided, extra_received])
    rag = np.concatenate([rag, extra_rag])
    c_outcome = np.concatenate([c_outcome, np.zeros(k, dtype=np.int64)])
    extra_source = categorical(rng.random(k), list(p.sources.values()))
    c_source = np.concatenate(
        [c_source, fit_source_to_age(extra_source, as_of - pop.birth[extra_child], list(p.sources))]
    )
    is_referral = np.concatenate([is_referral, np.zeros(k, dtype=bool)])
    waiting = np.concatenate([waiting, np.ones(k, dtype=bool)])
    c_outcome = np.where(waiting, len(CONTACT_OUTCOMES), c_outcome)
    # Rated on arrival (the rating's clock starts at receipt either way).
    due = local_to_utc(contact_deadline(received, rag))
    received = local_to_utc(received)
    decided = local_to_utc(decided)
    decided = np.maximum(decided, received)

    # Keys in order of receipt (referrals first among equals, as their contacts were numbered first).
    order_c = np.lexsort((np.arange(received.size), received))
    contact_ids = np.empty(order_c.size, dtype=np.int64)
    contact_ids[order_c] = ids.take("contact", order_c.size)
    frame = pl.DataFrame(
        {
            "id": contact_ids,
            "child_id": child_ids[c_child],
            "received_at": utc_series(received),
            "decided_at": _masked(utc_series(decided), ~waiting),
            "source": _labels(list(p.sources), c_source),
            "rag": _labels(RAGS, rag),
            "rated_at": utc_series(received),
            "decision_due_at": utc_series(due),
            "match_decision": pl.Series(["linked"] * received.size),
            "outcome": _labels([*CONTACT_OUTCOMES, ""], c_outcome),
            "team_id": pl.Series([None] * received.size, dtype=pl.Int64),
            "is_referral": is_referral,
        }
    ).sort("id")
    return frame, contact_ids[: ref_day.size]


_LONDON = "Europe/London"
MINUTE_US = 60_000_000
DAY_US = 86_400_000_000
# The data stands as it was at 15:00 (London time) on the as-of date: contacts received before then,
# and those not decided by then still waiting in the MASH.
AS_OF_MINUTE = 15 * 60


def _decision_timescales() -> tuple[int, tuple[int, int, int]]:
    """Red's decision timescale in hours, and amber's and green's in working days: the front door's default
    settings (red within 4 hours, amber within 1 working day, green within 3), as
    openmash.front_door.timescales applies them."""
    s = FrontDoorSettings()
    units = [s.red_decision_unit, s.amber_decision_unit, s.green_decision_unit]
    if units != [TimescaleUnit.HOURS, TimescaleUnit.WORKING_DAYS, TimescaleUnit.WORKING_DAYS]:
        raise ValueError(f"The generator expects red in hours and amber and green in working days, not {units}")
    return s.red_decision, (0, s.amber_decision, s.green_decision)


RED_HOURS, RAG_WORKING_DAYS = _decision_timescales()  # RAG_WORKING_DAYS: red (hours instead), amber, green


def as_of_moment(as_of: dt.date) -> dt.datetime:
    """The moment the generated data stands at: 15:00 London time on the as-of date."""
    local_us = wd.day_number(as_of) * DAY_US + AS_OF_MINUTE * MINUTE_US
    utc_us = int(local_to_utc(np.array([local_us], dtype=np.int64))[0])
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=utc_us)


def contact_deadline(received_local: np.ndarray, rag: np.ndarray) -> np.ndarray:
    """When a contact received at `received_local` (London time, microseconds) with RAG index `rag`
    (0 red, 1 amber, 2 green) is due to be decided, in London time."""
    received_local = np.asarray(received_local, dtype=np.int64)
    day = received_local // DAY_US
    time_of_day = received_local - day * DAY_US
    steps = np.asarray(RAG_WORKING_DAYS)[rag]
    return np.where(
        rag == 0,
        received_local + RED_HOURS * 60 * MINUTE_US,
        wd.add_working_days(day, steps) * DAY_US + time_of_day,
    )


def contact_overdue_at(received_local: np.ndarray, rag: np.ndarray, moment_local: int) -> np.ndarray:
    """Whether a contact (as for contact_deadline) is past its decision timescale at `moment_local`, if undecided."""
    return np.asarray(contact_deadline(received_local, rag) < moment_local)


def utc_series(micros: np.ndarray) -> pl.Series:
    return pl.Series(micros, dtype=pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def _contact_times(
    rng: np.random.Generator, day: np.ndarray, outcome: np.ndarray, rag: np.ndarray, as_of: int
) -> tuple[np.ndarray, np.ndarray]:
    """Receipt and decision times in London time (microseconds since 1970-01-01, local clock).

    Receipt is between 06:00 and 23:30: office hours mostly on working days, any time at weekends and
    on bank holidays (police notifications out of hours); on the as-of date only before the as-of
    moment. Referrals are decided the day they arrive. Other contacts by RAG rating: red within hours
    (about 1 in 10 beyond 4 hours, by the emergency duty team at weekends), amber mostly the same or
    the next working day, green within three working days for most; at weekends and on bank holidays
    amber and green wait for the next working day."""
    n = day.size
    working = wd.is_working(day)
    office = working & (rng.random(n) < 0.85)
    minutes = np.where(office, rng.integers(8 * 60 + 30, 17 * 60 + 30, n), rng.integers(6 * 60, 23 * 60 + 30, n))
    today = day == as_of
    minutes_today = np.where(
        office, rng.integers(8 * 60 + 30, AS_OF_MINUTE - 20, n), rng.integers(6 * 60, AS_OF_MINUTE - 20, n)
    )
    minutes = np.where(today, minutes_today, minutes)

    referral = (outcome == 3) | (outcome == 4)
    amber_lag = choice(rng, [0, 1, 2, 3], [0.45, 0.45, 0.07, 0.03], n)
    green_lag = choice(rng, [0, 1, 2, 3, 4, 5], [0.2, 0.35, 0.25, 0.12, 0.05, 0.03], n)
    lag = np.where(rag == 1, amber_lag, green_lag)
    same_day = referral | (rag == 0) | (working & (lag == 0))
    start = np.where(working, day, wd.next_working_day(day))
    decided_day = np.where(same_day, day, wd.add_working_days(start, np.where(working, lag, np.maximum(lag - 1, 0))))
    red_delay = _lognormal_days(rng, 100, 0.7, n, 15, 720)  # minutes
    delay = np.where(referral, rng.integers(20, 240, n), np.where(rag == 0, red_delay, rng.integers(30, 360, n)))
    decided_min = np.where(decided_day == day, minutes + delay, rng.integers(9 * 60, 17 * 60 + 30, n))
    decided_min = np.minimum(decided_min, 23 * 60 + 45)
    # A referral dated the as-of day was decided before the as-of moment.
    decided_min = np.where(referral & today, np.minimum(decided_min, AS_OF_MINUTE - 1), decided_min)
    received = day * DAY_US + minutes * MINUTE_US
    decided = decided_day * DAY_US + decided_min * MINUTE_US + rng.integers(0, 59, n) * 1_000_000
    return received, np.maximum(decided, received)


def _waiting_top_up(
    rng: np.random.Generator,
    pop: Population,
    as_of: int,
    w_child: np.ndarray,
    w_received: np.ndarray,
    w_rag: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Extra contacts still waiting at the as-of moment, so that the MASH's queue always holds every
    RAG rating at every age band (unborn, under 1, 1-4, 5-9, 10-15, 16-17), and for every rating at
    least one contact past its timescale. Each is received on a working day. Returns the children,
    receipt times (London time) and ratings of the extra contacts; none when nothing is missing."""
    moment = as_of * DAY_US + AS_OF_MINUTE * MINUTE_US
    band_all = np.digitize(as_of - pop.birth, AGE_EDGES)
    can_have_contact = (as_of < wd.add_years(pop.birth, 18)) & (pop.birth - UNBORN_REFERRAL_DAYS <= as_of)
    have = set(zip(w_rag.tolist(), band_all[w_child].tolist(), strict=True))
    overdue_rags = set(w_rag[contact_overdue_at(w_received, w_rag, moment)].tolist())
    wanted: list[tuple[int, int, bool]] = []
    for rag in range(len(RAGS)):
        for band in range(len(AGE_EDGES) + 1):
            if (rag, band) not in have:
                late = bool(rng.random() < 0.25)
                wanted.append((rag, band, late))
                if late:
                    overdue_rags.add(rag)
        if rag not in overdue_rags:
            wanted.append((rag, int(rng.integers(1, len(AGE_EDGES) + 1)), True))
    children, received, rags = [], [], []
    last = int(wd.last_working_day_by(np.array([as_of]))[0])

    def working_day_before(k: int) -> int:
        return int(wd.latest_start_for(np.array([last]), np.array([k]))[0])

    for rag, band, late in wanted:
        candidates = np.flatnonzero(can_have_contact & (band_all == band))
        if candidates.size == 0:
            continue
        child = int(candidates[rng.integers(0, candidates.size)])
        office = int(rng.integers(8 * 60 + 30, 17 * 60))
        if last == as_of and rag == 0:
            # Today: within the last few hours, or early this morning and now past 4 hours.
            minute = AS_OF_MINUTE - int(rng.integers(260, 500) if late else rng.integers(20, 200))
            when = as_of * DAY_US + minute * MINUTE_US
        elif rag == 0:
            when = last * DAY_US + office * MINUTE_US
        elif last == as_of and not late:
            # Today or, for green, the working day before.
            day = as_of if rag == 1 else working_day_before(int(rng.integers(0, 2)))
            when = day * DAY_US + min(office, AS_OF_MINUTE - 30) * MINUTE_US
        else:
            # Late: received before the timescale ran out; in time: on the last working day.
            day = working_day_before(RAG_WORKING_DAYS[rag] + 1) if late else last
            when = day * DAY_US + office * MINUTE_US
        children.append(child)
        received.append(when)
        rags.append(rag)
    return (
        np.asarray(children, dtype=np.int64),
        np.asarray(received, dtype=np.int64),
        np.asarray(rags, dtype=np.int64),
    )


def local_to_utc(local_us: np.ndarray) -> np.ndarray:
    s = pl.Series("t", local_us, dtype=pl.Datetime("us"))
    return (
        s.dt.replace_time_zone(_LONDON, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        .cast(pl.Int64)
        .fill_null(s.cast(pl.Int64))
        .to_numpy()
    )


def simulate(
    population: int, seed: int, horizon: Horizon, p: FlowParameters, ids: IdCounters | None = None
) -> Iterator[ShardFrames]:
    """The whole population, shard by shard (a borough is one shard)."""
    counters = ids or IdCounters()
    offset = 0
    for shard, families in enumerate(plan_shards(population, horizon)):
        yield simulate_shard(seed, shard, families, horizon, p, counters, offset)
        offset += families
