"""Benchmark: a scrutiny review's final report, with charts, as PDF and Word.

Not timed: the demo borough (`openmash generate --size borough --seed 1`) built into a temporary SQLite database
(or DATABASE_URL), its last two complete quarters frozen, and a large review citing both: 14 meetings and visits,
40 witnesses, 20 documents, 8 themes of 5 findings each, 16 recommendations, long scoping text. The report charts
every indicator of the latest quarter and carries the data behind each chart as an appendix.

Timed (target: a 40-page report with charts in under 20 s):
- scrutiny_report_pdf_seconds: gathering the review and drawing the PDF (WeasyPrint), with its page count;
- scrutiny_report_docx_seconds: the same report as Word, charts drawn to PNG (CairoSVG);
- scrutiny_report_html_seconds: the same report as HTML only, the baseline both build on.
Peak resident memory of the whole process is printed at the end.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPENMASH = HERE.parent / ".venv" / "bin" / "openmash"
PARAGRAPH = (
    "The group heard that contacts rise sharply after school holidays and at the start of each term, when "
    "partner agencies see children again; the hub's managers move staff between screening and information "
    "gathering to keep decisions within a working day, and told the group how the rating of each contact is "
    "checked by a second manager when it is red. "
)


def _build(env: dict[str, str]) -> None:
    subprocess.run([str(OPENMASH), "migrate", "--no-input", "-v", "0"], check=True, env=env)  # noqa: S603
    subprocess.run(  # noqa: S603
        [str(OPENMASH), "generate", "--size", "borough", "--seed", "1", "--no-progress", "--if-empty"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _review() -> object:
    from django.utils import timezone

    from openmash.accounts.models import Agency, Role, User, UserRole
    from openmash.performance import scorecard
    from openmash.performance import services as performance
    from openmash.performance.models import Snapshot
    from openmash.performance.scorecard import default_period
    from openmash.scrutiny import services

    officer, _ = User.objects.get_or_create(
        username="bench.scrutiny.officer", defaults={"agency": Agency.CHILDRENS_SOCIAL_CARE, "first_name": "Bench"}
    )
    UserRole.objects.get_or_create(user=officer, role=Role.SERVICE_MANAGER)
    today = timezone.localdate()
    latest = default_period(today)
    snapshots = []
    for period in (latest.previous(), latest):
        found = Snapshot.objects.filter(period_key=period.key).first()
        if found is None:
            # A quarter is frozen only once each figure off target is explained.
            for row in scorecard.build(officer, period=period, today=today).missing_narratives:
                performance.narrative_save(
                    period=period, indicator_id=row.indicator.id, text=PARAGRAPH, acting_user=officer
                )
            found = performance.period_freeze(period=period, acting_user=officer, today=today)
        snapshots.append(found)
    long = PARAGRAPH * 3
    scope = dict.fromkeys(services.SCOPE_TEXT_FIELDS, long) | {
        "topic": "Children's safeguarding: the front door and child protection",
        "committee": "Children and Young People Overview and Scrutiny Committee",
        "contact_name": "Dana Officer",
        "contact_role": "Scrutiny officer",
        "start_date": dt.date(2026, 5, 1),
        "completion_date": dt.date(2027, 3, 31),
    }
    review = services.review_create(values=scope, acting_user=officer)
    for i in range(6):
        services.member_add(review=review, name=f"Member {i + 1}", is_chair=i == 0, acting_user=officer)
    for i in range(14):
        services.meeting_record(
            review=review,
            kind=["meeting", "site_visit", "interview"][i % 3],
            date=dt.date(2026, 5, 4) + dt.timedelta(days=14 * i),
            place=f"Meeting place {i + 1}",
            attendees="The group, the assistant director and the head of the MASH",
            acting_user=officer,
        )
    for i in range(40):
        services.witness_record(
            review=review,
            name=f"Witness {i + 1}",
            role="Practitioner",
            organisation="Partner agency",
            date_heard=dt.date(2026, 6, 1) + dt.timedelta(days=5 * i),
            summary=PARAGRAPH,
            acting_user=officer,
        )
    themes = [f"Theme {i + 1}" for i in range(8)]
    for i in range(20):
        services.evidence_add(
            review=review,
            kind="document",
            title=f"Document {i + 1}",
            date=dt.date(2026, 1, 1),
            theme=themes[i % 8],
            acting_user=officer,
        )
    for snapshot in snapshots:
        services.evidence_add(review=review, kind="kpi_snapshot", title="", snapshot=snapshot, acting_user=officer)
    for theme in themes:
        for _ in range(5):
            services.finding_add(review=review, theme=theme, text=PARAGRAPH * 2, acting_user=officer)
    for i in range(16):
        services.recommendation_add(review=review, text=f"Recommendation {i + 1}: {PARAGRAPH}", acting_user=officer)
    return review


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="openmash-bench-") as tmp:
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'borough.sqlite3'}"
        os.environ.setdefault("OPENMASH_DEMO", "1")
        os.environ.setdefault("OPENMASH_INSECURE_HTTP", "1")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openmash.settings")
        _build(dict(os.environ))

        import django

        django.setup()
        from openmash.scrutiny.reports import build, render

        review = _review()
        timings = {}
        for fmt in ("html", "pdf", "docx"):
            started = time.perf_counter()
            document = build.review_report(review, "final")  # type: ignore[arg-type]
            rendered = render.render(document, fmt)
            timings[fmt] = time.perf_counter() - started
            if fmt == "pdf":
                print(f"bench: scrutiny_report_pdf_pages {rendered.pages} pages")
                charts = sum(1 for s in document.sections for b in s.blocks if b.kind == "chart")
                print(f"bench: scrutiny_report_charts {charts} charts")
            print(f"bench: scrutiny_report_{fmt}_bytes {len(rendered.content)} bytes")
        for fmt, seconds in timings.items():
            print(f"bench: scrutiny_report_{fmt}_seconds {seconds:.2f} s")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"bench: scrutiny_report_peak_mb {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
