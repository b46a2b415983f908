"""Oversight of the front door: today's flow for the MASH manager, the disclosure ledger for information
governance, and the open early help packages. Each read asks the access policy first; those that show
anything about a child write the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import Agency, Role, User
from openmash.people.models import Child

from .. import timescales
from ..models import (
    Contact,
    ContactOutcome,
    ContactRag,
    CumulativeConcernAlert,
    Disclosure,
    EarlyHelpPackage,
    InformationRequest,
)


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of a day in England, as an aware time (the clock the MASH works to)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# Today's flow ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    """A count of decisions made within their timescale, out of those that had one."""

    in_time: int
    rated: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.in_time / self.rated) if self.rated else None


@dataclass(frozen=True)
class RagCount:
    rag: str
    label: str
    count: int
    timescale: str = ""


@dataclass(frozen=True)
class OutcomeCount:
    outcome: str
    label: str
    today: int
    week: int


@dataclass(frozen=True)
class Timeliness:
    label: str
    today: Share
    week: Share
    timescale: str = ""


@dataclass(frozen=True)
class AgencyChecks:
    agency: str
    label: str
    outstanding: int
    overdue: int


@dataclass(frozen=True)
class Flow:
    """The front door's flow: counts only, no child."""

    now: dt.datetime
    today: dt.date
    week_start: dt.date
    received_today: int
    received_week: int
    open_total: int
    open_by_rag: list[RagCount]
    overdue: int
    unmatched: int
    decisions: list[OutcomeCount]
    decided_today: int
    decided_week: int
    unrated_decisions_today: int
    unrated_decisions_week: int
    timeliness: list[Timeliness]
    timeliness_all: Timeliness
    checks: list[AgencyChecks]
    checks_outstanding: int
    checks_overdue: int
    alerts_unacknowledged: int


