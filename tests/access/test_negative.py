"""What must never happen: leaks by guessing, searching, exporting or outliving a session."""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, transaction
from django.test import Client

from openmash.access.models import AuditEvent, BreakGlassGrant
from openmash.people.models import Child

from .world import World

_VOLATILE = re.compile(rb'nonce="[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"|T\d{4}|NOPE\d+')


def _same_page(a: bytes, b: bytes) -> bool:
    return _VOLATILE.sub(b"", a) == _VOLATILE.sub(b"", b)


def test_a_forbidden_child_answers_exactly_like_a_missing_one(world: World) -> None:
    client = world.client_for("sw")
    forbidden = client.get(f"/children/{world.children['other_service'].la_child_id}/")
    missing = client.get("/children/NOPE9999/")
    assert forbidden.status_code == missing.status_code == 404
    assert _same_page(forbidden.content, missing.content)
    restricted = client.get(f"/children/{world.children['restricted'].la_child_id}/who-has-seen/")
    assert restricted.status_code == 404
    assert _same_page(restricted.content, client.get("/children/NOPE9999/who-has-seen/").content)


def test_search_never_returns_children_outside_the_users_scope(world: World) -> None:
    client = world.client_for("sw")
    for key in ("restricted", "other_service", "mash_recent"):
        child = world.children[key]
        response = client.get("/children/", {"q": child.la_child_id})
        assert list(response.context["page_obj"]) == [], key
        response = client.get("/children/", {"q": child.first_name})
        assert child not in list(response.context["page_obj"]), key
    allowed = client.get("/children/", {"q": world.children["allocated"].la_child_id})
    assert list(allowed.context["page_obj"]) == [world.children["allocated"]]


def test_every_search_and_child_view_is_audited(world: World) -> None:
    client = world.client_for("sw")
    child = world.children["allocated"]
    client.get("/children/", {"q": "Testchild"})
    client.get(f"/children/{child.la_child_id}/")
    search = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert search.user == world.users["sw"]
    assert search.detail == {"query": "Testchild", "results": 2}  # allocated and team, not the restricted one
    view = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (view.child_id, view.detail["basis"]) == (child.pk, "allocated to them")


def test_councillor_gets_no_child_level_page_search_or_file(world: World) -> None:
    client = world.client_for("cllr")
    for child in world.children.values():
        for url in (f"/children/{child.la_child_id}/", f"/children/{child.la_child_id}/who-has-seen/"):
            assert client.get(url).status_code == 404
    assert client.get("/children/", {"q": "Testchild"}).status_code == 404
    assert client.get("/children/open-with-reason/").status_code == 404
    assert client.get("/access/audit-log/", {"start": "2020-01-01", "end": "2030-01-01"}).status_code == 404
    headlines = client.get("/performance/")
    assert headlines.status_code == 200
    assert b"Testchild" not in headlines.content
    assert not AuditEvent.objects.filter(user=world.users["cllr"], child_id__isnull=False).exists()


def test_audit_log_export_is_for_auditors_and_is_itself_audited(world: World) -> None:
    world.client_for("sw").get(f"/children/{world.children['allocated'].la_child_id}/")
    for role in ("sw", "tm", "sm", "analyst", "admin", "cllr"):
        assert (
            world.client_for(role).get("/access/audit-log/", {"start": "2020-01-01", "end": "2099-01-01"}).status_code
            == 404
        ), role
    response = world.client_for("auditor").get("/access/audit-log/", {"start": "2020-01-01", "end": "2099-01-01"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "sw,view" in body
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=world.users["auditor"]).exists()


def test_audit_export_refuses_a_backwards_period_and_changes_nothing(world: World) -> None:
    before = AuditEvent.objects.count()
    response = world.client_for("auditor").get("/access/audit-log/", {"start": "2025-02-01", "end": "2025-01-01"})
    assert b"The last day must be the same as or after the first day" in response.content
    assert AuditEvent.objects.count() == before


def test_an_expired_session_must_sign_in_again(world: World) -> None:
    client = world.client_for("sw")
    session = client.session
    session.set_expiry(-1)
    session.save()
    response = client.get(f"/children/{world.children['allocated'].la_child_id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_break_glass_needs_a_reason_is_recorded_and_shown_to_the_manager(world: World) -> None:
    client = world.client_for("sw")
    target = world.children["same_service"]
    short = client.post("/children/open-with-reason/", {"la_child_id": target.la_child_id, "reason": "need it"})
    assert short.status_code == 200
    assert b"at least 20 characters" in short.content
    assert not BreakGlassGrant.objects.exists()
    reason = "Police called out of hours; allocated team unreachable"
    opened = client.post("/children/open-with-reason/", {"la_child_id": target.la_child_id, "reason": reason})
    assert opened.status_code == 302
    assert client.get(opened["Location"]).status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.BREAK_GLASS)
    assert (event.child_id, event.reason) == (target.pk, reason)
    reviews = world.client_for("tm").get("/access/break-glass/")
    assert reason.encode() in reviews.content
    who = world.client_for("tm").get(f"/children/{target.la_child_id}/who-has-seen/")
    assert b"break glass" in who.content


def test_break_glass_cannot_reach_a_restricted_record_and_says_not_found(world: World) -> None:
    client = world.client_for("education")
    reason = "Checking a data quality problem in the return"
    restricted = client.post(
        "/children/open-with-reason/", {"la_child_id": world.children["restricted"].la_child_id, "reason": reason}
    )
    missing = client.post("/children/open-with-reason/", {"la_child_id": "NOPE1234", "reason": reason})
    assert b"No child found with that LA child ID" in restricted.content
    assert _same_page(restricted.content, missing.content)
    assert not BreakGlassGrant.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DENIED).count() == 2


