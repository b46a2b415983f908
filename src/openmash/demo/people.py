"""The people behind the journeys: children known to children's services, their brothers and sisters,
parents and carers, and alleged perpetrators, with names, addresses and identifiers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from openmash.core import workdays as wd
from openmash.core.codes import AssessmentFactor, Disability, Ethnicity, RelationshipType, Sex, UPNUnknown
from openmash.people.name_keys import name_key
from openmash.returns.rules import school_age_from

from . import names
from .events import la_child_id
from .sampling import categorical, stream
from .simulate import Horizon, ShardFrames

# Children in a plausible English borough (roughly the 2021 Census mix for under-18s; approximate).
ETHNICITIES: dict[str, float] = {
    Ethnicity.WBRI: 68.0,
    Ethnicity.WIRI: 0.5,
    Ethnicity.WIRT: 0.2,
    Ethnicity.WOTH: 6.0,
    Ethnicity.WROM: 0.5,
    Ethnicity.MWBC: 2.0,
    Ethnicity.MWBA: 1.0,
    Ethnicity.MWAS: 1.5,
    Ethnicity.MOTH: 2.3,
    Ethnicity.AIND: 2.5,
    Ethnicity.APKN: 5.0,
    Ethnicity.ABAN: 1.5,
    Ethnicity.AOTH: 1.5,
    Ethnicity.BCRB: 0.8,
    Ethnicity.BAFR: 3.0,
    Ethnicity.BOTH: 0.6,
    Ethnicity.CHNE: 0.4,
    Ethnicity.OOTH: 1.7,
    Ethnicity.REFU: 0.2,
    Ethnicity.NOBT: 0.8,
}
# Disabilities of children who have one (about 9% do); a few have two.
DISABILITIES: dict[str, float] = {
    Disability.AUTISM: 30,
    Disability.LEARNING: 20,
    Disability.COMMUNICATION: 15,
    Disability.BEHAVIOUR: 10,
    Disability.MOBILITY: 7,
    Disability.HAND: 2,
    Disability.PERSONAL_CARE: 3,
    Disability.INCONTINENCE: 2,
    Disability.HEARING: 3,
    Disability.VISION: 3,
    Disability.CONSCIOUSNESS: 1,
    Disability.OTHER_DDA: 4,
}
DISABLED_SHARE = 0.09
PERPETRATOR_CATEGORIES = ("PHY", "SAB", "EMO", "MUL")
DOMESTIC_ABUSE = ("3A", "3B", "3C")


@dataclass
class People:
    children: pl.DataFrame
    disabilities: pl.DataFrame
    adults: pl.DataFrame
    relationships: pl.DataFrame


def _days(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Int32).to_numpy().astype(np.int64)


def build_people(seed: int, frames: ShardFrames, horizon: Horizon) -> People:
    rng = stream(seed, 900, 0)
    as_of = wd.day_number(horizon.as_of)
    sim = frames.children
    known = frames.contacts.get_column("child_id").unique()
    birth_all = _days(sim["birth"])
    in_population = (birth_all <= as_of) & (wd.add_years(birth_all, 18) > as_of)
    is_known = sim["id"].is_in(known.implode()).to_numpy()
    families = np.unique(sim["family"].to_numpy()[is_known])
    in_family = sim["family"].is_in(pl.Series(families).implode()).to_numpy()
    kept = sim.filter(pl.Series(is_known | (in_family & in_population))).sort("id")
    n = kept.height
    ids = kept["id"].to_numpy()
    fam_codes, fam_index = np.unique(kept["family"].to_numpy(), return_inverse=True)
    n_fam = fam_codes.size
    birth = _days(kept["birth"])
    female = kept["female"].to_numpy()
    unborn = birth > as_of

    # Family-level traits: ethnicity, surname, address, the father of each child.
    fam_eth = np.asarray(list(ETHNICITIES))[categorical(rng.random(n_fam), list(ETHNICITIES.values()))]
    fam_group = names.ethnic_group(fam_eth)
    fam_surname = names.surnames(rng, fam_group).to_numpy()
    fam_address, fam_postcode = names.addresses(rng, n_fam)
    fam_address_np, fam_postcode_np = fam_address.to_numpy(), fam_postcode.to_numpy()
    eldest = np.full(n_fam, np.iinfo(np.int64).max)
    np.minimum.at(eldest, fam_index, birth)
    # A second father for younger children in some families (a half-sibling group).
    split_after = np.where(rng.random(n_fam) < 0.18, eldest + rng.integers(3 * 365, 9 * 365, n_fam), 10**7)
    father = (birth > split_after[fam_index]).astype(np.int64)
    second_surname = names.surnames(rng, fam_group).to_numpy()
    surname = np.where(father == 1, second_surname[fam_index], fam_surname[fam_index])
    ethnicity = fam_eth[fam_index]
    ethnicity = np.where(rng.random(n) < 0.04, Ethnicity.MOTH.value, ethnicity)

    first_names = names.child_first_names(rng, female, fam_group[fam_index]).to_numpy()
    first_names = np.where(unborn, "Unborn", first_names)
    sex = np.where(unborn, Sex.UNKNOWN.value, np.where(female, Sex.FEMALE.value, Sex.MALE.value))

    upn, upn_unknown = _upns(rng, frames, ids, birth, unborn, as_of)
    nhs = names.nhs_numbers(stream(seed, 900, 1), n + 4 * n_fam)  # children, then up to four adults a family
    nhs_np = nhs.to_numpy()
    child_nhs = np.where(unborn, "", nhs_np[:n])

    birth_dates = pl.Series(np.where(unborn, 0, birth), dtype=pl.Int32).cast(pl.Date)
    children = pl.DataFrame(
        {
            "id": ids,
            "la_child_id": pl.select(la_child_id(pl.lit(pl.Series(ids)))).to_series(),
            "upn": upn,
            "former_upn": np.full(n, ""),
            "upn_unknown": upn_unknown,
            "nhs_number": child_nhs,
            "first_name": first_names,
            "last_name": surname,
            "date_of_birth": birth_dates,
            "expected_date_of_birth": pl.Series(np.where(unborn, birth, 0), dtype=pl.Int32).cast(pl.Date),
            "date_of_death": pl.Series([None] * n, dtype=pl.Date),
            "sex": sex,
            "ethnicity": ethnicity,
            "address": fam_address_np[fam_index],
            "postcode": fam_postcode_np[fam_index],
            # What Child.save() stores; the bulk load does not go through save().
            "first_name_key": name_keys(first_names),
            "last_name_key": name_keys(surname),
        }
    ).with_columns(
        date_of_birth=pl.when(pl.Series(unborn)).then(None).otherwise(pl.col("date_of_birth")),
        expected_date_of_birth=pl.when(pl.Series(unborn)).then(pl.col("expected_date_of_birth")).otherwise(None),
    )

    disabilities = _disabilities(rng, frames, ids, unborn)
    adults, relationships = _adults_and_relationships(
        rng,
        frames,
        ids,
        birth,
        unborn,
        fam_index,
        father,
        fam_group,
        fam_surname,
        second_surname,
        fam_address_np,
        fam_postcode_np,
        eldest,
        nhs_np[n:],
        as_of,
    )
    return People(children=children, disabilities=disabilities, adults=adults, relationships=relationships)


def name_keys(values: np.ndarray) -> pl.Series:
    """The sound-alike key of each name (people/name_keys.py), worked out once per distinct name."""
    keys = {name: name_key(name) for name in np.unique(values).tolist()}
    return pl.Series([keys[name] for name in values.tolist()], dtype=pl.String)


# Chance that a child at school has no UPN on record, by what is known of them (the rest have one).
UPN_MISSING_NEWLY_KNOWN = 0.5  # first known in the last three months: UPN not yet obtained (UN4)
UPN_MISSING_ONLY_NFA = 0.15  # every referral ended in no further action, so no UPN was sought (UN7)
UPN_MISSING_OTHER = 0.02  # home-educated or independent school (UN2), school outside England (UN3), conflict (UN5)
NEWLY_KNOWN_DAYS = 91


def school_entry(birth: np.ndarray) -> np.ndarray:
    """Day each child starts school (and gets a UPN): the first 1 September after their 4th birthday."""
    fourth = wd.add_years(birth, 4).astype("datetime64[D]")
    september = (fourth.astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(8, "M")).astype(
        "datetime64[D]"
    )
    following = (september.astype("datetime64[M]") + np.timedelta64(12, "M")).astype("datetime64[D]")
    return np.where(fourth < september, september, following).astype(np.int64)


def _upns(
    rng: np.random.Generator, frames: ShardFrames, ids: np.ndarray, birth: np.ndarray, unborn: np.ndarray, as_of: int
) -> tuple[np.ndarray, np.ndarray]:
    """A UPN for children who have started school, or the reason there is none (DfE N00135), fitting
    what is known of the child: UN6 unborn; UN1 no UPN yet and not of compulsory school age (every child not yet at
    school); UN2 for unaccompanied asylum-seeking children (never at a state school in England); UN4
    for children first known in the last three months; UN7 where every referral ended in no further
    action; and for a few others UN2 (home-educated or at an independent school), UN3 (at school
    outside England) or UN5 (records disagree)."""
    n = ids.size
    entry = school_entry(birth)
    at_school = ~unborn & (as_of >= entry)
    uasc = np.isin(ids, _children_with_factor(frames, AssessmentFactor.UASC))
    first_known = (
        frames.contacts.group_by("child_id")
        .agg(first=pl.col("received_at").min().dt.convert_time_zone("Europe/London").dt.date())
        .filter(pl.col("first") >= wd.to_date(as_of - NEWLY_KNOWN_DAYS))
    )
    newly_known = np.isin(ids, first_known["child_id"].to_numpy())
    per_child = frames.referrals.group_by("child_id").agg(only_nfa=pl.col("no_further_action").all())
    only_nfa = np.isin(ids, per_child.filter(pl.col("only_nfa"))["child_id"].to_numpy())
    chance = np.where(
        uasc, 1.0, np.where(newly_known, UPN_MISSING_NEWLY_KNOWN, np.where(only_nfa, UPN_MISSING_ONLY_NFA, 0.0))
    )
    missing = at_school & (rng.random(n) < np.maximum(chance, UPN_MISSING_OTHER))
    serials = rng.permutation(n).astype(np.int64) + 1
    entry_year = entry.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    upn = np.where(at_school & ~missing, names.upns(serials, entry_year).to_numpy(), "")
    # CIN rule 8770Q: "not of school age" (UN1) only before compulsory school age, not merely under 6.
    days, which = np.unique(birth, return_inverse=True)  # once per birthday, not per child
    school_age = np.fromiter(
        (wd.day_number(school_age_from(wd.to_date(int(b)))) for b in days), dtype=np.int64, count=days.size
    )[which]
    before_school_age = ~unborn & (as_of < school_age)
    u = UPNUnknown
    other = np.asarray([u.UN2.value, u.UN3.value, u.UN5.value])[categorical(rng.random(n), [45, 30, 25])]
    reason = np.select(
        [unborn, ~at_school, ~missing, uasc, newly_known, only_nfa, before_school_age],
        [u.UN6.value, u.UN1.value, "", u.UN2.value, u.UN4.value, u.UN7.value, u.UN1.value],
        default=other,
    )
    return upn, reason


def _children_with_factor(frames: ShardFrames, code: str) -> np.ndarray:
    return (
        frames.factors.filter(pl.col("code") == code)
        .join(frames.assessments.select(assessment_id="id", referral_id="referral_id"), on="assessment_id")
        .join(frames.referrals.select(referral_id="id", child_id="child_id"), on="referral_id")["child_id"]
        .unique()
        .to_numpy()
    )


def _disabilities(rng: np.random.Generator, frames: ShardFrames, ids: np.ndarray, unborn: np.ndarray) -> pl.DataFrame:
    """NONE for most; a disability for about 9%, always for children referred for their disability."""
    n = ids.size
    disability_need = frames.referrals.filter(pl.col("primary_need") == "N2")["child_id"].unique()
    needs = np.isin(ids, disability_need.to_numpy())
    disabled = ~unborn & (needs | (rng.random(n) < DISABLED_SHARE))
    codes = np.asarray(list(DISABILITIES))
    first = codes[categorical(rng.random(n), list(DISABILITIES.values()))]
    second = codes[categorical(rng.random(n), list(DISABILITIES.values()))]
    two = disabled & (rng.random(n) < 0.25) & (first != second)
    rows_child = np.concatenate([ids[~unborn & ~disabled], ids[disabled], ids[two]])
    rows_code = np.concatenate(
        [np.full(int((~unborn & ~disabled).sum()), Disability.NONE.value), first[disabled], second[two]]
    )
    return pl.DataFrame({"child_id": rows_child, "code": rows_code}).sort(["child_id", "code"])


def _adults_and_relationships(
    rng: np.random.Generator,
    frames: ShardFrames,
    ids: np.ndarray,
    birth: np.ndarray,
    unborn: np.ndarray,
    fam_index: np.ndarray,
    father: np.ndarray,
    fam_group: np.ndarray,
    fam_surname: np.ndarray,
    second_surname: np.ndarray,
    address: np.ndarray,
    postcode: np.ndarray,
    eldest: np.ndarray,
    spare_nhs: np.ndarray,
    as_of: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    n_fam = eldest.size
    has_second = np.zeros(n_fam, dtype=bool)
    has_second[fam_index[father == 1]] = True
    mother_age = rng.integers(18 * 365, 38 * 365, n_fam)
    # Adults per family: mother, first father (recorded for most), second father, sometimes a grandmother.
    roles = [
        ("mother", np.ones(n_fam, dtype=bool), True),
        ("father", rng.random(n_fam) < 0.8, False),
        ("father2", has_second, False),
        ("grandmother", rng.random(n_fam) < 0.05, True),
    ]
    adult_rows: list[pl.DataFrame] = []
    adult_of: dict[str, np.ndarray] = {}
    next_id = 1
    for role, present, is_female in roles:
        fams = np.flatnonzero(present)
        k = fams.size
        adult_ids = np.arange(next_id, next_id + k, dtype=np.int64)
        next_id += k
        lookup = np.zeros(n_fam, dtype=np.int64)
        lookup[fams] = adult_ids
        adult_of[role] = lookup
        age = mother_age[fams] + (rng.integers(-2 * 365, 7 * 365, k) if not is_female else 0)
        if role == "grandmother":
            age = mother_age[fams] + rng.integers(18 * 365, 28 * 365, k)
        surname = fam_surname[fams] if role != "father2" else second_surname[fams]
        if role == "father":
            # Some fathers do not share the family surname.
            surname = np.where(rng.random(k) < 0.3, names.surnames(rng, fam_group[fams]).to_numpy(), surname)
        lives_away = (role == "father") & has_second[fams] | ((role == "father") & (rng.random(k) < 0.35))
        adult_rows.append(
            pl.DataFrame(
                {
                    "id": adult_ids,
                    "first_name": names.adult_first_names(rng, np.full(k, is_female), fam_group[fams]).to_numpy(),
                    "last_name": surname,
                    "date_of_birth": pl.Series(eldest[fams] - age, dtype=pl.Int32).cast(pl.Date),
                    "sex": np.full(k, Sex.FEMALE.value if is_female else Sex.MALE.value),
                    "nhs_number": np.where(rng.random(k) < 0.5, spare_nhs[adult_ids - 1], ""),
                    "address": np.where(lives_away, "", address[fams]),
                    "postcode": np.where(lives_away, "", postcode[fams]),
                    "role": np.full(k, role),
                    "family": fams,
                }
            )
        )
    adults = pl.concat(adult_rows)
    lives = adults.select("id", at_home=pl.col("address") != "")

    # Alleged perpetrators: a father, or a former partner, of children whose plans or assessments
    # point at someone (abuse other than neglect, or domestic abuse).
    concerned = _children_with_alleged_perpetrator(frames)
    concern_child = np.isin(ids, concerned["child_id"].to_numpy())
    fams_concerned = np.unique(fam_index[concern_child])
    ex = fams_concerned[rng.random(fams_concerned.size) < 0.35]
    ex_ids = np.arange(next_id, next_id + ex.size, dtype=np.int64)
    ex_lookup = np.zeros(n_fam, dtype=np.int64)
    ex_lookup[ex] = ex_ids
    adults = pl.concat(
        [
            adults,
            pl.DataFrame(
                {
                    "id": ex_ids,
                    "first_name": names.adult_first_names(rng, np.zeros(ex.size, dtype=bool), fam_group[ex]).to_numpy(),
                    "last_name": names.surnames(rng, fam_group[ex]).to_numpy(),
                    "date_of_birth": pl.Series(
                        eldest[ex] - mother_age[ex] - rng.integers(0, 8 * 365, ex.size), dtype=pl.Int32
                    ).cast(pl.Date),
                    "sex": np.full(ex.size, Sex.MALE.value),
                    "nhs_number": np.full(ex.size, ""),
                    "address": np.full(ex.size, ""),
                    "postcode": np.full(ex.size, ""),
                    "role": np.full(ex.size, "former_partner"),
                    "family": ex,
                }
            ),
        ]
    )

    child_birth = pl.Series(np.where(unborn, 0, birth), dtype=pl.Int32).cast(pl.Date)
    rel: list[pl.DataFrame] = []

    def link(
        mask: np.ndarray, adult: np.ndarray, kind: str, lives_with: np.ndarray | bool, start: pl.Series | None
    ) -> None:
        sel = np.flatnonzero(mask & (adult > 0))
        rel.append(
            pl.DataFrame(
                {
                    "child_id": ids[sel],
                    "relationship_type": np.full(sel.size, kind),
                    "adult_id": adult[sel],
                    "other_child_id": pl.Series([None] * sel.size, dtype=pl.Int64),
                    "lives_with_child": np.broadcast_to(np.asarray(lives_with), (ids.size,))[sel],
                    "start_date": start.gather(sel)
                    if start is not None
                    else pl.Series([None] * sel.size, dtype=pl.Date),
                    "end_date": pl.Series([None] * sel.size, dtype=pl.Date),
                }
            )
        )

    every = np.ones(ids.size, dtype=bool)
    born_start = (
        child_birth.to_frame("d").select(pl.when(pl.Series(unborn)).then(None).otherwise(pl.col("d"))).to_series()
    )
    at_home = dict(zip(lives["id"].to_list(), lives["at_home"].to_list(), strict=True))
    father1 = adult_of["father"][fam_index]
    father2 = adult_of["father2"][fam_index]
    father1_home = np.array([at_home.get(int(a), False) for a in father1])
    link(every, adult_of["mother"][fam_index], RelationshipType.PARENT, True, born_start)
    link(father == 0, father1, RelationshipType.PARENT, father1_home, born_start)
    link(father == 1, father2, RelationshipType.PARENT, True, born_start)
    link(father == 0, father2, RelationshipType.STEP_PARENT, True, None)
    link(every, adult_of["grandmother"][fam_index], RelationshipType.GRANDPARENT, True, None)
    perpetrator = np.where(ex_lookup[fam_index] > 0, ex_lookup[fam_index], np.where(father == 1, father2, father1))
    concern_start = pl.DataFrame({"child_id": ids}).join(concerned, on="child_id", how="left", maintain_order="left")[
        "since"
    ]
    link(concern_child, perpetrator, RelationshipType.ALLEGED_PERPETRATOR, False, concern_start)

    # Brothers and sisters: every pair of children in the family, both ways.
    kids = pl.DataFrame({"child_id": ids, "family": fam_index, "father": father})
    pairs = kids.join(kids, on="family", suffix="_other").filter(pl.col("child_id") != pl.col("child_id_other"))
    rel.append(
        pairs.select(
            "child_id",
            relationship_type=pl.when(pl.col("father") == pl.col("father_other"))
            .then(pl.lit(RelationshipType.SIBLING.value))
            .otherwise(pl.lit(RelationshipType.HALF_SIBLING.value)),
            adult_id=pl.lit(None, dtype=pl.Int64),
            other_child_id=pl.col("child_id_other"),
            lives_with_child=pl.lit(True),
            start_date=pl.lit(None, dtype=pl.Date),
            end_date=pl.lit(None, dtype=pl.Date),
        )
    )
    relationships = pl.concat(rel, how="vertical_relaxed").sort(
        ["child_id", "relationship_type", "adult_id", "other_child_id"], nulls_last=True
    )
    relationships = relationships.with_columns(id=pl.int_range(1, relationships.height + 1, dtype=pl.Int64))
    return adults.drop("role", "family"), relationships


def _children_with_alleged_perpetrator(frames: ShardFrames) -> pl.DataFrame:
    """Children with a plan for abuse other than neglect, or domestic abuse found at assessment, and
    the first date it was recorded."""
    plans = frames.plans.filter(pl.col("initial_category").is_in(PERPETRATOR_CATEGORIES)).select(
        "referral_id", since=pl.col("start_date")
    )
    da = (
        frames.factors.filter(pl.col("code").is_in(DOMESTIC_ABUSE))
        .join(
            frames.assessments.select("id", "referral_id", since=pl.col("authorised_date")),
            left_on="assessment_id",
            right_on="id",
        )
        .select("referral_id", "since")
    )
    return (
        pl.concat([plans, da])
        .join(frames.referrals.select(pl.col("id").alias("referral_id"), "child_id"), on="referral_id")
        .group_by("child_id")
        .agg(pl.col("since").min())
        .sort("child_id")
    )