def front_door_flow(*, user: User, now: dt.datetime | None = None) -> Flow:
    """Today's and this week's flow through the front door, for a MASH manager (NotFound for anyone else).

    Every figure is counted by the database: five aggregate queries and the settings, whatever the number of contacts.
    Contacts about restricted records are counted like any other (a count names no child), so nothing
    overdue drops out of the manager's sight. The week starts on Monday.
    """
    if not policy.manages_front_door(user):
        raise NotFound("Not found")
    now = now or timezone.now()
    today = timezone.localdate(now)
    week_start = today - dt.timedelta(days=today.weekday())
    today_from, week_from = _start_of(today), _start_of(week_start)

    received = Contact.objects.filter(received_at__gte=week_from, received_at__lte=now).aggregate(
        week=Count("pk"), today=Count("pk", filter=Q(received_at__gte=today_from))
    )
    waiting = Contact.objects.filter(outcome="").aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(decision_due_at__lt=now)),
        unmatched=Count("pk", filter=Q(child__isnull=True)),
        **{rag or "unrated": Count("pk", filter=Q(rag=rag)) for rag in [*ContactRag.values, ""]},
    )
    # Decisions this week by outcome and rating. Naming every outcome lets the (outcome, decided_at) index
    # serve the date range.
    in_time = Q(decided_at__lte=F("decision_due_at"))
    decided_today = Q(decided_at__gte=today_from)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Contact.objects.filter(outcome__in=ContactOutcome.values, decided_at__gte=week_from)
        .values("outcome", "rag")
        .annotate(
            week=Count("pk"),
            today=Count("pk", filter=decided_today),
            week_in_time=Count("pk", filter=in_time),
            today_in_time=Count("pk", filter=in_time & decided_today),
        )
        .order_by()
    ]
    checks: dict[str, dict[str, Any]] = {
        row["agency"]: dict(row)
        for row in InformationRequest.objects.filter(status=InformationRequest.Status.OPEN)
        .values("agency")
        .annotate(outstanding=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by()
    }
    alerts = CumulativeConcernAlert.objects.filter(acknowledged_at__isnull=True).count()
    limits = timescales.describe()

    def total(key: str, **match: str) -> int:
        return sum(r[key] for r in rows if all(r[k] == v for k, v in match.items()))

    def timeliness(label: str, **match: str) -> Timeliness:
        rated = [r for r in rows if r["rag"] and all(r[k] == v for k, v in match.items())]
        return Timeliness(
            label=label,
            timescale=limits.get(match.get("rag", ""), ""),
            today=Share(sum(r["today_in_time"] for r in rated), sum(r["today"] for r in rated)),
            week=Share(sum(r["week_in_time"] for r in rated), sum(r["week"] for r in rated)),
        )

    return Flow(
        now=now,
        today=today,
        week_start=week_start,
        received_today=received["today"],
        received_week=received["week"],
        open_total=waiting["total"],
        open_by_rag=[
            *(RagCount(rag, label, waiting[rag], limits[rag]) for rag, label in ContactRag.choices),
            RagCount("", "Not rated yet", waiting["unrated"]),
        ],
        overdue=waiting["overdue"],
        unmatched=waiting["unmatched"],
        decisions=[
            OutcomeCount(outcome, label, total("today", outcome=outcome), total("week", outcome=outcome))
            for outcome, label in ContactOutcome.choices
        ],
        decided_today=total("today"),
        decided_week=total("week"),
        unrated_decisions_today=total("today", rag=""),
        unrated_decisions_week=total("week", rag=""),
        timeliness=[timeliness(label, rag=rag) for rag, label in ContactRag.choices],
        timeliness_all=timeliness("All ratings"),
        checks=[
            AgencyChecks(agency, Agency(agency).label, checks[agency]["outstanding"], checks[agency]["overdue"])
            for agency in sorted(checks, key=lambda a: Agency(a).label)
        ],
        checks_outstanding=sum(r["outstanding"] for r in checks.values()),
        checks_overdue=sum(r["overdue"] for r in checks.values()),
        alerts_unacknowledged=alerts,
    )


@dataclass(frozen=True)
class OverdueContacts:
    page: Page[Contact]
    hidden: int  # overdue contacts about restricted records this user is not named on


@transaction.atomic
def overdue_contacts(
    *, user: User, page: str | int | None = 1, per_page: int = 50, now: dt.datetime | None = None
) -> OverdueContacts:
    """Open contacts past their decision time, the longest overdue first, by reference (no child's name).

    A contact about a restricted record is listed only for those named on it; the others learn only how many
    there are, so an overdue contact never drops out of sight. Looking is recorded.
    """
    if not policy.manages_front_door(user):
        raise NotFound("Not found")
    now = now or timezone.now()
    overdue = Contact.objects.filter(outcome="", decision_due_at__lt=now)
    listed = (
        overdue.filter(policy.unrestricted_or_named(user)).select_related("owner").order_by("decision_due_at", "pk")
    )
    found = Paginator(listed, per_page).get_page(page)
    hidden = overdue.count() - found.paginator.count
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        summary=f"Viewed {found.paginator.count} overdue contacts",
        detail={"page": "overdue contacts", "contacts": [c.reference or str(c.pk) for c in found]},
    )
    return OverdueContacts(page=found, hidden=hidden)


# The disclosure ledger ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    """What the ledger is searched by; each is optional."""

    la_child_id: str = ""
    agency: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def as_detail(self) -> dict[str, str]:
        return {
            "child": self.la_child_id,
            "agency": self.agency,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
        }

    def describe(self) -> str:
        parts = [
            f"child {self.la_child_id}" if self.la_child_id else "",
            f"shared with {Agency(self.agency).label}" if self.agency else "",
            f"from {self.start.isoformat()}" if self.start else "",
            f"to {self.end.isoformat()}" if self.end else "",
        ]
        return ", ".join(p for p in parts if p) or "everything"


