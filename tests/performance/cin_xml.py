"""Journey events written out as a Children in Need census file, for the tests only.

The project has no census writer yet; this one writes just the groups and items the reader maps
(openmash.journey.census), in the order the schema gives them, one CINdetails per referral. It is
deliberately plain: each record's events are found by their source_id, and a review goes with the
plan of the same episode that started on its start_date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import polars as pl
from lxml import etree

from openmash.journey.schema import EventType


def _add(parent: Any, tag: str, value: object) -> None:
    if value is None:
        return
    element = etree.SubElement(parent, tag)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, dt.date):
        element.text = value.isoformat()
    else:
        element.text = str(value)


def census_xml(events: pl.DataFrame, reference_date: dt.date) -> bytes:
    """Every referred child's episodes in `events` as a census file (children never referred are left out)."""
    by_type: dict[str, dict[tuple[int, int], dict[str, Any]]] = defaultdict(dict)
    in_episode: dict[tuple[str, int], list[int]] = defaultdict(list)
    reviews: dict[tuple[int, dt.date], list[dt.date]] = defaultdict(list)
    for row in events.sort("event_date", "source_id").iter_rows(named=True):
        kind = str(row["event_type"])
        if kind == EventType.CP_REVIEW:
            reviews[(row["episode_id"], row["start_date"])].append(row["event_date"])
            continue
        by_type[kind][(row["episode_id"] or 0, row["source_id"])] = row
        starts = {EventType.ASSESSMENT_START, EventType.CIN_PLAN_START, EventType.S47_START, EventType.CP_PLAN_START}
        if kind in starts:
            in_episode[(kind, row["episode_id"])].append(row["source_id"])

    def ending(kind: EventType, episode: int, source_id: int) -> dict[str, Any] | None:
        return by_type[kind.value].get((episode, source_id))

    message = etree.Element("Message")
    header = etree.SubElement(etree.SubElement(message, "Header"), "CollectionDetails")
    _add(header, "Collection", "CIN")
    _add(header, "Year", reference_date.year)
    _add(header, "ReferenceDate", reference_date)
    children = etree.SubElement(message, "Children")
    referrals = sorted(by_type[EventType.REFERRAL.value].values(), key=lambda r: (r["child_id"], r["event_date"]))
    child_element: Any = None
    current = None
    for referral in referrals:
        if referral["child_id"] != current:
            current = referral["child_id"]
            child_element = etree.SubElement(children, "Child")
            _add(etree.SubElement(child_element, "ChildIdentifiers"), "LAchildID", referral["la_child_id"])
        episode = referral["episode_id"]
        details = etree.SubElement(child_element, "CINdetails")
        _add(details, "CINreferralDate", referral["event_date"])
        _add(details, "ReferralSource", referral["code"])
        closed = ending(EventType.REFERRAL_CLOSED, episode, episode)
        if closed:
            _add(details, "CINclosureDate", closed["event_date"])
            _add(details, "ReasonForClosure", closed["code"])
        _add(details, "ReferralNFA", referral["flag"])
        for source_id in in_episode[(EventType.ASSESSMENT_START.value, episode)]:
            group = etree.SubElement(details, "Assessments")
            started = by_type[EventType.ASSESSMENT_START][(episode, source_id)]
            _add(group, "AssessmentActualStartDate", started["event_date"])
            authorised = ending(EventType.ASSESSMENT_AUTHORISED, episode, source_id)
            if authorised:
                _add(group, "AssessmentAuthorisationDate", authorised["event_date"])
                factors = etree.SubElement(group, "FactorsIdentifiedAtAssessment")
                for code in authorised["factors"] or []:
                    _add(factors, "AssessmentFactors", code)
        for source_id in in_episode[(EventType.CIN_PLAN_START.value, episode)]:
            group = etree.SubElement(details, "CINPlanDates")
            _add(group, "CINPlanStartDate", by_type[EventType.CIN_PLAN_START][(episode, source_id)]["event_date"])
            ended = ending(EventType.CIN_PLAN_END, episode, source_id)
            _add(group, "CINPlanEndDate", ended and ended["event_date"])
        for source_id in in_episode[(EventType.S47_START.value, episode)]:
            start = by_type[EventType.S47_START][(episode, source_id)]
            group = etree.SubElement(details, "Section47")
            _add(group, "S47ActualStartDate", start["event_date"])
            conference = ending(EventType.ICPC, episode, source_id)
            _add(group, "DateOfInitialCPC", conference and conference["event_date"])
            _add(group, "ICPCnotRequired", bool(start["flag"]))
        for source_id in in_episode[(EventType.CP_PLAN_START.value, episode)]:
            start = by_type[EventType.CP_PLAN_START][(episode, source_id)]
            ended = ending(EventType.CP_PLAN_END, episode, source_id)
            group = etree.SubElement(details, "ChildProtectionPlans")
            _add(group, "CPPstartDate", start["event_date"])
            _add(group, "CPPendDate", ended and ended["event_date"])
            _add(group, "InitialCategoryOfAbuse", start["code"])
            _add(group, "LatestCategoryOfAbuse", ended["code"] if ended else start["code"])
            _add(group, "NumberOfPreviousCPP", start["previous_plans"])
            dates = reviews.get((episode, start["event_date"]), [])
            if dates:
                held = etree.SubElement(group, "Reviews")
                for day in dates:
                    _add(held, "CPPreviewDate", day)
    return etree.tostring(message, xml_declaration=True, encoding="utf-8", pretty_print=True)
