"""The Children in Need census for one collection year, written from the database as DfE's XML.

`write_census(out, year=2025)` writes the return for the year ending 31 March 2025: the reference
date is 31 March `year` and the census year runs from 1 April `year - 1`. It streams: children are
read 500 at a time (one query per table for each batch) and each Child element is written as soon as
it is built (lxml's incremental xmlfile), so memory stays flat however large the borough grows.

The records are taken as they stood at the reference date: anything dated after it is left out (a
referral made later), and an end dated after it is not given (a case closed later is open in the
return). Within that, what each group holds follows the DfE validation rules of 2024-25 (rule codes
from the census's validation rules, as cin-census.md quotes them):

Child           every child with an episode in scope (8590: a child has at least one CINdetails)
CINdetails      referred on or before the reference date (8600) and not closed before the year
                began (8620: a closure date falls within the year)
DateOfInitialCPC  (the episode's own) held within the year (8715)
Assessments     authorised within the year (8696), or not authorised by the reference date and
                started within the year (8736); factors only on authorised ones (8614)
CINPlanDates    started on or before the reference date (4010) and not ended before the year (4013)
Section47       its conference held within the year (8715), or no conference by the reference date
                and started within the year (8740: an enquiry without a conference started in the
                year, whether or not one is needed)
ChildProtectionPlans  started on or before the reference date (8720) and not ended before the
                year (8930)
CPPreviewDate   the reviews of an included plan held within the year, after the plan started (8841)
PersonDeathDate given when on or before the reference date (8545Q)
ExpectedPersonBirthDate  only for a child not yet born (8525Q: one of the two dates, never both)

Booleans are written 1 and 0, which the schema and every rule accept. The output is deterministic:
children by LAchildID, episodes by referral date then id, and the records inside an episode by
their start date then id, so the same database and `generated_at` always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, BinaryIO

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from openmash.casework.models import Assessment, AssessmentFactorRecord, CINPlan, Referral
from openmash.core.codes import AssessmentFactor, Disability
from openmash.people.models import Child, ChildDisability
from openmash.protection.models import ChildProtectionPlan, ChildProtectionReview, Section47Enquiry

__all__ = ["BATCH", "CensusYear", "ExportSummary", "census_child_ids", "write_census"]

BATCH = 500
SOFTWARE_CODE = "OpenMASH"
# Codes in the order of their DfE lists (1A, 1B, ... 24A rather than 1A, 10A, ...).
DISABILITY_ORDER = {code: i for i, code in enumerate(Disability.values)}
FACTOR_ORDER = {code: i for i, code in enumerate(AssessmentFactor.values)}


@dataclass(frozen=True)
class CensusYear:
    """The collection year ending 31 March `year`."""

    year: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year - 1, 4, 1)

    @property
    def reference_date(self) -> dt.date:
        return dt.date(self.year, 3, 31)

    def within(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.reference_date

    def by_reference(self, day: dt.date | None) -> dt.date | None:
        """A date as the records stood at the reference date: one after it had not happened yet."""
        return day if day is not None and day <= self.reference_date else None


@dataclass
class ExportSummary:
    """What a census file holds, and how long writing it took."""

    year: int
    children: int = 0
    episodes: int = 0
    assessments: int = 0
    cin_plans: int = 0
    section47s: int = 0
    cp_plans: int = 0
    seconds: float = 0.0


def _release() -> str:
    try:
        return metadata.version("openmash")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree without metadata
        return "0"


def census_child_ids(census: CensusYear, child_ids: Iterable[int] | None = None) -> list[int]:
    """The children in the return, by LAchildID (sorted here, so the order never depends on the
    database's collation)."""
    episodes = Referral.objects.filter(referral_date__lte=census.reference_date).filter(
        Q(closure_date__isnull=True) | Q(closure_date__gte=census.start)
    )
    children = Child.objects.filter(pk__in=episodes.values("child_id"))
    if child_ids is not None:
        children = children.filter(pk__in=list(child_ids))
    pairs = sorted(children.values_list("la_child_id", "pk"))
    return [pk for _, pk in pairs]


def _batches(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _day(value: dt.date) -> str:
    return value.isoformat()


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _add(parent: Any, name: str, text: str | None) -> None:
    if text is not None and text != "":
        etree.SubElement(parent, name).text = text


def _date(parent: Any, name: str, value: dt.date | None) -> None:
    if value is not None:
        _add(parent, name, _day(value))


class _Batch:
    """The records of up to BATCH children, read with one query per table."""

    def __init__(self, census: CensusYear, ids: Sequence[int]) -> None:
        self.census = census
        end = census.reference_date
        self.children = {
            row["pk"]: row
            for row in Child.objects.filter(pk__in=ids).values(
                "pk",
                "la_child_id",
                "upn",
                "former_upn",
                "upn_unknown",
                "date_of_birth",
                "expected_date_of_birth",
                "sex",
                "date_of_death",
                "ethnicity",
            )
        }
        self.disabilities: dict[int, list[str]] = defaultdict(list)
        for child_id, code in ChildDisability.objects.filter(child_id__in=ids).values_list("child_id", "code"):
            self.disabilities[child_id].append(code)
        referrals = (
            Referral.objects.filter(child_id__in=ids, referral_date__lte=end)
            .filter(Q(closure_date__isnull=True) | Q(closure_date__gte=census.start))
            .order_by("referral_date", "pk")
            .values(
                "pk",
                "child_id",
                "referral_date",
                "source",
                "primary_need",
                "no_further_action",
                "closure_date",
                "closure_reason",
                "initial_conference_date",
            )
        )
        self.episodes: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in referrals:
            self.episodes[row["child_id"]].append(dict(row))
        referral_ids = [r["pk"] for rows in self.episodes.values() for r in rows]
        self.assessments = self._by_referral(
            Assessment.objects.filter(referral_id__in=referral_ids, start_date__lte=end),
            "start_date",
            "authorised_date",
            "internal_review_date",
        )
        self.factors: dict[int, list[str]] = defaultdict(list)
        assessment_ids = [a["pk"] for rows in self.assessments.values() for a in rows]
        for assessment_id, code in AssessmentFactorRecord.objects.filter(assessment_id__in=assessment_ids).values_list(
            "assessment_id", "code"
        ):
            self.factors[assessment_id].append(code)
        for codes in self.factors.values():
            codes.sort(key=lambda c: (FACTOR_ORDER.get(c, len(FACTOR_ORDER)), c))
        self.cin_plans = self._by_referral(
            CINPlan.objects.filter(referral_id__in=referral_ids, start_date__lte=end), "start_date", "end_date"
        )
        self.section47s = self._by_referral(
            Section47Enquiry.objects.filter(referral_id__in=referral_ids, start_date__lte=end),
            "start_date",
            "conference_target_date",
            "conference_date",
            "conference_not_required",
        )
        self.cp_plans = self._by_referral(
            ChildProtectionPlan.objects.filter(referral_id__in=referral_ids, start_date__lte=end),
            "start_date",
            "end_date",
            "initial_category",
            "latest_category",
            "number_of_previous_plans",
        )
        plan_ids = [p["pk"] for rows in self.cp_plans.values() for p in rows]
        self.reviews: dict[int, list[dt.date]] = defaultdict(list)
        for plan_id, day in (
            ChildProtectionReview.objects.filter(
                plan_id__in=plan_ids, review_date__gte=census.start, review_date__lte=end
            )
            .order_by("review_date", "pk")
            .values_list("plan_id", "review_date")
        ):
            self.reviews[plan_id].append(day)

    @staticmethod
    def _by_referral(qs: Any, *fields: str) -> dict[int, list[dict[str, Any]]]:
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in qs.order_by("start_date", "pk").values("pk", "referral_id", *fields):
            grouped[row["referral_id"]].append(row)
        return grouped


class _Writer:
    def __init__(self, census: CensusYear, summary: ExportSummary) -> None:
        self.census = census
        self.summary = summary

    def child(self, batch: _Batch, child_id: int) -> Any:
        census = self.census
        row = batch.children[child_id]
        child = etree.Element("Child")
        ids = etree.SubElement(child, "ChildIdentifiers")
        _add(ids, "LAchildID", row["la_child_id"])
        _add(ids, "UPN", row["upn"])
        _add(ids, "FormerUPN", row["former_upn"])
        _add(ids, "UPNunknown", row["upn_unknown"])
        born = census.by_reference(row["date_of_birth"])
        _date(ids, "PersonBirthDate", born)
        if born is None:
            # Not yet born at the reference date: the expected date, and sex unknown (8750).
            _date(ids, "ExpectedPersonBirthDate", row["expected_date_of_birth"] or row["date_of_birth"])
        _add(ids, "Sex", row["sex"] if born is not None else "U")
        _date(ids, "PersonDeathDate", census.by_reference(row["date_of_death"]))
        characteristics = etree.SubElement(child, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", row["ethnicity"])
        codes = sorted(batch.disabilities.get(child_id, []), key=lambda c: (DISABILITY_ORDER.get(c, 99), c))
        if codes:
            disabilities = etree.SubElement(characteristics, "Disabilities")
            for code in codes:
                _add(disabilities, "Disability", code)
        for episode in batch.episodes[child_id]:
            child.append(self.episode(batch, episode))
        self.summary.children += 1
        return child

    def episode(self, batch: _Batch, row: dict[str, Any]) -> Any:
        census = self.census
        details = etree.Element("CINdetails")
        _date(details, "CINreferralDate", row["referral_date"])
        _add(details, "ReferralSource", row["source"])
        _add(details, "PrimaryNeedCode", row["primary_need"])
        closed = census.by_reference(row["closure_date"])
        if closed is not None:
            _date(details, "CINclosureDate", closed)
            _add(details, "ReasonForClosure", row["closure_reason"])
        conference = row["initial_conference_date"]
        if census.within(conference):
            _date(details, "DateOfInitialCPC", conference)
        referral_id = row["pk"]
        for assessment in batch.assessments.get(referral_id, []):
            authorised = census.by_reference(assessment["authorised_date"])
            if not (census.within(authorised) or (authorised is None and census.within(assessment["start_date"]))):
                continue
            group = etree.SubElement(details, "Assessments")
            _date(group, "AssessmentActualStartDate", assessment["start_date"])
            _date(group, "AssessmentInternalReviewDate", census.by_reference(assessment["internal_review_date"]))
            _date(group, "AssessmentAuthorisationDate", authorised)
            factors = batch.factors.get(assessment["pk"], []) if authorised is not None else []
            if factors:
                listed = etree.SubElement(group, "FactorsIdentifiedAtAssessment")
                for code in factors:
                    _add(listed, "AssessmentFactors", code)
            self.summary.assessments += 1
        for plan in batch.cin_plans.get(referral_id, []):
            ended = census.by_reference(plan["end_date"])
            if ended is not None and ended < census.start:
                continue
            group = etree.SubElement(details, "CINPlanDates")
            _date(group, "CINPlanStartDate", plan["start_date"])
            _date(group, "CINPlanEndDate", ended)
            self.summary.cin_plans += 1
        for enquiry in batch.section47s.get(referral_id, []):
            conference = census.by_reference(enquiry["conference_date"])
            if not (census.within(conference) or (conference is None and census.within(enquiry["start_date"]))):
                continue
            group = etree.SubElement(details, "Section47")
            _date(group, "S47ActualStartDate", enquiry["start_date"])
            _date(group, "InitialCPCtarget", enquiry["conference_target_date"])
            _date(group, "DateOfInitialCPC", conference)
            _add(group, "ICPCnotRequired", _flag(enquiry["conference_not_required"]))
            self.summary.section47s += 1
        _add(details, "ReferralNFA", _flag(row["no_further_action"]))
        for plan in batch.cp_plans.get(referral_id, []):
            ended = census.by_reference(plan["end_date"])
            if ended is not None and ended < census.start:
                continue
            group = etree.SubElement(details, "ChildProtectionPlans")
            _date(group, "CPPstartDate", plan["start_date"])
            _date(group, "CPPendDate", ended)
            _add(group, "InitialCategoryOfAbuse", plan["initial_category"])
            _add(group, "LatestCategoryOfAbuse", plan["latest_category"])
            _add(group, "NumberOfPreviousCPP", str(plan["number_of_previous_plans"]))
            reviews = [d for d in batch.reviews.get(plan["pk"], []) if d > plan["start_date"]]
            if reviews:
                listed = etree.SubElement(group, "Reviews")
                for day in reviews:
                    _date(listed, "CPPreviewDate", day)
            self.summary.cp_plans += 1
        self.summary.episodes += 1
        return details


def _header(census: CensusYear, generated_at: dt.datetime, serial_no: int) -> Any:
    header = etree.Element("Header")
    collection = etree.SubElement(header, "CollectionDetails")
    _add(collection, "Collection", "CIN")
    _add(collection, "Year", str(census.year))
    _date(collection, "ReferenceDate", census.reference_date)
    source = etree.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", settings.OPENMASH_LA_CODE)
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", _release())
    _add(source, "SerialNo", f"{serial_no:03d}")
    if timezone.is_aware(generated_at):
        generated_at = timezone.localtime(generated_at).replace(tzinfo=None)
    _add(source, "DateTime", generated_at.replace(microsecond=0).isoformat())
    return header


def write_census(
    out: BinaryIO,
    *,
    year: int,
    child_ids: Iterable[int] | None = None,
    generated_at: dt.datetime | None = None,
    serial_no: int = 1,
    batch_size: int = BATCH,
) -> ExportSummary:
    """Write the census for the year ending 31 March `year` to `out` (bytes, UTF-8).

    `child_ids` limits the return to those children (the check of one child's record); `generated_at`
    is the header's DateTime (now when not given), so a file can be written again byte for byte. The
    caller checks who may export and records the export in the audit trail."""
    started = time.perf_counter()
    census = CensusYear(year)
    summary = ExportSummary(year=year)
    writer = _Writer(census, summary)
    ids = census_child_ids(census, child_ids)
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("Message"):
            xf.write("\n")
            xf.write(_header(census, generated_at or timezone.now(), serial_no), pretty_print=True)
            with xf.element("Children"):
                xf.write("\n")
                for chunk in _batches(ids, batch_size):
                    batch = _Batch(census, chunk)
                    for child_id in chunk:
                        xf.write(writer.child(batch, child_id), pretty_print=True)
            xf.write("\n")
    summary.seconds = time.perf_counter() - started
    return summary
