"""Reading CSE screenings, the CSE team's queue and cases, and cumulative-concern alerts, through the policy.

Each read that shows a child's details checks the policy about that child (a forbidden one answers like a
missing one) and writes the audit trail, as journey/record.py does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.policy import Basis
from openmash.access.selectors import NotFound
from openmash.accounts.models import Agency, User
from openmash.core.codes import AssessmentFactor, ReferralSource
from openmash.front_door.models import Contact, CSECase, CSERiskLevel, CSEScreening, CumulativeConcernAlert
from openmash.people.models import Child
from openmash.workforce.models import StaffMember

from . import tool

# Ids in URLs are 64-bit keys: anything longer is no object (and PostgreSQL would refuse to compare it).
MAX_ID = 2**63 - 1
_IDENTIFIER = re.compile(r"^[A-Za-z0-9-]{1,20}$")
_REFERENCE = re.compile(r"^MC-[A-Z0-9]{4}-[A-Z0-9]{4}$")
QUEUE_LIMIT = 500
_RISK_ORDER = Case(
    When(risk_level=CSERiskLevel.HIGH, then=Value(0)),
    When(risk_level=CSERiskLevel.MEDIUM, then=Value(1)),
    When(risk_level=CSERiskLevel.LOW, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def _view(user: User, child: Child, page: str, basis: Basis, obj: object | None = None) -> None:
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=obj if obj is not None else child,  # type: ignore[arg-type]
        child_id=child.pk,
        summary=f"Viewed {page} for {child.la_child_id}",
        detail={"page": page, "basis": basis.value},
    )


def _list_viewed(user: User, page: str, children: list[Child]) -> None:
    if children:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed the {page}: {len(children)} children",
            detail={"page": page, "children": sorted({c.la_child_id for c in children})},
        )


# Screening ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningSubject:
    """Who a screening is about: the child, and the contact it starts from, if any."""

    child: Child
    contact: Contact | None
    basis: Basis
    latest: CSEScreening | None


@transaction.atomic
def screening_subject(*, user: User, identifier: str) -> ScreeningSubject:
    """The child to screen, from a contact reference (MC-XXXX-XXXX) or an LA child ID; NotFound unless the user
    may screen them. Opening the form is recorded."""
    identifier = identifier.strip()
    if not policy.works_cse(user) or not _IDENTIFIER.match(identifier):
        raise NotFound("No child or contact with that reference")
    contact = None
    if _REFERENCE.match(identifier.upper()):
        contact = Contact.objects.select_related("child").filter(reference=identifier.upper()).first()
        child = contact.child if contact is not None else None
    else:
        child = Child.objects.filter(la_child_id=identifier).first()
    basis = policy.basis_for(user, child) if child is not None else None
    if child is None or not policy.works_on_cse(user, basis):
        raise NotFound("No child or contact with that reference")
    assert basis is not None
    _view(user, child, "CSE screening", basis)
    return ScreeningSubject(child=child, contact=contact, basis=basis, latest=child.cse_screenings.first())


# The child's record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CSEFlag:
    """What the child's record shows about CSE to those allowed to see it."""

    latest: CSEScreening | None
    open_case: CSECase | None
    may_screen: bool
    may_open_cases: bool

    @property
    def level(self) -> str:
        """The current risk: the open case's, else the latest screening's ("" if never screened)."""
        if self.open_case is not None:
            return self.open_case.risk_level
        return self.latest.risk_level if self.latest is not None else ""

    @property
    def level_label(self) -> str:
        return CSERiskLevel(self.level).label if self.level else ""

    @property
    def flagged(self) -> bool:
        return self.open_case is not None or self.level in (CSERiskLevel.MEDIUM, CSERiskLevel.HIGH)


def cse_flag(*, user: User, child: Child, basis: Basis | None) -> CSEFlag | None:
    """The CSE flag for the child's record, or None for someone who may not see it (policy.sees_cse_flag).
    The caller has fetched the child and audited the view."""
    if not policy.sees_cse_flag(user, basis):
        return None
    latest = child.cse_screenings.select_related("screened_by").first()
    case = CSECase.objects.filter(child=child, closed_on__isnull=True).select_related("team", "worker").first()
    works_on = policy.works_on_cse(user, basis)
    return CSEFlag(latest=latest, open_case=case, may_screen=works_on, may_open_cases=works_on)


