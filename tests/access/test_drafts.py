"""Drafts of long forms: kept as typed, read back by their author alone, audited when reopened."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from openmash.access import drafts
from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.models import FormDraft


def test_a_draft_is_kept_cleaned_and_reopened_only_by_its_author(worker_user: User, manager_user: User) -> None:
    drafts.keep(
        form="assessment:7",
        data={"analysis": "Mother reports\x00 new partner", "csrfmiddlewaretoken": "x", "other": "y"},
        fields={"analysis"},
        allowed=True,
        acting_user=worker_user,
    )
    drafts.keep(
        form="assessment:7", data={"analysis": "Longer now"}, fields={"analysis"}, allowed=True, acting_user=worker_user
    )
    assert FormDraft.objects.count() == 1
    assert drafts.reopen(form="assessment:7", user=manager_user, what="the assessment") is None
    draft = drafts.reopen(form="assessment:7", user=worker_user, what="the assessment")
    assert draft is not None
    assert draft.data == {"analysis": "Longer now"}
    assert AuditEvent.objects.filter(user=worker_user, summary="Reopened their draft of the assessment").exists()
    drafts.discard(form="assessment:7", acting_user=worker_user)
    assert not FormDraft.objects.exists()


def test_nul_characters_and_other_fields_never_reach_the_draft(worker_user: User) -> None:
    draft = drafts.keep(
        form="note:new", data={"body": "a\x00b", "evil": "z"}, fields={"body"}, allowed=True, acting_user=worker_user
    )
    assert draft.data == {"body": "ab"}


def test_someone_who_may_not_work_on_the_record_keeps_nothing(worker_user: User) -> None:
    with pytest.raises(ServiceError):
        drafts.keep(
            form="assessment:7", data={"analysis": "x"}, fields={"analysis"}, allowed=False, acting_user=worker_user
        )
    request = RequestFactory().post("/drafts/", {"analysis": "x"})
    request.user = worker_user
    with pytest.raises(Http404):
        drafts.draft_view(request, form="assessment:7", fields={"analysis"}, allowed=lambda _user: False)
    assert (
        drafts.draft_view(request, form="assessment:7", fields={"analysis"}, allowed=lambda _user: True).status_code
        == 204
    )
    assert not FormDraft.objects.exclude(data={"analysis": "x"}).exists()
