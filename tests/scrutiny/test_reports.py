"""Committee reports: a review's report in the structure councils use, as PDF, Word and HTML from the command
line and from the pages; the update report following accepted recommendations; the performance pack; making
them in the background with progress; publishing them to the committee."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from openmash.access.models import AuditEvent
from openmash.access.selectors import NotFound
from openmash.accounts.models import User
from openmash.improvement import services as improvement
from openmash.performance.models import Snapshot
from openmash.scrutiny import services
from openmash.scrutiny.models import CommitteeReport, Recommendation, Review
from openmash.scrutiny.reports import build, render
from openmash.scrutiny.reports import selectors as report_selectors
from openmash.scrutiny.reports import services as report_services
from tests.accounts.helpers import sign_in_verified

SECTIONS = [
    "1. Introduction from the chair",
    "2. Purpose of the report",
    "3. Background",
    "4. Methodology",
    "5. Work undertaken by the group",
    "6. Performance monitoring",
    "7. Other issues considered",
    "8. Conclusion",
    "9. Recommendations",
    "Appendix A: The scoping template",
]


@pytest.fixture
def full_review(review: Review, officer: User, councillor: User, snapshot: Snapshot) -> Review:
    """A review with something in every part of the report."""
    services.review_update(
        review=review,
        values={
            **{name: getattr(review, name) for name in services.SCOPE_FIELDS},
            "introduction": "I thank the officers and practitioners who gave their time.",
            "other_issues": "Social work recruitment came up at every visit.",
            "conclusion": "The front door is safe but slow at peaks.",
        },
        acting_user=officer,
    )
    services.member_add(review=review, user=councillor, is_chair=True, acting_user=officer)
    services.member_add(review=review, name="Priya Shah", acting_user=officer)
    services.officer_add(review=review, name="Jo Director", role="Assistant Director", acting_user=officer)
    services.meeting_record(
        review=review,
        kind="meeting",
        date=dt.date(2026, 6, 3),
        place="Committee room 2",
        attendees="The group",
        acting_user=officer,
    )
    services.meeting_record(
        review=review, kind="site_visit", date=dt.date(2026, 7, 8), place="The MASH office", acting_user=officer
    )
    services.witness_record(
        review=review,
        name="Sam Lead",
        role="Head of the MASH",
        organisation="The council",
        date_heard=dt.date(2026, 7, 8),
        summary="Explained how contacts are rated.",
        acting_user=officer,
    )
    services.evidence_add(
        review=review,
        kind="document",
        title="Working Together to Safeguard Children 2023",
        date=dt.date(2023, 12, 15),
        theme="The MASH",
        acting_user=officer,
    )
    services.evidence_add(review=review, kind="kpi_snapshot", title="", snapshot=snapshot, acting_user=officer)
    services.finding_add(
        review=review, theme="The MASH", text="Decisions within a day at most times.", acting_user=officer
    )
    services.finding_add(
        review=review, theme="Child sexual exploitation", text="Screening is consistent.", acting_user=officer
    )
    services.recommendation_add(
        review=review, text="Publish the MASH's decision times each quarter.", acting_user=officer
    )
    services.recommendation_add(review=review, text="Fund two more MASH social workers.", acting_user=officer)
    return Review.objects.get(pk=review.pk)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def docx_headings(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


REVIEW_DATA = [
    "The multi-agency safeguarding hub",
    "I thank the officers and practitioners who gave their time.",
    "Councillor Cllr Test (chair)",
    "Councillor Priya Shah",
    "Jo Director, Assistant Director",
    "Contacts to the MASH rose by a third in a year.",
    "3 June 2026",
    "Committee room 2",
    "The MASH office",
    "Sam Lead",
    "Head of the MASH",
    "Working Together to Safeguard Children 2023",
    "Decisions within a day at most times.",
    "Child sexual exploitation",
    "2025-Q4",
    "Social work recruitment came up at every visit.",
    "The front door is safe but slow at peaks.",
    "Publish the MASH's decision times each quarter.",
    "Fund two more MASH social workers.",
    "Overlap with the health panel's remit.",
    "Dana Officer",
    "01234 567890",
    "dana.officer@example.gov.uk",
]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_command_line_writes_the_report_as_pdf_with_every_section_and_the_reviews_data(
    full_review: Review, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    call_command("report", "scrutiny", "--review", str(full_review.pk), "--format", "pdf", "-o", str(out))
    text = _flat(pdf_text(out.read_bytes()))
    for heading in [*SECTIONS, "Appendix C: Contact officer"]:
        assert heading in text, heading
    for value in REVIEW_DATA:
        assert _flat(value) in text, value
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, username="command line").exists()


def test_the_word_file_opens_with_the_same_headings_as_the_pdf(full_review: Review, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    call_command("report", "scrutiny", "--review", str(full_review.pk), "--format", "docx", "-o", str(out))
    headings = docx_headings(out.read_bytes())
    document = build.review_report(full_review, "final")
    # Every numbered section, theme and appendix of the document the PDF draws, in order.
    assert headings == document.headings
    assert all(section in headings for section in SECTIONS)
    text = docx_text(out.read_bytes())
    for value in REVIEW_DATA:
        assert value in text, value


def test_the_html_report_is_a_page_of_its_own_with_the_same_sections(full_review: Review, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    call_command("report", "scrutiny", "--review", str(full_review.pk), "--format", "html", "-o", str(out))
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    for heading in SECTIONS:
        assert heading in html


def test_the_list_gives_each_review_with_its_id_oldest_first(full_review: Review, officer: User) -> None:
    later = services.review_create(values={"topic": "Children in care"}, acting_user=officer)
    out = io.StringIO()
    call_command("report", "scrutiny", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[1].split()[0] == str(full_review.pk)
    assert full_review.topic in lines[1]
    assert lines[2].split()[0] == str(later.pk)
    assert "Children in care" in lines[2]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["scrutiny", "--review", "999999", "-o", "x.pdf"], "There is no review 999999"),
        (["scrutiny", "--review", "abc", "-o", "x.pdf"], "must be a review's ID"),
        (["scrutiny", "--review", "{review}", "--format", "odt", "-o", "x.odt"], "--format must be one of"),
        (["scrutiny", "--review", "{review}", "--kind", "draft", "-o", "x.pdf"], "--kind must be one of"),
        (["scrutiny", "--review", "{review}"], "Give the file to write"),
        (["scrutiny", "--review", "{review}", "--user", "cllr", "-o", "x.pdf"], "may not make committee reports"),
        (["performance-pack", "--period", "2019-Q1", "-o", "x.pdf"], "2019-Q1 is not frozen"),
        (["performance-pack", "--period", "spring", "-o", "x.pdf"], "--period must be a quarter"),
    ],
)
def test_bad_arguments_get_a_clear_message_and_write_nothing(
    full_review: Review, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message) as raised:
        call_command("report", *[a.replace("{review}", str(full_review.pk)) for a in arguments])
    assert raised.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_the_performance_pack_has_every_indicator_group_and_suppresses_small_counts(
    snapshot: Snapshot, tmp_path: Path, officer: User
) -> None:
    out = tmp_path / "pack.pdf"
    call_command("report", "performance-pack", "--period", snapshot.period_key, "-o", str(out), "--user", "officer")
    text = _flat(pdf_text(out.read_bytes()))
    for heading in ["1. Introduction", "2. Indicators", "The five indicators councillors scrutinise", "MASH success"]:
        assert heading in text
    assert "Counts from 1 to 5 are shown as “c”" in text
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=officer).exists()


def _accept(review: Review, number: int, officer: User, day: dt.date) -> Recommendation:
    recommendation = review.recommendations.get(number=number)
    return services.recommendation_respond(
        recommendation=recommendation,
        response=Recommendation.Response.ACCEPTED,
        response_text="Agreed by Cabinet.",
        response_date=day,
        acting_user=officer,
    )


def test_an_accepted_recommendations_action_and_its_progress_show_in_the_next_update_report(
    full_review: Review, officer: User
) -> None:
    accepted = _accept(full_review, 1, officer, dt.date(2026, 9, 1))
    assert accepted.action is not None
    improvement.progress_record(
        action=accepted.action,
        date=dt.date(2026, 10, 1),
        summary="Decision times now on the council's website.",
        status="in_progress",
        rag="green",
        acting_user=officer,
    )
    document = build.review_report(full_review, "update", today=dt.date(2026, 11, 1))
    text = render.to_html(document)
    assert "Recommendation 1" in document.headings
    assert "In progress" in text
    assert "1 October 2026: Decision times now on the council&#x27;s website." in text
    assert "progress since 1 September 2026" in text

    # Once an update has gone to committee, the next reports only what came after it.
    services.update_report_record(
        review=full_review, date=dt.date(2026, 10, 15), summary="First update.", acting_user=officer
    )
    improvement.progress_record(
        action=accepted.action,
        date=dt.date(2026, 11, 2),
        summary="Figures published for Q2.",
        status="complete",
        rag="green",
        acting_user=officer,
    )
    later = render.to_html(build.review_report(full_review, "update", today=dt.date(2026, 12, 1)))
    assert "Figures published for Q2." in later
    assert "Decision times now on the council" not in later
    assert "Complete" in later


def test_a_report_asked_for_is_made_in_the_background_and_kept(
    full_review: Review, officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        report = report_services.report_request(kind="final", format="pdf", review=full_review, acting_user=officer)
    report.refresh_from_db()
    assert report.state == CommitteeReport.State.DONE
    assert report.progress == 100
    assert report.pages is not None
    assert report.pages >= 5
    assert "9. Recommendations" in _flat(pdf_text(bytes(report.content)))


def test_the_person_waiting_sees_how_far_the_report_has_got(
    full_review: Review, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = CommitteeReport.objects.create(review=full_review, kind="interim", format="pdf", requested_by=officer)
    seen: list[tuple[str, int, str]] = []

    def slow_render(document: Any, format: str, progress: render.Progress) -> render.Rendered:
        progress("Laying out the pages", 40)
        row = CommitteeReport.objects.get(pk=report.pk)
        seen.append((row.state, row.progress, row.stage))
        return render.Rendered(b"%PDF-1.7", pages=1)

    monkeypatch.setattr(render, "render", slow_render)
    report_services.report_make(report.pk)
    assert seen == [("running", 40, "Laying out the pages")]
    report.refresh_from_db()
    assert (report.state, report.progress, bytes(report.content)) == ("done", 100, b"%PDF-1.7")


def test_a_report_that_cannot_be_made_says_so_plainly(officer: User, snapshot: Snapshot) -> None:
    report = CommitteeReport.objects.create(
        kind="performance_pack", period_key="2019-Q1", format="pdf", requested_by=officer
    )
    report_services.report_make(report.pk)
    report.refresh_from_db()
    assert report.state == CommitteeReport.State.FAILED
    assert report.error == "2019-Q1 is no longer frozen"
    assert report.content is None


def test_a_draft_is_read_by_the_group_and_everyone_once_published(
    full_review: Review, officer: User, councillor: User, other_councillor: User, social_worker: User
) -> None:
    report = CommitteeReport.objects.create(
        review=full_review, kind="final", format="html", requested_by=officer, state="done", content=b"<p>x</p>"
    )
    assert report_selectors.report_for(councillor, report.pk) == report  # on the group
    for outsider in (other_councillor, social_worker):
        with pytest.raises(NotFound):
            report_selectors.report_for(outsider, report.pk)
    with pytest.raises(PermissionError):
        report_services.report_publish(report=report, acting_user=councillor)
    report_services.report_publish(report=report, acting_user=officer)
    assert report_selectors.report_for(other_councillor, report.pk) == report
    assert list(report_selectors.reports_for(other_councillor)) == [report]
    with pytest.raises(NotFound):
        report_selectors.report_for(social_worker, report.pk)


def test_the_pages_ask_for_a_report_and_give_the_file(full_review: Review, officer: User) -> None:
    client = Client()
    sign_in_verified(client, officer)
    url = reverse("scrutiny:report_new", args=[full_review.pk])
    refused = client.post(url, {"kind": "final", "format": "odt"})
    assert "Choose PDF, Word or HTML" in refused.content.decode()
    assert not CommitteeReport.objects.exists()

    response = client.post(url, {"kind": "final", "format": "docx"})
    report = CommitteeReport.objects.get()
    assert response["Location"] == reverse("scrutiny:report", args=[report.pk])
    report_services.report_make(report.pk)  # the worker's part
    page = client.get(response["Location"]).content.decode()
    assert "The report is ready" in page
    status = client.get(reverse("scrutiny:report_status", args=[report.pk])).json()
    assert status["state"] == "done"
    assert status["progress"] == 100
    download = client.get(reverse("scrutiny:report_download", args=[report.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "9. Recommendations" in docx_headings(download.content)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_id=str(report.pk)).exists()
