"""The improvement pages as a manager and a councillor use them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.improvement import services
from openmash.improvement.models import Action, ActionPlan, Inspection, ProgressUpdate
from openmash.improvement.services import ActionDetails

from ..accounts.helpers import sign_in_verified
from .helpers import councillor, manager

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "data" / "inspection_outcomes.csv"


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def test_a_manager_creates_a_plan_adds_an_action_and_records_progress() -> None:
    sm = manager()
    client = _client(sm)
    response = client.post(
        reverse("improvement:plan_create"),
        {"title": "Front door improvement", "kind": "safeguarding", "description": "", "owner": str(sm.pk)},
    )
    plan = ActionPlan.objects.get()
    assert response["Location"] == reverse("improvement:plan", args=[plan.pk])
    yesterday = dt.date.today() - dt.timedelta(days=1)
    response = client.post(
        reverse("improvement:action_add", args=[plan.pk]),
        {
            "title": "Audit threshold decisions",
            "owner_role": "Head of Service",
            "status": "not_started",
            "rag": "",
            "indicators": ["rereferral_rate"],
            **_date("due_date", yesterday),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action = Action.objects.get()
    assert (action.due_date, action.indicators) == (yesterday, ["rereferral_rate"])
    page = client.get(reverse("improvement:plan", args=[plan.pk])).content.decode()
    assert "Overdue" in page
    assert "Audit threshold decisions" in page
    response = client.post(
        reverse("improvement:progress", args=[action.pk]),
        {
            **_date("date", dt.date.today()),
            "summary": "Twenty decisions audited",
            "evidence": "Audit report AR-12",
            "status": "in_progress",
            "rag": "red",
            "version": str(action.version),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("improvement:action", args=[action.pk])).content.decode()
    assert "Twenty decisions audited" in page
    assert "Audit report AR-12" in page
    # The history names the change the update made to the action.
    assert "RAG rating: (empty) to Red" in page
    attention = client.get(reverse("improvement:attention")).content.decode()
    assert "Audit threshold decisions" in attention


def test_a_stale_progress_form_shows_what_changed_and_saves_nothing() -> None:
    sm = manager()
    plan = services.plan_create(title="Plan", kind="safeguarding", acting_user=sm)
    action = services.action_add(plan=plan, details=ActionDetails(title="Audit"), acting_user=sm)
    opened = action.version
    services.action_update(action=action, details=ActionDetails(title="Audit", rag="green"), acting_user=sm)
    response = _client(manager("tm")).post(
        reverse("improvement:progress", args=[action.pk]),
        {
            **_date("date", dt.date.today()),
            "summary": "Done",
            "status": "complete",
            "rag": "red",
            "version": str(opened),
        },
    )
    assert response.status_code == 200
    assert "Someone else saved this action" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_councillor_reads_plans_but_is_offered_no_change() -> None:
    sm = manager()
    plan = services.plan_create(title="Plan", kind="scrutiny", acting_user=sm)
    action = services.action_add(plan=plan, details=ActionDetails(title="Report to committee"), acting_user=sm)
    client = _client(councillor())
    page = client.get(reverse("improvement:plan", args=[plan.pk])).content.decode()
    assert "Report to committee" in page
    assert reverse("improvement:action_add", args=[plan.pk]) not in page
    assert (
        reverse("improvement:progress", args=[action.pk])
        not in client.get(reverse("improvement:action", args=[action.pk])).content.decode()
    )
    response = client.post(
        reverse("improvement:progress", args=[action.pk]),
        {**_date("date", dt.date.today()), "summary": "Done", "status": "complete", "rag": "green"},
    )
    assert response.status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_the_plan_spreadsheet_is_formula_safe_and_audited() -> None:
    sm = manager()
    plan = services.plan_create(title='=HYPERLINK("x")', kind="safeguarding", acting_user=sm)
    services.action_add(plan=plan, details=ActionDetails(title="=1+1", due_date=dt.date(2026, 3, 31)), acting_user=sm)
    response = _client(councillor()).get(reverse("improvement:plan_export", args=[plan.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert str(rows[0][0]).startswith("'=HYPERLINK")
    assert rows[1][:2] == ("Number", "Action")
    assert rows[2][1] == "'=1+1"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_id=str(plan.pk)).exists()


def test_loading_a_csv_with_bad_rows_lists_each_line_and_loads_nothing() -> None:
    client = _client(manager())
    bad = SAMPLE.read_text().replace("Barnet,ILACS", "Barnet,ILAX").encode()
    response = client.post(
        reverse("improvement:inspections_load"), {"file": SimpleUploadedFile("outcomes.csv", bad, "text/csv")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was loaded" in page
    assert '<td class="govuk-table__cell" data-label="Line">3</td>' in page
    assert not Inspection.objects.exists()
    response = client.post(
        reverse("improvement:inspections_load"),
        {"file": SimpleUploadedFile("outcomes.csv", SAMPLE.read_bytes(), "text/csv")},
    )
    assert response.status_code == 302
    assert Inspection.objects.count() == 5
    compare = client.get(reverse("improvement:compare")).content.decode()
    assert compare.index("Barnet") < compare.index("Barking and Dagenham") < compare.index("Bury")


def test_recording_an_inspection_then_making_its_action_plan() -> None:
    sm = manager()
    client = _client(sm)
    response = client.post(
        reverse("improvement:inspection_create"),
        {
            "authority": "Bury",
            "la_code": "351",
            "framework": "ilacs",
            "inspection_type": "Standard",
            **_date("published", dt.date(2024, 3, 1)),
            "report_url": "",
            "overall": "requires_improvement",
            "care_leavers": "good",
            "areas_for_improvement": "Supervision records\n\nReturn home interviews\n",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    inspection = Inspection.objects.get()
    page = client.get(reverse("improvement:inspection", args=[inspection.pk])).content.decode()
    assert "Make an action plan from its areas for improvement" in page
    response = client.post(reverse("improvement:plan_from_inspection", args=[inspection.pk]), {"title": ""})
    plan = ActionPlan.objects.get()
    assert response["Location"] == reverse("improvement:plan", args=[plan.pk])
    assert list(plan.actions.values_list("title", flat=True)) == ["Supervision records", "Return home interviews"]


def test_an_area_the_framework_did_not_judge_is_refused_on_the_form() -> None:
    response = _client(manager()).post(
        reverse("improvement:inspection_create"),
        {
            "authority": "Bury",
            "la_code": "351",
            "framework": "ilacs",
            **_date("published", dt.date(2021, 3, 1)),
            "care_leavers": "good",
        },
    )
    assert response.status_code == 200
    assert "has no judgement" in response.content.decode()
    assert not Inspection.objects.exists()


def test_a_plan_refreshed_over_years_is_renamed_and_given_a_new_owner_keeping_its_kind() -> None:
    sm = manager()
    other = manager("sm2")
    plan = services.plan_create(title="Safeguarding action plan 2025", kind="safeguarding", owner=sm, acting_user=sm)
    client = _client(sm)
    url = reverse("improvement:plan_edit", args=[plan.pk])
    refused = client.post(url, {"title": "", "description": "", "owner": "", "version": str(plan.version)})
    assert "Enter the title" in refused.content.decode()
    response = client.post(
        url,
        {
            "title": "Safeguarding action plan 2026",
            "kind": "inspection",  # not changed: the plan stays the kind it was made as
            "description": "Refreshed for 2026.",
            "owner": str(other.pk),
            "version": str(plan.version),
        },
    )
    assert response["Location"] == reverse("improvement:plan", args=[plan.pk])
    plan.refresh_from_db()
    assert (plan.title, plan.kind, plan.description, plan.owner) == (
        "Safeguarding action plan 2026",
        "safeguarding",
        "Refreshed for 2026.",
        other,
    )
    stale = client.post(
        url, {"title": "Old tab", "description": "", "owner": str(sm.pk), "version": str(plan.version - 1)}
    )
    assert stale.status_code == 200
    plan.refresh_from_db()
    assert plan.title == "Safeguarding action plan 2026"
    assert AuditEvent.objects.filter(object_id=str(plan.pk), summary__startswith="Changed the action plan").count() == 1
