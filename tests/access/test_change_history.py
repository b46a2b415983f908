"""The change history names who made each change, in web requests, commands and both nested, and attributing
a change never leaves anything behind in the process (a long-running server would slow with every write)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from openmash.access.audit import acting_as, history_context
from openmash.improvement import services
from openmash.improvement.models import ActionPlan

from ..accounts.helpers import sign_in_verified
from ..improvement.helpers import manager

pytestmark = pytest.mark.django_db


def _history(plan: ActionPlan) -> LogEntry:
    return LogEntry.objects.get(content_type=ContentType.objects.get_for_model(ActionPlan), object_pk=str(plan.pk))


def test_a_change_made_through_a_page_names_the_user_and_their_address_and_leaves_no_receiver_behind() -> None:
    sm = manager()
    client = Client()
    sign_in_verified(client, sm)
    before = len(pre_save.receivers)
    for n in range(3):
        response = client.post(
            reverse("improvement:plan_create"),
            {"title": f"Plan {n}", "kind": "safeguarding", "description": "", "owner": str(sm.pk)},
            REMOTE_ADDR="192.0.2.7",
        )
        assert response.status_code == 302
    assert len(pre_save.receivers) == before
    for plan in ActionPlan.objects.all():
        entry = _history(plan)
        assert (entry.actor, entry.remote_addr) == (sm, "192.0.2.7")


def test_a_service_acting_for_someone_else_inside_a_request_names_them_then_the_request_goes_on_as_before() -> None:
    requester, other = manager("requester"), manager("other")
    before = len(pre_save.receivers)
    with history_context({"actor": requester, "remote_addr": "192.0.2.8", "remote_port": None}):
        theirs = services.plan_create(title="Theirs", kind="safeguarding", acting_user=other)
        with acting_as(requester):
            mine = ActionPlan.objects.create(title="Mine", kind="safeguarding")
        after = ActionPlan.objects.create(title="After", kind="safeguarding")
    assert (_history(theirs).actor, _history(theirs).remote_addr) == (other, "192.0.2.8")
    assert _history(mine).actor == requester
    assert _history(after).actor == requester
    assert len(pre_save.receivers) == before


def test_a_command_line_change_names_its_acting_user_and_no_address() -> None:
    sm = manager()
    before = len(pre_save.receivers)
    plan = services.plan_create(title="From the shell", kind="safeguarding", acting_user=sm)
    assert (_history(plan).actor, _history(plan).remote_addr) == (sm, None)
    outside = ActionPlan.objects.create(title="Nobody's", kind="safeguarding")
    assert _history(outside).actor is None
    assert len(pre_save.receivers) == before
