"""The CSE screening tool: what is asked, and the rules that turn the answers into a risk level.

Both are data. An authority that uses a different tool changes INDICATORS, VULNERABILITIES or RULES here, or
points the setting OPENMASH_CSE_RULES at its own rules, without touching the code that applies them
(`assess`). Plain-words version with the sources: docs/front-door.md, "Child sexual exploitation".

Indicators are grouped as in the Cambridgeshire and Peterborough tool (2015) and rated 0 (none) to 3 (high),
as in the Pan-Cheshire and Cambridgeshire tools. Vulnerabilities are recorded beside them (they are not scored).
Every rule says "at least this level when ...": the level is the highest any rule gives, and "no concerns"
when none applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.conf import settings

from openmash.front_door.models import CSERiskLevel

RATINGS: dict[int, str] = {0: "None", 1: "Low", 2: "Medium", 3: "High"}
HIGHEST_RATING = 3


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    signs: str
    # Specific to sexual exploitation, rather than a sign of harm of any kind (a school-attendance concern
    # alone does not show CSE; an older "boyfriend" with gifts does).
    specific: bool = False


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "missing",
        "Missing episodes",
        "Going missing from home or care, staying out late or overnight, coming back with no explanation.",
        specific=True,
    ),
    Indicator(
        "accommodation",
        "Accommodation",
        "Unstable or unsuitable housing, sofa surfing, staying with adults the family does not know.",
    ),
    Indicator(
        "school",
        "School attendance",
        "Poor or falling attendance, truanting, exclusions, being collected from school by unknown adults.",
    ),
    Indicator("substances", "Substance misuse", "Drinking or drug use; being given alcohol or drugs by others."),
    Indicator(
        "family", "Family relationships", "Conflict or breakdown at home, domestic abuse, estrangement from family."
    ),
    Indicator(
        "engagement",
        "Engagement with services",
        "Not engaging with, or dropping out of, school, health or other services; missed appointments.",
    ),
    Indicator(
        "coercion",
        "Coercion, gangs and older associates",
        "An older boyfriend or girlfriend, gang association, being controlled or driven around by others.",
        specific=True,
    ),
    Indicator(
        "gifts",
        "Gifts and money",
        "Unexplained money, phones, clothes or other gifts; debts owed to others.",
        specific=True,
    ),
    Indicator(
        "sexual_health",
        "Health and sexual health",
        "Sexually transmitted infections, pregnancy or terminations, unexplained injuries, repeated visits to A&E.",
        specific=True,
    ),
    Indicator(
        "emotional",
        "Emotional and mental health",
        "Self-harm, sudden changes of mood, secrecy, withdrawal, low self-esteem.",
    ),
    Indicator(
        "risky_places",
        "Abusive adults or peers, or risky places",
        "Contact with adults or peers known to exploit children; hotspots, parties, takeaways, hotels.",
        specific=True,
    ),
    Indicator(
        "online",
        "Online contact and social media",
        "Contact with unknown adults online, sharing images, several phones or accounts.",
        specific=True,
    ),
)
INDICATOR_CODES: tuple[str, ...] = tuple(i.code for i in INDICATORS)
SPECIFIC_CODES: frozenset[str] = frozenset(i.code for i in INDICATORS if i.specific)

LEARNING_DISABILITY = "learning_disability"
VULNERABILITIES: dict[str, str] = {
    "care_history": "Looked after now or in the past",
    LEARNING_DISABILITY: "Learning disability",
    "prior_abuse": "Abused before (sexual, physical or emotional abuse or neglect)",
    "chaotic_home": "Chaotic home life (for example parental substance misuse, domestic abuse, mental ill health)",
    "uasc": "Unaccompanied asylum-seeking child",
}


class Group(StrEnum):
    """Who a rule applies to."""

    EVERYONE = "everyone"
    UNDER_13 = "under 13"
    LEARNING_DISABILITY = "with a learning disability"


@dataclass(frozen=True)
class Rated:
    """Met when at least `count` indicators (only those specific to CSE, if `specific`) are rated `at_least`."""

    at_least: int
    count: int = 1
    specific: bool = False

    def met(self, ratings: Mapping[str, int]) -> bool:
        codes = SPECIFIC_CODES if self.specific else ratings.keys()
        return sum(1 for code in codes if ratings.get(code, 0) >= self.at_least) >= self.count


@dataclass(frozen=True)
class ScoreAtLeast:
    """Met when the ratings add up to at least `score` (of 3 x the number of indicators)."""

    score: int

    def met(self, ratings: Mapping[str, int]) -> bool:
        return sum(ratings.values()) >= self.score


@dataclass(frozen=True)
class Rule:
    """At least `level` for a child in one of `applies_to` when any one of `when` is met."""

    level: CSERiskLevel
    when: tuple[Rated | ScoreAtLeast, ...]
    text: str
    source: str
    applies_to: frozenset[Group] = field(default_factory=lambda: frozenset({Group.EVERYONE}))


# Ratings are out of 3 for each of the 12 indicators: 36 at most.
RULES: tuple[Rule, ...] = (
    Rule(
        CSERiskLevel.LOW,
        (Rated(at_least=1),),
        "Any indicator rated: emerging concerns.",
        "Ours, following York's emerging / escalating / high bands.",
    ),
    Rule(
        CSERiskLevel.MEDIUM,
        (Rated(at_least=3, specific=True), Rated(at_least=2, count=3), ScoreAtLeast(9)),
        "An indicator specific to exploitation rated high, three or more indicators rated medium or high, "
        "or a score of 9 or more: significant risk.",
        "Ours, after the Pan-Cheshire and Cambridgeshire and Peterborough tools (1 to 3 per domain).",
    ),
    Rule(
        CSERiskLevel.HIGH,
        (Rated(at_least=3, count=2), ScoreAtLeast(18)),
        "Two or more indicators rated high, or a score of 18 or more (half the most possible): the child is "
        "likely being exploited.",
        "Ours, after the Pan-Cheshire and Cambridgeshire and Peterborough tools.",
    ),
    Rule(
        CSERiskLevel.MEDIUM,
        (Rated(at_least=3),),
        "A child under 13 with any one indicator rated high: potential CSE.",
        "Pan-Cheshire CSE screening tool.",
        frozenset({Group.UNDER_13}),
    ),
    Rule(
        CSERiskLevel.MEDIUM,
        (Rated(at_least=1, specific=True),),
        "A child under 13, or with a learning disability, is never rated no or low risk when an indicator "
        "specific to exploitation is present.",
        "Herefordshire CSE screening guidance; West Yorkshire (under 13 or a learning disability: refer to "
        "children's social care).",
        frozenset({Group.UNDER_13, Group.LEARNING_DISABILITY}),
    ),
)

_ORDER = [CSERiskLevel.NONE, CSERiskLevel.LOW, CSERiskLevel.MEDIUM, CSERiskLevel.HIGH]


def level_rank(level: str) -> int:
    """The level's place in the order of concern (none 0 ... high 3)."""
    return _ORDER.index(CSERiskLevel(level))


