"""The one check of every dated record in an episode: what no change may leave behind.

A service's change arrives as the journey events it would write. They are laid over the episode's
stored events and the whole episode is checked; a rule refuses only where one of the changed events
is involved, so an old oddity elsewhere in the episode never blocks new work. The first refusal is
returned, worded for the social worker: it names the record in the way and its date.

Rules that one record's own dates obey (an assessment authorised on or after its start, a plan
ending after it starts) are also database constraints, and the services check those before they
save; they are repeated here so the episode is checked whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from openmash.core.calendar import bank_holiday_name
from openmash.core.dates import long_date

from .types import STARTED_BY, Event, EventType, Key

# The form field holding each event's date in the service that records it, so a form can show the
# message next to it.
DATE_FIELDS: dict[EventType, str] = {
    EventType.REFERRAL: "referral_date",
    EventType.REFERRAL_CLOSED: "closure_date",
    EventType.ASSESSMENT_START: "start_date",
    EventType.ASSESSMENT_AUTHORISED: "authorised_date",
    EventType.CIN_PLAN_START: "start_date",
    EventType.CIN_PLAN_END: "end_date",
    EventType.STRATEGY_DISCUSSION: "discussion_date",
    EventType.S47_START: "start_date",
    EventType.ICPC: "conference_date",
    EventType.CP_PLAN_START: "conference_date",
    EventType.CP_REVIEW: "review_date",
    EventType.CP_PLAN_END: "end_date",
}
CONFERENCES = (EventType.ICPC, EventType.CP_REVIEW)
_ORDER = {t: i for i, t in enumerate(EventType)}


@dataclass(frozen=True)
class Refusal:
    message: str
    field: str | None = None


def _refuse(event: Event, message: str) -> Refusal:
    return Refusal(message, DATE_FIELDS.get(event.event_type))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _on(event: Event) -> str:
    return f"{event.noun} on {long_date(event.event_date)}"


@dataclass(frozen=True)
class Period:
    """A plan from its start event to its end event (None while it is open)."""

    start: Event
    end: Event | None

    @property
    def last_day(self) -> dt.date:
        return self.end.event_date if self.end else dt.date.max

    def overlaps(self, other: Period) -> bool:
        # A plan may start on the day another ends (a step-down from a child protection plan).
        return self.start.event_date < other.last_day and other.start.event_date < self.last_day

    def describe(self, what: str) -> str:
        started = long_date(self.start.event_date)
        if self.end is None:
            return f"the {what} that started on {started}"
        return f"the {what} from {started} to {long_date(self.end.event_date)}"


class EpisodeView:
    """An episode's events after the change, with the change marked."""

    def __init__(self, events: Iterable[Event], changed: set[Key]) -> None:
        self.events = sorted(events, key=lambda e: (e.event_date, _ORDER[e.event_type], e.source_id))
        self.changed = changed
        self.by_key = {e.key: e for e in self.events}

    def is_changed(self, event: Event | None) -> bool:
        return event is not None and event.key in self.changed

    def of(self, event_type: EventType) -> list[Event]:
        return [e for e in self.events if e.event_type == event_type]

    def partner(self, event: Event, event_type: EventType) -> Event | None:
        """The event of another kind for the same record (a plan's end for its start)."""
        return self.by_key.get((str(event_type), event.source_id))

    def periods(self, start: EventType, end: EventType) -> list[Period]:
        return [Period(s, self.partner(s, end)) for s in self.of(start)]

    @property
    def referral(self) -> Event | None:
        found = self.of(EventType.REFERRAL)
        return found[0] if found else None

    @property
    def closure(self) -> Event | None:
        found = self.of(EventType.REFERRAL_CLOSED)
        return found[0] if found else None

    def changed_events(self) -> list[Event]:
        return [e for e in self.events if e.key in self.changed]


def _nothing_open_at_closure(ep: EpisodeView) -> Refusal | None:
    """CIN rules 8867 and 8868: everything in an episode is finished before it closes."""
    closure = ep.closure
    if not ep.is_changed(closure):
        return None
    for start in ep.of(EventType.ASSESSMENT_START):
        if ep.partner(start, EventType.ASSESSMENT_AUTHORISED) is None:
            return Refusal(
                f"Authorise or end the open assessment (started on {long_date(start.event_date)}) "
                "before closing the case"
            )
    for start in ep.of(EventType.S47_START):
        if not start.flag and ep.partner(start, EventType.ICPC) is None:
            return Refusal(
                "Record the conference, or that none is required, for the Section 47 enquiry started on "
                f"{long_date(start.event_date)} before closing the case"
            )
    for plan in ep.periods(EventType.CP_PLAN_START, EventType.CP_PLAN_END):
        if plan.end is None:
            return Refusal(
                f"End the child protection plan (started on {long_date(plan.start.event_date)}) before closing the case"
            )
    for plan in ep.periods(EventType.CIN_PLAN_START, EventType.CIN_PLAN_END):
        if plan.end is None:
            return Refusal(
                f"End the child in need plan (started on {long_date(plan.start.event_date)}) before closing the case"
            )
    return None


