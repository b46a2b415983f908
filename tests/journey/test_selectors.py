import datetime as dt

from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.front_door.services import contact_record
from openmash.journey.schema import SCHEMA, EventType
from openmash.journey.selectors import child_chronology, journey_events
from openmash.people.models import Child

D = dt.date


def test_a_whole_journey_becomes_one_row_per_statutory_event(full_journey: Referral) -> None:
    events = journey_events(child_ids=[full_journey.child_id])
    assert events.schema == SCHEMA
    rows = [(r["event_type"], r["event_date"]) for r in events.iter_rows(named=True)]
    assert rows == [
        ("referral", D(2024, 5, 1)),
        ("assessment_start", D(2024, 5, 2)),
        ("strategy_discussion", D(2024, 5, 3)),
        ("s47_start", D(2024, 5, 3)),
        ("icpc", D(2024, 5, 21)),
        ("cp_plan_start", D(2024, 5, 21)),
        ("assessment_authorised", D(2024, 6, 20)),
        ("cp_review", D(2024, 8, 20)),
        ("cp_plan_end", D(2025, 2, 10)),
        ("referral_closed", D(2025, 2, 10)),
    ]
    auth = events.filter(events["event_type"] == "assessment_authorised").row(0, named=True)
    assert auth["start_date"] == D(2024, 5, 2)
    assert sorted(auth["factors"]) == ["11A", "3B"]
    assert set(events["la_child_id"].to_list()) == {"C100"}
    assert set(events["episode_id"].to_list()) == {full_journey.pk}


def test_events_are_limited_to_the_children_asked_for(full_journey: Referral) -> None:
    assert journey_events(child_ids=[full_journey.child_id + 999]).is_empty()


def test_chronology_reads_newest_first_with_plain_labels(full_journey: Referral, worker_user: User) -> None:
    entries = child_chronology(user=worker_user, child=full_journey.child)
    assert entries[0].title == "Case closed"
    assert entries[-1].title == "Referral to children's social care"
    authorised = next(e for e in entries if e.event_type == "assessment_authorised")
    assert "Factors: Domestic abuse – parent or carer is the subject; Child sexual exploitation" in authorised.details
    plan = next(e for e in entries if e.event_type == "cp_plan_start")
    assert "Initial category: Neglect" in plan.details


def test_chronology_is_empty_for_someone_who_may_not_see_casework(full_journey: Referral) -> None:
    stranger = User.objects.create_user(username="stranger", password="x" * 20)
    assert child_chronology(user=stranger, child=full_journey.child) == []


def test_a_contact_late_on_a_summer_night_belongs_to_that_day_in_england(child: Child, worker_user: User) -> None:
    # 23:30 UTC on 30 June is 00:30 on 1 July in England (BST).
    contact_record(
        child=child, received_at=dt.datetime(2025, 6, 30, 23, 30, tzinfo=dt.UTC), source="6", acting_user=worker_user
    )
    events = journey_events(child_ids=[child.pk])
    assert events.filter(events["event_type"] == "contact")["event_date"].to_list() == [D(2025, 7, 1)]


def test_events_can_be_limited_to_some_kinds(full_journey: Referral) -> None:
    events = journey_events(event_types=[EventType.CP_PLAN_START, EventType.CP_PLAN_END])
    assert events["event_type"].to_list() == ["cp_plan_start", "cp_plan_end"]
    assert events.schema == SCHEMA
    assert journey_events(event_types=[]).is_empty()
