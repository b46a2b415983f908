"""The episode's state machine: each step is allowed only from the states it can follow, and a refused step
says why and what to do first."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.accounts.models import User
from openmash.casework import services as casework
from openmash.casework.episode import EpisodeState, Step, ensure_step, episode_state
from openmash.casework.models import Referral
from openmash.core.codes import ReasonForClosure
from openmash.core.errors import ServiceError
from openmash.protection import services as protection
from openmash.protection.models import StrategyDiscussion


def test_a_new_referral_can_be_assessed_but_not_conferenced(referral: Referral) -> None:
    state = episode_state(referral.pk)
    assert state.status == "Referral"
    assert state.refusal(Step.START_ASSESSMENT) is None
    assert state.refusal(Step.CLOSE) is None
    with pytest.raises(ServiceError, match="record the strategy discussion and the enquiry first"):
        ensure_step(referral.pk, Step.CONFERENCE)
    with pytest.raises(ServiceError, match="no child protection plan in place"):
        ensure_step(referral.pk, Step.REVIEW_CP_PLAN)


def test_closing_is_refused_while_work_is_open_and_names_it(referral: Referral, worker_user: User) -> None:
    casework.assessment_start(referral=referral, start_date=dt.date(2024, 5, 2), acting_user=worker_user)
    discussion = protection.strategy_discussion_record(
        referral=referral,
        discussion_date=dt.date(2024, 5, 3),
        outcome=StrategyDiscussion.Outcome.SECTION_47,
        acting_user=worker_user,
    )
    protection.section47_start(
        referral=referral, start_date=dt.date(2024, 5, 3), strategy_discussion=discussion, acting_user=worker_user
    )
    state = episode_state(referral.pk)
    assert state.status == "Section 47 enquiry"
    assert state.refusal(Step.CLOSE) == "Before the case can close, finish the assessment and the Section 47 enquiry"
    assert state.refusal(Step.START_ASSESSMENT) is not None
    assert state.refusal(Step.CONFERENCE) is None


def test_a_closed_case_refuses_every_step(full_journey: Referral) -> None:
    state = episode_state(full_journey.pk)
    assert state.status == "Closed"
    for step in Step:
        refusal = state.refusal(step)
        assert refusal is not None
        assert "closed" in refusal


def test_a_child_on_a_protection_plan_cannot_start_a_child_in_need_plan() -> None:
    state = EpisodeState(cp_plan_open=True)
    assert state.status == "Child protection plan"
    assert "protection plan has ended" in (state.refusal(Step.START_CIN_PLAN) or "")
    assert EpisodeState(no_further_action=True).refusal(Step.CLOSE) is None
    assert EpisodeState(no_further_action=True).refusal(Step.START_ASSESSMENT) is not None


def test_the_state_follows_the_stored_events(referral: Referral, worker_user: User) -> None:
    casework.referral_close(
        referral=referral,
        closure_date=dt.date(2024, 5, 2),
        reason=ReasonForClosure.SERVICES_CEASED,
        acting_user=worker_user,
    )
    assert episode_state(referral.pk).closed
