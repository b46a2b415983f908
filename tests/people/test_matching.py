"""Finding the child a contact describes: identifiers exactly, names and dates of birth however they
were written down, and nobody offered who is clearly someone else."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from openmash.accounts.models import User
from openmash.casework.children import child_create
from openmash.people import matching
from openmash.people.identifiers import nhs_number_check_digit, upn_check_letter
from openmash.people.matching import LIKELY_MATCH, OFFER_MATCH, Match, find_matches
from openmash.people.models import Child
from openmash.people.name_keys import name_key


def _nhs(first_nine: str) -> str:
    check = nhs_number_check_digit(first_nine)
    assert check is not None
    return f"{first_nine}{check}"


WILLIAM_NHS = _nhs("999000001")
WILLIAM_UPN = upn_check_letter("999201501001") + "999201501001"

# (LA child ID, first name, last name, date of birth, postcode, sex, extra)
REGISTER: list[tuple[str, str, str, dt.date, str, str, dict[str, str]]] = [
    ("C1", "William", "Hughes", dt.date(2015, 3, 4), "DB1 2AB", "M", {"nhs_number": WILLIAM_NHS, "upn": WILLIAM_UPN}),
    ("C2", "Elizabeth", "Hughes", dt.date(2013, 7, 20), "DB1 2AB", "F", {}),  # William's sister
    ("C3", "Katherine", "O'Brien", dt.date(2016, 11, 9), "DB2 3CD", "F", {}),
    ("C4", "James", "Whitfield", dt.date(2012, 5, 8), "DB3 4EF", "M", {}),
    ("C5", "Olivia", "Kowalski", dt.date(2017, 2, 5), "DB4 5GH", "F", {}),
    ("C6", "William", "Hughes", dt.date(2009, 12, 25), "DB9 9ZZ", "M", {}),  # another William Hughes
    ("C7", "Amelia", "Smith", dt.date(2018, 6, 1), "DB5 6JK", "F", {}),
    ("C8", "Ava", "Smith", dt.date(2018, 6, 1), "DB5 6JK", "F", {}),  # Amelia's twin
    ("C9", "Alexander", "Thompson", dt.date(2014, 10, 10), "DB6 7LM", "M", {}),
    ("C10", "Muhammad", "Khan", dt.date(2011, 1, 15), "DB7 8NP", "M", {}),
    ("C11", "Theodore", "Lewandowski", dt.date(2019, 9, 30), "DB8 1QR", "M", {}),
]


@pytest.fixture
def register(worker_user: User) -> dict[str, int]:
    """The children above, recorded through the service; their ids by LA child ID."""
    ids = {}
    for la_child_id, first, last, birth, postcode, sex, extra in REGISTER:
        child = child_create(
            la_child_id=la_child_id,
            first_name=first,
            last_name=last,
            date_of_birth=birth,
            postcode=postcode,
            sex=sex,
            ethnicity="WBRI",
            acting_user=worker_user,
            **extra,
        )
        ids[la_child_id] = child.pk
    return ids


def _ids(matches: list[Match]) -> list[int]:
    return [m.child_id for m in matches]


def _found(register: dict[str, int], la_child_id: str, matches: list[Match]) -> Match:
    top = {m.child_id: m for m in matches[:3]}
    assert register[la_child_id] in top, f"{la_child_id} not in the top three: {matches}"
    return top[register[la_child_id]]


DUPLICATES: list[tuple[str, dict[str, Any], str, str]] = [
    # (what went wrong, the probe, the child it should find, a reason the practitioner reads)
    (
        "one letter wrong",
        {"first_name": "Willian", "last_name": "Hughes", "date_of_birth": dt.date(2015, 3, 4), "postcode": "DB1 2AB"},
        "C1",
        "First name spelt slightly differently",
    ),
    (
        "two letters swapped",
        {"first_name": "James", "last_name": "Whitfeild", "date_of_birth": dt.date(2012, 5, 8)},
        "C4",
        "Surname",
    ),
    (
        "two letters wrong",
        {"first_name": "Olvia", "last_name": "Kowalksi", "date_of_birth": dt.date(2017, 2, 5), "postcode": "DB4 5GH"},
        "C5",
        "Same date of birth",
    ),
    (
        "names the wrong way round",
        {"first_name": "Whitfield", "last_name": "James", "date_of_birth": dt.date(2012, 5, 8), "postcode": "DB3 4EF"},
        "C4",
        "First and last names swapped",
    ),
    (
        "no date of birth",
        {"first_name": "Katherine", "last_name": "O'Brien", "postcode": "db23cd"},
        "C3",
        "No date of birth given",
    ),
    (
        "nickname Bill",
        {"first_name": "Bill", "last_name": "Hughes", "date_of_birth": dt.date(2015, 3, 4)},
        "C1",
        "First name is a nickname or other spelling",
    ),
    (
        "nickname Liz",
        {"first_name": "Liz", "last_name": "Hughes", "date_of_birth": dt.date(2013, 7, 20), "postcode": "DB1 2AB"},
        "C2",
        "First name is a nickname or other spelling",
    ),
    (
        "nickname Katie, no date of birth",
        {"first_name": "Katie", "last_name": "O'Brien", "postcode": "DB2 3CD"},
        "C3",
        "First name is a nickname or other spelling",
    ),
    (
        "nickname Jim",
        {"first_name": "Jim", "last_name": "Whitfield", "date_of_birth": dt.date(2012, 5, 8), "postcode": "DB3 4EF"},
        "C4",
        "First name is a nickname or other spelling",
    ),
    (
        "nickname Alex",
        {"first_name": "Alex", "last_name": "Thompson", "date_of_birth": dt.date(2014, 10, 10)},
        "C9",
        "First name is a nickname or other spelling",
    ),
    (
        "other spelling Mohammed",
        {"first_name": "Mohammed", "last_name": "Khan", "date_of_birth": dt.date(2011, 1, 15)},
        "C10",
        "First name is a nickname or other spelling",
    ),
    (
        "sounds alike Smyth",
        {"first_name": "Amelia", "last_name": "Smyth", "date_of_birth": dt.date(2018, 6, 1)},
        "C7",
        "Surname sounds alike",
    ),
    (
        "day and month swapped",
        {"first_name": "Olivia", "last_name": "Kowalski", "date_of_birth": dt.date(2017, 5, 2), "postcode": "DB4 5GH"},
        "C5",
        "Day and month of birth swapped",
    ),
    (
        "nickname, names swapped and no date of birth",
        {"first_name": "Lewandowski", "last_name": "Teddy", "postcode": "DB8 1QR"},
        "C11",
        "First and last names swapped",
    ),
]


@pytest.mark.parametrize(
    ("probe", "la_child_id", "reason"), [d[1:] for d in DUPLICATES], ids=[d[0] for d in DUPLICATES]
)
def test_each_kind_of_duplicate_is_found_in_the_top_three(
    register: dict[str, int], probe: dict[str, Any], la_child_id: str, reason: str
) -> None:
    match = _found(register, la_child_id, find_matches(**probe))
    assert match.method == "fuzzy"
    assert OFFER_MATCH <= match.score < 1.0
    assert any(reason in r for r in match.reasons), match.reasons


def test_the_same_details_score_one_and_come_first(register: dict[str, int]) -> None:
    matches = find_matches(
        first_name="william", last_name="HUGHES", date_of_birth=dt.date(2015, 3, 4), postcode="db1 2ab"
    )
    assert matches[0].child_id == register["C1"]
    assert matches[0].score == 1.0
    assert matches[0].likely
    assert matches[0].reasons == ("Same first name", "Same surname", "Same date of birth", "Same postcode")


def test_a_clearly_different_child_is_not_offered(register: dict[str, int]) -> None:
    assert (
        find_matches(first_name="Noah", last_name="Patel", date_of_birth=dt.date(2016, 1, 1), postcode="DB8 1AA") == []
    )
    # The other William Hughes (born years apart, living elsewhere) and William's sister are not offered.
    matches = find_matches(
        first_name="William", last_name="Hughes", date_of_birth=dt.date(2015, 3, 4), postcode="DB1 2AB"
    )
    assert _ids(matches) == [register["C1"]]


def test_a_twin_is_at_most_a_possible_match(register: dict[str, int]) -> None:
    matches = find_matches(
        first_name="Amelia", last_name="Smith", date_of_birth=dt.date(2018, 6, 1), postcode="DB5 6JK"
    )
    assert matches[0].child_id == register["C7"]
    twin = [m for m in matches if m.child_id == register["C8"]]
    assert not twin or (not twin[0].likely and "Different first name" in twin[0].reasons)


def test_a_name_alone_offers_namesakes_as_possible_matches_only(register: dict[str, int]) -> None:
    matches = find_matches(first_name="William", last_name="Hughes")
    assert set(_ids(matches)) == {register["C1"], register["C6"]}
    assert all(OFFER_MATCH <= m.score < LIKELY_MATCH for m in matches)
    # With a postcode that is neither's, a name alone is not enough to offer anyone.
    assert find_matches(first_name="William", last_name="Hughes", postcode="DB4 4XX") == []


def test_identifiers_match_exactly_however_they_are_typed(register: dict[str, int]) -> None:
    spaced = f"{WILLIAM_NHS[:3]} {WILLIAM_NHS[3:6]} {WILLIAM_NHS[6:]}"
    for kwargs, method in [
        ({"nhs_number": spaced}, "nhs_number"),
        ({"upn": f" {WILLIAM_UPN.lower()[:5]} {WILLIAM_UPN.lower()[5:]} "}, "upn"),
        ({"la_child_id": "c 1"}, "la_child_id"),
    ]:
        matches = find_matches(**kwargs)
        assert [(m.child_id, m.method, m.score) for m in matches] == [(register["C1"], method, 1.0)]


def test_an_identifier_match_comes_first_and_says_where_the_details_disagree(register: dict[str, int]) -> None:
    matches = find_matches(
        nhs_number=WILLIAM_NHS, first_name="Katherine", last_name="O'Brien", date_of_birth=dt.date(2016, 11, 9)
    )
    assert matches[0].child_id == register["C1"]
    assert matches[0].method == "nhs_number"
    assert {"Same NHS number", "Different first name", "Different surname"} <= set(matches[0].reasons)
    assert register["C3"] in _ids(matches[1:])


def test_an_identifier_match_with_only_a_date_of_birth_says_whether_it_agrees(register: dict[str, int]) -> None:
    [match] = find_matches(nhs_number=WILLIAM_NHS, date_of_birth=dt.date(2015, 4, 3))
    assert match.reasons == ("Same NHS number", "Day and month of birth swapped")
    [match] = find_matches(nhs_number=WILLIAM_NHS)
    assert match.reasons == ("Same NHS number",)


def test_a_near_miss_on_an_identifier_is_a_different_child(register: dict[str, int]) -> None:
    near = WILLIAM_NHS[:-2] + str((int(WILLIAM_NHS[-2]) + 1) % 10) + WILLIAM_NHS[-1]
    assert find_matches(nhs_number=near) == []
    assert find_matches(upn=WILLIAM_UPN[:-1] + str((int(WILLIAM_UPN[-1]) + 1) % 10)) == []
    assert find_matches(la_child_id="C12") == []
    # With the child's name and date of birth the child is still offered, on those, not the number.
    matches = find_matches(nhs_number=near, first_name="William", last_name="Hughes", date_of_birth=dt.date(2015, 3, 4))
    assert matches[0].child_id == register["C1"]
    assert matches[0].method == "fuzzy"
    assert "Same NHS number" not in matches[0].reasons


def test_nothing_asked_finds_nothing_and_the_limit_holds(register: dict[str, int]) -> None:
    assert find_matches() == []
    assert find_matches(first_name="William", last_name="Hughes", limit=0) == []
    assert len(find_matches(first_name="William", last_name="Hughes", limit=1)) == 1


def test_matches_are_best_first(register: dict[str, int]) -> None:
    matches = find_matches(first_name="Amelia", last_name="Smith", date_of_birth=dt.date(2018, 6, 1))
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)


def test_a_date_of_birth_shared_by_very_many_does_not_hide_the_child(
    worker_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many children given 1 January (as when a birthday is not known) fill the candidates searched; the
    # child whose name matches is still found. A small cap stands in for thousands of such children.
    monkeypatch.setattr(matching, "CANDIDATE_CAP", 12)
    new_year = dt.date(2010, 1, 1)
    names = zip(["Noah", "Ivy", "Leo", "Ruby", "Kai"] * 3, ["Ali", "Shah", "Eze"] * 5, strict=True)
    for i, (first, last) in enumerate(names):
        child_create(
            la_child_id=f"N{i}", first_name=first, last_name=last, date_of_birth=new_year, acting_user=worker_user
        )
    child = child_create(
        la_child_id="J1", first_name="James", last_name="Whitfield", date_of_birth=new_year, acting_user=worker_user
    )
    assert _ids(find_matches(first_name="Jim", last_name="Whitfield", date_of_birth=new_year))[:1] == [child.pk]


# A slip of the keyboard, as hypothesis makes them: a letter changed, dropped, doubled, or two swapped.
def _slip(name: str, kind: int, position: int, letter: str) -> str:
    i = position % len(name)
    if kind == 0:
        return name[:i] + letter + name[i + 1 :]
    if kind == 1 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == 2:
        return name[:i] + name[i + 1 :]
    return name[:i] + name[i] + name[i:]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    row=st.integers(min_value=0, max_value=len(REGISTER) - 1),
    in_surname=st.booleans(),
    kind=st.integers(min_value=0, max_value=3),
    position=st.integers(min_value=0, max_value=20),
    letter=st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
    swapped=st.booleans(),
)
def test_a_child_with_one_slip_in_a_name_is_still_found(
    register: dict[str, int], row: int, in_surname: bool, kind: int, position: int, letter: str, swapped: bool
) -> None:
    la_child_id, first, last, birth, _, _, _ = REGISTER[row]
    if in_surname:
        last = _slip(last, kind, position, letter)
    else:
        first = _slip(first, kind, position, letter)
    assume((first, last) != REGISTER[row][1:3])
    if swapped:
        first, last = last, first
    # No postcode: the date of birth and the names must carry it.
    _found(register, la_child_id, find_matches(first_name=first, last_name=last, date_of_birth=birth))


@pytest.mark.django_db
def test_the_name_keys_follow_the_names() -> None:
    child = Child.objects.create(
        la_child_id="K1", first_name="Katherine", last_name="Smyth", date_of_birth=dt.date(2015, 1, 1)
    )
    child.refresh_from_db()
    assert (child.first_name_key, child.last_name_key) == (name_key("Catherine"), name_key("Smith"))
    child.first_name = "Zofia"
    child.save(update_fields=["first_name"])
    child.refresh_from_db()
    assert child.first_name_key == name_key("Sophia")
    matches = find_matches(first_name="Sofia", last_name="Smith", date_of_birth=dt.date(2015, 1, 1))
    assert matches[0].child_id == child.pk