def current_rules() -> Sequence[Rule]:
    """The authority's rules: settings.OPENMASH_CSE_RULES if it sets its own, else RULES."""
    return getattr(settings, "OPENMASH_CSE_RULES", RULES)


@dataclass(frozen=True)
class Assessment:
    level: CSERiskLevel
    score: int
    # The rules that set the level, in plain words, for the practitioner to read.
    reasons: tuple[str, ...]


def age_on(date_of_birth: dt.date | None, day: dt.date) -> int | None:
    """Age in whole years on a day; None when the date of birth is not known (or the child is unborn)."""
    if date_of_birth is None or date_of_birth > day:
        return None
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def groups_for(*, age: int | None, learning_disability: bool) -> frozenset[Group]:
    groups = {Group.EVERYONE}
    if age is not None and age < 13:
        groups.add(Group.UNDER_13)
    if learning_disability:
        groups.add(Group.LEARNING_DISABILITY)
    return frozenset(groups)


def assess(
    ratings: Mapping[str, int],
    *,
    age: int | None,
    learning_disability: bool,
    rules: Sequence[Rule] | None = None,
) -> Assessment:
    """The risk level for a set of ratings (indicator code to 0..3) and the rules that gave it."""
    groups = groups_for(age=age, learning_disability=learning_disability)
    matched = [
        rule
        for rule in (current_rules() if rules is None else rules)
        if rule.applies_to & groups and any(condition.met(ratings) for condition in rule.when)
    ]
    level = max((rule.level for rule in matched), key=level_rank, default=CSERiskLevel.NONE)
    reasons = tuple(rule.text for rule in matched if rule.level == level)
    return Assessment(level=CSERiskLevel(level), score=sum(ratings.values()), reasons=reasons)


def _valid_rating(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= HIGHEST_RATING


def check_answers(ratings: Mapping[str, object], vulnerabilities: Collection[str]) -> list[tuple[str, str]]:
    """What is wrong with a set of answers, as (field, message) pairs; empty when they can be scored."""
    problems = [
        (i.code, f"Rate {i.label.lower()}: none, low, medium or high")
        for i in INDICATORS
        if not _valid_rating(ratings.get(i.code))
    ]
    if set(ratings) - set(INDICATOR_CODES):
        problems.append(("ratings", "Rate only the indicators in the tool"))
    if set(vulnerabilities) - set(VULNERABILITIES):
        problems.append(("vulnerabilities", "Select vulnerabilities from the list"))
    return problems
