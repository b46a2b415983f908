"""Cumulative concern: contacts about a child or their brothers and sisters, each decided no further action,
that together pass the authority's threshold alert the hub; the hub acknowledges the alert; the pattern shows on
the child's record for those who read casework."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openmash.access.models import AuditEvent
from openmash.access.services import child_restrict
from openmash.accounts.models import Agency
from openmash.core.codes import RelationshipType
from openmash.front_door.models import AgencyContribution, Contact, CumulativeConcernAlert, FrontDoorSettings
from openmash.people.models import Child, Relationship

from .cse_setup import Hub, build_hub, contact, decide, new_child

NFA = Contact.Outcome.NO_FURTHER_ACTION
AGENCIES = [Agency.POLICE, Agency.HEALTH, Agency.EDUCATION, Agency.HOUSING]


@pytest.fixture
def hub(db: None) -> Hub:
    return build_hub()


@pytest.fixture
def rules(db: None) -> FrontDoorSettings:
    return FrontDoorSettings.current()


def _nfa(hub: Hub, child: Child, agency: str, days_ago: float) -> Contact:
    item = contact(hub, child, agency=agency, received_at=timezone.now() - dt.timedelta(days=days_ago))
    return decide(hub, item, NFA)


def _pattern(hub: Hub, child: Child, count: int, agencies: list[str], *, start_days_ago: float = 40) -> list[Contact]:
    """`count` NFA contacts about the child, a few days apart, the agencies taken in turn."""
    return [_nfa(hub, child, agencies[i % len(agencies)], start_days_ago - 3 * i) for i in range(count)]


def test_an_alert_is_raised_exactly_at_the_threshold(hub: Hub, rules: FrontDoorSettings) -> None:
    child = new_child(hub)
    below = _pattern(hub, child, rules.concern_contacts - 1, AGENCIES[: rules.concern_agencies])
    assert not CumulativeConcernAlert.objects.exists()
    last = _nfa(hub, child, AGENCIES[0], 1)
    alert = CumulativeConcernAlert.objects.get()
    assert alert.child == child
    assert set(alert.contacts.all()) == {*below, last}
    assert sorted(alert.agencies) == sorted(set(AGENCIES[: rules.concern_agencies]))


def test_one_agency_alone_raises_no_alert(hub: Hub, rules: FrontDoorSettings) -> None:
    assert rules.concern_agencies >= 2
    _pattern(hub, new_child(hub), rules.concern_contacts + 2, [Agency.POLICE])
    assert not CumulativeConcernAlert.objects.exists()


def test_contacts_from_the_public_count_by_their_source(hub: Hub, rules: FrontDoorSettings) -> None:
    child = new_child(hub)
    _pattern(hub, child, rules.concern_contacts - 1, [Agency.POLICE])
    public = contact(hub, child, source="1A", received_at=timezone.now() - dt.timedelta(days=2))
    decide(hub, public, NFA)
    assert CumulativeConcernAlert.objects.get().agencies == sorted([Agency.POLICE.value, "source:1A"])


def test_only_no_further_action_counts(hub: Hub, rules: FrontDoorSettings) -> None:
    child = new_child(hub)
    _pattern(hub, child, rules.concern_contacts - 1, AGENCIES)
    advice = contact(hub, child, agency=Agency.HOUSING, received_at=timezone.now() - dt.timedelta(days=1))
    decide(hub, advice, Contact.Outcome.ADVICE)
    assert not CumulativeConcernAlert.objects.exists()


def test_brothers_and_sisters_count_together(hub: Hub, rules: FrontDoorSettings) -> None:
    child, sister, stranger = new_child(hub), new_child(hub), new_child(hub)
    Relationship.objects.create(child=sister, other_child=child, relationship_type=RelationshipType.HALF_SIBLING)
    first = _pattern(hub, child, rules.concern_contacts - 1, [Agency.POLICE])
    _nfa(hub, stranger, Agency.HEALTH, 2)  # not family: does not count
    assert not CumulativeConcernAlert.objects.exists()
    last = _nfa(hub, sister, Agency.HEALTH, 1)
    alert = CumulativeConcernAlert.objects.get()
    assert alert.child == sister  # raised on the child whose decision completed the pattern
    assert set(alert.contacts.all()) == {*first, last}


def test_contacts_outside_the_window_do_not_count(hub: Hub, rules: FrontDoorSettings) -> None:
    child = new_child(hub)
    # Safely outside and safely inside the window of concern_months months, whatever a month's length.
    outside = rules.concern_months * 31 + 2
    inside = rules.concern_months * 28 - 2
    _nfa(hub, child, AGENCIES[0], outside)
    _pattern(hub, child, rules.concern_contacts - 1, AGENCIES[1:], start_days_ago=inside)
    assert not CumulativeConcernAlert.objects.exists()
    _nfa(hub, child, AGENCIES[0], 1)
    alert = CumulativeConcernAlert.objects.get()
    assert alert.contacts.count() == rules.concern_contacts


def test_the_same_contacts_raise_one_alert_and_a_new_one_raises_another(hub: Hub, rules: FrontDoorSettings) -> None:
    from openmash.front_door.services import cumulative_concern_check

    child = new_child(hub)
    _pattern(hub, child, rules.concern_contacts, AGENCIES)
    first = CumulativeConcernAlert.objects.get()
    assert cumulative_concern_check(child=child, acting_user=hub.mash) is None
    assert CumulativeConcernAlert.objects.count() == 1
    newest = _nfa(hub, child, AGENCIES[0], 0.5)
    second = CumulativeConcernAlert.objects.exclude(pk=first.pk).get()
    assert newest in second.contacts.all()
    assert second.contacts.count() == rules.concern_contacts + 1


def test_the_authority_sets_the_threshold(hub: Hub, rules: FrontDoorSettings) -> None:
    rules.concern_contacts, rules.concern_agencies = 4, 3
    rules.save()
    child = new_child(hub)
    _pattern(hub, child, 3, AGENCIES[:3])
    assert not CumulativeConcernAlert.objects.exists()
    _nfa(hub, child, AGENCIES[0], 1)
    assert CumulativeConcernAlert.objects.exists()


# Pages -------------------------------------------------------------------------------------------


def test_the_hub_lists_alerts_unacknowledged_first_and_acknowledges_one(hub: Hub, rules: FrontDoorSettings) -> None:
    older, newer = new_child(hub), new_child(hub)
    _pattern(hub, older, rules.concern_contacts, AGENCIES, start_days_ago=20)
    _pattern(hub, newer, rules.concern_contacts, AGENCIES, start_days_ago=10)
    first = CumulativeConcernAlert.objects.get(child=older)
    second = CumulativeConcernAlert.objects.get(child=newer)
    client = hub.client_for(hub.mash)
    page = client.get("/cumulative-concern/").content.decode()
    assert page.index(newer.full_name) < page.index(older.full_name)  # newest first while both wait

    url = f"/cumulative-concern/{second.pk}/"
    empty = client.post(url, {"action_taken": "  "})
    assert "Say what the hub will do about the pattern" in empty.content.decode()
    done = client.post(url, {"action_taken": "Strategy discussion arranged for Monday"})
    assert done["Location"] == url
    second.refresh_from_db()
    assert (second.acknowledged_by, second.action_taken) == (hub.mash, "Strategy discussion arranged for Monday")
    page = client.get("/cumulative-concern/").content.decode()
    assert page.index(older.full_name) < page.index(newer.full_name)  # the one still to acknowledge comes first
    assert first.acknowledged_at is None
    viewed = AuditEvent.objects.filter(user=hub.mash, detail__page="cumulative concern alert", child_id=newer.pk)
    assert viewed.exists()


def test_alert_pages_are_for_the_mash_and_hide_restricted_children(hub: Hub, rules: FrontDoorSettings) -> None:
    child = new_child(hub)
    _pattern(hub, child, rules.concern_contacts, AGENCIES)
    alert = CumulativeConcernAlert.objects.get()
    url = f"/cumulative-concern/{alert.pk}/"
    assert hub.client_for(hub.police).get(url).status_code == 200
    assert hub.client_for(hub.cse).get(url).status_code == 404
    assert hub.client_for(hub.sw).get("/cumulative-concern/").status_code == 404
    assert hub.client_for(hub.mash).get("/cumulative-concern/99999999999999999999/").status_code == 404
    child_restrict(child=child, reason="High-profile family", allowed=[], acting_user=hub.mash_manager)
    assert hub.client_for(hub.police).get(url).status_code == 404
    assert child.full_name not in hub.client_for(hub.police).get("/cumulative-concern/").content.decode()
    assert hub.client_for(hub.mash_manager).get(url).status_code == 200


def test_an_alert_keeps_the_hub_sighted_until_it_is_acknowledged(hub: Hub, rules: FrontDoorSettings) -> None:
    child = new_child(hub)
    # Every contact older than the MASH's usual sight of a child (30 days by default).
    _pattern(hub, child, rules.concern_contacts, AGENCIES, start_days_ago=60)
    alert = CumulativeConcernAlert.objects.get()
    client = hub.client_for(hub.mash)
    assert client.get(f"/children/{child.la_child_id}/").status_code == 200
    client.post(f"/cumulative-concern/{alert.pk}/", {"action_taken": "Passed to the allocated worker"})
    assert client.get(f"/children/{child.la_child_id}/").status_code == 404


def test_the_pattern_shows_on_the_record_for_casework_readers_only(hub: Hub, rules: FrontDoorSettings) -> None:
    child, brother = new_child(hub), new_child(hub)
    Relationship.objects.create(child=child, other_child=brother, relationship_type=RelationshipType.SIBLING)
    mine = _pattern(hub, child, rules.concern_contacts - 1, [Agency.POLICE, Agency.EDUCATION], start_days_ago=100)
    _nfa(hub, brother, Agency.HEALTH, 1)
    page = hub.client_for(hub.mash).get(f"/children/{child.la_child_id}/").content.decode()
    assert "Cumulative concern raised" in page
    section = page[page.index("Cumulative concern raised") :]
    for item in mine:
        assert timezone.localtime(item.received_at).strftime("%-d %B %Y") in section
    for agency in ("Police", "Education", "Health"):
        assert agency in section
    assert "No further action" in section
    # The MASH sees the brother (through his recent contact), so he is named; his own record shows it too.
    assert brother.full_name in section
    assert (
        "Cumulative concern raised"
        in hub.client_for(hub.mash).get(f"/children/{brother.la_child_id}/").content.decode()
    )
    # A partner agency that sees the child only through its own contribution sees no pattern.
    AgencyContribution.objects.create(child=child, agency=Agency.HEALTH, summary="Clinic letter")
    health = hub.client_for(hub.health).get(f"/children/{child.la_child_id}/").content.decode()
    assert "Clinic letter" in health
    assert "Cumulative concern" not in health
