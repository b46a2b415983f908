"""The MASH success measures against answers worked out here, row by row, from the same records.

The records are built through the services (contacts recorded, rated, decided; early help closed; surveys
answered), around the edges the definitions name: 29 February, exactly twelve months, a Friday, Easter with
the clocks going forward, a contact on the same day as a decision. Adults named in contacts are linked with
the ORM (no service links a contact to an adult already on the register yet).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from openmash.accounts.models import Agency
from openmash.casework.models import Referral
from openmash.casework.services import referral_close, referral_create
from openmash.core.calendar import add_working_days
from openmash.core.codes import PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.core.dates import add_years
from openmash.front_door import measures
from openmash.front_door.models import (
    Contact,
    ContactAdult,
    ContactAdultRole,
    EarlyHelpOutcome,
    EarlyHelpPackage,
    ReferrerFeedback,
)
from openmash.front_door.services import (
    DecisionDetails,
    SurveyAnswers,
    contact_decide_with_result,
    contact_rate,
    early_help_close,
    feedback_submit,
)
from openmash.people.models import Adult, Child

from .cse_setup import Hub, build_hub, contact, new_child

LONDON = ZoneInfo("Europe/London")
START, END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
NFA, ADVICE, EARLY_HELP, REFERRAL = "nfa", "advice", "early_help", "referral"


def at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hour, minute, tzinfo=LONDON)


@dataclass
class Built:
    hub: Hub
    tokens: dict[int, str]  # contact id -> survey token
    perpetrators: dict[str, Adult]


def _contact(
    b: Built,
    child: Child,
    received: dt.datetime,
    *,
    agency: str = "",
    source: str = "8",
    rag: str = "",
    outcome: str = "",
    decided: dt.datetime | None = None,
    perpetrator: str = "",
) -> Contact:
    item = contact(b.hub, child, received_at=received, agency=agency, source=source)
    if perpetrator:
        ContactAdult.objects.create(
            contact=item, adult=b.perpetrators[perpetrator], role=ContactAdultRole.ALLEGED_PERPETRATOR
        )
    if rag:
        contact_rate(contact=item, rag=rag, reason="Rated for the test", acting_user=b.hub.mash)
    if outcome:
        result = contact_decide_with_result(
            contact=item,
            outcome=outcome,
            rationale="Decided for the test",
            details=DecisionDetails(primary_need=PrimaryNeed.ABUSE_NEGLECT, early_help_support="Family support worker"),
            decided_at=decided or received + dt.timedelta(hours=2),
            acting_user=b.hub.mash,
        )
        if result.feedback_link_token:
            b.tokens[item.pk] = result.feedback_link_token
    return item


@pytest.fixture
def built(db: None) -> Built:
    hub = build_hub()
    b = Built(
        hub=hub, tokens={}, perpetrators={k: Adult.objects.create(first_name=k, last_name="Adult") for k in "XYZ"}
    )
    police, health, school = Agency.POLICE, Agency.HEALTH, Agency.EDUCATION

    # A: first contact before the period; first referral in it, one earlier contact before it.
    a = new_child(hub, born=dt.date(2010, 6, 15))
    _contact(b, a, at(2023, 11, 10), agency=police, source="6", outcome=NFA, perpetrator="Z")
    _contact(b, a, at(2024, 2, 2), agency=school, source="2A", outcome=REFERRAL, decided=at(2024, 2, 5, 9))
    # B: first contact on 29 February, the day before a birthday; a new contact exactly twelve months later.
    bee = new_child(hub, born=dt.date(2020, 3, 1))
    _contact(b, bee, at(2024, 2, 29), agency=health, source="3A", rag="green", outcome=NFA, decided=at(2024, 2, 29, 16))
    _contact(b, bee, at(2025, 2, 28, 9), agency=health, source="3A")
    # C: received on the Thursday before Easter (the clocks go forward on Easter Day), early help that closes
    # with needs met; a new contact a year and a day after it closed.
    c = new_child(hub, born=dt.date(2012, 12, 31))
    _contact(
        b, c, at(2024, 3, 28), agency=police, source="6", rag="red", outcome=EARLY_HELP, decided=at(2024, 4, 2, 9, 30)
    )
    # D: unborn when first contacted; from the public; a second contact the same day as the first was decided.
    d = new_child(hub, expected=dt.date(2024, 8, 1))
    _contact(b, d, at(2024, 5, 10, 9), source="1A", outcome=NFA, decided=at(2024, 5, 10, 11))
    _contact(b, d, at(2024, 5, 10, 15), source="1A", outcome=ADVICE, decided=at(2024, 5, 10, 16))
    # E: a Friday contact decided on Monday half an hour after one working day; police come back in September.
    e = new_child(hub, born=dt.date(2008, 7, 1))
    _contact(
        b,
        e,
        at(2024, 7, 5),
        agency=police,
        source="6",
        rag="amber",
        outcome=NFA,
        decided=at(2024, 7, 8, 10, 30),
        perpetrator="X",
    )
    _contact(b, e, at(2024, 9, 1), agency=police, source="6", outcome=NFA, decided=at(2024, 9, 2))
    # G and H: decided in time for their ratings; H is referred with no contact before.
    g = new_child(hub, born=dt.date(2017, 1, 1))
    _contact(
        b, g, at(2024, 6, 3, 9), agency=school, source="2A", rag="green", outcome=ADVICE, decided=at(2024, 6, 5, 9)
    )
    h = new_child(hub, born=dt.date(2019, 11, 30))
    _contact(
        b, h, at(2024, 6, 10, 9), agency=health, source="3E", rag="red", outcome=REFERRAL, decided=at(2024, 6, 10, 12)
    )
    # Y: named by health twice, then by the police a year and a day after the first.
    y = new_child(hub, born=dt.date(2015, 5, 5))
    _contact(b, y, at(2024, 8, 1), agency=health, source="3A", outcome=NFA, perpetrator="Y")
    _contact(b, y, at(2024, 10, 1), agency=health, source="3A", outcome=NFA, perpetrator="Y")
    _contact(b, y, at(2025, 8, 2), agency=police, source="6", outcome=NFA, perpetrator="Y")
    # F: X named again by the police within the year.
    f = new_child(hub, born=dt.date(2016, 2, 2))
    _contact(b, f, at(2025, 6, 1), agency=police, source="6", outcome=NFA, perpetrator="X")
    # J: a referral closed in 2023, then another in 2024 (not a first referral). The 2024 contact, still open,
    # gives the MASH the sight it needs to close the old referral.
    j = new_child(hub, born=dt.date(2013, 3, 3))
    _contact(b, j, at(2023, 5, 1), agency=school, source="2A", outcome=REFERRAL, decided=at(2023, 5, 2))
    later = _contact(b, j, at(2024, 4, 1), agency=school, source="2A")
    referral_close(
        referral=Referral.objects.get(child=j),
        closure_date=dt.date(2023, 8, 1),
        reason=ReasonForClosure.SERVICES_CEASED,
        acting_user=hub.mash,
    )
    contact_decide_with_result(
        contact=later,
        outcome=REFERRAL,
        rationale="Decided for the test",
        details=DecisionDetails(primary_need=PrimaryNeed.ABUSE_NEGLECT),
        decided_at=at(2024, 4, 2),
        acting_user=hub.mash,
    )

    # K: a referral made straight to a team (no contact of its own) after one earlier contact; a later contact,
    # still open, gives the MASH the sight it needs to record it.
    k = new_child(hub, born=dt.date(2011, 11, 11))
    _contact(b, k, at(2024, 1, 15), agency=police, source="6", outcome=NFA)
    _contact(b, k, at(2024, 11, 1), agency=police, source="6")
    referral_create(
        child=k,
        referral_date=dt.date(2024, 10, 20),
        source=ReferralSource.POLICE,
        primary_need=PrimaryNeed.ABUSE_NEGLECT,
        acting_user=hub.mash,
    )

    # C's contact a year and a day after the early help closed, still open: it gives the MASH sight to close it.
    _contact(b, c, at(2025, 10, 1), agency=school, source="2A")
    early_help_close(
        package=EarlyHelpPackage.objects.get(child=c),
        closed_on=dt.date(2024, 9, 30),
        outcome=EarlyHelpOutcome.NEEDS_MET,
        acting_user=hub.mash,
    )

    # Surveys answered (today): two from police referrers, one from health.
    answers = {
        c.pk: SurveyAnswers(True, 4, True, True, 5, 4, 5, ""),
        e.pk: SurveyAnswers(False, 2, False, True, 2, 1, 2, "Slow"),
        h.pk: SurveyAnswers(True, 5, None, None, 4, None, 4, ""),
    }
    for child_pk, answer in answers.items():
        first = Contact.objects.filter(child_id=child_pk).order_by("received_at").first()
        assert first is not None
        feedback_submit(token=b.tokens[first.pk], answers=answer)
    return b


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)


def in_period(moment: dt.datetime | None, start: dt.date = START, end: dt.date = END) -> bool:
    return moment is not None and start <= local(moment).date() <= end


def age(born: dt.date, day: dt.date) -> int:
    years = day.year - born.year
    return years - 1 if (day.month, day.day) < (born.month, born.day) else years


# The references: each definition in docs/kpis.md, row by row -------------------------------------


def test_early_identification(built: Built) -> None:
    contacts = list(Contact.objects.select_related("child").order_by("received_at"))
    first: dict[int, Contact] = {}
    for item in contacts:
        first.setdefault(item.child_id, item)  # type: ignore[arg-type]
    firsts = [c for c in first.values() if in_period(c.received_at)]
    ages = Counter(
        age(born, day)
        for c in firsts
        if (born := c.child.date_of_birth) is not None  # type: ignore[union-attr]
        and born <= (day := local(c.received_at).date())
    )
    referrals = sorted(Referral.objects.all(), key=lambda r: (r.referral_date, r.pk))
    first_referrals = {}
    for r in referrals:
        first_referrals.setdefault(r.child_id, r)
    prior = Counter(
        sum(
            1
            for c in contacts
            if c.child_id == r.child_id and local(c.received_at).date() < r.referral_date and c.pk != r.contact_id
        )
        for r in first_referrals.values()
        if START <= r.referral_date <= END
    )
    result = measures.early_identification(START, END)
    assert result.first_contacts == len(firsts)
    assert result.ages == dict(sorted(ages.items()))
    assert result.age_unknown == len(firsts) - sum(ages.values()) == 1
    assert result.median_age == statistics.median(sorted(ages.elements()))
    assert result.prior_contacts == dict(sorted(prior.items()))
    assert result.first_referrals == sum(prior.values())
    assert result.with_prior_contacts == measures.Ratio(sum(n for k, n in prior.items() if k), sum(prior.values()))
    # The edges the records were built for: 29 February the day before the fourth birthday, and J's 2024
    # referral is not a first one.
    assert ages[3] >= 1
    assert result.first_referrals == 3
    assert result.prior_contacts == {0: 1, 1: 2}


def test_targeted_support(built: Built) -> None:
    packages = list(EarlyHelpPackage.objects.all())
    closed = [p for p in packages if p.closed_on and START <= p.closed_on <= END]
    result = measures.targeted_support(START, END)
    assert result.started == sum(1 for p in packages if START <= p.started_on <= END)
    assert result.closed == len(closed) == 1
    assert result.needs_met == measures.Ratio(sum(1 for p in closed if p.outcome == "needs_met"), len(closed))
    assert result.closed_by_outcome["needs_met"] == 1


def _within_one_working_day(c: Contact) -> bool:
    received = local(c.received_at)
    deadline = dt.datetime.combine(add_working_days(received.date(), 1), received.time().replace(tzinfo=None))
    return local(c.decided_at) <= deadline.replace(tzinfo=LONDON)  # type: ignore[arg-type]


def test_decision_timeliness(built: Built) -> None:
    decided = [c for c in Contact.objects.exclude(outcome="") if in_period(c.decided_at)]
    hours = [(c.decided_at - c.received_at).total_seconds() / 3600 for c in decided]  # type: ignore[operator]
    result = measures.decision_timeliness(START, END)
    assert result.decided == len(decided)
    assert result.median_hours == pytest.approx(statistics.median(hours))
    for rag in ("red", "amber", "green"):
        rated = [c for c in decided if c.rag == rag]
        within = sum(1 for c in rated if c.decided_at <= c.decision_due_at)  # type: ignore[operator]
        assert result.within_rag[rag] == measures.Ratio(within, len(rated)), rag
    assert result.within_one_working_day == measures.Ratio(sum(map(_within_one_working_day, decided)), len(decided))
    # Easter with the clocks going forward: decided by 10:00 on the Tuesday is in time; the Friday contact
    # decided on Monday at 10:30 is not.
    easter = Contact.objects.get(received_at=at(2024, 3, 28))
    friday = Contact.objects.get(received_at=at(2024, 7, 5))
    assert _within_one_working_day(easter)
    assert not _within_one_working_day(friday)


def test_decision_timeliness_over_a_period_with_no_decisions(built: Built) -> None:
    result = measures.decision_timeliness(dt.date(2022, 1, 1), dt.date(2022, 1, 31))
    assert (result.decided, result.median_hours, result.within_one_working_day.percent) == (0, None, None)


def test_inappropriate_contacts(built: Built) -> None:
    decided = [c for c in Contact.objects.exclude(outcome="") if in_period(c.decided_at)]
    result = measures.inappropriate_contacts(START, END)
    assert result.overall == measures.Ratio(sum(c.outcome == NFA for c in decided), len(decided))
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_agency: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in decided:
        for table, key in ((by_source, c.source), (by_agency, c.referrer_agency or "public_or_other")):
            table[key][0] += c.outcome == NFA
            table[key][1] += 1
    assert {b.key: [b.ratio.numerator, b.ratio.denominator] for b in result.by_source} == by_source
    assert {b.key: [b.ratio.numerator, b.ratio.denominator] for b in result.by_agency} == by_agency
    assert {b.label for b in result.by_source} >= {ReferralSource.POLICE.label}


def test_recurrence(built: Built) -> None:
    contacts = list(Contact.objects.all())
    index: dict[str, dict[int, dt.date]] = {"nfa": {}, "eh": {}}
    for c in sorted(contacts, key=lambda c: c.decided_at or c.received_at):
        if c.outcome == NFA and in_period(c.decided_at):
            index["nfa"].setdefault(c.child_id, local(c.decided_at).date())  # type: ignore[arg-type, union-attr]
    for p in EarlyHelpPackage.objects.order_by("closed_on"):
        if p.closed_on and START <= p.closed_on <= END:
            index["eh"].setdefault(p.child_id, p.closed_on)
    either = {k: min(v for v in (index["nfa"].get(k), index["eh"].get(k)) if v) for k in {*index["nfa"], *index["eh"]}}

    def ratio(days: dict[int, dt.date]) -> measures.Ratio:
        back = sum(
            1
            for child_id, day in days.items()
            if any(c.child_id == child_id and day < local(c.received_at).date() <= add_years(day, 1) for c in contacts)
        )
        return measures.Ratio(back, len(days))

    result = measures.recurrence(START, END)
    assert result.overall == ratio(either)
    assert result.after_nfa == ratio(index["nfa"])
    assert result.after_early_help == ratio(index["eh"])
    # B came back on 28 February 2025, twelve months after 29 February; C a year and a day after closing, so not;
    # D's second contact came the same day.
    assert result.after_early_help == measures.Ratio(0, 1)
    bee = Contact.objects.get(received_at=at(2024, 2, 29)).child_id
    assert bee in index["nfa"]
    assert ratio({bee: index["nfa"][bee]}) == measures.Ratio(1, 1)


def test_proportionality(built: Built) -> None:
    decided = [c for c in Contact.objects.exclude(outcome="") if in_period(c.decided_at)]
    expected = Counter((c.rag or "not_rated", c.outcome) for c in decided)
    result = measures.proportionality(START, END)
    assert result.counts == dict(expected)
    assert result.by_rag == dict(Counter(c.rag or "not_rated" for c in decided))
    assert result.counts[("red", REFERRAL)] == 1


def test_referrer_satisfaction(built: Built) -> None:
    today = timezone.localdate()
    feedback = list(ReferrerFeedback.objects.select_related("contact"))
    result = {row.agency: row for row in measures.referrer_satisfaction(START, today)}
    groups: dict[str, list[ReferrerFeedback]] = defaultdict(list)
    for f in feedback:
        groups[f.contact.referrer_agency or "public_or_other"].append(f)
    assert set(result) == set(groups)
    for agency, rows in groups.items():
        answered = [f for f in rows if f.responded_at]
        row = result[agency]
        assert row.told == sum(1 for f in rows if in_period(f.notified_at, START, today))
        assert row.responses == len(answered)
        overall = [f.overall for f in answered if f.overall is not None]
        assert row.overall == (pytest.approx(statistics.mean(overall)) if overall else None)
        assert row.satisfied == measures.Ratio(sum(1 for v in overall if v >= 4), len(overall))
        told = [f.told_outcome for f in answered if f.told_outcome is not None]
        assert row.told_outcome == measures.Ratio(sum(told), len(told))
        ease = [f.ease for f in answered if f.ease is not None]
        assert row.ease == (pytest.approx(statistics.mean(ease)) if ease else None)
    assert result["police"].responses == 2
    assert result["police"].satisfied == measures.Ratio(1, 2)
    # Surveys answered before the period are not counted.
    assert all(r.responses == 0 for r in measures.referrer_satisfaction(START, END))


def test_reoffending(built: Built) -> None:
    named = list(ContactAdult.objects.filter(role=ContactAdultRole.ALLEGED_PERPETRATOR).select_related("contact"))
    firsts: dict[int, Contact] = {}
    for m in sorted(named, key=lambda m: m.contact.received_at):
        if in_period(m.contact.received_at):
            firsts.setdefault(m.adult_id, m.contact)

    def again(adult_id: int, first: Contact) -> bool:
        limit = add_years(local(first.received_at).date(), 1)
        return any(
            m.adult_id == adult_id
            and (m.contact.referrer_agency == "police" or m.contact.source == "6")
            and m.contact.received_at > first.received_at
            and local(m.contact.received_at).date() <= limit
            for m in named
        )

    expected = measures.Ratio(sum(again(a, c) for a, c in firsts.items()), len(firsts))
    assert measures.reoffending(START, END) == expected
    assert expected == measures.Ratio(1, 2)  # X again within the year; Y only a year and a day after


def test_a_period_that_ends_before_it_starts_is_refused(built: Built) -> None:
    with pytest.raises(ValueError, match="ends before"):
        measures.inappropriate_contacts(END, START)
