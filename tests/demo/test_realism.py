"""What a social worker would expect of the demo borough beyond the calibrated rates: when contacts
arrive, how timely reviews are, the MASH's queue at the as-of moment and what partner agencies said."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from openmash.accounts.models import Agency
from openmash.core import workdays as wd
from openmash.demo.contributions import AGENCIES
from openmash.demo.generator import Borough, Options, build_borough
from openmash.demo.names import SUMMARY_AGES
from openmash.demo.simulate import AGE_EDGES, AS_OF_MINUTE, DAY_US, MINUTE_US, as_of_moment, contact_overdue_at
from openmash.front_door.models import SharingLevel

from .conftest import AS_OF
from .rules import review_gaps

RAGS = ("red", "amber", "green")


def _non_working_share(days: pl.Series) -> float:
    return float((~wd.is_working(days.cast(pl.Int32).to_numpy().astype(np.int64))).mean())


def test_contacts_and_referrals_arrive_mostly_on_working_days(borough: Borough) -> None:
    contacts = borough.frames.contacts
    local_day = contacts["received_at"].dt.convert_time_zone("Europe/London").dt.date()
    # Weekends and bank holidays are about 31% of days; police out-of-hours contacts keep a few there.
    assert 0.05 <= _non_working_share(local_day) <= 0.08
    assert 0.03 <= _non_working_share(borough.frames.referrals["referral_date"]) <= 0.05
    out_of_hours = contacts.filter(~pl.Series(wd.is_working(local_day.cast(pl.Int32).to_numpy().astype(np.int64))))
    assert (out_of_hours["source"] == "6").mean() > 0.4  # mostly the police  # type: ignore[operator]


def test_most_reviews_are_on_time_and_held_a_little_before_they_are_due(borough: Borough) -> None:
    gaps = review_gaps(borough).with_columns(early=(pl.col("due") - pl.col("review_date")).dt.total_days())
    on_time = (gaps["early"] >= 0).mean()
    assert 0.90 <= on_time <= 0.95  # type: ignore[operator]
    early = gaps.filter(pl.col("early") >= 0)["early"]
    assert 5 <= early.median() <= 25  # type: ignore[operator]
    assert early.n_unique() > 30
    assert gaps.filter(pl.col("early") < 0)["early"].n_unique() > 10


def _waiting(b: Borough, as_of: dt.date) -> pl.DataFrame:
    births = b.frames.children.select(child_id="id", birth="birth")
    # Rated contacts: those just in, not yet matched or rated, are in tests/demo/test_front_door.py.
    waiting = b.frames.contacts.filter((pl.col("outcome") == "") & (pl.col("rag") != "")).join(births, on="child_id")
    local = waiting["received_at"].dt.convert_time_zone("Europe/London").dt.replace_time_zone(None)
    received = local.cast(pl.Int64).to_numpy()
    rag = np.asarray([RAGS.index(r) for r in waiting["rag"].to_list()], dtype=np.int64)
    moment = wd.day_number(as_of) * DAY_US + AS_OF_MINUTE * MINUTE_US
    age = wd.day_number(as_of) - waiting["birth"].cast(pl.Int32).to_numpy()
    return waiting.with_columns(
        day=local.dt.date(),
        band=pl.Series(np.digitize(age, AGE_EDGES)),
        overdue=pl.Series(contact_overdue_at(received, rag, moment)),
    )


@pytest.mark.parametrize(
    ("size", "as_of"),
    [("borough", AS_OF), ("small", AS_OF), ("small", dt.date(2026, 11, 28)), ("small", dt.date(2025, 12, 26))],
    ids=["borough", "small", "small-saturday", "small-boxing-day"],
)
def test_the_mash_queue_holds_every_rating_at_every_age(
    size: str, as_of: dt.date, borough: Borough, small: Borough
) -> None:
    if as_of == AS_OF:
        b = borough if size == "borough" else small
    else:
        b = build_borough(Options(size=size, seed=2, as_of=as_of))
    waiting = _waiting(b, as_of)
    combos = set(waiting.select("rag", "band").iter_rows())
    assert combos == {(rag, band) for rag in RAGS for band in range(len(AGE_EDGES) + 1)}
    assert set(waiting.filter(pl.col("overdue"))["rag"].to_list()) == set(RAGS)
    assert set(waiting.filter(~pl.col("overdue"))["rag"].to_list()) >= {"amber", "green"}
    # Received on working days, in the last days before the as-of moment; never decided.
    days = waiting["day"].cast(pl.Int32).to_numpy().astype(np.int64)
    assert wd.is_working(days).all()
    assert (wd.day_number(as_of) - days).max() <= 14
    assert waiting["decided_at"].is_null().all()
    assert (waiting["received_at"] < as_of_moment(as_of)).all()
    if size == "borough":
        assert waiting.height >= 30


def test_every_agency_contributes_at_every_sharing_level(borough: Borough, small: Borough) -> None:
    for b in (borough, small):
        assert b.contributions is not None
        c = b.contributions.contributions
        combos = set(c.select("agency", "sharing_level").iter_rows())
        assert combos == {(a.value, level.value) for a in AGENCIES for level in SharingLevel}
        assert {Agency.PROBATION, Agency.HOUSING, Agency.YOUTH_JUSTICE, Agency.EARLY_HELP} <= set(AGENCIES)
        contacts = b.frames.contacts.select(
            contact_id="id", contact_child="child_id", received="received_at", decided="decided_at"
        )
        joined = c.join(contacts, on="contact_id")
        assert joined.height == c.height
        assert (joined["child_id"] == joined["contact_child"]).all()
        assert (joined["created_at"] >= joined["received"]).all()
        answered_in_time = joined.filter(pl.col("decided").is_not_null())
        assert (answered_in_time["created_at"] <= answered_in_time["decided"]).all()
        assert (joined["created_at"] < as_of_moment(AS_OF)).all()
        # Shared on only at the partners level, never to the contributing agency itself.
        shares = b.contributions.shares.join(
            c.select(contribution_id="id", own="agency", level="sharing_level"), on="contribution_id"
        )
        assert (shares["level"] == SharingLevel.PARTNERS.value).all()
        assert (shares["agency"] != shares["own"]).all()
        partners = c.filter(pl.col("sharing_level") == SharingLevel.PARTNERS.value)
        assert set(shares["contribution_id"].to_list()) == set(partners["id"].to_list())
    # Youth justice knows young people, education children of school age.
    ages = borough.contributions.contributions.join(  # type: ignore[union-attr]
        borough.frames.children.select(child_id="id", birth="birth"), on="child_id"
    ).with_columns(age=(pl.lit(AS_OF) - pl.col("birth")).dt.total_days() / 365.25)
    assert ages.filter(pl.col("agency") == "youth_justice")["age"].min() >= 10  # type: ignore[operator]
    assert ages.filter(pl.col("agency") == "education")["age"].min() >= 4  # type: ignore[operator]


def test_who_made_a_contact_and_what_they_said_fit_the_childs_age(borough: Borough) -> None:
    contacts = borough.frames.contacts.join(
        borough.frames.children.select(child_id="id", birth="birth"), on="child_id"
    ).with_columns(
        age=(pl.col("received_at").dt.convert_time_zone("Europe/London").dt.date() - pl.col("birth")).dt.total_days()
        / 365.25
    )
    wrong = [
        (age, source, summary)
        for age, source, summary in contacts.select("age", "source", "summary").iter_rows()
        if not SUMMARY_AGES[summary][0] <= age < SUMMARY_AGES[summary][1]
    ]
    assert not wrong, wrong[:5]
    school = contacts.filter(pl.col("source").is_in(["2A", "3C"]))["age"].min()
    assert school is not None
    assert school >= 4  # type: ignore[operator]
    assert contacts.filter(pl.col("source") == "3B")["age"].max() < 5  # type: ignore[operator]
    assert contacts.filter(pl.col("source").is_in(["1C", "5B"]))["age"].min() >= 10  # type: ignore[operator]
    referrals = borough.frames.referrals.join(
        borough.frames.children.select(child_id="id", birth="birth"), on="child_id"
    ).with_columns(age=(pl.col("referral_date") - pl.col("birth")).dt.total_days() / 365.25)
    assert referrals.filter(pl.col("source").is_in(["2A", "3C"]))["age"].min() >= 4  # type: ignore[operator]
