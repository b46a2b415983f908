"""The loaded demo borough shows what access depends on: every partner's researcher sees what their
agency contributed or referred, contributions keep their own times, and the demo accounts come with a
restricted record and a use of break glass. The front-door accounts find what docs/demo.md says they
find: a live queue, open information requests, CSE cases and a partner API key."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from pytest_django.fixtures import Settings as SettingsWrapper

from openmash.access import policy
from openmash.access.models import AuditEvent, BreakGlassGrant, ChildRestriction
from openmash.accounts.models import Role, User
from openmash.demo.accounts import DEMO_ACCOUNTS, demo_api_key, ensure_demo_users
from openmash.demo.generator import Borough
from openmash.demo.simulate import as_of_moment
from openmash.front_door.models import (
    AgencyContribution,
    Contact,
    ContactAdult,
    ContributionShare,
    CSECase,
    CSEScreening,
    CumulativeConcernAlert,
    Disclosure,
    EarlyHelpPackage,
    FrontDoorSettings,
    InformationRequest,
    PartnerApiToken,
    RagRating,
    ReferrerFeedback,
    SharingLevel,
)
from openmash.front_door.oversight.selectors import (
    LedgerFilters,
    disclosure_search,
    front_door_flow,
    open_early_help,
    overdue_contacts,
)
from openmash.front_door.selectors import visible_contributions
from openmash.people.matching import find_matches
from openmash.people.models import Child
from openmash.workforce.models import StaffMember, Team

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


def test_every_front_door_table_has_rows_made_by_mash_staff(loaded: None) -> None:
    for model in (
        Contact,
        RagRating,
        InformationRequest,
        AgencyContribution,
        ContributionShare,
        EarlyHelpPackage,
        Disclosure,
        ReferrerFeedback,
        CSEScreening,
        CSECase,
        CumulativeConcernAlert,
        CumulativeConcernAlert.contacts.through,
        ContactAdult,
        PartnerApiToken,
    ):
        assert model._default_manager.exists(), model.__name__
    # The data follows the default timescales, and the borough keeps them.
    settings = FrontDoorSettings.current()
    assert (settings.red_decision, settings.amber_decision, settings.green_decision) == (4, 1, 3)
    # The MASH staff who rated, asked and decided have accounts that cannot sign in.
    acting = User.objects.filter(
        Q(pk__in=RagRating.objects.values("rated_by")) | Q(pk__in=InformationRequest.objects.values("requested_by"))
    )
    assert acting.count() >= 3
    for user in acting:
        assert user.username.endswith(".generated")
        assert not user.is_active
        assert not user.has_usable_password()
        assert StaffMember.objects.filter(
            team__kind=Team.Kind.MASH, first_name=user.first_name, last_name=user.last_name
        ).exists()


def _unrestricted(children: Iterable[int]) -> set[int]:
    return set(Child.objects.filter(pk__in=list(children), restriction__isnull=True).values_list("pk", flat=True))


def test_the_mash_sees_a_live_queue(loaded: None) -> None:
    mash, manager = User.objects.get(username="mash.demo"), User.objects.get(username="mashmgr.demo")
    waiting = Contact.objects.filter(outcome="")
    assert waiting.filter(child__isnull=True).count() >= 5  # not yet matched
    assert waiting.filter(child__isnull=False, rag="").exists()  # not yet rated
    assert waiting.filter(information_requests__status="open").exists()  # waiting for agency checks
    assert waiting.filter(decision_due_at__lt=as_of_moment(AS_OF)).exists()  # overdue
    assert set(waiting.exclude(rag="").values_list("rag", flat=True)) == {"red", "amber", "green"}
    assert waiting.filter(owner=mash).exists()  # their own enquiries
    linked = _unrestricted(waiting.filter(child__isnull=False).values_list("child_id", flat=True))
    for user in (mash, manager):
        assert policy.works_front_door(user)
        assert linked <= set(policy.visible_children(user).values_list("pk", flat=True))
    assert policy.manages_front_door(manager)
    assert policy.can_search_disclosures(manager)
    assert not policy.manages_front_door(mash)
    assert manager.staff.team.kind == Team.Kind.MASH
    assert manager.staff.job_role == StaffMember.JobRole.TEAM_MANAGER


def _matches(contact: Contact) -> list[int]:
    found = find_matches(
        first_name=contact.subject_first_name,
        last_name=contact.subject_last_name,
        date_of_birth=contact.subject_date_of_birth,
        postcode=contact.subject_postcode,
        nhs_number=contact.subject_nhs_number,
        upn=contact.subject_upn,
        limit=3,
    )
    return [m.child_id for m in found]


def test_person_matching_finds_the_children_contacts_describe_with_slips(loaded: None) -> None:
    # Contacts linked to a child although they described the child with a slip: matching still finds them.
    slipped = (
        Contact.objects.filter(child__isnull=False)
        .exclude(channel="recorded")
        .exclude(subject_first_name=F("child__first_name"), subject_last_name=F("child__last_name"))
    )
    found = [c.child_id in _matches(c) for c in slipped]
    assert len(found) >= 50
    assert sum(found) / len(found) >= 0.85
    # Of those waiting to be matched, some are found on the register and some are children nobody knows.
    results = [_matches(c) for c in Contact.objects.filter(child__isnull=True)]
    assert any(results)
    assert not all(results)


def test_researchers_have_open_requests_for_children_they_can_look_up(loaded: None) -> None:
    for username, agency in (("health.demo", "health"), ("policeresearch.demo", "police")):
        user = User.objects.get(username=username)
        inbox = InformationRequest.objects.filter(agency=agency, status="open")
        assert inbox.count() >= 2, username
        assert policy.answers_information_requests(user, agency)
        asked = _unrestricted(inbox.values_list("contact__child_id", flat=True))
        assert asked <= set(policy.visible_children(user).values_list("pk", flat=True))


def test_the_police_system_has_a_demo_api_key(loaded: None) -> None:
    researcher = User.objects.get(username="policeresearch.demo")
    token = PartnerApiToken.objects.get(acting_user=researcher)
    key = demo_api_key()
    assert token.agency == "police"
    assert token.revoked_at is None
    assert key.startswith(f"om_{token.prefix}_")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    out = StringIO()
    call_command("demo-users", "--format", "json", stdout=out)
    listed = {row["username"]: row for row in json.loads(out.getvalue())}
    assert listed["policeresearch.demo"]["api_key"] == key
    assert {"mashmgr.demo", "policeresearch.demo", "cse.demo"} <= set(listed)
    assert sum("api_key" in row for row in listed.values()) == 1
    assert PartnerApiToken.objects.count() == 1  # a second run changes nothing


def test_the_cse_worker_holds_open_cse_cases(loaded: None) -> None:
    user = User.objects.get(username="cse.demo")
    assert policy.works_cse(user)
    assert user.staff.team.kind == Team.Kind.CSE
    cases = CSECase.objects.filter(worker=user.staff, closed_on__isnull=True)
    assert cases.count() >= 2
    visible = set(policy.visible_children(user).values_list("pk", flat=True))
    assert _unrestricted(cases.values_list("child_id", flat=True)) <= visible


def test_the_mash_manager_sees_the_flow_the_overdue_and_the_ledger(loaded: None) -> None:
    manager = User.objects.get(username="mashmgr.demo")
    moment = as_of_moment(AS_OF)
    flow = front_door_flow(user=manager, now=moment)
    assert flow.unmatched >= 5
    assert flow.overdue >= 3
    assert all(r.count > 0 for r in flow.open_by_rag if r.rag)  # red, amber and green waiting
    assert flow.received_today > 0
    assert flow.decided_week > 0
    assert flow.checks_outstanding > 0
    assert flow.checks_overdue > 0
    overdue = overdue_contacts(user=manager, now=moment)
    assert overdue.page.paginator.count + overdue.hidden == flow.overdue
    assert disclosure_search(user=manager, filters=LedgerFilters()).paginator.count > 0
    assert open_early_help(user=manager).paginator.count > 0