def _ledger(user: User, filters: LedgerFilters) -> tuple[QuerySet[Disclosure], Child | None]:
    if not policy.can_search_disclosures(user):
        raise NotFound("Not found")
    rows = Disclosure.objects.select_related("child", "shared_by")
    # Information governance sees every row: answering a subject access request or a complaint about
    # sharing needs the whole ledger, restricted records included. MASH managers see a restricted
    # record's rows only when named on it.
    if not user.has_role(Role.AUDITOR):
        rows = rows.filter(policy.unrestricted_or_named(user))
    child = None
    if filters.la_child_id:
        child = Child.objects.filter(la_child_id__iexact=filters.la_child_id).first()
        rows = rows.filter(child=child) if child is not None else rows.none()
    if filters.agency:
        rows = rows.filter(recipient_agency=filters.agency)
    if filters.start:
        rows = rows.filter(shared_at__gte=_start_of(filters.start))
    if filters.end:
        rows = rows.filter(shared_at__lt=_start_of(filters.end + dt.timedelta(days=1)))
    return rows.order_by("-shared_at", "-id"), child


@transaction.atomic
def disclosure_search(
    *, user: User, filters: LedgerFilters, page: str | int | None = 1, per_page: int = 25
) -> Page[Disclosure]:
    """One page of the disclosure ledger; the search and its filters are recorded."""
    rows, child = _ledger(user, filters)
    found = Paginator(rows, per_page).get_page(page)
    audit.record(
        user=user,
        action=AuditEvent.Action.SEARCH,
        child_id=child.pk if child is not None else None,
        summary=f"Searched the disclosure ledger: {filters.describe()}"[:300],
        detail={**filters.as_detail(), "results": found.paginator.count},
    )
    return found


LEDGER_COLUMNS = [
    "shared_at",
    "la_child_id",
    "recipient_agency",
    "recipient",
    "shared",
    "purpose",
    "lawful_basis",
    "consent",
    "shared_by",
]


@transaction.atomic
def disclosure_export(*, user: User, filters: LedgerFilters) -> list[list[str]]:
    """Every ledger row the search finds, as text for a CSV file; the export and its filters are recorded."""
    rows, child = _ledger(user, filters)
    lines = [
        [
            timezone.localtime(d.shared_at).isoformat(),
            d.child.la_child_id,
            d.get_recipient_agency_display(),
            d.recipient,
            d.shared,
            d.purpose,
            d.get_lawful_basis_display(),
            d.get_consent_display(),
            d.shared_by.get_full_name() or d.shared_by.get_username(),
        ]
        for d in rows
    ]
    audit.record(
        user=user,
        action=AuditEvent.Action.EXPORT,
        child_id=child.pk if child is not None else None,
        summary=f"Exported the disclosure ledger: {filters.describe()}"[:300],
        detail={**filters.as_detail(), "rows": len(lines)},
    )
    return lines


# Early help --------------------------------------------------------------------------------------


def _early_help(user: User) -> QuerySet[EarlyHelpPackage]:
    scope = policy.early_help_scope(user)
    if scope is None:
        raise NotFound("Not found")
    # The children are fetched for the page's rows only (a join here made PostgreSQL read every child first).
    return EarlyHelpPackage.objects.filter(scope).prefetch_related("child")


@transaction.atomic
def open_early_help(*, user: User, page: str | int | None = 1, per_page: int = 25) -> Page[EarlyHelpPackage]:
    """Open early help packages this user may close, the longest running first; looking is recorded."""
    packages = _early_help(user).filter(closed_on__isnull=True).order_by("started_on", "pk")
    found = Paginator(packages, per_page).get_page(page)
    if found.object_list:
        audit.record(
            user=user,
            action=AuditEvent.Action.VIEW,
            summary=f"Viewed {found.paginator.count} open early help packages",
            detail={"page": "early help", "children": sorted({p.child.la_child_id for p in found})},
        )
    return found


@transaction.atomic
def early_help_for_closing(*, user: User, package_id: int) -> EarlyHelpPackage:
    """An early help package this user may close (NotFound otherwise); the view is recorded."""
    if not 0 < package_id < 2**63:
        raise NotFound("Not found")
    package = _early_help(user).filter(pk=package_id).first()
    if package is None:
        raise NotFound("Not found")
    audit.record(
        user=user,
        action=AuditEvent.Action.VIEW,
        obj=package,
        child_id=package.child_id,
        summary=f"Viewed closing early help for {package.child.la_child_id}",
        detail={"page": "close early help"},
    )
    return package