def test_the_audit_trail_cannot_be_changed_or_deleted(world: World) -> None:
    world.client_for("sw").get(f"/children/{world.children['allocated'].la_child_id}/")
    event = AuditEvent.objects.get(user=world.users["sw"])  # the world's restriction is audited too
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="edited"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
    ):
        try:
            with transaction.atomic():
                attempt()
        except DatabaseError:
            pass
        else:
            raise AssertionError("the database allowed the audit trail to change")
    event.refresh_from_db()
    assert event.summary.startswith("Viewed child record")


def test_changes_keep_old_and_new_values_with_who_made_them(world: World) -> None:
    from openmash.access.services import child_restrict

    child: Child = world.children["same_service"]
    child_restrict(child=child, reason="High-profile case", allowed=[world.users["sm"]], acting_user=world.users["tm"])
    entry = LogEntry.objects.filter(object_repr__icontains="restriction").latest("timestamp")
    assert entry.actor == world.users["tm"]
    assert "reason" in entry.changes_dict
    assert world.client_for("sw").get(f"/children/{child.la_child_id}/").status_code == 404  # now restricted


def test_admin_is_for_system_administrators_only_and_does_not_loop(world: World) -> None:
    for role in ("sw", "tm", "auditor", "cllr"):
        client = world.client_for(role)
        # Followed through: no chain of redirects, just "no such page".
        response = client.get("/admin/", follow=True)
        assert response.status_code == 404, role
        assert len(response.redirect_chain) == 0, (role, response.redirect_chain)
        assert client.get("/admin/login/?next=/admin/").status_code == 404, role
    assert world.client_for("admin").get("/admin/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/admin/workforce/allocation/", "/admin/access/auditevent/", "/admin/auditlog/logentry/"]
)
def test_the_admin_shows_no_child_data_or_audit_rows(world: World, path: str) -> None:
    response = world.client_for("admin").get(path)
    assert response.status_code == 404
    index = world.client_for("admin").get("/admin/").content.decode()
    assert "Allocations" not in index
    assert "Audit events" not in index
    assert "Log entries" not in index


def test_signed_in_without_a_second_factor_reaches_nothing(world: World) -> None:
    client = Client()
    client.force_login(world.users["sw"])
    response = client.get(f"/children/{world.children['allocated'].la_child_id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/code/")


def test_a_manager_restricts_a_record_and_the_social_worker_loses_sight_of_it(world: World) -> None:
    child = world.children["allocated"]
    sw = world.client_for("sw")
    assert sw.get(f"/children/{child.la_child_id}/").status_code == 200
    assert sw.get(f"/children/{child.la_child_id}/restrict/").status_code == 404
    tm = world.client_for("tm")
    refused = tm.post(f"/children/{child.la_child_id}/restrict/", {"reason": ""})
    assert b"Give the reason for restricting the record" in refused.content
    done = tm.post(
        f"/children/{child.la_child_id}/restrict/",
        {"reason": "Child of a member of staff", "allowed": [str(world.users["sm"].pk)]},
    )
    assert done.status_code == 302
    assert sw.get(f"/children/{child.la_child_id}/").status_code == 404
    assert world.client_for("sm").get(f"/children/{child.la_child_id}/").status_code == 200
    assert tm.get(f"/children/{child.la_child_id}/").status_code == 200
