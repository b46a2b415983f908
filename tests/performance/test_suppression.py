"""Small-number suppression for figures shown outside children's services: counts of 1 to 5 become "c",
a further count is hidden where a hidden one could be worked out from the total, and rates built on a
hidden count are hidden too (DfE's rule for published children-in-need statistics)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openmash.performance.suppression import (
    SUPPRESSED,
    is_small,
    suppress_count,
    suppress_parts,
    suppress_ratio,
)

C = SUPPRESSED


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, C), (2, C), (3, C), (4, C), (5, C), (6, 6), (7, 7), (100, 100)],
)
def test_counts_from_1_to_5_are_hidden_and_0_and_6_are_shown(count: int, shown: int | str) -> None:
    assert suppress_count(count) == shown
    assert is_small(count) == (shown == C)


@pytest.mark.parametrize(
    ("parts", "shown"),
    [
        pytest.param({"a": 10, "b": 20}, {"a": 10, "b": 20}, id="nothing small"),
        pytest.param({"a": 0, "b": 10, "c": 20}, {"a": 0, "b": 10, "c": 20}, id="0 is shown"),
        pytest.param({"a": 6, "b": 6}, {"a": 6, "b": 6}, id="6 is shown"),
        pytest.param({"a": 3, "b": 10, "c": 20}, {"a": C, "b": C, "c": 20}, id="one small: next smallest too"),
        pytest.param({"a": 5, "b": 6, "c": 40}, {"a": C, "b": C, "c": 40}, id="5 and then 6"),
        pytest.param({"a": 2, "b": 0, "c": 9, "d": 7}, {"a": C, "b": 0, "c": 9, "d": C}, id="second one is never a 0"),
        pytest.param({"a": 4, "b": 8, "c": 8}, {"a": C, "b": C, "c": 8}, id="tie: the first by name"),
        pytest.param({"a": 3, "b": 4, "c": 20}, {"a": C, "b": C, "c": 20}, id="two small: no third"),
        pytest.param({"a": 1, "b": 5, "c": 5, "d": 30}, {"a": C, "b": C, "c": C, "d": 30}, id="three small"),
        pytest.param(
            {"a": 1, "b": 1, "c": 20},
            {"a": C, "b": C, "c": C},
            id="two 1s: their sum of 2 gives both away, so a third is hidden",
        ),
        pytest.param(
            {"a": 1, "b": 1, "c": 1, "d": 6, "e": 30},
            {"a": C, "b": C, "c": C, "d": C, "e": 30},
            id="three 1s",
        ),
        pytest.param({"a": 1, "b": 2, "c": 20}, {"a": C, "b": C, "c": 20}, id="1 and 2: sum 3 could be 1+2 or 2+1"),
        pytest.param({"a": 3, "b": 0}, {"a": C, "b": 0}, id="only zeros to hide with: the total is small"),
    ],
)
def test_breakdowns_with_the_total_shown(parts: dict[str, int], shown: dict[str, int | str]) -> None:
    assert suppress_parts(parts) == shown
    assert suppress_parts(parts, total_shown=True) == shown


@pytest.mark.parametrize(
    ("parts", "shown"),
    [
        ({"a": 3, "b": 10, "c": 20}, {"a": C, "b": 10, "c": 20}),
        ({"a": 1, "b": 1, "c": 20}, {"a": C, "b": C, "c": 20}),
        ({"a": 0, "b": 6}, {"a": 0, "b": 6}),
    ],
)
def test_without_a_total_only_small_counts_are_hidden(parts: dict[str, int], shown: dict[str, int | str]) -> None:
    assert suppress_parts(parts, total_shown=False) == shown


@pytest.mark.parametrize(
    ("parts", "total_shown"),
    [
        ({"a": 3, "b": 0}, C),  # the total would give the hidden 3 away, and it is small itself
        ({"a": 1, "b": 1, "c": 0}, C),
        ({"a": 3, "b": 10, "c": 20}, 33),
    ],
)
def test_a_total_is_suppressed_by_the_same_rule_as_its_parts(parts: dict[str, int], total_shown: int | str) -> None:
    # Where every other part is 0 nothing can hide a small part: only hiding the (small) total can.
    assert suppress_count(sum(parts.values())) == total_shown


def _given_away(parts: dict[str, int], shown: dict[str, int | str]) -> list[str]:
    """Hidden parts someone could work out from what is shown and the total.

    A hidden part is a whole number of at least 1 (a 0 is shown as 0). With the total shown, the hidden
    parts add up to the total less the shown ones; k whole numbers of at least 1 adding up to s are each
    known exactly when k is 1, or when s is k (all of them 1). Otherwise each could be more than one value.
    """
    hidden = [key for key, value in shown.items() if value == C]
    hidden_sum = sum(parts.values()) - sum(v for v in shown.values() if v != C)  # type: ignore[misc]
    if len(hidden) == 1 or (hidden and hidden_sum == len(hidden)):
        return hidden
    return []


@given(
    parts=st.dictionaries(
        st.sampled_from(["NEG", "PHY", "SAB", "EMO", "MUL"]),
        st.one_of(st.integers(0, 2), st.integers(0, 7), st.integers(0, 200)),
        min_size=1,
    )
)
def test_no_hidden_count_can_be_worked_out_from_the_total(parts: dict[str, int]) -> None:
    shown = suppress_parts(parts)
    assert {k for k, v in shown.items() if v == C} >= {k for k, v in parts.items() if 1 <= v <= 5}
    assert all(shown[k] == v for k, v in parts.items() if shown[k] != C)  # shown counts are the true ones
    if is_small(sum(parts.values())):
        return  # the total is hidden too (see above), so there is nothing to subtract from
    assert _given_away(parts, shown) == []


@pytest.mark.parametrize(
    ("numerator", "denominator", "value", "shown"),
    [
        pytest.param(0, 10, 0.0, 0.0, id="0 of 10"),
        pytest.param(1, 100, 1.0, C, id="1 of 100"),
        pytest.param(5, 100, 5.0, C, id="5 of 100"),
        pytest.param(6, 100, 6.0, 6.0, id="6 of 100"),
        pytest.param(6, 5, 120.0, C, id="small denominator"),
        pytest.param(3, 4, 75.0, C, id="both small"),
        pytest.param(0, 3, 0.0, C, id="0 of a small denominator"),
        pytest.param(0, 0, None, None, id="nothing to divide by"),
        pytest.param(12, 0, 2.7, 2.7, id="a rate per 10,000: no count below"),
        pytest.param(3, 0, 0.7, C, id="a rate per 10,000 on a small count"),
    ],
)
def test_a_rate_on_a_hidden_count_is_hidden(
    numerator: int, denominator: int, value: float | None, shown: float | str | None
) -> None:
    assert suppress_ratio(numerator, denominator, value) == shown
