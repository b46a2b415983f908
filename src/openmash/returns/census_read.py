"""A Children in Need census file read and checked whole, before anything of it is written.

`read_census_file(path)` returns the file's children as plain records (`CensusChild` and the groups
under it), or raises `CensusRefused` with every problem found: each with the line it is on, the
child's LAchildID and a plain message. It checks that the file is well-formed XML and a CIN census;
that every coded item is on its list in openmash.core.codes; that every date is a real date, none
later than the census's ReferenceDate and none after the child's death; that the dates of an episode
come in order (referral, assessment start, review and authorisation; Section 47 start and conference;
plan start, reviews and end; closure last), as openmash.core.events.check_episode asks of every change;
that a child has one open episode, one open plan of each kind and no overlapping plans; that no
LAchildID comes twice; and that every item is one the records can hold.

Sex: the 2024-25 census has `<Sex>` (M, F or U); earlier files have `<GenderCurrent>` (1 male, 2 female,
0 not recorded or unborn, 9 indeterminate). Both are read: 1 is M, 2 is F, and 0 and 9 are U. The records
hold only M, F and U, so a child recorded as indeterminate (9) is read as U, "unknown or not recorded".
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from openmash.core.codes import (
    AssessmentFactor,
    CategoryOfAbuse,
    Disability,
    Ethnicity,
    PrimaryNeed,
    ReasonForClosure,
    ReferralSource,
    Sex,
    UPNUnknown,
)
from openmash.core.events import Event, EventType, check_episode, episode_conference_source_id

__all__ = ["CensusChild", "CensusFile", "CensusRefused", "Problem", "read_census_file"]

GENDER_CURRENT = {"1": Sex.MALE, "2": Sex.FEMALE, "0": Sex.UNKNOWN, "9": Sex.UNKNOWN}
TRUE = frozenset({"true", "1"})
FALSE = frozenset({"false", "0"})
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What each group may hold; anything else is an item the records cannot hold.
ITEMS: dict[str, frozenset[str]] = {
    "Child": frozenset({"ChildIdentifiers", "ChildCharacteristics", "CINdetails"}),
    "ChildIdentifiers": frozenset(
        {
            "LAchildID",
            "UPN",
            "FormerUPN",
            "UPNunknown",
            "PersonBirthDate",
            "ExpectedPersonBirthDate",
            "GenderCurrent",
            "Sex",
            "PersonDeathDate",
        }
    ),
    "ChildCharacteristics": frozenset({"Ethnicity", "Disabilities"}),
    "Disabilities": frozenset({"Disability"}),
    "CINdetails": frozenset(
        {
            "CINreferralDate",
            "ReferralSource",
            "PrimaryNeedCode",
            "CINclosureDate",
            "ReasonForClosure",
            "DateOfInitialCPC",
            "ReferralNFA",
            "Assessments",
            "CINPlanDates",
            "Section47",
            "ChildProtectionPlans",
        }
    ),
    "Assessments": frozenset(
        {
            "AssessmentActualStartDate",
            "AssessmentInternalReviewDate",
            "AssessmentAuthorisationDate",
            "FactorsIdentifiedAtAssessment",
        }
    ),
    "FactorsIdentifiedAtAssessment": frozenset({"AssessmentFactors"}),
    "CINPlanDates": frozenset({"CINPlanStartDate", "CINPlanEndDate"}),
    "Section47": frozenset({"S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"}),
    "ChildProtectionPlans": frozenset(
        {
            "CPPstartDate",
            "CPPendDate",
            "InitialCategoryOfAbuse",
            "LatestCategoryOfAbuse",
            "NumberOfPreviousCPP",
            "Reviews",
        }
    ),
    "Reviews": frozenset({"CPPreviewDate"}),
}
HELD_ELSEWHERE = {"PreProceedingsandFGDM": "pre-proceedings and family group decision making"}
MAX_PREVIOUS_PLANS = 32767  # the records' small integer
LA_CHILD_ID_LENGTH = 20
UPN_LENGTH = 13


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused."""

    line: int | None
    la_child_id: str | None
    message: str

    def __str__(self) -> str:
        where = [f"line {self.line}"] if self.line else []
        if self.la_child_id:
            where.append(f"child {self.la_child_id}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class CensusRefused(Exception):
    """The file cannot be imported; `problems` says every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(str(p) for p in problems[:3]))


@dataclass
class CensusAssessment:
    line: int
    start: dt.date
    internal_review: dt.date | None
    authorised: dt.date | None
    factors: tuple[str, ...]
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class CensusCINPlan:
    line: int
    start: dt.date
    end: dt.date | None
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class CensusSection47:
    line: int
    start: dt.date
    target: dt.date | None
    conference: dt.date | None
    not_required: bool
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class CensusCPPlan:
    line: int
    start: dt.date
    end: dt.date | None
    initial_category: str
    latest_category: str
    previous_plans: int
    reviews: list[tuple[int, dt.date]]
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class CensusEpisode:
    line: int
    referral_date: dt.date
    source: str
    primary_need: str
    closure_date: dt.date | None
    closure_reason: str
    conference: dt.date | None
    no_further_action: bool
    assessments: list[CensusAssessment] = field(default_factory=list)
    cin_plans: list[CensusCINPlan] = field(default_factory=list)
    section47s: list[CensusSection47] = field(default_factory=list)
    cp_plans: list[CensusCPPlan] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class CensusChild:
    line: int
    la_child_id: str
    upn: str
    former_upn: str
    upn_unknown: str
    date_of_birth: dt.date | None
    expected_date_of_birth: dt.date | None
    date_of_death: dt.date | None
    sex: str
    ethnicity: str
    disabilities: tuple[str, ...]
    episodes: list[CensusEpisode] = field(default_factory=list)


@dataclass
class CensusFile:
    path: Path
    reference_date: dt.date
    year: str
    children: list[CensusChild]


def _local(element: Any) -> str:
    return str(etree.QName(element).localname)


def _items(element: Any, name: str) -> list[Any]:
    return [c for c in element if isinstance(c.tag, str) and _local(c) == name]


class _ChildReader:
    """Reads one <Child>, noting problems instead of stopping at the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.la_child_id: str | None = None
        self.broken = False

    def problem(self, element: Any, message: str) -> None:
        self.problems.append(Problem(getattr(element, "sourceline", None), self.la_child_id, message))
        self.broken = True

    def text(self, element: Any, name: str) -> str | None:
        found = _items(element, name)
        if len(found) > 1:
            self.problem(found[1], f"{name} is given more than once in {_local(element)}")
        if not found:
            return None
        return (found[0].text or "").strip() or None

    def lines(self, element: Any) -> dict[str, int]:
        """The line of each item in a group, so a problem with a date points at the date itself."""
        return {_local(item): int(item.sourceline) for item in element if isinstance(item.tag, str)}

    def date(self, element: Any, name: str, *, required: bool = False) -> dt.date | None:
        value = self.text(element, name)
        if value is None:
            if required:
                self.problem(element, f"{_local(element)} has no {name}")
            return None
        target = _items(element, name)[0]
        if not DATE.match(value):
            self.problem(target, f"{name} {value!r} is not a date like 2025-03-31")
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(target, f"{name} {value} is not a real date")
            return None

    def code(self, element: Any, name: str, codes: Any, *, required: bool = False) -> str:
        value = self.text(element, name)
        if value is None:
            if required:
                self.problem(element, f"{_local(element)} has no {name}")
            return ""
        if value not in codes.values:
            self.problem(_items(element, name)[0], f"{name} {value!r} is not a code on its list")
            return ""
        return str(value)

    def boolean(self, element: Any, name: str, *, required: bool = False) -> bool:
        value = self.text(element, name)
        if value is None:
            if required:
                self.problem(element, f"{_local(element)} has no {name} (true or false)")
            return False
        if value.lower() in TRUE:
            return True
        if value.lower() not in FALSE:
            self.problem(_items(element, name)[0], f"{name} {value!r} is not true, false, 1 or 0")
        return False

    def known_items(self, element: Any) -> None:
        allowed = ITEMS.get(_local(element), frozenset())
        for item in element:
            if not isinstance(item.tag, str):
                continue
            name = _local(item)
            if name in HELD_ELSEWHERE:
                self.problem(item, f"the records cannot hold {HELD_ELSEWHERE[name]} ({name})")
            elif name not in allowed:
                self.problem(item, f"{name} is not an item of {_local(element)} the records can hold")
            elif name in ITEMS:
                self.known_items(item)

    def read(self, element: Any) -> CensusChild | None:
        identifiers = _items(element, "ChildIdentifiers")
        characteristics = _items(element, "ChildCharacteristics")
        if not identifiers:
            self.problem(element, "the Child has no ChildIdentifiers")
            return None
        ids = identifiers[0]
        la_child_id = self.text(ids, "LAchildID")
        if la_child_id is None:
            self.problem(ids, "the Child has no LAchildID")
            return None
        self.la_child_id = la_child_id
        self.known_items(element)
        if len(la_child_id) > LA_CHILD_ID_LENGTH:
            self.problem(ids, f"LAchildID is longer than {LA_CHILD_ID_LENGTH} characters")
        upn = self.text(ids, "UPN") or ""
        former = self.text(ids, "FormerUPN") or ""
        for name, value in (("UPN", upn), ("FormerUPN", former)):
            if len(value) > UPN_LENGTH:
                self.problem(_items(ids, name)[0], f"{name} {value!r} is longer than {UPN_LENGTH} characters")
        upn_unknown = self.code(ids, "UPNunknown", UPNUnknown)
        if upn and upn_unknown:
            self.problem(_items(ids, "UPNunknown")[0], "a reason the UPN is unknown (UPNunknown) is given with a UPN")
        born = self.date(ids, "PersonBirthDate")
        expected = self.date(ids, "ExpectedPersonBirthDate")
        given = [_items(ids, "PersonBirthDate"), _items(ids, "ExpectedPersonBirthDate")]
        if all(given) or not any(given):
            self.problem(ids, "give exactly one of PersonBirthDate and ExpectedPersonBirthDate")
        died = self.date(ids, "PersonDeathDate")
        sex = self.sex(ids)
        if expected is not None and born is None and sex != Sex.UNKNOWN:
            self.problem(ids, "an unborn child's sex is U (unknown)")
        ethnicity = ""
        disabilities: list[str] = []
        if not characteristics:
            self.problem(element, "the Child has no ChildCharacteristics")
        else:
            ethnicity = self.code(characteristics[0], "Ethnicity", Ethnicity, required=True)
            for group in _items(characteristics[0], "Disabilities"):
                for item in _items(group, "Disability"):
                    value = (item.text or "").strip()
                    if value not in Disability.values:
                        self.problem(item, f"Disability {value!r} is not a code on its list")
                    elif value in disabilities:
                        self.problem(item, f"Disability {value} is given twice")
                    else:
                        disabilities.append(value)
            if Disability.NONE in disabilities and len(disabilities) > 1:
                self.problem(characteristics[0], "Disability NONE cannot be given with other disabilities")
        child = CensusChild(
            line=element.sourceline,
            la_child_id=la_child_id,
            upn=upn,
            former_upn=former,
            upn_unknown=upn_unknown,
            date_of_birth=born,
            expected_date_of_birth=expected,
            date_of_death=died,
            sex=sex,
            ethnicity=ethnicity,
            disabilities=tuple(sorted(disabilities)),
        )
        details = _items(element, "CINdetails")
        if not details:
            self.problem(element, "the Child has no CINdetails (episode)")
        for group in details:
            episode = self.episode(group)
            if episode is not None:
                child.episodes.append(episode)
        return child

    def sex(self, ids: Any) -> str:
        sex = self.code(ids, "Sex", Sex)
        gender = self.text(ids, "GenderCurrent")
        if gender is None:
            if not sex and not _items(ids, "Sex"):
                self.problem(ids, "the child has no Sex (or GenderCurrent)")
            return sex
        if gender not in GENDER_CURRENT:
            self.problem(_items(ids, "GenderCurrent")[0], f"GenderCurrent {gender!r} is not 1, 2, 0 or 9")
            return sex
        if sex and sex != GENDER_CURRENT[gender]:
            self.problem(ids, f"Sex {sex} and GenderCurrent {gender} disagree")
        return str(GENDER_CURRENT[gender])

    def episode(self, group: Any) -> CensusEpisode | None:
        referred = self.date(group, "CINreferralDate", required=True)
        nfa = self.boolean(group, "ReferralNFA", required=True)
        episode = CensusEpisode(
            line=group.sourceline,
            referral_date=referred or dt.date.min,
            source=self.code(group, "ReferralSource", ReferralSource, required=True),
            primary_need=self.code(group, "PrimaryNeedCode", PrimaryNeed, required=not nfa),
            closure_date=self.date(group, "CINclosureDate"),
            closure_reason=self.code(group, "ReasonForClosure", ReasonForClosure),
            conference=self.date(group, "DateOfInitialCPC"),
            no_further_action=nfa,
            lines=self.lines(group),
        )
        if (episode.closure_date is None) != (not episode.closure_reason):
            self.problem(group, "a closure date (CINclosureDate) and a ReasonForClosure go together")
        for item in _items(group, "Assessments"):
            started = self.date(item, "AssessmentActualStartDate", required=True)
            factors: list[str] = []
            for factor_group in _items(item, "FactorsIdentifiedAtAssessment"):
                for factor in _items(factor_group, "AssessmentFactors"):
                    value = (factor.text or "").strip()
                    if value not in AssessmentFactor.values:
                        self.problem(factor, f"AssessmentFactors {value!r} is not a code on its list")
                    elif value in factors:
                        self.problem(factor, f"AssessmentFactors {value} is given twice")
                    else:
                        factors.append(value)
            if started is not None:
                episode.assessments.append(
                    CensusAssessment(
                        item.sourceline,
                        started,
                        self.date(item, "AssessmentInternalReviewDate"),
                        self.date(item, "AssessmentAuthorisationDate"),
                        tuple(sorted(factors)),
                        self.lines(item),
                    )
                )
        for item in _items(group, "CINPlanDates"):
            started = self.date(item, "CINPlanStartDate", required=True)
            ended = self.date(item, "CINPlanEndDate")
            if started is not None:
                episode.cin_plans.append(CensusCINPlan(item.sourceline, started, ended, self.lines(item)))
        for item in _items(group, "Section47"):
            started = self.date(item, "S47ActualStartDate", required=True)
            enquiry = CensusSection47(
                item.sourceline,
                started or dt.date.min,
                self.date(item, "InitialCPCtarget"),
                self.date(item, "DateOfInitialCPC"),
                self.boolean(item, "ICPCnotRequired", required=True),
                self.lines(item),
            )
            if enquiry.conference is not None and enquiry.not_required:
                self.problem(item, "an enquiry with a conference date cannot also say none was required")
            if started is not None:
                episode.section47s.append(enquiry)
        for item in _items(group, "ChildProtectionPlans"):
            self.cp_plan(item, episode)
        return episode if referred is not None else None

    def cp_plan(self, item: Any, episode: CensusEpisode) -> None:
        started = self.date(item, "CPPstartDate", required=True)
        previous = self.text(item, "NumberOfPreviousCPP")
        count = 0
        if previous is None:
            self.problem(item, "the plan has no NumberOfPreviousCPP")
        elif not previous.isdigit() or int(previous) > MAX_PREVIOUS_PLANS:
            self.problem(_items(item, "NumberOfPreviousCPP")[0], f"NumberOfPreviousCPP {previous!r} is not a count")
        else:
            count = int(previous)
        reviews: list[tuple[int, dt.date]] = []
        for group in _items(item, "Reviews"):
            for review in _items(group, "CPPreviewDate"):
                value = (review.text or "").strip()
                if not DATE.match(value):
                    self.problem(review, f"CPPreviewDate {value!r} is not a date like 2025-03-31")
                    continue
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    self.problem(review, f"CPPreviewDate {value} is not a real date")
                    continue
                if any(day == other for _, other in reviews):
                    self.problem(review, f"the review on {day} is given twice")
                    continue
                reviews.append((review.sourceline, day))
        plan = CensusCPPlan(
            item.sourceline,
            started or dt.date.min,
            self.date(item, "CPPendDate"),
            self.code(item, "InitialCategoryOfAbuse", CategoryOfAbuse, required=True),
            self.code(item, "LatestCategoryOfAbuse", CategoryOfAbuse, required=True),
            count,
            reviews,
            self.lines(item),
        )
        if started is not None:
            episode.cp_plans.append(plan)


# Dates in order ------------------------------------------------------------------------------------


def _at(record: Any, item: str) -> int:
    """The line of one item of a group (the group's own line when it is not there)."""
    return int(record.lines.get(item, record.line))


def _dated(child: CensusChild) -> Iterator[tuple[int, str, dt.date, CensusEpisode | None]]:
    """Every date the child's records hold after birth: line, what it is, the day, its episode."""
    for ep in child.episodes:
        yield _at(ep, "CINreferralDate"), "the referral", ep.referral_date, ep
        if ep.closure_date:
            yield _at(ep, "CINclosureDate"), "the closure", ep.closure_date, ep
        if ep.conference:
            yield _at(ep, "DateOfInitialCPC"), "the initial conference", ep.conference, ep
        for a in ep.assessments:
            yield _at(a, "AssessmentActualStartDate"), "the assessment's start", a.start, ep
            if a.internal_review:
                yield _at(a, "AssessmentInternalReviewDate"), "the assessment's internal review", a.internal_review, ep
            if a.authorised:
                yield _at(a, "AssessmentAuthorisationDate"), "the assessment's authorisation", a.authorised, ep
        for c in ep.cin_plans:
            yield _at(c, "CINPlanStartDate"), "the child in need plan's start", c.start, ep
            if c.end:
                yield _at(c, "CINPlanEndDate"), "the child in need plan's end", c.end, ep
        for s in ep.section47s:
            yield _at(s, "S47ActualStartDate"), "the Section 47 enquiry's start", s.start, ep
            if s.conference:
                yield _at(s, "DateOfInitialCPC"), "the initial conference", s.conference, ep
        for p in ep.cp_plans:
            yield _at(p, "CPPstartDate"), "the child protection plan's start", p.start, ep
            if p.end:
                yield _at(p, "CPPendDate"), "the child protection plan's end", p.end, ep
            for line, day in p.reviews:
                yield line, "the review conference", day, ep


def _check_dates(child: CensusChild, reference_date: dt.date, add: Callable[[int, str], None]) -> None:
    born = child.date_of_birth or child.expected_date_of_birth
    if child.date_of_birth and child.date_of_birth > reference_date:
        add(
            child.line, f"the date of birth {child.date_of_birth} is after the census's reference date {reference_date}"
        )
    if child.date_of_death:
        if child.date_of_birth and child.date_of_death < child.date_of_birth:
            add(child.line, f"the date of death {child.date_of_death} is before the date of birth")
        if child.date_of_death > reference_date:
            add(child.line, f"the date of death {child.date_of_death} is after the reference date {reference_date}")
    for line, what, day, ep in _dated(child):
        if day > reference_date:
            add(line, f"{what} ({day}) is after the census's reference date {reference_date}")
        if child.date_of_death and day > child.date_of_death:
            add(line, f"{what} ({day}) is after the child's death ({child.date_of_death})")
        if ep is not None and what != "the referral" and day < ep.referral_date:
            add(line, f"{what} ({day}) is before the referral ({ep.referral_date})")
        if ep is not None and ep.closure_date and what != "the closure" and day > ep.closure_date:
            add(line, f"{what} ({day}) is after the case closed ({ep.closure_date})")
        if born and what == "the referral" and (born - day).days > 280:
            add(line, f"the referral ({day}) is more than 40 weeks before the child's birth ({born})")
    for ep in child.episodes:
        for a in ep.assessments:
            if a.authorised and a.authorised < a.start:
                add(
                    _at(a, "AssessmentAuthorisationDate"),
                    f"the assessment is authorised ({a.authorised}) before it started ({a.start})",
                )
            if a.internal_review and a.internal_review < a.start:
                add(
                    _at(a, "AssessmentInternalReviewDate"),
                    f"the assessment's internal review ({a.internal_review}) is before it started ({a.start})",
                )
        for c in ep.cin_plans:
            if c.end and c.end < c.start:
                add(_at(c, "CINPlanEndDate"), f"the child in need plan ends ({c.end}) before it starts ({c.start})")
        for s in ep.section47s:
            if s.conference and s.conference < s.start:
                add(
                    _at(s, "DateOfInitialCPC"),
                    f"the initial conference ({s.conference}) is before the enquiry started ({s.start})",
                )
        for p in ep.cp_plans:
            if p.end and p.end <= p.start:
                add(
                    _at(p, "CPPendDate"),
                    f"the child protection plan ends ({p.end}) on or before the day it starts ({p.start})",
                )
            for line, day in p.reviews:
                if day <= p.start:
                    add(line, f"the review conference ({day}) is not after the plan started ({p.start})")
                if p.end and day > p.end:
                    add(line, f"the review conference ({day}) is after the plan ended ({p.end})")


def _check_open_and_overlaps(child: CensusChild, add: Callable[[int, str], None]) -> None:
    open_episodes = [ep for ep in child.episodes if ep.closure_date is None]
    if len(open_episodes) > 1:
        add(open_episodes[1].line, f"the child has {len(open_episodes)} open episodes: at most one may be open")
    for ep in child.episodes:
        open_assessments = [a for a in ep.assessments if a.authorised is None]
        if len(open_assessments) > 1:
            add(open_assessments[1].line, "the episode has two assessments not authorised: at most one may be open")
        waiting = [s for s in ep.section47s if s.conference is None and not s.not_required]
        if len(waiting) > 1:
            add(waiting[1].line, "the episode has two Section 47 enquiries waiting for a conference")
        if ep.conference and ep.section47s and any(s.conference == ep.conference for s in ep.section47s):
            add(ep.line, f"the initial conference on {ep.conference} is recorded on the episode and on an enquiry")
    kinds = {
        "child in need plan": [(c.line, c.start, c.end) for ep in child.episodes for c in ep.cin_plans],
        "child protection plan": [(p.line, p.start, p.end) for ep in child.episodes for p in ep.cp_plans],
    }
    for kind, plans in kinds.items():
        open_plans = [p for p in plans if p[2] is None]
        if len(open_plans) > 1:
            add(open_plans[1][0], f"the child has {len(open_plans)} open {kind}s: at most one may be open")
        ordered = sorted(plans, key=lambda p: (p[1], p[0]))
        for (_, start, end), (line, next_start, _) in itertools.pairwise(ordered):
            if end is None or next_start < end:
                until = "still open" if end is None else f"until {end}"
                add(line, f"the {kind} starting {next_start} overlaps the one from {start} ({until})")
    for cin_line, cin_start, cin_end in kinds["child in need plan"]:
        for _, cp_start, cp_end in kinds["child protection plan"]:
            if cin_start < (cp_end or dt.date.max) and cp_start < (cin_end or dt.date.max):
                add(
                    cin_line,
                    f"the child in need plan from {cin_start} overlaps the child protection plan from {cp_start}",
                )


def _episode_events(child: CensusChild, ep: CensusEpisode) -> list[Event]:
    """The episode as journey events, keyed for this check only, for the rules every change obeys."""
    events: list[Event] = []
    keys = iter(range(1, 1_000_000))

    def add(event_type: EventType, day: dt.date, source_id: int, **columns: Any) -> None:
        events.append(
            Event(
                event_type, day, child_id=0, la_child_id=child.la_child_id, source_id=source_id, episode_id=1, **columns
            )
        )

    add(EventType.REFERRAL, ep.referral_date, 1, code=ep.source, flag=ep.no_further_action)
    if ep.closure_date:
        add(EventType.REFERRAL_CLOSED, ep.closure_date, 1, start_date=ep.referral_date, code=ep.closure_reason)
    if ep.conference:
        add(EventType.ICPC, ep.conference, episode_conference_source_id(1))
    for a in ep.assessments:
        key = next(keys)
        add(EventType.ASSESSMENT_START, a.start, key)
        if a.authorised:
            add(EventType.ASSESSMENT_AUTHORISED, a.authorised, key, start_date=a.start, factors=a.factors)
    for c in ep.cin_plans:
        key = next(keys)
        add(EventType.CIN_PLAN_START, c.start, key)
        if c.end:
            add(EventType.CIN_PLAN_END, c.end, key, start_date=c.start)
    for s in ep.section47s:
        key = next(keys)
        add(EventType.S47_START, s.start, key, flag=s.not_required)
        if s.conference:
            add(EventType.ICPC, s.conference, key, start_date=s.start)
    for p in ep.cp_plans:
        key = next(keys)
        add(EventType.CP_PLAN_START, p.start, key, code=p.initial_category, previous_plans=p.previous_plans)
        if p.end:
            add(EventType.CP_PLAN_END, p.end, key, start_date=p.start, code=p.latest_category)
        for _, day in p.reviews:
            add(EventType.CP_REVIEW, day, next(keys), start_date=p.start)
    return events


def check_child(child: CensusChild, reference_date: dt.date, *, whole: bool = True) -> list[Problem]:
    """Every problem with the child's dates and plans, once its items are read (`whole`: every item
    could be read, so the episodes are complete enough for the services' rules)."""
    problems: list[Problem] = []

    def add(line: int, message: str) -> None:
        problems.append(Problem(line, child.la_child_id, message))

    _check_dates(child, reference_date, add)
    _check_open_and_overlaps(child, add)
    if whole and not problems:
        # What the services refuse of any change (conferences on working days, nothing open at
        # closure, one kind of plan at a time) is asked of each episode as well.
        for ep in child.episodes:
            refusal = check_episode([], _episode_events(child, ep))
            if refusal is not None:
                add(ep.line, refusal.message)
    return problems


# The file --------------------------------------------------------------------------------------------


def _header(element: Any, problems: list[Problem]) -> tuple[dt.date | None, str]:
    details = element.find("CollectionDetails") if _local(element) == "Header" else None
    details = details if details is not None else next(iter(_items(element, "CollectionDetails")), None)
    if details is None:
        problems.append(Problem(element.sourceline, None, "the Header has no CollectionDetails"))
        return None, ""
    collection = (details.findtext("Collection") or "").strip()
    if collection != "CIN":
        problems.append(
            Problem(details.sourceline, None, f"the Collection is {collection!r}, not CIN: not a CIN census")
        )
    year = (details.findtext("Year") or "").strip()
    reference = (details.findtext("ReferenceDate") or "").strip()
    try:
        if not DATE.match(reference):
            raise ValueError
        return dt.date.fromisoformat(reference), year
    except ValueError:
        problems.append(Problem(details.sourceline, None, f"ReferenceDate {reference!r} is not a real date"))
        return None, year


def read_census_file(path: Path | str, *, progress: Callable[[int, int], None] | None = None) -> CensusFile:
    """Read and check the whole file; CensusRefused with every problem if it cannot be imported.
    `progress(bytes_read, bytes_total)` is called as the file is read."""
    path = Path(path)
    if not path.is_file():
        raise CensusRefused([Problem(None, None, f"there is no file at {path}")])
    total = path.stat().st_size
    problems: list[Problem] = []
    children: list[CensusChild] = []
    seen: dict[str, int] = {}
    reference_date: dt.date | None = None
    year = ""
    root: str | None = None
    header_seen = False
    with path.open("rb") as handle:
        try:
            # No entities are resolved and nothing is fetched over the network.
            parsed = etree.iterparse(
                handle, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=True
            )
            for event, element in parsed:
                name = _local(element)
                if event == "start":
                    if root is None:
                        root = name
                        if name != "Message":
                            problems.append(
                                Problem(element.sourceline, None, f"not a CIN census file: it starts with <{name}>")
                            )
                            raise CensusRefused(problems)
                    continue
                if name == "Header":
                    header_seen = True
                    reference_date, year = _header(element, problems)
                elif name == "Child":
                    reader = _ChildReader(problems)
                    child = reader.read(element)
                    if child is not None:
                        if child.la_child_id in seen:
                            problems.append(
                                Problem(
                                    element.sourceline,
                                    child.la_child_id,
                                    f"LAchildID {child.la_child_id} is also the child on line "
                                    f"{seen[child.la_child_id]}",
                                )
                            )
                        else:
                            seen[child.la_child_id] = element.sourceline
                            if reference_date is not None:
                                problems.extend(check_child(child, reference_date, whole=not reader.broken))
                            children.append(child)
                    element.clear()
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
                    if progress is not None:
                        progress(handle.tell(), total)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (exc.lineno, 0)
            message = re.sub(r", line \d+, column \d+$", "", str(exc.msg))
            problems.append(Problem(line, None, f"not well-formed XML: {message} (line {line}, column {column})"))
            raise CensusRefused(problems) from None
    if root is None:
        raise CensusRefused([Problem(None, None, f"{path.name} is empty")])
    if not header_seen:
        problems.append(Problem(1, None, "not a CIN census file: there is no Header"))
    if reference_date is None and header_seen and not problems:
        problems.append(Problem(1, None, "the Header gives no ReferenceDate"))
    if header_seen and not children and not problems:
        problems.append(Problem(1, None, "the file holds no children"))
    if problems:
        raise CensusRefused(problems)
    assert reference_date is not None
    return CensusFile(path=path, reference_date=reference_date, year=year, children=children)
