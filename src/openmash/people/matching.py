"""Is this child already known? Matching the person on a contact against the register of children.

`find_matches` answers with the children who may be the one described, best first:

1. Children holding one of the identifiers given, matched exactly after tidying (an NHS number by its
   digits, a UPN or LA child ID upper-cased without spaces). A near-miss on an identifier is another
   child's identifier, so it is never an identifier match; the child may still be offered on their
   name and date of birth.
2. Children whose name, date of birth and postcode are close to those given, scored from 0 to 1 by
   `score_candidate` and offered from OFFER_MATCH up. LIKELY_MATCH marks the ones a practitioner
   should expect to be the child. Typing slips, names the wrong way round, a nickname or other
   spelling (people/nicknames.py), a missing date of birth and a day and month swapped are all allowed
   for; each match says why it was offered.

Candidates are looked up first (blocking), each lookup an index search, then scored in Python by
one function, so SQLite and PostgreSQL give the same answer. The lookups: the same date of birth (or
with day and month swapped); the same postcode; and the same sound-alike name keys
(people/name_keys.py), with every nickname of the first name, either way round. Between them they
hold every child who can score high enough to be offered; docs/person-matching.md has the method, why
trigram lookups are not among them, and the recall and speed measured on a million children.

This is a read of the register with no access check: the front door wraps it with the access policy.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from django.db.models import Q
from django.db.models.functions import Upper
from rapidfuzz.distance import OSA

from .models import Child
from .name_keys import name_key, normalise
from .nicknames import equivalents, same_name

Method = Literal["nhs_number", "upn", "la_child_id", "fuzzy"]

# Weights of the evidence; together they make 1 (everything the same scores 1.0).
W_FIRST = 0.25
W_LAST = 0.25
W_BIRTH = 0.35
W_POSTCODE = 0.15
# What a missing value counts for, as a share of its weight: something between agreeing and not.
# A missing date of birth counts for less than half, so a name and postcode alone fall short of a
# name, postcode and date of birth, and a name alone with a different postcode is not offered.
MISSING_NAME = 0.3
MISSING_BIRTH = 0.4
MISSING_POSTCODE = 0.3
NEARBY_POSTCODE = 0.1  # the same postcode sector (all but the last two letters): thousands of homes
SWAPPED = 0.97  # names the wrong way round count a little less than the right way round
# How much a near agreement counts for, as a share of its weight.
NICKNAME = 0.9
SOUNDS_ALIKE = 0.75
INITIAL = 0.5
DOUBLE_BARRELLED = 0.8
BIRTH_SWAPPED = 0.8  # day and month swapped: a common slip, and only one other date it could be
BIRTH_SLIP = 0.45  # one digit wrong or the year one out: many dates are that close, so it counts less

OFFER_MATCH = 0.66  # the least score offered at all
LIKELY_MATCH = 0.78  # from here a match is likely to be the same child

# At most this many candidates are scored, so a search stays quick whatever it meets (a date of birth
# shared by very many, such as the 1 January often given when a child's birthday is not known).
CANDIDATE_CAP = 2_000


@dataclass(frozen=True)
class Match:
    """A child who may be the one described, with how sure and why."""

    child_id: int
    score: float
    method: Method
    reasons: tuple[str, ...]

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY_MATCH


class Name(NamedTuple):
    """A name tidied for comparison: its letters, its sound-alike key and, for a double-barrelled
    surname, its parts."""

    letters: str
    key: str
    parts: frozenset[str]


@lru_cache(maxsize=65_536)  # a register holds far fewer distinct names than children
def tidy(name: str) -> Name:
    letters = normalise(name)
    words = [w for w in (normalise(part) for part in re.split(r"[\s\-]+", name)) if w]
    return Name(letters, name_key(letters), frozenset(words) if len(words) > 1 else frozenset())


@dataclass(frozen=True)
class Probe:
    """The person described on a contact, tidied for comparison."""

    first: Name
    last: Name
    date_of_birth: dt.date | None
    postcode: str

    @classmethod
    def of(cls, *, first_name: str, last_name: str, date_of_birth: dt.date | None, postcode: str) -> Probe:
        return cls(
            first=tidy(first_name),
            last=tidy(last_name),
            date_of_birth=date_of_birth,
            postcode=_postcode(postcode),
        )

    @property
    def has_name(self) -> bool:
        return bool(self.first.letters or self.last.letters)

    @property
    def has_details(self) -> bool:
        return self.has_name or self.date_of_birth is not None or bool(self.postcode)


def find_matches(
    *,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
    postcode: str = "",
    nhs_number: str = "",
    upn: str = "",
    la_child_id: str = "",
    limit: int = 10,
) -> list[Match]:
    """Children who may be the one described: identifier matches first, then the closest by name, date
    of birth and postcode from OFFER_MATCH up, at most `limit` in all."""
    if limit <= 0:
        return []
    probe = Probe.of(first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, postcode=postcode)
    matches = _identifier_matches(probe, nhs_number=nhs_number, upn=upn, la_child_id=la_child_id)
    if len(matches) >= limit or not probe.has_name:
        return matches[:limit]
    found = {m.child_id for m in matches}
    fuzzy: list[Match] = []
    for row in _candidates(probe):
        if row[0] in found:
            continue
        score, reasons = score_candidate(probe, row[1], row[2], row[3], row[4])
        if score >= OFFER_MATCH:
            fuzzy.append(Match(child_id=row[0], score=score, method="fuzzy", reasons=reasons))
    fuzzy.sort(key=lambda m: (-m.score, m.child_id))
    return [*matches, *fuzzy][:limit]


# Identifiers -----------------------------------------------------------------------------------


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


_IDENTIFIER_REASONS: dict[Method, str] = {
    "nhs_number": "Same NHS number",
    "upn": "Same UPN",
    "la_child_id": "Same LA child ID",
}


def _identifier_matches(probe: Probe, *, nhs_number: str, upn: str, la_child_id: str) -> list[Match]:
    given: dict[Method, str] = {
        "nhs_number": "".join(ch for ch in nhs_number if ch.isdigit()),
        "upn": _compact(upn),
        "la_child_id": _compact(la_child_id),
    }
    lookups = {"nhs_number": "nhs_number", "upn": "upn_upper", "la_child_id": "la_child_id_upper"}
    condition = Q()
    for method, value in given.items():
        if value:
            condition |= Q(**{lookups[method]: value})
    if not condition:
        return []
    rows = (
        Child.objects.annotate(upn_upper=Upper("upn"), la_child_id_upper=Upper("la_child_id"))
        .filter(condition)
        .order_by()
        .values_list("id", "first_name", "last_name", "date_of_birth", "postcode", *lookups.values())
    )
    found: list[tuple[int, Match]] = []
    for child_id, first, last, birth, code, *held in rows:
        same = [m for m, value in zip(given, held, strict=True) if given[m] and value == given[m]]
        # The name, birth and postcode are compared too, so a practitioner sees where they disagree.
        details = score_candidate(probe, first, last, birth, code)[1] if probe.has_details else ()
        reasons = (*(_IDENTIFIER_REASONS[m] for m in same), *details)
        found.append((len(same), Match(child_id=child_id, score=1.0, method=same[0], reasons=reasons)))
    found.sort(key=lambda pair: (-pair[0], pair[1].child_id))
    return [match for _, match in found]


# Candidates ------------------------------------------------------------------------------------

Row = tuple[int, str, str, dt.date | None, str]
_COLUMNS = ("id", "first_name", "last_name", "date_of_birth", "postcode")


def _candidates(probe: Probe) -> list[Row]:
    """Children worth scoring: each lookup is an index search, and their union is small."""
    lookups: list[Q] = []
    births = _birth_variants(probe.date_of_birth)
    if births:
        lookups.append(Q(date_of_birth__in=births))
    if probe.postcode:
        lookups.append(Q(postcode=_postcode_display(probe.postcode)))
    # By name only with both names: with one missing, a child can reach OFFER_MATCH only on a date of
    # birth or postcode that agrees, and those are looked up already.
    first, last = probe.first, probe.last
    if first.key and last.key:
        lookups.append(Q(last_name_key=last.key, first_name_key__in=_first_keys(first.letters)))
        # The names the wrong way round.
        lookups.append(Q(last_name_key=first.key, first_name_key__in=_first_keys(last.letters)))
    if not lookups:
        return []
    condition = Q()
    for lookup in lookups:
        condition |= lookup
    # One query: the database combines the index searches (a bitmap OR on PostgreSQL, a multi-index OR on
    # SQLite) in one round trip.
    rows = list(Child.objects.filter(condition).order_by().values_list(*_COLUMNS)[:CANDIDATE_CAP])
    if len(rows) < CANDIDATE_CAP or len(lookups) == 1:
        return rows
    # One lookup crowded the others out: each gets its own share, so the rarer ones still count.
    found = {row[0]: row for row in rows[: CANDIDATE_CAP // 2]}
    share = CANDIDATE_CAP // (2 * len(lookups))
    for lookup in lookups:
        found.update((row[0], row) for row in Child.objects.filter(lookup).order_by().values_list(*_COLUMNS)[:share])
    return list(found.values())


@lru_cache(maxsize=4_096)
def _first_keys(first: str) -> tuple[str, ...]:
    """The sound-alike keys of a first name and of every other form of it (Bill: BL, WLM, LM...)."""
    return tuple(sorted({key for name in equivalents(first) if (key := name_key(name))}))


def _birth_variants(birth: dt.date | None) -> list[dt.date]:
    if birth is None:
        return []
    variants = [birth]
    if birth.day != birth.month and birth.day <= 12:  # both at most 12, so swapped is a real date
        variants.append(birth.replace(day=birth.month, month=birth.day))
    return variants


def _postcode(value: str) -> str:
    return "".join(value.split()).upper()


def _postcode_display(compact: str) -> str:
    """As the register holds it: one space before the last three characters."""
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact


# Scoring ---------------------------------------------------------------------------------------


def score_candidate(
    probe: Probe, first_name: str, last_name: str, date_of_birth: dt.date | None, postcode: str
) -> tuple[float, tuple[str, ...]]:
    """How close a child on the register is to the person described, from 0 to 1, and why.

    The one scoring function for both databases. Names are compared the right way round and swapped,
    keeping the better; each part of the evidence adds its weight times how well it agrees."""
    first, last = tidy(first_name), tidy(last_name)
    f, f_reason = _compare_first(probe.first, first)
    s, s_reason = _compare_last(probe.last, last)
    names = W_FIRST * f + W_LAST * s
    name_reasons: tuple[str, ...] = (f_reason, s_reason)
    if probe.first.letters and probe.last.letters and (f < 1.0 or s < 1.0):
        sf, sf_reason = _compare_first(probe.last, first)
        ss, ss_reason = _compare_last(probe.first, last)
        swapped = SWAPPED * (W_FIRST * sf + W_LAST * ss)
        if swapped > names:
            names = swapped
            name_reasons = ("First and last names swapped", sf_reason, ss_reason)
    b, b_reason = _compare_birth(probe.date_of_birth, date_of_birth)
    p, p_reason = _compare_postcode(probe.postcode, _postcode(postcode))
    score = names + W_BIRTH * b + W_POSTCODE * p
    reasons = tuple(r for r in (*name_reasons, b_reason, p_reason) if r)
    return round(min(score, 1.0), 4), reasons


def _spelling(a: str, b: str) -> float:
    """How close two spellings are, from 0 to 1: a slip or two in a long name counts for more than in a
    short one, and from two changes in five letters on they are different names.

    From 1 less the share of letters to change (a swap of two neighbours counts as one change), so
    0.5 and below is 0; one slip in a six-letter name (5/6) makes 2/3."""
    similarity = OSA.normalized_similarity(a, b)
    return max(0.0, (similarity - 0.5) * 2) if similarity > 0.6 else 0.0


def _compare_name(given: Name, held: Name, label: str) -> tuple[float, str]:
    spelling = _spelling(given.letters, held.letters)
    if given.key and given.key == held.key and OSA.normalized_similarity(given.letters, held.letters) >= 0.5:
        return max(spelling, SOUNDS_ALIKE), f"{label} sounds alike"
    if spelling > 0:
        return spelling, f"{label} spelt slightly differently"
    return 0.0, f"Different {label.lower()}"


# The comparisons are cached: a register holds few distinct names, so the same pairs recur in every search.
@lru_cache(maxsize=65_536)
def _compare_first(given: Name, held: Name) -> tuple[float, str]:
    if not given.letters or not held.letters:
        return MISSING_NAME, ""
    if given.letters == held.letters:
        return 1.0, "Same first name"
    if same_name(given.letters, held.letters):
        return NICKNAME, "First name is a nickname or other spelling"
    if len(given.letters) == 1 or len(held.letters) == 1:
        if given.letters[0] == held.letters[0]:
            return INITIAL, "Same first initial"
        return 0.0, "Different first name"
    return _compare_name(given, held, "First name")


@lru_cache(maxsize=65_536)
def _compare_last(given: Name, held: Name) -> tuple[float, str]:
    if not given.letters or not held.letters:
        return MISSING_NAME, ""
    if given.letters == held.letters:
        return 1.0, "Same surname"
    value, reason = _compare_name(given, held, "Surname")
    shared = ({given.letters} | given.parts) & ({held.letters} | held.parts)
    if value < DOUBLE_BARRELLED and (given.parts or held.parts) and shared:
        return DOUBLE_BARRELLED, "Shares part of a double-barrelled surname"
    return value, reason


def _compare_birth(given: dt.date | None, held: dt.date | None) -> tuple[float, str]:
    if given is None:
        return MISSING_BIRTH, "No date of birth given"
    if held is None:
        return MISSING_BIRTH, "No date of birth on record"
    if given == held:
        return 1.0, "Same date of birth"
    if given.year == held.year and given.day == held.month and given.month == held.day:
        return BIRTH_SWAPPED, "Day and month of birth swapped"
    if OSA.distance(given.strftime("%d%m%Y"), held.strftime("%d%m%Y")) == 1:
        return BIRTH_SLIP, "Date of birth one digit different"
    if (given.day, given.month) == (held.day, held.month) and abs(given.year - held.year) == 1:
        return BIRTH_SLIP, "Year of birth one out"
    return 0.0, "Different date of birth"


def _compare_postcode(given: str, held: str) -> tuple[float, str]:
    if not given or not held:
        return MISSING_POSTCODE, ""
    if given == held:
        return 1.0, "Same postcode"
    if len(given) >= 5 and len(held) >= 5 and given[:-2] == held[:-2]:
        return NEARBY_POSTCODE, "Nearby postcode"
    return 0.0, "Different postcode"
