"""Ofsted's Annex A: the child-level lists asked for at the start of an ILACS inspection, as at a day.

The definitions (sheet names, column names and order, Ofsted's prefixed labels) are kept together at the top
of this module. Sources: Ofsted, "Child-level data: additional guidance and template for Annex A" (ILACS
framework), as tracked by Data to Insight's Standard Safeguarding Dataset script
`admin/tools-ssd_dfe_returns/AnnexA_sqlserver_v1.2.0_1_20240731.sql` (July 2024, the primary source for
labels) and LIIA `liiatools/spec/annex_a/annex-a-merge.yml`; our summary is docs/returns.md ("Annex A").
Check column names against the template in force when an inspection starts: Ofsted revises it.

Each list is a generator of rows, so the writer can stream them. Lists 1 to 8 look back six months from the
as-of day (that day and the same day six months before both count); counts inside lists look back twelve.
Anything dated after the as-of day is read as not yet happened: a case closed later was open on the day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from openmash.casework.models import Assessment, CINPlan, Referral, Visit
from openmash.core.codes import Disability, PrimaryNeed, ReasonForClosure
from openmash.core.dates import add_months
from openmash.front_door.models import Contact, EarlyHelpPackage
from openmash.people.models import Child, ChildDisability
from openmash.protection.models import (
    ChildProtectionPlan,
    ChildProtectionReview,
    EmergencyProtection,
    Section47Enquiry,
)
from openmash.workforce.models import Allocation

LOOK_BACK_MONTHS = 6
COUNT_MONTHS = 12

COMMON = ["Child unique ID", "Gender", "Ethnicity", "Date of birth", "Age of child (years)"]
ALLOCATED = ["Allocated team", "Allocated worker"]


@dataclass(frozen=True)
class ListSpec:
    number: int
    sheet: str  # Excel allows 31 characters
    columns: list[str]
    # Set for the lists OpenMASH does not hold: the sheet carries its header and this line.
    not_held: str = ""


NOT_HELD = "Not held in OpenMASH: {what} are recorded in the authority's {where}."

LISTS: list[ListSpec] = [
    ListSpec(1, "List 1 - Contacts", [*COMMON, "Date of contact", "Contact source"]),
    ListSpec(
        2,
        "List 2 - Early help",
        [*COMMON, "Assessment start date", "Assessment completion date", "Organisation completing the assessment"],
    ),
    ListSpec(
        3,
        "List 3 - Referrals",
        [
            *COMMON,
            "Date of referral",
            "Referral source",
            "Referral NFA?",
            "Number of referrals in the last 12 months",
            *ALLOCATED,
        ],
    ),
    ListSpec(
        4,
        "List 4 - Assessments",
        [
            *COMMON,
            "Does the child have a disability",
            "Continuous assessment start date",
            "Child seen during continuous assessment",
            "Continuous assessment date of authorisation",
            *ALLOCATED,
        ],
    ),
    ListSpec(
        5,
        "List 5 - Section 47 and ICPC",
        [
            *COMMON,
            "Disability",
            "Strategy discussion initiating S47 enquiry start date",
            "Was an ICPC deemed unnecessary?",
            "Date of initial child protection conference",
            "Did the ICPC result in a CP plan?",
            "Number of S47 enquiries in the last 12 months",
            "Number of ICPCs in the last 12 months",
            *ALLOCATED,
        ],
    ),
    ListSpec(
        6,
        "List 6 - Children in need",
        [
            *COMMON,
            "Disability",
            "CIN start date",
            "Primary need code",
            "Date child was last seen",
            "CIN closure date",
            "Reason for closure",
            "Case status",
            *ALLOCATED,
        ],
    ),
    ListSpec(
        7,
        "List 7 - Child protection",
        [
            *COMMON,
            "Disability",
            "CP plan start date",
            "Initial category of abuse",
            "Latest category of abuse",
            "Date of the last statutory visit",
            "Was the child seen alone?",
            "Date of latest review conference",
            "CP plan end date",
            "Subject to an emergency protection order or police protection in the last six months (Y/N)",
            "Number of previous CP plans",
            *ALLOCATED,
        ],
    ),
    ListSpec(
        8,
        "List 8 - Children in care",
        [
            *COMMON,
            "UASC in the last 12 months (Y/N)",
            "Disability",
            "Date started to be looked after",
            "Category of need",
            "Second or subsequent period of care in the last 12 months (Y/N)",
            "Start date of current legal status",
            "Legal status",
            "Date of latest statutory review",
            "Date of last social work visit",
            "Permanence plan",
            "Date of last IRO visit/contact",
            "Date of last health assessment",
            "Date of last dental check",
            "Number of placements in the last 12 months",
            "Date ceased to be looked after",
            "Reason ceased",
            "Start date of most recent placement",
            "Placement type",
            "Placement provider",
            "Placement postcode",
            "URN of placement",
            "Placement location (in/out of LA area)",
            "LA of placement",
            "Number of missing episodes in the last 12 months",
            "Number of absent episodes in the last 12 months",
            "Offered a return interview after the last missing episode (Y/N)",
            "Accepted the return interview (Y/N)",
            *ALLOCATED,
        ],
        NOT_HELD.format(what="children in care", where="looked-after children system (SSDA903)"),
    ),
    ListSpec(
        9,
        "List 9 - Care leavers",
        [
            *COMMON,
            "Disability",
            *ALLOCATED,
            "Allocated personal adviser",
            "Eligibility category",
            "Date of latest pathway plan",
            "LA in touch",
            "Date of latest contact",
            "Type of accommodation",
            "Suitability of accommodation",
            "Activity status",
        ],
        NOT_HELD.format(what="care leavers", where="leaving-care system"),
    ),
    ListSpec(
        10,
        "List 10 - Adoption",
        [
            *COMMON,
            "Family identifier",
            "Disability",
            "Date entered care",
            "Date of decision that the child should be placed for adoption",
            "Date of placement order",
            "Date matched with prospective adopters",
            "Date placed for adoption",
            "Date of adoption order",
            "Date of decision that the child should no longer be placed for adoption",
            "Reason no longer placed for adoption",
            "Date placed in a fostering-for-adoption / concurrent planning placement",
        ],
        NOT_HELD.format(what="adoptions", where="adoption system"),
    ),
    ListSpec(
        11,
        "List 11 - Adopters",
        [
            "Individual adopter identifier",
            "Family identifier",
            "Gender",
            "Ethnicity",
            "Disability",
            "Is the (prospective) adopter fostering for adoption?",
            "Date enquiry received",
            "Date Stage 1 started",
            "Date Stage 1 ended",
            "Date Stage 2 started",
            "Date Stage 2 ended",
            "Date application submitted",
            "Date application approved",
            "Date matched with child(ren)",
            "Date child(ren) placed",
            "Number of children placed",
            "Date of adoption order",
            "Date left the adoption process",
            "Reason for leaving the adoption process",
        ],
        NOT_HELD.format(what="adopters", where="adoption agency's system"),
    ),
]

# Ofsted's coded answers. Sex "I" (d) Neither) is not a code the CIN census, and so OpenMASH, holds.
GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
_ETHNIC_ORDER = [
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
]  # fmt: skip
ETHNICITY = {code: f"{letter}) {code}" for letter, code in zip("abcdefghijklmnopqrst", _ETHNIC_ORDER, strict=True)}
ETHNICITY_UNKNOWN = "u) UNKNOWN"
SOURCE = {
    "1A": "a) 1A: Individual",
    "1B": "b) 1B: Individual",
    "1C": "c) 1C: Individual",
    "1D": "d) 1D: Individual",
    "2A": "e) 2A: Schools",
    "2B": "f) 2B: Education services",
    "3A": "g) 3A: Health services",
    "3B": "h) 3B: Health services",
    "3C": "i) 3C: Health services",
    "3D": "j) 3D: Health services",
    "3E": "k) 3E: Health services",
    "3F": "l) 3F: Health services",
    "4": "m) 4: Housing",
    "5A": "n) 5A: LA services",
    "5B": "o) 5B: LA services",
    "5C": "p) 5C: LA services",
    "5D": "p1) 5D: LA services",
    "6": "q) 6: Police",
    "7": "r) 7: Other legal agency",
    "8": "s) 8: Other",
    "9": "t) 9: Anonymous",
    "10": "u) 10: Unknown",
}
YES, NO = "a) Yes", "b) No"
CATEGORY = {
    "NEG": "a) Neglect",
    "PHY": "b) Physical abuse",
    "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse",
    "MUL": "e) Multiple/not recommended",
}
PRIMARY_NEED = {code: f"{code} - {label}" for code, label in PrimaryNeed.choices}
REASON_FOR_CLOSURE = {code: f"{code} - {label}" for code, label in ReasonForClosure.choices}
# Ofsted's case status list; "a) Looked after child" is never given, as OpenMASH does not hold care episodes.
CASE_STATUS_CP = "b) Child Protection plan"
CASE_STATUS_CIN = "c) Child in need plan"
CASE_STATUS_ASSESSMENT = "d) Open assessment"
CASE_STATUS_CLOSED = "e) Closed episode"

Row = list[Any]


def ddmmyyyy(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def age_in_years(born: dt.date | None, on: dt.date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (YES if value else NO)


def _upto(day: dt.date | None, as_of: dt.date) -> dt.date | None:
    """A date as it stood on the as-of day: one still to come had not happened."""
    return day if day is not None and day <= as_of else None


@dataclass(frozen=True)
class Window:
    as_of: dt.date

    @property
    def start(self) -> dt.date:
        return add_months(self.as_of, -LOOK_BACK_MONTHS)

    @property
    def count_start(self) -> dt.date:
        return add_months(self.as_of, -COUNT_MONTHS)

    def covers(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.as_of

    def counts(self, day: dt.date | None) -> bool:
        return day is not None and self.count_start <= day <= self.as_of


class _Children:
    """The common columns, disability and allocation of the children a list names, read in bulk."""

    def __init__(self, child_ids: Iterable[int], as_of: dt.date) -> None:
        ids = set(child_ids)
        self.as_of = as_of
        self.children = {c.pk: c for c in Child.objects.filter(pk__in=ids)}
        self.disabled = set(
            ChildDisability.objects.filter(child_id__in=ids)
            .exclude(code=Disability.NONE)
            .values_list("child_id", flat=True)
        )
        self.allocations: dict[int, list[Allocation]] = defaultdict(list)
        for a in Allocation.objects.filter(child_id__in=ids, start_date__lte=as_of).select_related("team", "worker"):
            self.allocations[a.child_id].append(a)

    def common(self, child_id: int) -> Row:
        c = self.children[child_id]
        return [
            c.la_child_id,
            GENDER.get(c.sex, GENDER["U"]),
            ETHNICITY.get(c.ethnicity, ETHNICITY_UNKNOWN),
            ddmmyyyy(c.date_of_birth),
            age_in_years(c.date_of_birth, self.as_of),
        ]

    def disability(self, child_id: int) -> str:
        return YES if child_id in self.disabled else NO

    def allocated(self, child_id: int, on: dt.date | None = None) -> Row:
        """Team and worker as at a day (the as-of day unless the work had ended before it)."""
        day = min(on or self.as_of, self.as_of)
        current = [
            a
            for a in self.allocations.get(child_id, [])
            if a.start_date <= day and (a.end_date is None or a.end_date >= day)
        ]
        if not current:
            return ["", ""]
        latest = max(current, key=lambda a: (a.start_date, a.pk))
        return [latest.team.name, latest.worker.full_name]


def _chunks[T](items: Iterable[T], size: int = 2000) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# ---- the lists -------------------------------------------------------------------------------------------


def contacts(as_of: dt.date) -> Iterator[Row]:
    """List 1: every contact about a known child received in the six months."""
    w = Window(as_of)
    found = (
        Contact.objects.filter(
            child__isnull=False,
            received_at__gte=_day_start(w.start),
            received_at__lt=_day_start(as_of + dt.timedelta(days=1)),
        )
        .order_by("received_at", "pk")
        .values_list("child_id", "received_at", "source")
    )
    for batch in _chunks(found.iterator(chunk_size=2000)):
        people = _Children((c for c, _, _ in batch), as_of)
        for child_id, received_at, source in batch:
            yield [*people.common(child_id), ddmmyyyy(_local_day(received_at)), SOURCE.get(source, SOURCE["10"])]


def early_help(as_of: dt.date) -> Iterator[Row]:
    """List 2: early help started in the six months, and early help still open on the day."""
    w = Window(as_of)
    found = (
        EarlyHelpPackage.objects.filter(started_on__lte=as_of)
        .filter(Q(started_on__gte=w.start) | Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .order_by("started_on", "pk")
    )
    for batch in _chunks(found.iterator(chunk_size=2000)):
        people = _Children((p.child_id for p in batch), as_of)
        for p in batch:
            yield [
                *people.common(p.child_id),
                ddmmyyyy(p.started_on),
                ddmmyyyy(_upto(p.closed_on, as_of)),
                p.get_lead_agency_display(),
            ]


def _episodes_by_child(child_ids: Iterable[int], w: Window) -> dict[int, list[dt.date]]:
    dates: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, day in Referral.objects.filter(
        child_id__in=set(child_ids), referral_date__gte=w.count_start, referral_date__lte=w.as_of
    ).values_list("child_id", "referral_date"):
        dates[child_id].append(day)
    return dates


def referrals(as_of: dt.date) -> Iterator[Row]:
    """List 3: every referral received in the six months, one row each. The count is of the child's
    referrals dated in the twelve months to the as-of day, this one included."""
    w = Window(as_of)
    found = Referral.objects.filter(referral_date__gte=w.start, referral_date__lte=as_of).order_by(
        "referral_date", "pk"
    )
    for batch in _chunks(found.iterator(chunk_size=2000)):
        people = _Children((r.child_id for r in batch), as_of)
        in_year = _episodes_by_child((r.child_id for r in batch), w)
        for r in batch:
            closed = _upto(r.closure_date, as_of)
            yield [
                *people.common(r.child_id),
                ddmmyyyy(r.referral_date),
                SOURCE.get(r.source, SOURCE["10"]),
                YES if r.no_further_action and closed else NO,
                len(in_year[r.child_id]),
                *people.allocated(r.child_id, closed),
            ]


def assessments(as_of: dt.date) -> Iterator[Row]:
    """List 4: assessments open at any time in the six months (started, still open, or authorised in it)."""
    w = Window(as_of)
    found = (
        Assessment.objects.filter(start_date__lte=as_of)
        .filter(Q(authorised_date__isnull=True) | Q(authorised_date__gte=w.start))
        .select_related("referral")
        .order_by("start_date", "pk")
    )
    for batch in _chunks(found.iterator(chunk_size=2000)):
        people = _Children((a.referral.child_id for a in batch), as_of)
        for a in batch:
            child_id = a.referral.child_id
            authorised = _upto(a.authorised_date, as_of)
            seen = a.child_seen if a.child_seen_date is None or a.child_seen_date <= as_of else None
            yield [
                *people.common(child_id),
                people.disability(child_id),
                ddmmyyyy(a.start_date),
                _yes_no(seen),
                ddmmyyyy(authorised),
                *people.allocated(child_id, authorised),
            ]


def section47s(as_of: dt.date) -> Iterator[Row]:
    """List 5: Section 47 enquiries started in the six months or still open in them, one row each."""
    w = Window(as_of)
    found = (
        Section47Enquiry.objects.filter(start_date__lte=as_of)
        .filter(Q(start_date__gte=w.start) | Q(outcome_date__isnull=True) | Q(outcome_date__gte=w.start))
        .select_related("referral", "strategy_discussion")
        .order_by("start_date", "pk")
    )
    for batch in _chunks(found.iterator(chunk_size=2000)):
        child_ids = {e.referral.child_id for e in batch}
        people = _Children(child_ids, as_of)
        starts: dict[int, int] = defaultdict(int)
        conferences: dict[int, int] = defaultdict(int)
        for child_id, start, conference in Section47Enquiry.objects.filter(
            referral__child_id__in=child_ids, start_date__lte=as_of
        ).values_list("referral__child_id", "start_date", "conference_date"):
            starts[child_id] += w.counts(start)
            conferences[child_id] += w.counts(conference)
        planned = set(
            ChildProtectionPlan.objects.filter(section47__in=batch, start_date__lte=as_of).values_list(
                "section47_id", flat=True
            )
        )
        for e in batch:
            child_id = e.referral.child_id
            conference = _upto(e.conference_date, as_of)
            strategy = e.strategy_discussion.discussion_date if e.strategy_discussion else e.start_date
            if conference is not None:
                unnecessary = NO
            elif e.conference_not_required and (e.outcome_date is None or e.outcome_date <= as_of):
                unnecessary = YES  # a decision recorded without an outcome has no date: taken as made
            else:
                unnecessary = ""  # not yet decided on the day
            yield [
                *people.common(child_id),
                people.disability(child_id),
                ddmmyyyy(strategy),
                unnecessary,
                ddmmyyyy(conference),
                "" if conference is None else (YES if e.pk in planned else NO),
                starts[child_id],
                conferences[child_id],
                *people.allocated(child_id, _upto(e.outcome_date, as_of)),
            ]


def _last_seen(child_ids: Iterable[int], as_of: dt.date) -> dict[int, list[Visit]]:
    seen: dict[int, list[Visit]] = defaultdict(list)
    for v in Visit.objects.filter(child_id__in=set(child_ids), seen=True, visit_date__lte=as_of).order_by(
        "visit_date", "pk"
    ):
        seen[v.child_id].append(v)
    return seen


def children_in_need(as_of: dt.date) -> Iterator[Row]:
    """List 6: children receiving a service as a child in need on the day or in the six months: their latest
    episode (referral) open in that time, leaving out referrals that needed no further action."""
    w = Window(as_of)
    latest: dict[int, Referral] = {}
    for r in (
        Referral.objects.filter(referral_date__lte=as_of, no_further_action=False)
        .filter(Q(closure_date__isnull=True) | Q(closure_date__gte=w.start))
        .order_by("child_id", "referral_date", "pk")
    ):
        latest[r.child_id] = r
    for batch in _chunks(sorted(latest.values(), key=lambda r: (r.referral_date, r.pk))):
        people = _Children(latest_ids := {r.child_id for r in batch}, as_of)
        visits = _last_seen(latest_ids, as_of)
        episode_ids = [r.pk for r in batch]
        on_plan = set(
            ChildProtectionPlan.objects.filter(referral_id__in=episode_ids, start_date__lte=as_of)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
            .values_list("referral_id", flat=True)
        )
        on_cin_plan = set(
            CINPlan.objects.filter(referral_id__in=episode_ids, start_date__lte=as_of)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
            .values_list("referral_id", flat=True)
        )
        assessing = set(
            Assessment.objects.filter(referral_id__in=episode_ids, start_date__lte=as_of)
            .filter(Q(authorised_date__isnull=True) | Q(authorised_date__gt=as_of))
            .values_list("referral_id", flat=True)
        )
        for r in batch:
            closed = _upto(r.closure_date, as_of)
            until = closed or as_of
            seen = [v.visit_date for v in visits[r.child_id] if r.referral_date <= v.visit_date <= until]
            if closed is not None:
                status = CASE_STATUS_CLOSED
            elif r.pk in on_plan:
                status = CASE_STATUS_CP
            elif r.pk in on_cin_plan:
                status = CASE_STATUS_CIN
            elif r.pk in assessing:
                status = CASE_STATUS_ASSESSMENT
            else:
                status = CASE_STATUS_CIN  # open, past assessment, no plan: Ofsted's catch-all
            yield [
                *people.common(r.child_id),
                people.disability(r.child_id),
                ddmmyyyy(r.referral_date),
                PRIMARY_NEED.get(r.primary_need, ""),
                ddmmyyyy(max(seen) if seen else None),
                ddmmyyyy(closed),
                REASON_FOR_CLOSURE.get(r.closure_reason, "") if closed else "",
                status,
                *people.allocated(r.child_id, closed),
            ]


def child_protection(as_of: dt.date) -> Iterator[Row]:
    """List 7: children on a plan on the day, and plans that ended in the six months."""
    w = Window(as_of)
    found = (
        ChildProtectionPlan.objects.filter(start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=w.start))
        .select_related("referral")
        .order_by("start_date", "pk")
    )
    for batch in _chunks(found.iterator(chunk_size=2000)):
        child_ids = {p.referral.child_id for p in batch}
        people = _Children(child_ids, as_of)
        visits: dict[int, list[Visit]] = defaultdict(list)
        for v in Visit.objects.filter(
            child_id__in=child_ids, purpose=Visit.Purpose.CP_PLAN, visit_date__lte=as_of
        ).order_by("visit_date", "pk"):
            visits[v.child_id].append(v)
        reviews: dict[int, dt.date] = {}
        for plan_id, day in ChildProtectionReview.objects.filter(plan__in=batch, review_date__lte=as_of).values_list(
            "plan_id", "review_date"
        ):
            reviews[plan_id] = max(day, reviews.get(plan_id, day))
        protected = set(
            EmergencyProtection.objects.filter(child_id__in=child_ids, start_date__lte=as_of)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=w.start))
            .values_list("child_id", flat=True)
        )
        for p in batch:
            child_id = p.referral.child_id
            ended = _upto(p.end_date, as_of)
            until = ended or as_of
            during = [v for v in visits[child_id] if p.start_date <= v.visit_date <= until]
            last = during[-1] if during else None
            yield [
                *people.common(child_id),
                people.disability(child_id),
                ddmmyyyy(p.start_date),
                CATEGORY.get(p.initial_category, ""),
                CATEGORY.get(p.latest_category, ""),
                ddmmyyyy(last.visit_date if last else None),
                "" if last is None else _yes_no(last.seen and last.seen_alone),
                ddmmyyyy(reviews.get(p.pk)),
                ddmmyyyy(ended),
                YES if child_id in protected else NO,
                p.number_of_previous_plans,
                *people.allocated(child_id, ended),
            ]


def _not_held(as_of: dt.date) -> Iterator[Row]:
    return iter(())


BUILDERS: dict[int, Callable[[dt.date], Iterator[Row]]] = {
    1: contacts,
    2: early_help,
    3: referrals,
    4: assessments,
    5: section47s,
    6: children_in_need,
    7: child_protection,
}


def rows(spec: ListSpec, as_of: dt.date) -> Iterator[Row]:
    """A list's rows as at the day (none for a list OpenMASH does not hold)."""
    return BUILDERS.get(spec.number, _not_held)(as_of)