def suggested_assessment_factors(child: Child) -> set[str]:
    """Assessment factors (CIN census) the CSE screening suggests for the child's next assessment:

    - 11A (child sexual exploitation) when the latest screening is at medium or high risk, or a CSE case is open;
    - 10A (going or being missing) when the latest screening rates missing episodes medium or high (2 or more).

    Codes only: the caller has already checked that the user may read the child's casework.
    """
    factors: set[str] = set()
    latest = child.cse_screenings.first()
    if (latest is not None and latest.risk_level in (CSERiskLevel.MEDIUM, CSERiskLevel.HIGH)) or CSECase.objects.filter(
        child=child, closed_on__isnull=True
    ).exists():
        factors.add(AssessmentFactor.CSE.value)
    if latest is not None and int(latest.ratings.get("missing", 0)) >= 2:
        factors.add(AssessmentFactor.MISSING.value)
    return factors


# The CSE team's queue and cases ------------------------------------------------------------------


@dataclass(frozen=True)
class CSEQueue:
    waiting: list[CSEScreening]
    cases: list[CSECase]


@transaction.atomic
def cse_queue(*, user: User) -> CSEQueue:
    """The CSE team's queue: screenings waiting for a case (highest risk, then longest waiting, first) and open
    cases by risk. Only children the user may see; reading the list is recorded."""
    if not policy.works_cse(user):
        raise NotFound("Not found")
    visible = policy.visible_children(user).values("pk")
    waiting = list(
        _waiting()
        .filter(child__in=visible)
        .select_related("child", "screened_by", "contact")
        .order_by(_RISK_ORDER, "screened_at", "pk")[:QUEUE_LIMIT]
    )
    cases = list(
        CSECase.objects.filter(closed_on__isnull=True, child__in=visible)
        .select_related("child", "team", "worker")
        .order_by(_RISK_ORDER, "opened_on", "pk")[:QUEUE_LIMIT]
    )
    _list_viewed(user, "CSE queue", [s.child for s in waiting] + [c.child for c in cases])
    return CSEQueue(waiting=waiting, cases=cases)


def _waiting() -> QuerySet[CSEScreening]:
    """The screenings the CSE team has still to take on (the same condition gives its members sight)."""
    return policy.cse_referrals_waiting()


@dataclass(frozen=True)
class CaseView:
    case: CSECase
    basis: Basis
    may_change: bool
    workers: list[StaffMember]
    ratings: list[tuple[tool.Indicator, int]]
    vulnerabilities: list[str]


def _id_or_none(value: int) -> int | None:
    return value if 0 < value <= MAX_ID else None


@transaction.atomic
def cse_case_view(*, user: User, case_id: int) -> CaseView:
    """A CSE case for those who work on CSE and may see the child (NotFound otherwise); the view is recorded."""
    pk = _id_or_none(case_id)
    case = (
        CSECase.objects.select_related("child", "team", "worker", "screening", "screening__screened_by")
        .filter(pk=pk)
        .first()
        if pk is not None and policy.works_cse(user)
        else None
    )
    basis = policy.basis_for(user, case.child) if case is not None else None
    if case is None or not policy.works_on_cse(user, basis):
        raise NotFound("No such case")
    assert basis is not None
    _view(user, case.child, "CSE case", basis, obj=case)
    may_change = case.closed_on is None and policy.in_cse_team(user, case.team_id)
    workers = (
        list(StaffMember.objects.filter(team_id=case.team_id, is_case_holder=True, end_date__isnull=True))
        if may_change
        else []
    )
    return CaseView(
        case=case,
        basis=basis,
        may_change=may_change,
        workers=workers,
        ratings=screening_ratings(case.screening),
        vulnerabilities=[tool.VULNERABILITIES.get(v, v) for v in case.screening.vulnerabilities],
    )


