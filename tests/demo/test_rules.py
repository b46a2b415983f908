"""CIN census rules and database constraints hold over generated data."""

from __future__ import annotations

import polars as pl
import pytest

from openmash.demo.generator import Borough, Options, build_borough
from openmash.returns.rules import plans_start_at_a_conference

from .conftest import AS_OF
from .rules import (
    CHECKS,
    Check,
    census_records,
    episodes_end_by_the_18th_birthday,
    previous_plans_are_exact,
    upn_reasons_fit_the_child,
)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_borough_keeps_the_rule(check: Check, borough: Borough) -> None:
    bad = check(borough, AS_OF)
    assert bad.is_empty(), bad.head(10)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_small_borough_keeps_the_rule(check: Check, small: Borough) -> None:
    bad = check(small, AS_OF)
    assert bad.is_empty(), bad.head(10)


def test_rules_hold_for_another_seed_and_date() -> None:
    options = Options(size="small", seed=5, as_of=AS_OF.replace(year=2025, month=4, day=1))
    b = build_borough(options)
    for check in CHECKS:
        assert check(b, options.as_of).is_empty(), check.__name__


def test_the_checks_catch_broken_data(small: Borough) -> None:
    plans = small.frames.plans
    broken = Borough(
        frames=small.frames.__class__(
            **{
                **small.frames.tables(),
                "plans": plans.with_columns(
                    number_of_previous_plans=pl.col("number_of_previous_plans") + 1,
                    start_date=pl.col("start_date") + pl.duration(days=1),
                ),
            }
        ),
        people=small.people,
        workforce=small.workforce,
    )
    assert previous_plans_are_exact(broken, AS_OF).height == plans.height
    assert plans_start_at_a_conference(census_records(broken), AS_OF).height == plans.height


def test_the_18th_birthday_and_upn_checks_catch_broken_data(small: Borough) -> None:
    refs = small.frames.referrals
    # Every closure moved a year later: those of young people near 18 now run past their birthday.
    later = refs.with_columns(closure_date=pl.col("closure_date") + pl.duration(days=365))
    broken = Borough(
        frames=small.frames.__class__(**{**small.frames.tables(), "referrals": later}),
        people=small.people.__class__(
            **{
                **small.people.__dict__,
                # A reason meant for under-6s and unborn children given to everyone without a UPN.
                "children": small.people.children.with_columns(
                    upn_unknown=pl.when(pl.col("upn") == "").then(pl.lit("UN1")).otherwise(pl.lit(""))
                ),
            }
        ),
        workforce=small.workforce,
    )
    assert episodes_end_by_the_18th_birthday(broken, AS_OF).height > 0
    assert upn_reasons_fit_the_child(broken, AS_OF).height > 0
    assert episodes_end_by_the_18th_birthday(small, AS_OF).is_empty()


def test_small_has_the_people_the_demo_needs(small: Borough) -> None:
    children = small.people.children
    assert children.filter(pl.col("expected_date_of_birth").is_not_null()).height > 0  # unborn children
    assert children.filter(pl.col("upn") != "").height > children.height / 2
    kinds = set(small.people.relationships["relationship_type"].unique().to_list())
    assert {"parent", "sibling", "alleged_perpetrator"} <= kinds
    known = small.frames.contacts["child_id"].unique()
    siblings_not_known = children.filter(~pl.col("id").is_in(known.implode()))
    assert siblings_not_known.height > 0
    staff = small.workforce.staff
    assert staff.filter(pl.col("is_agency")).height > 0
    assert staff.filter(pl.col("fte") < 1).height > 0
    assert staff.filter(pl.col("job_role") == "team_manager").height == len(small.workforce.teams)
