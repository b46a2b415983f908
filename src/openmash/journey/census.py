"""A Children in Need census file (DfE's XML return) read into the journey-events table.

Each CINdetails group is one referral (episode) and its parts become the events the services store
for the same records (openmash.journey.rebuild shows how each column is filled):

referral              CINreferralDate; code ReferralSource; flag ReferralNFA
referral_closed       CINclosureDate; start_date the referral date; code ReasonForClosure
assessment_start      AssessmentActualStartDate
assessment_authorised AssessmentAuthorisationDate; start_date the assessment's start; factors
                      AssessmentFactors (sorted, an empty list when none are given)
cin_plan_start/_end   CINPlanStartDate / CINPlanEndDate (start_date the plan's start on the end)
s47_start             S47ActualStartDate; flag ICPCnotRequired
icpc                  DateOfInitialCPC of a Section47 group (start_date the enquiry's start), or of
                      the CINdetails group itself (no enquiry: start_date empty)
cp_plan_start         CPPstartDate; code InitialCategoryOfAbuse; previous_plans NumberOfPreviousCPP
cp_plan_end           CPPendDate; start_date the plan's start; code LatestCategoryOfAbuse
cp_review             each Reviews/CPPreviewDate; start_date the plan's start

A census file has no contacts, strategy discussions, teams, workers or the "child in need" outcome
of an assessment: those columns stay empty. Keys are made up per file, in document order, so the
same file always gives the same keys: child_id per LAchildID, episode_id per CINdetails and
source_id per record (an episode's source_id is its episode_id, as in the database). The
InitialCPCtarget date is not an event and is not read.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from lxml import etree

from .schema import SCHEMA, EventType, conform, empty_events

__all__ = ["CensusError", "read_census"]

TRUE = frozenset({"true", "1"})
FALSE = frozenset({"false", "0"})


class CensusError(ValueError):
    """The file is not a Children in Need census that can be read (the message says where and why)."""


def _local(element: Any) -> str:
    return etree.QName(element).localname


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _text(element: Any, name: str) -> str | None:
    for child in _children(element, name):
        value = (child.text or "").strip()
        return value or None
    return None


class _Reader:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.children: dict[str, int] = {}
        self.next_key: dict[str, int] = {}
        self.where = ""

    def key(self, kind: str) -> int:
        self.next_key[kind] = self.next_key.get(kind, 0) + 1
        return self.next_key[kind]

    def date(self, element: Any, name: str, *, required: bool = False) -> dt.date | None:
        value = _text(element, name)
        if value is None:
            if required:
                raise CensusError(f"{self.where}: {_local(element)} has no {name}")
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            raise CensusError(f"{self.where}: {name} {value!r} is not a date like 2025-03-31") from None

    def boolean(self, element: Any, name: str) -> bool | None:
        value = _text(element, name)
        if value is None:
            return None
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        raise CensusError(f"{self.where}: {name} {value!r} is not true, false, 1 or 0")

    def add(self, event_type: EventType, day: dt.date, **columns: Any) -> None:
        self.rows.append({"event_type": event_type.value, "event_date": day, **columns})

    def child(self, child: Any) -> None:
        identifiers = _children(child, "ChildIdentifiers")
        la_child_id = _text(identifiers[0], "LAchildID") if identifiers else None
        if la_child_id is None:
            raise CensusError(f"Child {len(self.children) + 1} in the file has no LAchildID")
        self.where = f"Child {la_child_id}"
        child_id = self.children.setdefault(la_child_id, len(self.children) + 1)
        for details in _children(child, "CINdetails"):
            self.episode(details, child_id, la_child_id)

    def episode(self, details: Any, child_id: int, la_child_id: str) -> None:
        episode_id = self.key("episode")
        keys = {"child_id": child_id, "la_child_id": la_child_id, "episode_id": episode_id}
        referred = self.date(details, "CINreferralDate", required=True)
        assert referred is not None
        self.add(
            EventType.REFERRAL,
            referred,
            source_id=episode_id,
            code=_text(details, "ReferralSource"),
            flag=self.boolean(details, "ReferralNFA"),
            **keys,
        )
        for assessment in _children(details, "Assessments"):
            started = self.date(assessment, "AssessmentActualStartDate", required=True)
            assert started is not None
            source_id = self.key("assessment")
            self.add(EventType.ASSESSMENT_START, started, source_id=source_id, **keys)
            authorised = self.date(assessment, "AssessmentAuthorisationDate")
            if authorised is not None:
                factors = sorted(
                    (f.text or "").strip()
                    for group in _children(assessment, "FactorsIdentifiedAtAssessment")
                    for f in _children(group, "AssessmentFactors")
                    if (f.text or "").strip()
                )
                self.add(
                    EventType.ASSESSMENT_AUTHORISED,
                    authorised,
                    start_date=started,
                    source_id=source_id,
                    factors=factors,
                    **keys,
                )
        for plan in _children(details, "CINPlanDates"):
            started = self.date(plan, "CINPlanStartDate", required=True)
            assert started is not None
            source_id = self.key("cin_plan")
            self.add(EventType.CIN_PLAN_START, started, source_id=source_id, **keys)
            ended = self.date(plan, "CINPlanEndDate")
            if ended is not None:
                self.add(EventType.CIN_PLAN_END, ended, start_date=started, source_id=source_id, **keys)
        for enquiry in _children(details, "Section47"):
            started = self.date(enquiry, "S47ActualStartDate", required=True)
            assert started is not None
            source_id = self.key("s47")
            flag = self.boolean(enquiry, "ICPCnotRequired")
            self.add(EventType.S47_START, started, source_id=source_id, flag=flag, **keys)
            conference = self.date(enquiry, "DateOfInitialCPC")
            if conference is not None:
                self.add(EventType.ICPC, conference, start_date=started, source_id=source_id, **keys)
        conference = self.date(details, "DateOfInitialCPC")
        if conference is not None:
            self.add(EventType.ICPC, conference, source_id=self.key("s47"), **keys)
        for plan in _children(details, "ChildProtectionPlans"):
            started = self.date(plan, "CPPstartDate", required=True)
            assert started is not None
            source_id = self.key("cp_plan")
            previous = _text(plan, "NumberOfPreviousCPP")
            try:
                previous_plans = None if previous is None else int(previous)
            except ValueError:
                raise CensusError(f"{self.where}: NumberOfPreviousCPP {previous!r} is not a whole number") from None
            self.add(
                EventType.CP_PLAN_START,
                started,
                source_id=source_id,
                code=_text(plan, "InitialCategoryOfAbuse"),
                previous_plans=previous_plans,
                **keys,
            )
            for reviews in _children(plan, "Reviews"):
                for review in _children(reviews, "CPPreviewDate"):
                    value = (review.text or "").strip()
                    if not value:
                        continue
                    try:
                        day = dt.date.fromisoformat(value[:10])
                    except ValueError:
                        raise CensusError(f"{self.where}: CPPreviewDate {value!r} is not a date") from None
                    self.add(EventType.CP_REVIEW, day, start_date=started, source_id=self.key("cp_review"), **keys)
            ended = self.date(plan, "CPPendDate")
            if ended is not None:
                self.add(
                    EventType.CP_PLAN_END,
                    ended,
                    start_date=started,
                    source_id=source_id,
                    code=_text(plan, "LatestCategoryOfAbuse"),
                    **keys,
                )
        closed = self.date(details, "CINclosureDate")
        if closed is not None:
            self.add(
                EventType.REFERRAL_CLOSED,
                closed,
                start_date=referred,
                source_id=episode_id,
                code=_text(details, "ReasonForClosure"),
                **keys,
            )


def read_census(path: Path | str) -> pl.DataFrame:
    """The journey events held in a Children in Need census XML file (CensusError if it cannot be read)."""
    path = Path(path)
    if not path.is_file():
        raise CensusError(f"No census file at {path}")
    reader = _Reader()
    root_name = None
    try:
        # Child by Child, each cleared once read, so a large return never sits whole in memory.
        # No entities are resolved and nothing is fetched over the network.
        parsed = etree.iterparse(
            str(path), events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=True
        )
        for event, element in parsed:
            if event == "start":
                if root_name is None:
                    root_name = _local(element)
                    if root_name != "Message":
                        raise CensusError(f"{path.name} is not a CIN census file: it starts with <{root_name}>")
                continue
            if _local(element) == "Child":
                reader.child(element)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise CensusError(f"{path.name} is not well-formed XML: {exc.msg} (line {exc.lineno})") from None
    if root_name is None:
        raise CensusError(f"{path.name} is empty")
    if not reader.rows:
        return empty_events()
    return conform(pl.DataFrame(reader.rows, schema=SCHEMA))
