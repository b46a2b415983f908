"""Where an episode (a referral, until it closes) stands, and which steps may be taken from there.

Each casework and protection service asks `ensure_step` before it changes anything, so an impossible move
(a conference with no Section 47 enquiry, closing a case with a plan still open) is refused with a message
that says why and what to do first. The state is read from the episode's stored journey events, the one
record that casework and protection both write, so neither app reads the other's tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from openmash.core.errors import ServiceError
from openmash.core.events import Event, EventType
from openmash.core.events.store import episode_events, events_by_episode


class Step(StrEnum):
    START_ASSESSMENT = "start an assessment"
    START_CIN_PLAN = "start a child in need plan"
    END_CIN_PLAN = "end the child in need plan"
    STRATEGY_DISCUSSION = "record a strategy discussion"
    START_S47 = "start a Section 47 enquiry"
    CONFERENCE = "record an initial child protection conference"
    REVIEW_CP_PLAN = "record a child protection review"
    END_CP_PLAN = "end the child protection plan"
    CLOSE = "close the case"


@dataclass(frozen=True)
class EpisodeState:
    """What is open in an episode. Several things can be open at once (an assessment during a Section 47
    enquiry), so this is a set of facts, and `status` the one word a list shows."""

    closed: bool = False
    no_further_action: bool = False
    assessment_open: bool = False
    assessments_done: int = 0
    cin_plan_open: bool = False
    strategy_discussions: int = 0
    s47_open: bool = False
    cp_plan_open: bool = False

    @property
    def status(self) -> str:
        if self.closed:
            return "Closed"
        if self.cp_plan_open:
            return "Child protection plan"
        if self.s47_open:
            return "Section 47 enquiry"
        if self.cin_plan_open:
            return "Child in need plan"
        if self.assessment_open:
            return "Assessment"
        return "Referral"

    def refusal(self, step: Step) -> str | None:
        """Why `step` cannot be taken now, or None if it can."""
        if self.closed:
            return f"You cannot {step}: this case is closed. Open a new referral if there are new concerns."
        if self.no_further_action and step is not Step.CLOSE:
            return f"You cannot {step}: the referral was marked no further action"
        match step:
            case Step.START_ASSESSMENT if self.assessment_open:
                return "This child already has an assessment in progress; finish that one first"
            case Step.START_CIN_PLAN if self.cin_plan_open:
                return "This child already has a child in need plan in place"
            case Step.START_CIN_PLAN if self.cp_plan_open:
                return (
                    "This child is on a child protection plan; a child in need plan can start only once the "
                    "protection plan has ended"
                )
            case Step.END_CIN_PLAN if not self.cin_plan_open:
                return "This child has no child in need plan in place to end"
            case Step.START_S47 if self.s47_open:
                return "This child already has a Section 47 enquiry in progress"
            case Step.CONFERENCE if not self.s47_open:
                return (
                    "An initial child protection conference follows a Section 47 enquiry: record the strategy "
                    "discussion and the enquiry first"
                )
            case Step.REVIEW_CP_PLAN | Step.END_CP_PLAN if not self.cp_plan_open:
                return f"You cannot {step}: this child has no child protection plan in place"
            case Step.CLOSE:
                still_open = [
                    what
                    for what, is_open in (
                        ("the assessment", self.assessment_open),
                        ("the child in need plan", self.cin_plan_open),
                        ("the Section 47 enquiry", self.s47_open),
                        ("the child protection plan", self.cp_plan_open),
                    )
                    if is_open
                ]
                if still_open:
                    return "Before the case can close, finish " + _and(still_open)
        return None


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def state_from_events(events: Iterable[Event]) -> EpisodeState:
    started: dict[EventType, set[int]] = {}
    ended: dict[EventType, set[int]] = {}
    closed = nfa = False
    s47_no_conference: set[int] = set()
    strategy = 0
    for e in events:
        match e.event_type:
            case EventType.REFERRAL:
                nfa = bool(e.flag)
            case EventType.REFERRAL_CLOSED:
                closed = True
            case EventType.STRATEGY_DISCUSSION:
                strategy += 1
            case EventType.S47_START:
                started.setdefault(EventType.S47_START, set()).add(e.source_id)
                if e.flag:
                    s47_no_conference.add(e.source_id)
            case EventType.ICPC:
                ended.setdefault(EventType.S47_START, set()).add(e.source_id)
            case EventType.ASSESSMENT_START | EventType.CIN_PLAN_START | EventType.CP_PLAN_START:
                started.setdefault(e.event_type, set()).add(e.source_id)
            case EventType.ASSESSMENT_AUTHORISED:
                ended.setdefault(EventType.ASSESSMENT_START, set()).add(e.source_id)
            case EventType.CIN_PLAN_END:
                ended.setdefault(EventType.CIN_PLAN_START, set()).add(e.source_id)
            case EventType.CP_PLAN_END:
                ended.setdefault(EventType.CP_PLAN_START, set()).add(e.source_id)

    def still_open(kind: EventType, also_ended: set[int] | None = None) -> bool:
        return bool(started.get(kind, set()) - ended.get(kind, set()) - (also_ended or set()))

    return EpisodeState(
        closed=closed,
        no_further_action=nfa,
        assessment_open=still_open(EventType.ASSESSMENT_START),
        assessments_done=len(ended.get(EventType.ASSESSMENT_START, set())),
        cin_plan_open=still_open(EventType.CIN_PLAN_START),
        strategy_discussions=strategy,
        s47_open=still_open(EventType.S47_START, s47_no_conference),
        cp_plan_open=still_open(EventType.CP_PLAN_START),
    )


def episode_state(episode_id: int, *, lock: bool = False) -> EpisodeState:
    return state_from_events(episode_events(episode_id, lock=lock))


def episode_states(episode_ids: Iterable[int]) -> dict[int, EpisodeState]:
    """`episode_state` for several episodes at once, in one query: the work trays list many cases."""
    ids = list(episode_ids)
    grouped = events_by_episode(ids)
    return {pk: state_from_events(grouped.get(pk, [])) for pk in ids}


def ensure_step(episode_id: int, step: Step) -> EpisodeState:
    """Refuse `step` with a clear message unless the episode's state allows it. Call inside the service's
    transaction, after locking the referral, so two people cannot both take a step that only one may."""
    state = episode_state(episode_id, lock=True)
    refusal = state.refusal(step)
    if refusal is not None:
        raise ServiceError(refusal)
    return state
