"""No identifying field of any child reaches a committee report.

A child is taken through a whole journey (referral, assessment, section 47, conference, plan, closure), the
quarter they were referred in is frozen, and a review cites it. Then every kind of report is made in every
format, and each identifying value held about any child or family member (every field access.classification
marks identifying, in every app that holds casework) is looked for in the text of each file. The count of one
child shows as "c" instead. (import-linter's contract also keeps scrutiny.reports from importing a child's
record at all.)
"""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pypdf
import pytest
from django.apps import apps

from openmash.access.classification import FIELD_CLASSES, DataClass
from openmash.accounts.models import User
from openmash.casework.models import Referral
from openmash.core.dates import long_date
from openmash.performance import services as performance_services
from openmash.performance.periods import Period
from openmash.scrutiny import services
from openmash.scrutiny.models import CommitteeReport, Recommendation, Review
from openmash.scrutiny.reports import build, render

CASEWORK_APPS = ("people", "casework", "protection", "front_door", "journey", "returns")
SHORTEST = 4  # shorter values (a sex code, a two-letter initial) would match ordinary words


def identifying_values() -> set[str]:
    """Every identifying value in the casework tables, as text and, for dates, as a report would print them."""
    found: set[str] = set()
    for label, fields in FIELD_CLASSES.items():
        app_label, model_name = label.split(".")
        if app_label not in CASEWORK_APPS:
            continue
        model = apps.get_model(app_label, model_name)
        names = [name for name, sensitivity in fields.items() if sensitivity == DataClass.IDENTIFYING]
        for row in model.objects.values_list(*names) if names else []:
            for value in row:
                if isinstance(value, dt.date):
                    found.update({long_date(value), value.isoformat(), f"{value:%d/%m/%Y}"})
                elif value is not None and len(str(value).strip()) >= SHORTEST:
                    found.add(str(value).strip())
    return found


def text_of(rendered: render.Rendered, format: str) -> str:
    if format == "pdf":
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(rendered.content)).pages)
    if format == "docx":
        document = docx.Document(io.BytesIO(rendered.content))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return rendered.content.decode()


@pytest.fixture
def review_citing_the_childs_quarter(full_journey: Referral, officer: User) -> Review:
    snapshot = performance_services.period_freeze(
        period=Period.parse("2025-Q1"), acting_user=officer, today=dt.date(2025, 6, 1)
    )
    review = services.review_create(
        values={"topic": "The front door", "rationale": "Contacts rose.", "status": Review.Status.REPORTING},
        acting_user=officer,
    )
    services.evidence_add(review=review, kind="kpi_snapshot", title="", snapshot=snapshot, acting_user=officer)
    services.finding_add(review=review, theme="The MASH", text="Decisions are timely.", acting_user=officer)
    recommendation = services.recommendation_add(review=review, text="Publish decision times.", acting_user=officer)
    services.recommendation_respond(
        recommendation=recommendation,
        response=Recommendation.Response.ACCEPTED,
        response_text="Agreed.",
        response_date=dt.date(2026, 9, 1),
        acting_user=officer,
    )
    return review


def test_no_identifying_field_of_any_child_reaches_any_report(review_citing_the_childs_quarter: Review) -> None:
    review = review_citing_the_childs_quarter
    values = identifying_values()
    assert {"Amelia", "Jones", "C100", "AB1 2CD", "1 June 2015"} <= values  # the search is looking for the child
    snapshot = review.evidence.get(kind="kpi_snapshot").snapshot
    assert snapshot is not None
    documents = {kind: build.review_report(review, kind) for kind in CommitteeReport.REVIEW_KINDS}
    documents[CommitteeReport.Kind.PERFORMANCE_PACK] = build.performance_pack(snapshot)
    suppressed = False
    for kind, document in documents.items():
        for format in CommitteeReport.Format.values:
            text = text_of(render.render(document, format), format)
            leaked = [v for v in values if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text, re.IGNORECASE)]
            assert leaked == [], f"{kind} as {format} holds {leaked}"
            suppressed = suppressed or re.search(r"(?<!\w)c(?!\w)", text) is not None
    assert suppressed  # the child is counted, as "c"
