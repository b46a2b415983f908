"""Journey events built straight from the simulation's frames.

For a borough they are loaded into the stored journey-events table with the records, as the services
would have stored them one by one; they must equal what `openmash journey check` rebuilds from the
loaded records (same keys, codes, flags and dates), which tests/demo checks. For England, which
never touches a database, they are the only source.
"""

from __future__ import annotations

import polars as pl

from openmash.journey.schema import LOCAL_TIME_ZONE, EventType, conform

from .simulate import ShardFrames


def la_child_id(child_id: pl.Expr) -> pl.Expr:
    """The LA child ID of a synthetic child: 'DB' and its key, ten letters and digits."""
    return pl.lit("DB") + child_id.cast(pl.String).str.zfill(8)


def build_events(frames: ShardFrames) -> pl.DataFrame:
    """Every statutory event in the shard, in the journey-events schema and order."""
    return conform(pl.concat(_parts(frames), how="diagonal_relaxed"))


def _parts(t: ShardFrames) -> list[pl.DataFrame]:
    child = pl.col("child_id")
    ref = t.referrals.select(
        episode_id=pl.col("id"),
        child_id=child,
        la_child_id=la_child_id(child),
        team_id=pl.col("team_id"),
        referral_date=pl.col("referral_date"),
    )

    def in_episode(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(ref, left_on="referral_id", right_on="episode_id", how="left").with_columns(
            episode_id=pl.col("referral_id")
        )

    def ev(kind: EventType) -> pl.Expr:
        return pl.lit(kind.value).alias("event_type")

    # A contact joins the journey once it is linked to a child (not while it waits to be matched).
    contacts = t.contacts.filter(child.is_not_null()).select(
        ev(EventType.CONTACT),
        event_date=pl.col("received_at").dt.convert_time_zone(LOCAL_TIME_ZONE).dt.date(),
        child_id=child,
        la_child_id=la_child_id(child),
        source_id=pl.col("id"),
        team_id=pl.col("team_id"),
        code=pl.col("source"),
    )
    referrals = t.referrals.select(
        ev(EventType.REFERRAL),
        event_date=pl.col("referral_date"),
        child_id=child,
        la_child_id=la_child_id(child),
        episode_id=pl.col("id"),
        source_id=pl.col("id"),
        team_id=pl.col("team_id"),
        code=pl.col("source"),
        flag=pl.col("no_further_action"),
    )
    closed = t.referrals.filter(pl.col("closure_date").is_not_null()).select(
        ev(EventType.REFERRAL_CLOSED),
        event_date=pl.col("closure_date"),
        start_date=pl.col("referral_date"),
        child_id=child,
        la_child_id=la_child_id(child),
        episode_id=pl.col("id"),
        source_id=pl.col("id"),
        team_id=pl.col("team_id"),
        code=pl.col("closure_reason"),
    )
    factor_lists = t.factors.group_by("assessment_id").agg(factors=pl.col("code").sort())
    a = in_episode(t.assessments).join(factor_lists, left_on="id", right_on="assessment_id", how="left")
    common = [
        pl.col("child_id"),
        pl.col("la_child_id"),
        pl.col("episode_id"),
        pl.col("id").alias("source_id"),
        pl.col("team_id"),
    ]
    a_start = a.select(
        ev(EventType.ASSESSMENT_START), *common, event_date=pl.col("start_date"), worker_id=pl.col("worker_id")
    )
    a_auth = a.filter(pl.col("authorised_date").is_not_null()).select(
        ev(EventType.ASSESSMENT_AUTHORISED),
        *common,
        event_date=pl.col("authorised_date"),
        start_date=pl.col("start_date"),
        worker_id=pl.col("worker_id"),
        factors=pl.col("factors").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        flag=pl.col("child_in_need"),
    )
    cin = in_episode(t.cin_plans)
    cin_start = cin.select(ev(EventType.CIN_PLAN_START), *common, event_date=pl.col("start_date"))
    cin_end = cin.filter(pl.col("end_date").is_not_null()).select(
        ev(EventType.CIN_PLAN_END), *common, event_date=pl.col("end_date"), start_date=pl.col("start_date")
    )
    sd = in_episode(t.strategy).select(
        ev(EventType.STRATEGY_DISCUSSION), *common, event_date=pl.col("discussion_date"), code=pl.col("outcome")
    )
    s47 = in_episode(t.s47)
    s47_start = s47.select(
        ev(EventType.S47_START), *common, event_date=pl.col("start_date"), flag=pl.col("conference_not_required")
    )
    icpc = s47.filter(pl.col("conference_date").is_not_null()).select(
        ev(EventType.ICPC), *common, event_date=pl.col("conference_date"), start_date=pl.col("start_date")
    )
    plans = in_episode(t.plans)
    plan_start = plans.select(
        ev(EventType.CP_PLAN_START),
        *common,
        event_date=pl.col("start_date"),
        code=pl.col("initial_category"),
        previous_plans=pl.col("number_of_previous_plans"),
    )
    plan_end = plans.filter(pl.col("end_date").is_not_null()).select(
        ev(EventType.CP_PLAN_END),
        *common,
        event_date=pl.col("end_date"),
        start_date=pl.col("start_date"),
        code=pl.col("latest_category"),
    )
    reviews = (
        t.reviews.join(
            t.plans.select(plan_id=pl.col("id"), referral_id=pl.col("referral_id"), plan_start=pl.col("start_date")),
            on="plan_id",
            how="left",
        )
        .pipe(in_episode)
        .select(ev(EventType.CP_REVIEW), *common, event_date=pl.col("review_date"), start_date=pl.col("plan_start"))
    )
    return [
        contacts,
        referrals,
        closed,
        a_start,
        a_auth,
        cin_start,
        cin_end,
        sd,
        s47_start,
        icpc,
        plan_start,
        plan_end,
        reviews,
    ]
