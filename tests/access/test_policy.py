"""The policy in data (world.CHILD_VISIBLE_TO) against the code that enforces it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import BreakGlassGrant
from openmash.front_door.selectors import visible_contacts, visible_contributions

from .world import ACCOUNTS, CHILD_VISIBLE_TO, World


def test_visible_children_follow_the_declared_policy(world: World) -> None:
    # The declared children only: each area's world module (world_<area>.py) tests its own additions.
    declared = {child.la_child_id for child in world.children.values()}
    for username in ACCOUNTS:
        visible = declared & set(policy.visible_children(world.users[username]).values_list("la_child_id", flat=True))
        expected = {world.children[k].la_child_id for k, who in CHILD_VISIBLE_TO.items() if username in who}
        assert visible == expected, username
        for key, child in world.children.items():
            assert policy.can_view_child(world.users[username], child) is (username in CHILD_VISIBLE_TO[key]), (
                username,
                key,
            )


def test_councillors_see_no_child_whatever_else_is_true(world: World) -> None:
    cllr = world.users["cllr"]
    BreakGlassGrant.objects.create(
        user=cllr,
        child=world.children["other_service"],
        reason="x" * 30,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    assert not policy.visible_children(cllr).exists()
    assert not policy.may_break_glass(cllr)


def test_restricted_record_is_hidden_even_from_the_allocated_worker_and_break_glass(world: World) -> None:
    sw = world.users["sw"]
    restricted = world.children["restricted"]
    assert not policy.can_view_child(sw, restricted)
    BreakGlassGrant.objects.create(
        user=sw, child=restricted, reason="x" * 30, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert not policy.can_view_child(sw, restricted)
    assert policy.basis_for(world.users["tm"], restricted) == policy.Basis.NAMED


def test_break_glass_grants_sight_for_a_while_but_not_the_right_to_change(world: World) -> None:
    analyst = world.users["analyst"]
    child = world.children["other_service"]
    grant = BreakGlassGrant.objects.create(
        user=analyst, child=child, reason="x" * 30, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert policy.basis_for(analyst, child) == policy.Basis.BREAK_GLASS
    assert not policy.can_change_child(analyst, child)
    grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
    grant.save()
    assert not policy.can_view_child(analyst, child)


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("police", {"police_shared", "police_private", "health_record"}),  # MASH practitioner: all of them
        ("mash", {"police_shared", "police_private", "health_record"}),
        ("health", {"health_record", "police_shared"}),  # own, and police's shared to health
        ("education", set()),  # cannot see the child at all
        ("sw", set()),  # not in their scope
    ],
)
def test_agency_contributions_follow_sharing_levels(world: World, username: str, expected: set[str]) -> None:
    child = world.children["health_referred"]
    user = world.users[username]
    seen = set(visible_contributions(user=user, child=child, basis=policy.basis_for(user, child)))
    assert seen == {world.contributions[k] for k in expected}


def test_partner_agency_sees_only_its_own_contacts_and_no_casework(world: World) -> None:
    health = world.users["health"]
    child = world.children["health_referred"]
    assert policy.basis_for(health, child) == policy.Basis.AGENCY
    assert not policy.can_view_casework(health, child)
    contacts = visible_contacts(user=health, child=child, basis=policy.basis_for(health, child))
    assert contacts
    assert all(c.referrer_agency == "health" for c in contacts)


def test_who_may_change_a_record(world: World) -> None:
    u, c = world.users, world.children
    assert policy.can_change_child(u["sw"], c["allocated"])
    assert policy.can_change_child(u["sw"], c["team"])
    assert not policy.can_change_child(u["sw"], c["same_service"])
    assert policy.can_authorise(u["tm"], c["same_service"])
    assert not policy.can_authorise(u["sw"], c["allocated"])
    assert not policy.can_change_child(u["health"], c["health_referred"])
    assert policy.can_change_child(u["tm"], c["restricted"])


def test_exports_are_for_the_right_roles(world: World) -> None:
    allowed = {
        policy.Export.AUDIT_LOG: {"auditor"},
        policy.Export.CASELOAD: {"tm", "sm", "mash_manager"},  # managers in children's social care
        policy.Export.AGGREGATES: {"analyst", "tm", "sm", "mash_manager", "cllr"},
    }
    for export, who in allowed.items():
        assert {u for u in ACCOUNTS if policy.can_export(world.users[u], export)} == who, export
