"""The loaded demo borough shows what access depends on: every partner's researcher sees what their
agency contributed or referred, contributions keep their own times, and the demo accounts come with a
restricted record and a use of break glass."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from pytest_django.fixtures import Settings as SettingsWrapper

from openmash.access import policy
from openmash.access.models import AuditEvent, BreakGlassGrant, ChildRestriction
from openmash.accounts.models import Role, User
from openmash.demo.accounts import DEMO_ACCOUNTS, ensure_demo_users
from openmash.demo.generator import Borough
from openmash.front_door.models import AgencyContribution, Contact, ContributionShare, SharingLevel
from openmash.front_door.selectors import visible_contributions

from .conftest import AS_OF


@pytest.fixture
def loaded(db: None, settings: SettingsWrapper) -> None:
    settings.OPENMASH_DEMO = True
    call_command(
        "generate", "--size", "small", "--seed", "1", "--as-of", AS_OF.isoformat(), "--no-progress", stdout=StringIO()
    )
    ensure_demo_users()


def test_contributions_and_waiting_contacts_load_as_built(loaded: None, small: Borough) -> None:
    assert small.contributions is not None
    built = small.contributions.contributions
    assert AgencyContribution.objects.count() == built.height
    assert ContributionShare.objects.count() == small.contributions.shares.height
    first = AgencyContribution.objects.order_by("pk").first()
    assert first is not None
    assert first.created_at == built["created_at"][0]  # answered at its own time, in whole seconds
    assert first.created_at > first.contact.received_at  # type: ignore[union-attr]
    waiting = Contact.objects.filter(outcome="")
    assert waiting.count() == small.frames.contacts.filter(small.frames.contacts["outcome"] == "").height
    assert not waiting.filter(decided_at__isnull=False).exists()


def test_every_researcher_sees_what_their_agency_contributed(loaded: None) -> None:
    researchers = [a.username for a in DEMO_ACCOUNTS if Role.AGENCY_RESEARCHER in a.roles]
    assert len(researchers) == 7
    for user in User.objects.filter(username__in=researchers):
        contributed = policy.visible_children(user).filter(agency_contributions__agency=user.agency).distinct()
        assert contributed.exists(), user.username
        levels = set()
        for child in contributed:
            basis = policy.basis_for(user, child)
            assert basis == policy.Basis.AGENCY
            seen = visible_contributions(user=user, child=child, basis=basis)
            assert seen.filter(agency=user.agency).exists()
            # Another agency's item is seen only when it was shared to this agency.
            for item in seen.exclude(agency=user.agency):
                assert item.sharing_level == SharingLevel.PARTNERS
                assert item.shares.filter(agency=user.agency).exists()
            levels |= set(seen.filter(agency=user.agency).values_list("sharing_level", flat=True))
        assert levels == set(SharingLevel.values), user.username  # their own items at every level


def test_the_demo_has_a_restricted_record_and_a_break_glass_use(loaded: None) -> None:
    sw, tm, mash = (User.objects.get(username=name) for name in ("sw.demo", "tm.demo", "mash.demo"))
    restriction = ChildRestriction.objects.get()
    assert set(restriction.allowed_users.all()) == {sw, tm}
    assert policy.basis_for(sw, restriction.child) == policy.Basis.NAMED
    assert not policy.visible_children(mash).filter(pk=restriction.child_id).exists()
    grant = BreakGlassGrant.objects.get()
    assert grant.user == sw
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.BREAK_GLASS, object_id=str(grant.pk), child_id=grant.child_id
    ).exists()
    assert policy.break_glass_reviewable_by(tm).filter(pk=grant.pk).exists()
