"""Visits and case notes: recorded through the services for a child the user may change, read through the
policy (a restricted note only for its author and the managers holding the child), and edits that someone
else overtook refused with what changed, keeping what was typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openmash.access.models import AuditEvent
from openmash.accounts.models import Role, User, UserRole
from openmash.casework.models import CaseNote, Visit
from openmash.casework.recording import selectors, services
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.people.models import Child
from openmash.workforce.models import StaffMember

from ..accounts.helpers import sign_in_verified

D = dt.date


@pytest.fixture
def colleague(worker_user: User) -> User:
    """Another social worker in the same team, who sees the child through the team."""
    user = User.objects.create_user(username="colleague", password="x-long-password-here", first_name="Cal")
    UserRole.objects.create(user=user, role=Role.SOCIAL_WORKER)
    StaffMember.objects.create(
        user=user,
        first_name="Cal",
        last_name="Colleague",
        team=worker_user.staff.team,  # type: ignore[attr-defined]
        job_role="social_worker",
        start_date=dt.date(2020, 1, 1),
    )
    return user


def _note(child: Child, user: User, *, restricted: bool = False, subject: str = "Home visit") -> CaseNote:
    return services.case_note_add(
        child=child,
        note_type="home_visit",
        occurred_on=D(2024, 6, 3),
        subject=subject,
        body="Mother was at home; the child showed me her room.",
        restricted=restricted,
        acting_user=user,
    )


def test_a_visit_is_recorded_and_listed_latest_first(child: Child, worker_user: User) -> None:
    staff = worker_user.staff  # type: ignore[attr-defined]
    for day, seen in ((D(2024, 6, 3), True), (D(2024, 6, 17), False)):
        services.visit_record(
            child=child,
            visit_date=day,
            purpose="cp_plan",
            seen=seen,
            seen_alone=seen,
            visited_by=staff,
            notes="Bedroom seen",
            acting_user=worker_user,
        )
    found = selectors.child_visits(user=worker_user, la_child_id=child.la_child_id)
    assert [(v.visit_date, v.seen) for v in found.visits] == [(D(2024, 6, 17), False), (D(2024, 6, 3), True)]
    assert AuditEvent.objects.filter(child_id=child.pk, detail__page="visits").exists()
    with pytest.raises(ServiceError, match="seen alone was seen") as err:
        services.visit_record(
            child=child,
            visit_date=D(2024, 6, 20),
            purpose="cp_plan",
            seen=False,
            seen_alone=True,
            visited_by=staff,
            acting_user=worker_user,
        )
    assert err.value.field == "seen"
    with pytest.raises(ServiceError, match="Select who visited"):
        services.visit_record(
            child=child,
            visit_date=D(2024, 6, 20),
            purpose="cp_plan",
            seen=True,
            visited_by=None,
            acting_user=worker_user,
        )
    assert Visit.objects.count() == 2


def test_someone_who_may_not_change_the_child_records_nothing(child: Child, worker_user: User) -> None:
    stranger = User.objects.create_user(username="stranger", password="x-long-password-here")
    UserRole.objects.create(user=stranger, role=Role.SOCIAL_WORKER)
    with pytest.raises(ServiceError, match="permission"):
        _note(child, stranger)
    with pytest.raises(ServiceError, match="permission"):
        services.visit_record(
            child=child,
            visit_date=D(2024, 6, 3),
            purpose="other",
            seen=True,
            visited_by=worker_user.staff,  # type: ignore[attr-defined]
            acting_user=stranger,
        )
    assert not CaseNote.objects.exists()
    assert not Visit.objects.exists()


def test_a_restricted_note_is_for_its_author_and_the_managers(
    child: Child, worker_user: User, manager_user: User, colleague: User
) -> None:
    _note(child, worker_user, subject="Open note")
    _note(child, worker_user, restricted=True, subject="Disclosure by the child")

    def subjects(user: User) -> list[str]:
        return sorted(n.subject for n in selectors.child_notes(user=user, la_child_id=child.la_child_id).notes)

    assert subjects(worker_user) == ["Disclosure by the child", "Open note"]
    assert subjects(manager_user) == ["Disclosure by the child", "Open note"]
    assert subjects(colleague) == ["Open note"]
    # A colleague cannot open the note to change it, nor restrict it further.
    note = CaseNote.objects.get(subject="Open note")
    with pytest.raises(ServiceError, match="Only the note's author or a manager"):
        services.case_note_edit(
            note=note,
            note_type=note.note_type,
            occurred_on=note.occurred_on,
            subject=note.subject,
            body=note.body,
            restricted=True,
            expected_version=note.version,
            acting_user=colleague,
        )
    # The manager restricts it further; the colleague no longer reads it.
    services.case_note_edit(
        note=note,
        note_type=note.note_type,
        occurred_on=note.occurred_on,
        subject=note.subject,
        body=note.body,
        restricted=True,
        expected_version=note.version,
        acting_user=manager_user,
    )
    assert subjects(colleague) == []


def test_a_note_edit_someone_overtook_shows_what_changed_and_keeps_what_was_typed(
    child: Child, worker_user: User, manager_user: User
) -> None:
    note = _note(child, worker_user)
    opened = note.version
    services.case_note_edit(
        note=note,
        note_type="home_visit",
        occurred_on=note.occurred_on,
        subject="Home visit (manager's correction)",
        body=note.body,
        restricted=False,
        expected_version=opened,
        acting_user=manager_user,
    )
    with pytest.raises(EditConflict):
        services.case_note_edit(
            note=note,
            note_type="home_visit",
            occurred_on=note.occurred_on,
            subject="Home visit",
            body="My longer account",
            restricted=False,
            expected_version=opened,
            acting_user=worker_user,
        )
    client = Client()
    sign_in_verified(client, worker_user)
    url = reverse("recording:note_edit", kwargs={"note_id": note.pk})
    form = {
        "note_type": "home_visit",
        "occurred_on_day": "3",
        "occurred_on_month": "6",
        "occurred_on_year": "2024",
        "subject": "Home visit",
        "body": "My longer account",
        "version": str(opened),
    }
    page = client.post(url, form).content.decode()
    assert "Someone else saved this note after you opened it" in page
    assert "Home visit (manager&#x27;s correction)" in page
    assert "My longer account" in page
    note.refresh_from_db()
    assert note.body != "My longer account"
    # Saving again, with the version the page now carries, replaces the saved note.
    response = client.post(url, form | {"version": str(note.version)})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.body == "My longer account"
    assert note.subject == "Home visit"


def test_a_note_draft_is_kept_as_typed_for_its_author_only(child: Child, worker_user: User, colleague: User) -> None:
    client = Client()
    sign_in_verified(client, worker_user)
    draft_url = reverse("recording:note_draft", kwargs={"la_child_id": child.la_child_id})
    assert client.post(draft_url, {"subject": "Half typed", "body": "The child said", "evil": "x"}).status_code == 204
    page = client.get(reverse("recording:note_new", kwargs={"la_child_id": child.la_child_id})).content.decode()
    assert "Half typed" in page
    assert "The child said" in page
    other = Client()
    sign_in_verified(other, colleague)
    page = other.get(reverse("recording:note_new", kwargs={"la_child_id": child.la_child_id})).content.decode()
    assert "Half typed" not in page
