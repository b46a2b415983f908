"""The MASH's success measures (front-door notes, section 6), each computed in the database over a date range.

Every function takes the first and last day of a period (inclusive, days in England) and returns a small
dataclass of counts: numerators and denominators, never only a percentage, so a performance page can hide
small numbers (docs/access.md, "Small numbers") and a reader can trace a figure to the records behind it. The
functions read and change nothing else, and write no audit row: they return no one's details. The definitions,
with their sources, are in docs/kpis.md ("MASH success measures").

Shared conventions:
- A contact is *decided in the period* when its decision time falls on a day of the period (in England).
- *Twelve months after* a day runs from the next day up to and including the same date a year later (28
  February for 29 February), as in docs/kpis.md.
- A *police contact* is one made by the police as an agency or with the census source 6 (Police).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, TruncDate
from django.utils import timezone

from openmash.accounts.models import Agency
from openmash.casework.models import Referral
from openmash.core.calendar import add_working_days
from openmash.core.codes import ReferralSource
from openmash.people.models import Adult, Child

from .models import (
    Contact,
    ContactAdult,
    ContactAdultRole,
    ContactOutcome,
    ContactRag,
    EarlyHelpOutcome,
    EarlyHelpPackage,
    ReferrerFeedback,
)

NFA = ContactOutcome.NO_FURTHER_ACTION
NOT_RATED = "not_rated"
PUBLIC_OR_OTHER = "public_or_other"


@dataclass(frozen=True)
class Ratio:
    """A count of something out of a count of something else."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        """The numerator as a percentage of the denominator; None when there is nothing to divide by."""
        return 100.0 * self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class Breakdown:
    """One line of a measure broken down by a category (a source, an agency, a rating)."""

    key: str
    label: str
    ratio: Ratio


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _period(field: str, start: dt.date, end: dt.date) -> Q:
    """A date-time field falling on a day from start to end inclusive (days in England)."""
    if end < start:
        raise ValueError("The period ends before it starts")
    return Q(**{f"{field}__gte": _day_start(start), f"{field}__lt": _day_start(end + dt.timedelta(days=1))})


def _decided_in(start: dt.date, end: dt.date) -> QuerySet[Contact]:
    return Contact.objects.exclude(outcome="").filter(_period("decided_at", start, end))


class _PlusOneYear(Func):
    """The same date a year later; 29 February gives 28 February (as core.dates.add_months)."""

    output_field = DateField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CASE WHEN strftime('%%m-%%d', {sql}) = '02-29' THEN date({sql}, '+1 year', '-1 day') "
            f"ELSE date({sql}, '+1 year') END)",
            [*params, *params, *params],
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::date + interval '1 year')::date", params


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of values given as value -> how many times it occurs."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        while len(found) < 2 and wanted[len(found)] < seen + counts[value]:
            found.append(value)
        seen += counts[value]
    return (found[0] + found[1]) / 2


# Early identification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlyIdentification:
    """How early children come to the front door, and how often before they are referred."""

    # Children whose first contact ever was received in the period, by age in whole years on that day.
    first_contacts: int
    ages: dict[int, int]
    age_unknown: int
    median_age: float | None
    # Children whose first referral ever was in the period, by how many contacts came before it.
    first_referrals: int
    prior_contacts: dict[int, int]
    with_prior_contacts: Ratio


def early_identification(start: dt.date, end: dt.date) -> EarlyIdentification:
    """Early identification.

    Age at first contact: children whose first contact ever was received in the period, by their age in whole
    years on the day it was received (children with no date of birth, and unborn children, counted apart).
    Prior contacts at first referral: children whose first referral ever (casework) is dated in the period, by
    the number of contacts about them received on an earlier day, not counting the contact the referral came
    from. Fewer prior contacts and younger ages mean needs are found earlier.
    """
    first_at = Subquery(Contact.objects.filter(child=OuterRef("pk")).order_by("received_at").values("received_at")[:1])
    firsts = Child.objects.annotate(first_at=first_at).filter(_period("first_at", start, end))
    born = firsts.filter(date_of_birth__isnull=False, date_of_birth__lte=TruncDate("first_at"))
    # Age in whole years: the difference of the years, less one if the birthday had not come yet that year.
    with_parts = born.annotate(
        years=ExtractYear("first_at") - ExtractYear("date_of_birth"),
        at_month=ExtractMonth("first_at"),
        at_day=ExtractDay("first_at"),
        born_month=ExtractMonth("date_of_birth"),
        born_day=ExtractDay("date_of_birth"),
    ).annotate(
        before=ExpressionWrapper(
            Q(at_month__lt=F("born_month")) | Q(at_month=F("born_month"), at_day__lt=F("born_day")),
            output_field=BooleanField(),
        )
    )
    ages: dict[int, int] = defaultdict(int)
    for row in with_parts.values("years", "before").annotate(n=Count("pk")).order_by():
        ages[int(row["years"]) - int(bool(row["before"]))] += row["n"]
    first_contacts = firsts.count()

    earlier_referral = Referral.objects.filter(child_id=OuterRef("child_id")).filter(
        Q(referral_date__lt=OuterRef("referral_date"))
        | Q(referral_date=OuterRef("referral_date"), pk__lt=OuterRef("pk"))
    )
    prior = (
        Contact.objects.filter(child_id=OuterRef("child_id"), received_at__date__lt=OuterRef("referral_date"))
        # A referral made without a contact has none to leave out (and NULL would compare as unknown).
        .exclude(pk=Coalesce(OuterRef("contact_id"), Value(0)))
        .order_by()
        .values("child_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    first_referrals = (
        Referral.objects.filter(referral_date__gte=start, referral_date__lte=end)
        .filter(~Exists(earlier_referral))
        .annotate(prior=Coalesce(Subquery(prior, output_field=IntegerField()), Value(0)))
    )
    prior_counts = {
        int(row["prior"]): row["n"] for row in first_referrals.values("prior").annotate(n=Count("pk")).order_by()
    }
    total = sum(prior_counts.values())
    return EarlyIdentification(
        first_contacts=first_contacts,
        ages=dict(sorted(ages.items())),
        age_unknown=first_contacts - sum(ages.values()),
        median_age=_median_of_counts(ages),
        first_referrals=total,
        prior_contacts=dict(sorted(prior_counts.items())),
        with_prior_contacts=Ratio(total - prior_counts.get(0, 0), total),
    )


# Targeted support --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetedSupport:
    started: int
    closed: int
    closed_by_outcome: dict[str, int]
    needs_met: Ratio


def targeted_support(start: dt.date, end: dt.date) -> TargetedSupport:
    """Targeted support packages delivered: early help packages agreed at the front door that started in the
    period; those that closed in the period, by outcome; and the share of those closed with the family's needs
    met (outcome "needs met")."""
    packages = EarlyHelpPackage.objects.all()
    started = packages.filter(started_on__gte=start, started_on__lte=end).count()
    by_outcome = {
        row["outcome"]: row["n"]
        for row in packages.filter(closed_on__gte=start, closed_on__lte=end)
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    }
    closed = sum(by_outcome.values())
    return TargetedSupport(
        started=started,
        closed=closed,
        closed_by_outcome={o: by_outcome.get(o, 0) for o in EarlyHelpOutcome.values},
        needs_met=Ratio(by_outcome.get(EarlyHelpOutcome.NEEDS_MET, 0), closed),
    )


# Time to decision --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionTimeliness:
    decided: int
    median_hours: float | None
    # Rated contacts decided by the time their rating set (FrontDoorSettings), per colour.
    within_rag: dict[str, Ratio]
    within_one_working_day: Ratio


def _one_working_day_later(received_from: dt.date, received_to: dt.date) -> Q:
    """Contacts decided by the same time of day one working day after they were received (the national
    timescale, Working Together 2023), as timescales.decision_due counts a working day.

    The time allowed depends only on the day a contact arrived (a Friday's runs to Monday), so the days are
    grouped by it; the commonest is matched by excluding the other days, which keeps the lists short."""
    allowed: dict[dt.timedelta, list[dt.date]] = defaultdict(list)
    day = received_from
    while day <= received_to:
        noon = dt.time(12)
        then = timezone.make_aware(dt.datetime.combine(add_working_days(day, 1), noon))
        allowed[then - timezone.make_aware(dt.datetime.combine(day, noon))].append(day)
        day += dt.timedelta(days=1)
    if not allowed:
        return Q(pk__in=[])
    common = max(allowed, key=lambda delta: len(allowed[delta]))
    others = [d for delta, days in allowed.items() if delta != common for d in days]
    condition = ~Q(received_at__date__in=others) & Q(decided_at__lte=F("received_at") + common)
    for delta, days in allowed.items():
        if delta != common:
            condition |= Q(received_at__date__in=days, decided_at__lte=F("received_at") + delta)
    return condition


def decision_timeliness(start: dt.date, end: dt.date) -> DecisionTimeliness:
    """Time from contact to decision, for contacts decided in the period: the median time from receipt to
    decision in hours (on the clock); the share of rated contacts decided within their RAG timescale, per
    colour (decided at or before the decision-due time the rating set); and the share decided within one
    working day of receipt (the national timescale)."""
    decided = _decided_in(start, end)
    n = decided.count()
    taken = ExpressionWrapper(F("decided_at") - F("received_at"), output_field=DurationField())
    ordered = decided.annotate(taken=taken).order_by("taken", "pk").values_list("taken", flat=True)
    middle = [ordered[i] for i in sorted({(n - 1) // 2, n // 2})] if n else []
    median = _median([t.total_seconds() / 3600 for t in middle]) if middle else None

    rag_rows = {
        row["rag"]: row
        for row in decided.exclude(rag="")
        .values("rag")
        .annotate(n=Count("pk"), within=Count("pk", filter=Q(decided_at__lte=F("decision_due_at"))))
        .order_by()
    }
    within_rag = {
        rag: Ratio(rag_rows[rag]["within"], rag_rows[rag]["n"]) if rag in rag_rows else Ratio(0, 0)
        for rag in ContactRag.values
    }
    first = decided.order_by("received_at").values_list("received_at", flat=True).first()
    in_a_day = (
        decided.filter(_one_working_day_later(timezone.localdate(first), end)).count() if first is not None else 0
    )
    return DecisionTimeliness(
        decided=n, median_hours=median, within_rag=within_rag, within_one_working_day=Ratio(in_a_day, n)
    )


# Inappropriate contacts --------------------------------------------------------------------------


@dataclass(frozen=True)
class InappropriateContacts:
    overall: Ratio
    by_source: list[Breakdown]
    by_agency: list[Breakdown]


def _nfa_by(decided: QuerySet[Contact], field: str, labels: dict[str, str]) -> list[Breakdown]:
    rows = decided.values(field).annotate(n=Count("pk"), nfa=Count("pk", filter=Q(outcome=NFA))).order_by(field)
    return [
        Breakdown(
            key=row[field] or PUBLIC_OR_OTHER,
            label=labels.get(row[field], "Member of the public or other"),
            ratio=Ratio(row["nfa"], row["n"]),
        )
        for row in rows
    ]


def inappropriate_contacts(start: dt.date, end: dt.date) -> InappropriateContacts:
    """Inappropriate contacts: of contacts decided in the period, the share decided no further action, overall,
    by census source (N00152) and by referring agency (contacts from the public and others with no agency
    together)."""
    decided = _decided_in(start, end)
    return InappropriateContacts(
        overall=Ratio(decided.filter(outcome=NFA).count(), decided.count()),
        by_source=_nfa_by(decided, "source", dict(ReferralSource.choices)),
        by_agency=_nfa_by(decided, "referrer_agency", dict(Agency.choices)),
    )


# Escalation or recurrence ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recurrence:
    overall: Ratio
    after_nfa: Ratio
    after_early_help: Ratio


def _plus_one_year(day: dt.date) -> dt.date:
    """The same date a year later; 29 February gives 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def recurrence(start: dt.date, end: dt.date) -> Recurrence:
    """Escalation or recurrence: of children with a contact decided no further action in the period, or early
    help closed in the period, the share with a new contact within twelve months after the first such day in
    the period (a contact received on a later day, up to the same date a year later). Also given after each
    alone. Read it for periods that ended twelve months ago or more: later ones have not had their year yet."""
    # Three short reads and a pass in Python: a correlated subquery per child took minutes on a borough.
    nfa_day: dict[int, dt.date] = {}
    for child_id, decided_at in (
        Contact.objects.filter(outcome=NFA, child__isnull=False)
        .filter(_period("decided_at", start, end))
        .order_by("decided_at")
        .values_list("child_id", "decided_at")
    ):
        nfa_day.setdefault(child_id, timezone.localtime(decided_at).date())
    closed_day: dict[int, dt.date] = {}
    for child_id, closed_on in (
        EarlyHelpPackage.objects.filter(closed_on__gte=start, closed_on__lte=end, child__isnull=False)
        .order_by("closed_on")
        .values_list("child_id", "closed_on")
    ):
        if closed_on is not None:  # always, by the filter; says so to the type checker
            closed_day.setdefault(child_id, closed_on)
    either = {c: min(d for d in (nfa_day.get(c), closed_day.get(c)) if d) for c in nfa_day.keys() | closed_day.keys()}
    received: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, received_at in Contact.objects.filter(
        child_id__isnull=False, received_at__gt=_day_start(start)
    ).values_list("child_id", "received_at"):
        if child_id in either:
            received[child_id].append(timezone.localtime(received_at).date())

    def ratio(index: dict[int, dt.date]) -> Ratio:
        back = sum(
            1
            for child_id, day in index.items()
            if any(day < later <= _plus_one_year(day) for later in received.get(child_id, ()))
        )
        return Ratio(back, len(index))

    return Recurrence(overall=ratio(either), after_nfa=ratio(nfa_day), after_early_help=ratio(closed_day))


# Proportionality ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proportionality:
    # (rating, outcome) -> contacts decided in the period; rating "not_rated" for contacts never rated.
    counts: dict[tuple[str, str], int]
    by_rag: dict[str, int]


def proportionality(start: dt.date, end: dt.date) -> Proportionality:
    """Proportionality: contacts decided in the period, by their RAG rating and the outcome decided. A
    proportionate front door sends red contacts to strategy discussions and referrals, and green ones to
    advice, early help or no further action."""
    counts: dict[tuple[str, str], int] = {}
    by_rag: dict[str, int] = defaultdict(int)
    for row in _decided_in(start, end).values("rag", "outcome").annotate(n=Count("pk")).order_by():
        rag = row["rag"] or NOT_RATED
        counts[(rag, row["outcome"])] = row["n"]
        by_rag[rag] += row["n"]
    return Proportionality(counts=counts, by_rag=dict(by_rag))


# Referrer satisfaction ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    agency: str
    label: str
    told: int  # referrers told the outcome (and offered the survey) in the period
    responses: int  # surveys answered in the period
    ease: float | None
    explained_clearly: float | None
    agree_with_decision: float | None
    overall: float | None
    satisfied: Ratio  # overall satisfaction 4 or 5, of those who answered it
    acknowledged_in_time: Ratio
    told_outcome: Ratio


def referrer_satisfaction(start: dt.date, end: dt.date) -> list[Satisfaction]:
    """Referrer satisfaction by referring agency: surveys answered in the period (averages of the 1 to 5
    questions over those who answered each, the share satisfied overall (4 or 5), the shares saying yes to
    "acknowledged within a working day" and "told the outcome"), with the number told the outcome in the period
    beside the number of responses. Referrers with no agency (the public) together."""
    told = {
        row["contact__referrer_agency"]: row["n"]
        for row in ReferrerFeedback.objects.filter(_period("notified_at", start, end))
        .values("contact__referrer_agency")
        .annotate(n=Count("pk"))
        .order_by()
    }
    answered = (
        ReferrerFeedback.objects.filter(_period("responded_at", start, end))
        .values("contact__referrer_agency")
        .annotate(
            responses=Count("pk"),
            ease_avg=Avg("ease"),
            explained_avg=Avg("explained_clearly"),
            agree_avg=Avg("agree_with_decision"),
            overall_avg=Avg("overall"),
            rated=Count("overall"),
            satisfied=Count("pk", filter=Q(overall__gte=4)),
            ack_answered=Count("acknowledged_in_time"),
            ack_yes=Count("pk", filter=Q(acknowledged_in_time=True)),
            told_answered=Count("told_outcome"),
            told_yes=Count("pk", filter=Q(told_outcome=True)),
        )
        .order_by()
    )
    rows: dict[str, dict[str, Any]] = {row["contact__referrer_agency"]: dict(row) for row in answered}
    labels = dict(Agency.choices)

    def _avg(value: Any) -> float | None:
        return float(value) if value is not None else None

    result = []
    for agency in sorted(set(told) | set(rows)):
        row = rows.get(agency, {})
        result.append(
            Satisfaction(
                agency=agency or PUBLIC_OR_OTHER,
                label=labels.get(agency, "Member of the public or other"),
                told=told.get(agency, 0),
                responses=row.get("responses", 0),
                ease=_avg(row.get("ease_avg")),
                explained_clearly=_avg(row.get("explained_avg")),
                agree_with_decision=_avg(row.get("agree_avg")),
                overall=_avg(row.get("overall_avg")),
                satisfied=Ratio(row.get("satisfied", 0), row.get("rated", 0)),
                acknowledged_in_time=Ratio(row.get("ack_yes", 0), row.get("ack_answered", 0)),
                told_outcome=Ratio(row.get("told_yes", 0), row.get("told_answered", 0)),
            )
        )
    return result


# Re-offending ------------------------------------------------------------------------------------


def _police(prefix: str = "") -> Q:
    return Q(**{f"{prefix}referrer_agency": Agency.POLICE}) | Q(**{f"{prefix}source": ReferralSource.POLICE})


def reoffending(start: dt.date, end: dt.date) -> Ratio:
    """Re-offending by alleged perpetrators: of adults recorded as an alleged perpetrator in a contact received
    in the period, the share named as an alleged perpetrator again in a police contact received after the first
    such contact in the period and within twelve months of its day (after the front-door notes' measure,
    following MATAC's tracking of perpetrators' offending)."""
    named = ContactAdult.objects.filter(role=ContactAdultRole.ALLEGED_PERPETRATOR, adult_id=OuterRef("pk"))
    first = named.filter(_period("contact__received_at", start, end)).order_by("contact__received_at", "pk")
    adults = (
        Adult.objects.annotate(first_at=Subquery(first.values("contact__received_at")[:1]))
        .filter(first_at__isnull=False)
        .annotate(first_day=TruncDate("first_at"))
    )
    again = named.filter(
        _police("contact__"),
        contact__received_at__gt=OuterRef("first_at"),
        contact__received_at__date__lte=_PlusOneYear(OuterRef("first_day")),
    )
    adults = adults.annotate(again=Exists(again))
    return Ratio(adults.filter(again=True).count(), adults.count())
