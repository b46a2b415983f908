"""The episode check on its own: events in, the first refusal (or none) out."""

import datetime as dt

from openmash.core.events import Event, EventType, check_episode

D = dt.date
T = EventType


def ev(event_type: EventType, day: dt.date, source_id: int, **columns: object) -> Event:
    return Event(
        event_type=event_type,
        event_date=day,
        child_id=1,
        la_child_id="C1",
        source_id=source_id,
        episode_id=1,
        **columns,  # type: ignore[arg-type]
    )


REFERRAL = ev(T.REFERRAL, D(2024, 5, 1), 1)


def test_an_old_oddity_elsewhere_in_the_episode_does_not_block_new_work() -> None:
    # A review imported from an older system on a bank holiday, and a discussion recorded now.
    stored = [
        REFERRAL,
        ev(T.CP_PLAN_START, D(2024, 5, 20), 7),
        ev(T.CP_REVIEW, D(2024, 8, 26), 8, start_date=D(2024, 5, 20)),
    ]
    assert check_episode(stored, [ev(T.STRATEGY_DISCUSSION, D(2024, 9, 2), 9)]) is None
    refusal = check_episode(stored, [ev(T.CP_REVIEW, D(2024, 12, 25), 10, start_date=D(2024, 5, 20))])
    assert refusal is not None
    assert refusal.message.startswith("25 December 2024 is a bank holiday (Christmas Day)")
    assert refusal.field == "review_date"


def test_a_change_replaces_the_stored_event_of_the_same_record() -> None:
    open_enquiry = ev(T.S47_START, D(2024, 5, 8), 3, flag=False)
    closure = ev(T.REFERRAL_CLOSED, D(2024, 6, 3), 1, start_date=D(2024, 5, 1))
    stored = [REFERRAL, open_enquiry]
    refusal = check_episode(stored, [closure])
    assert refusal is not None
    assert "Section 47 enquiry started on 8 May 2024" in refusal.message
    # Once recorded as not needing a conference, the enquiry no longer holds the case open.
    not_required = ev(T.S47_START, D(2024, 5, 8), 3, flag=True)
    assert check_episode([*stored, not_required], [closure]) is None


def test_a_case_may_close_on_the_day_of_its_last_event_but_not_before() -> None:
    stored = [REFERRAL, ev(T.ASSESSMENT_START, D(2024, 5, 2), 4), ev(T.ASSESSMENT_AUTHORISED, D(2024, 6, 20), 4)]
    assert check_episode(stored, [ev(T.REFERRAL_CLOSED, D(2024, 6, 20), 1)]) is None
    refusal = check_episode(stored, [ev(T.REFERRAL_CLOSED, D(2024, 6, 19), 1)])
    assert refusal is not None
    assert refusal.message == (
        "The case cannot close on 19 June 2024: the authorisation of the single assessment on 20 June 2024 is "
        "later. Close it on or after 20 June 2024"
    )


def test_plans_may_meet_but_not_overlap() -> None:
    stored = [REFERRAL, ev(T.CIN_PLAN_START, D(2024, 5, 2), 5), ev(T.CIN_PLAN_END, D(2024, 6, 3), 5)]
    assert check_episode(stored, [ev(T.CP_PLAN_START, D(2024, 6, 3), 6)]) is None
    assert check_episode(stored, [ev(T.CP_PLAN_START, D(2024, 6, 2), 6)]) is not None


def test_an_end_before_its_start_is_refused_even_without_the_database_constraint() -> None:
    stored = [REFERRAL, ev(T.CP_PLAN_START, D(2024, 5, 20), 7)]
    refusal = check_episode(stored, [ev(T.CP_PLAN_END, D(2024, 5, 20), 7)])
    assert refusal is not None
    assert refusal.message == (
        "The end of the child protection plan cannot be on 20 May 2024: that is not after the start of the child "
        "protection plan on 20 May 2024"
    )
