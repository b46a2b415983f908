"""The authority's front-door settings in the admin: one row, changed by a system administrator, within limits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.front_door import timescales
from openmash.front_door.models import FrontDoorSettings

from ..accounts.helpers import sign_in_verified


def _client(*, admin: bool) -> Client:
    user = User.objects.create_user(
        username="admin" if admin else "manager", password="x", agency=Agency.CHILDRENS_SOCIAL_CARE
    )
    UserRole.objects.create(user=user, role=Role.SYSTEM_ADMINISTRATOR if admin else Role.TEAM_MANAGER)
    user.is_staff = user.is_superuser = admin
    user.save()
    client = Client()
    sign_in_verified(client, user)
    return client


def _form(settings: FrontDoorSettings, **changes: object) -> dict[str, object]:
    fields = [f.name for f in FrontDoorSettings._meta.fields if f.name not in {"id", "updated_at"}]
    return {**{name: getattr(settings, name) for name in fields}, **changes}


@pytest.fixture
def settings_row(db: None) -> FrontDoorSettings:
    return FrontDoorSettings.current()


def test_an_administrator_sets_the_authoritys_timescales(settings_row: FrontDoorSettings) -> None:
    client = _client(admin=True)
    url = reverse("admin:front_door_frontdoorsettings_change", args=[settings_row.pk])
    response = client.post(url, _form(settings_row, amber_decision=2, red_decision=6, concern_contacts=4))
    assert response.status_code == 302
    settings_row.refresh_from_db()
    assert (settings_row.red_decision, settings_row.amber_decision, settings_row.concern_contacts) == (6, 2, 4)
    # New ratings follow the new timescale.
    received = dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC)
    assert timescales.decision_due(received, "red") == received + dt.timedelta(hours=6)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"red_decision": 0}, "Enter a whole number of hours from 1 to 168"),
        ({"green_decision": 45}, "Enter a whole number of working days from 1 to 20"),
        ({"amber_check_hours": 0}, "Enter a whole number from 1 to 168"),
        ({"concern_contacts": 1}, "Enter a whole number from 2 to 50"),
        ({"concern_agencies": 0}, "Enter a whole number from 1 to 9"),
        ({"concern_months": -3}, "Ensure this value is greater than or equal to 0"),
    ],
)
def test_numbers_out_of_range_are_refused_and_change_nothing(
    settings_row: FrontDoorSettings, changes: dict[str, object], message: str
) -> None:
    client = _client(admin=True)
    before = _form(settings_row)
    url = reverse("admin:front_door_frontdoorsettings_change", args=[settings_row.pk])
    response = client.post(url, _form(settings_row, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    settings_row.refresh_from_db()
    assert _form(settings_row) == before


def test_there_is_one_row_that_cannot_be_added_again_or_deleted(settings_row: FrontDoorSettings) -> None:
    client = _client(admin=True)
    assert client.get(reverse("admin:front_door_frontdoorsettings_add")).status_code == 403
    assert client.get(reverse("admin:front_door_frontdoorsettings_delete", args=[settings_row.pk])).status_code == 403
    assert FrontDoorSettings.objects.count() == 1


def test_only_administrators_reach_the_settings(settings_row: FrontDoorSettings) -> None:
    url = reverse("admin:front_door_frontdoorsettings_change", args=[settings_row.pk])
    assert _client(admin=False).get(url).status_code == 404