def screening_ratings(screening: CSEScreening) -> list[tuple[tool.Indicator, int]]:
    return [(i, int(screening.ratings.get(i.code, 0))) for i in tool.INDICATORS]


def screening_waiting_for(child: Child) -> CSEScreening | None:
    """The child's screening waiting for the CSE team to take on, if there is one."""
    return _waiting().filter(child=child).first()


# Cumulative concern ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatternContact:
    """One contact in a cumulative-concern pattern, as the hub and the record show it."""

    contact: Contact
    about: str  # the child's name, or "A brother or sister" where the reader may not see them
    this_child: bool

    @property
    def source(self) -> str:
        return ReferralSource(self.contact.source).label if self.contact.source in ReferralSource.values else ""

    @property
    def agency(self) -> str:
        agency = self.contact.referrer_agency
        return Agency(agency).label if agency in Agency.values else "Member of the public or other"


@dataclass(frozen=True)
class ConcernPattern:
    alert: CumulativeConcernAlert
    contacts: list[PatternContact]


def _patterns(user: User, child: Child | None, alerts: list[CumulativeConcernAlert]) -> list[ConcernPattern]:
    contacts_by_alert = {a.pk: sorted(a.contacts.all(), key=lambda c: (c.received_at, c.pk)) for a in alerts}
    ids = {c.child_id for cs in contacts_by_alert.values() for c in cs if c.child_id is not None}
    visible = set(policy.visible_children(user).filter(pk__in=ids).values_list("pk", flat=True))
    patterns = []
    for alert in alerts:
        rows = []
        for c in contacts_by_alert[alert.pk]:
            shown = c.child is not None and c.child_id in visible
            rows.append(
                PatternContact(
                    contact=c,
                    about=c.child.full_name if shown and c.child is not None else "A brother or sister",
                    this_child=child is not None and c.child_id == child.pk,
                )
            )
        patterns.append(ConcernPattern(alert=alert, contacts=rows))
    return patterns


def _alerts() -> QuerySet[CumulativeConcernAlert]:
    return CumulativeConcernAlert.objects.select_related("child", "acknowledged_by").prefetch_related("contacts__child")


@transaction.atomic
def concern_list(*, user: User, page: str | int | None = 1, per_page: int = 25) -> Page[CumulativeConcernAlert]:
    """The hub's cumulative-concern alerts: unacknowledged first, then newest; only children the user may see.
    Reading the list is recorded."""
    if not policy.works_front_door(user):
        raise NotFound("Not found")
    alerts = (
        CumulativeConcernAlert.objects.filter(child__in=policy.visible_children(user).values("pk"))
        .select_related("child")
        .order_by(F("acknowledged_at").asc(nulls_first=True), "-raised_at", "-pk")
    )
    found = Paginator(alerts, per_page).get_page(page)
    _list_viewed(user, "cumulative concern alerts", [a.child for a in found.object_list])
    return found


@dataclass(frozen=True)
class ConcernView:
    pattern: ConcernPattern
    basis: Basis


@transaction.atomic
def concern_for_view(*, user: User, alert_id: int) -> ConcernView:
    """One alert and the contacts that make it up, for MASH practitioners who may see the child."""
    pk = _id_or_none(alert_id)
    alert = _alerts().filter(pk=pk).first() if pk is not None and policy.works_front_door(user) else None
    basis = policy.basis_for(user, alert.child) if alert is not None else None
    if alert is None or basis is None:
        raise NotFound("No such alert")
    _view(user, alert.child, "cumulative concern alert", basis, obj=alert)
    return ConcernView(pattern=_patterns(user, alert.child, [alert])[0], basis=basis)


def concern_patterns(*, user: User, child: Child, basis: Basis | None) -> list[ConcernPattern]:
    """The cumulative-concern patterns that involve the child, for those who may read casework (newest first).
    The caller has fetched the child and audited the view."""
    if not policy.casework_visible(user, basis):
        return []
    alerts = list(_alerts().filter(Q(child=child) | Q(contacts__child=child)).distinct().order_by("-raised_at", "-pk"))
    return _patterns(user, child, alerts)
