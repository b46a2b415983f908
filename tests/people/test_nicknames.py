"""Which first names are one name: nicknames and other spellings, read both ways, never chained."""

from __future__ import annotations

import pytest

from openmash.people.name_keys import name_key, normalise
from openmash.people.nicknames import equivalents, same_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bill", "William"),
        ("William", "Billy"),
        ("Will", "Bill"),  # two short forms of one name
        ("Liz", "Elizabeth"),
        ("Beth", "Elizabeth"),
        ("Katie", "Katherine"),
        ("Kate", "Catherine"),
        ("Jim", "James"),
        ("Alex", "Alexander"),
        ("Alex", "Alexandra"),
        ("Charlie", "Charles"),
        ("Charlie", "Charlotte"),
        ("Sofia", "Zofia"),
        ("Mohammed", "Muhammad"),
        ("Teddy", "Theodore"),
    ],
)
def test_nicknames_and_other_spellings_are_the_same_name(a: str, b: str) -> None:
    assert same_name(normalise(a), normalise(b))
    assert same_name(normalise(b), normalise(a))


@pytest.mark.parametrize(
    ("a", "b"), [("Charles", "Charlotte"), ("Alexander", "Alexandra"), ("Ella", "Eva"), ("Mia", "Amelia")]
)
def test_names_sharing_a_short_form_are_not_one_name(a: str, b: str) -> None:
    assert not same_name(normalise(a), normalise(b))


def test_a_name_outside_the_table_is_only_itself() -> None:
    assert equivalents("ZEBEDEE") == {"ZEBEDEE"}
    assert same_name("ZEBEDEE", "ZEBEDEE")


def test_names_are_compared_by_their_letters_and_sounds() -> None:
    assert normalise(" o'Brien-Smith ") == "OBRIENSMITH"
    assert normalise("Zoë") == "ZOE"
    assert name_key("Smith") == name_key("Smyth")
    assert name_key("Katherine") == name_key("Catherine")
    assert name_key("Smith") != name_key("Jones")
    assert name_key("'-") == ""
