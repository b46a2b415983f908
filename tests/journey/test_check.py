"""The stored journey events equal the events rebuilt from the records, and `openmash journey check`
says so, or names what differs."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openmash.accounts.models import User
from openmash.casework import services as casework
from openmash.casework.models import Referral
from openmash.core.errors import ServiceError
from openmash.core.models import JourneyEvent
from openmash.journey.rebuild import check_table, rebuild_events
from openmash.journey.selectors import journey_events
from openmash.protection import services as protection
from openmash.protection.models import ChildProtectionPlan

D = dt.date


def _check() -> str:
    out = StringIO()
    call_command("journey", "check", stdout=out)
    return out.getvalue()


def test_a_journey_recorded_through_the_services_is_stored_as_the_records_say(full_journey: Referral) -> None:
    assert journey_events().equals(rebuild_events())
    assert journey_events().height == 10
    assert "match the records" in _check()


def test_a_changed_stored_event_is_named(full_journey: Referral) -> None:
    JourneyEvent.objects.filter(event_type="cp_plan_end").update(event_date=D(2025, 2, 11), code="PHY")
    with pytest.raises(CommandError) as err:
        _check()
    message = str(err.value)
    assert "2 difference(s)" in message
    plan = ChildProtectionPlan.objects.get()
    assert f"cp_plan_end {plan.pk} (child C100 on 2025-02-11): event_date stored as 2025-02-11" in message
    assert "the records say 2025-02-10" in message
    assert "code stored as 'PHY', the records say 'NEG'" in message


def test_missing_and_unbacked_events_are_named(full_journey: Referral) -> None:
    JourneyEvent.objects.filter(event_type="cp_review").delete()
    JourneyEvent.objects.create(
        event_type="contact",
        event_date=D(2024, 4, 1),
        child_id=full_journey.child_id,
        la_child_id="C100",
        source_id=999,
    )
    found = [str(d) for d in check_table()]
    assert found == [
        "contact 999 (child C100 on 2024-04-01): stored but not in the records",
        f"cp_review {full_journey.cp_plans.get().reviews.get().pk} (child C100 on 2024-08-20): "
        "in the records but not stored",
    ]


def test_check_names_only_the_first_few(full_journey: Referral) -> None:
    JourneyEvent.objects.all().delete()
    with pytest.raises(CommandError) as err:
        call_command("journey", "check", "--show", "3")
    assert "10 difference(s)" in str(err.value)
    assert "… and 7 more" in str(err.value)


def test_rebuild_puts_the_table_right(full_journey: Referral) -> None:
    JourneyEvent.objects.filter(event_type="referral").delete()
    JourneyEvent.objects.filter(event_type="icpc").update(start_date=None)
    assert len(check_table()) == 2
    out = StringIO()
    call_command("journey", "rebuild", stdout=out)
    assert "10 rows" in out.getvalue()
    assert check_table() == []


def test_events_that_change_later_are_updated_in_place(referral: Referral, worker_user: User) -> None:
    u = worker_user
    s47 = protection.section47_start(referral=referral, start_date=D(2024, 5, 3), acting_user=u)
    protection.section47_conference_not_required(enquiry=s47, acting_user=u)
    second = protection.section47_start(referral=referral, start_date=D(2024, 6, 3), acting_user=u)
    plan = protection.conference_record(
        enquiry=second, conference_date=D(2024, 6, 14), plan_needed=True, category="NEG", acting_user=u
    )
    assert plan is not None
    protection.cp_plan_review(plan=plan, review_date=D(2024, 9, 2), latest_category="EMO", acting_user=u)
    protection.cp_plan_end(plan=plan, end_date=D(2024, 12, 2), acting_user=u)
    events = journey_events()
    flags = events.filter(events["event_type"] == "s47_start").select("source_id", "flag").rows()
    assert flags == [(s47.pk, True), (second.pk, False)]
    end = events.filter(events["event_type"] == "cp_plan_end").row(0, named=True)
    assert (end["code"], end["start_date"]) == ("EMO", D(2024, 6, 14))
    assert check_table() == []


def test_a_conference_recorded_on_the_episode_is_an_initial_conference_without_an_enquiry(
    referral: Referral, worker_user: User
) -> None:
    with pytest.raises(ServiceError, match="Saturday"):
        casework.referral_record_initial_conference(
            referral=referral, conference_date=D(2024, 5, 18), acting_user=worker_user
        )
    referral.refresh_from_db()
    assert referral.initial_conference_date is None
    casework.referral_record_initial_conference(
        referral=referral, conference_date=D(2024, 5, 20), acting_user=worker_user
    )
    conference = journey_events().filter(event_type="icpc").row(0, named=True)
    assert (conference["event_date"], conference["start_date"], conference["episode_id"]) == (
        D(2024, 5, 20),
        None,
        referral.pk,
    )
    assert journey_events().equals(rebuild_events())