def _within_the_episode(ep: EpisodeView) -> Refusal | None:
    """Nothing before the referral; nothing after the case closed."""
    referral, closure = ep.referral, ep.closure
    for event in ep.changed_events():
        if event.event_type in (EventType.REFERRAL, EventType.CONTACT):
            continue
        if referral is not None and event.event_date < referral.event_date:
            return _refuse(
                event,
                f"{_capital(event.noun)} cannot be on {long_date(event.event_date)}: that is before the "
                f"referral date ({long_date(referral.event_date)})",
            )
        if closure is not None and event.key != closure.key and event.event_date > closure.event_date:
            return _refuse(
                event,
                f"{_capital(event.noun)} cannot be on {long_date(event.event_date)}: the case closed on "
                f"{long_date(closure.event_date)}",
            )
    if ep.is_changed(closure):
        assert closure is not None
        later = [e for e in ep.events if e.key != closure.key and e.event_date > closure.event_date]
        if later:
            last = later[-1]
            return _refuse(
                closure,
                f"The case cannot close on {long_date(closure.event_date)}: {_on(last)} is later. "
                f"Close it on or after {long_date(last.event_date)}",
            )
    return None


def _ends_after_starts(ep: EpisodeView) -> Refusal | None:
    for event in ep.events:
        start_type = STARTED_BY.get(event.event_type)
        if start_type is None:
            continue
        start = ep.partner(event, start_type)
        if start is None or not (ep.is_changed(event) or ep.is_changed(start)):
            continue
        # A child protection plan lasts at least a day (CIN rules 8925 and 8840).
        strictly = event.event_type == EventType.CP_PLAN_END
        if event.event_date < start.event_date or (strictly and event.event_date == start.event_date):
            return _refuse(
                event,
                f"{_capital(event.noun)} cannot be on {long_date(event.event_date)}: "
                f"{'that is not after' if strictly else 'that is before'} {_on(start)}",
            )
    return None


def _reviews_within_their_plan(ep: EpisodeView) -> Refusal | None:
    plans = ep.periods(EventType.CP_PLAN_START, EventType.CP_PLAN_END)
    for review in ep.of(EventType.CP_REVIEW):
        # A review carries its plan's start date; an episode has one plan starting on any day.
        plan = next((p for p in plans if p.start.event_date == review.start_date), None)
        if plan is None:
            continue
        if ep.is_changed(review) and review.event_date <= plan.start.event_date:
            return _refuse(
                review,
                f"A review must be after the plan started ({long_date(plan.start.event_date)})",
            )
        if plan.end is None or review.event_date <= plan.end.event_date:
            continue
        if ep.is_changed(plan.end):
            reviews = [r for r in ep.of(EventType.CP_REVIEW) if r.start_date == review.start_date]
            last = reviews[-1]
            return _refuse(
                plan.end,
                f"The child protection plan cannot end on {long_date(plan.end.event_date)}: it has a review "
                f"conference on {long_date(last.event_date)}. End it on or after that date, or check the "
                "review's date",
            )
        if ep.is_changed(review):
            return _refuse(
                review,
                f"The review conference cannot be on {long_date(review.event_date)}: the child protection plan "
                f"ended on {long_date(plan.end.event_date)}",
            )
    return None


def _conferences_on_working_days(ep: EpisodeView) -> Refusal | None:
    for event in ep.changed_events():
        if event.event_type not in CONFERENCES:
            continue
        day = event.event_date
        if day.weekday() >= 5:
            return _refuse(
                event,
                f"{long_date(day)} is a {day:%A}: conferences are not held at weekends. Check the date",
            )
        holiday = bank_holiday_name(day)
        if holiday is not None:
            return _refuse(
                event,
                f"{long_date(day)} is a bank holiday ({holiday}): conferences are held on working days. Check the date",
            )
    return None


def _one_kind_of_plan_at_a_time(ep: EpisodeView) -> Refusal | None:
    """A child is on a child in need plan or a child protection plan, never both at once."""
    cin_plans = ep.periods(EventType.CIN_PLAN_START, EventType.CIN_PLAN_END)
    cp_plans = ep.periods(EventType.CP_PLAN_START, EventType.CP_PLAN_END)
    for cin in cin_plans:
        for cp in cp_plans:
            if not cin.overlaps(cp):
                continue
            cp_text = cp.describe("child protection plan")
            cin_text = cin.describe("child in need plan")
            if ep.is_changed(cin.start):
                if cp.end is None and cp.start.event_date <= cin.start.event_date:
                    return _refuse(
                        cin.start,
                        "A child on a child protection plan cannot also have a child in need plan: "
                        f"{cp_text} is still in place",
                    )
                return _refuse(
                    cin.start,
                    f"The child in need plan cannot start on {long_date(cin.start.event_date)}: {cp_text} "
                    "covers that date",
                )
            if ep.is_changed(cp.start):
                if cin.end is None:
                    return _refuse(
                        cp.start,
                        f"End {cin_text} before starting a child protection plan",
                    )
                return _refuse(
                    cp.start,
                    f"The child protection plan cannot start on {long_date(cp.start.event_date)}: {cin_text} "
                    "covers that date",
                )
            for end, other in ((cin.end, cp_text), (cp.end, cin_text)):
                if end is not None and ep.is_changed(end):
                    return _refuse(
                        end,
                        f"{_capital(end.noun)} cannot be on {long_date(end.event_date)}: the plan would then "
                        f"overlap {other}",
                    )
    return None


RULES: list[Callable[[EpisodeView], Refusal | None]] = [
    _nothing_open_at_closure,
    _within_the_episode,
    _ends_after_starts,
    _reviews_within_their_plan,
    _conferences_on_working_days,
    _one_kind_of_plan_at_a_time,
]


def check_episode(stored: Iterable[Event], changes: Sequence[Event]) -> Refusal | None:
    """The first rule the episode would break after `changes` (new or updated events), or None."""
    merged = {e.key: e for e in stored}
    merged.update((e.key, e) for e in changes)
    episode = EpisodeView(merged.values(), {e.key for e in changes})
    for rule in RULES:
        refusal = rule(episode)
        if refusal is not None:
            return refusal
    return None
