"""What goes into a committee report, section by section, in the structure councils use
(../shared/domain/scrutiny.md §4): introduction from the chair, purpose, background, methodology, work by theme,
performance monitoring, other issues, conclusion, numbered recommendations, the scoping template as an appendix,
the data behind each chart, and the contact officer.

Only aggregates are read: a review holds no relation to a child (tests/scrutiny/test_models.py), and performance
figures come from frozen quarters with counts of 1 to 5 hidden (performance.scorecard.frozen_rows). Whoever may
ask for or read the report was checked before this runs (scrutiny.reports.services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from openmash.core.dates import long_date
from openmash.improvement import selectors as improvement_selectors
from openmash.improvement.frameworks import area_label
from openmash.improvement.models import DONE, ActionPlan, Inspection, ProgressUpdate
from openmash.performance import registry
from openmash.performance.charts import trend_svg
from openmash.performance.models import Snapshot
from openmash.performance.scorecard import Row, frozen_note, frozen_rows
from openmash.performance.templatetags.kpi import count, rag_label, shown, travel

from ..actions import recommendation_progress
from ..models import CommitteeReport, Evidence, Meeting, Recommendation, Review, UpdateReport
from .document import Bullets, Chart, Document, Paragraph, Section, Table, Terms

NONE_RECORDED = "None recorded."

# Charts are drawn by performance.charts for the web page, where the site's stylesheet colours them; a report
# carries its own colours, so the same picture prints and converts to an image for Word.
CHART_STYLE = (
    "<style>"
    ".app-chart__line{fill:none;stroke:#1d70b8;stroke-width:2}"
    ".app-chart__point{fill:#1d70b8}"
    ".app-chart__target{stroke:#d4351c;stroke-width:1.5;stroke-dasharray:4 3}"
    ".app-chart__axis{stroke:#505a5f;stroke-width:1}"
    ".app-chart__text{font-family:sans-serif;font-size:10px;fill:#0b0c0c}"
    "</style>"
)


def paragraphs(text: str, *, empty: str = NONE_RECORDED) -> list[Paragraph]:
    """Free text as paragraphs (split at blank lines)."""
    parts = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
    return [Paragraph(p) for p in parts if p] or [Paragraph(empty)]


def _date(day: dt.date | None) -> str:
    return long_date(day) if day else "not set"


def _listing(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# Performance -------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The frozen quarters a report cites, each with its rows as a councillor sees them."""

    quarters: list[tuple[Snapshot, list[Row]]]

    @property
    def latest(self) -> tuple[Snapshot, list[Row]] | None:
        return self.quarters[-1] if self.quarters else None


def figures_for(snapshots: Iterable[Snapshot]) -> Figures:
    unique = {s.pk: s for s in snapshots}
    ordered = sorted(unique.values(), key=lambda s: s.period_key)
    return Figures([(s, frozen_rows(s, suppress=True)) for s in ordered])


def _comparator_areas(rows: list[Row]) -> list[str]:
    areas: list[str] = []
    for row in rows:
        for c in row.comparators:
            if c.area not in areas:
                areas.append(c.area)
    return areas


def indicator_table(figures: Figures, rows_of: list[str] | None = None, caption: str = "") -> Table:
    """One row an indicator: its value in each cited quarter, target, rating, direction and comparators."""
    assert figures.latest is not None
    latest_snapshot, latest_rows = figures.latest
    by_quarter = [({r.indicator.id: r for r in rows}, s.period_key) for s, rows in figures.quarters]
    areas = _comparator_areas(latest_rows)
    head = (
        "Indicator",
        *(key for _, key in by_quarter),
        "Target",
        "Rating",
        "Direction",
        *(f"{area}" for area in areas),
    )
    table_rows = []
    for row in latest_rows:
        if rows_of is not None and row.indicator.id not in rows_of:
            continue
        unit = row.indicator.unit
        values = [
            shown(rows[row.indicator.id].value, unit) if row.indicator.id in rows else "–" for rows, _ in by_quarter
        ]
        by_area = {c.area: c for c in row.comparators}
        table_rows.append(
            (
                row.indicator.name,
                *values,
                shown(row.target, unit),
                rag_label(row.rag),
                travel(row.direction),
                *(f"{shown(by_area[a].value, unit)} ({by_area[a].year_label})" if a in by_area else "–" for a in areas),
            )
        )
    return Table(
        caption=caption or f"Indicators examined, to {latest_snapshot.period_key}",
        head=head,
        rows=tuple(table_rows),
    )


def chart_for(row: Row) -> Chart | None:
    """The indicator's last eight quarters as a chart, or nothing where none of them has a figure shown."""
    if not _charted(row):
        return None
    svg = str(trend_svg(row))
    svg = svg.replace("</title>", "</title>" + CHART_STYLE, 1) if "</title>" in svg else svg
    words = "; ".join(f"{p.period.short_label}: {shown(p.value, row.indicator.unit)}" for p in row.trend)
    return Chart(title=f"{row.indicator.full_name}, last {len(row.trend)} quarters", svg=svg, words=words)


def data_table(row: Row) -> Table:
    """The figures behind a chart, quarter by quarter."""
    unit = row.indicator.unit
    return Table(
        caption=row.indicator.full_name,
        head=("Quarter", "Value", "Numerator", "Denominator"),
        rows=tuple(
            (p.period.short_label, shown(p.value, unit), count(p.numerator), count(p.denominator)) for p in row.trend
        ),
    )


def performance_section(title: str, figures: Figures, *, groups: bool = False) -> tuple[Section, Section]:
    """The indicators (table, charts, narratives for those off target) and the appendix of data behind the charts."""
    section = Section(title)
    appendix = Section("Data behind the charts")
    latest = figures.latest
    if latest is None:
        section.add(Paragraph("The group did not cite a frozen quarter's performance figures."))
        return section, appendix
    snapshot, rows = latest
    section.add(
        Paragraph(
            f"The figures are those of {snapshot.period_key}, as frozen for reporting "
            f"({frozen_note(snapshot).lower().replace('frozen on', 'on')}), under definitions version "
            f"{snapshot.definitions_version}. Counts from 1 to 5 are shown as “c”, and a rate built on one is "
            "not shown. Comparators are the latest published figures for England, the region and the "
            "authority's statistical neighbours."
        )
    )
    if groups:
        for key, label in registry.GROUPS.items():
            ids = [r.indicator.id for r in rows if r.indicator.group == key]
            if ids:
                sub = Section(label)
                sub.add(indicator_table(figures, ids, caption=label))
                sub.add(*_charts_and_accounts([r for r in rows if r.indicator.id in ids]))
                section.subsections.append(sub)
    else:
        section.add(indicator_table(figures))
        section.add(*_charts_and_accounts(rows))
    for row in rows:
        if _charted(row):
            appendix.add(data_table(row))
    return section, appendix


def _charted(row: Row) -> bool:
    """Whether any quarter of the row's trend has a figure shown (else there is no chart, nor data behind one)."""
    return any(isinstance(p.value, (int, float)) for p in row.trend)


def _charts_and_accounts(rows: list[Row]) -> list[Paragraph | Chart]:
    blocks: list[Paragraph | Chart] = []
    for row in rows:
        chart = chart_for(row)
        if chart is not None:
            blocks.append(chart)
        if row.rag == "red" and row.narrative:
            blocks.append(Paragraph(f"{row.indicator.name}, the owner's account: {row.narrative}"))
    return blocks


# Action plans and inspections ---------------------------------------------------------------------------


def action_plans_section(today: dt.date, *, exclude: ActionPlan | None = None) -> Section:
    section = Section("The safeguarding action plan")
    rows = tuple(
        (r.plan.title, r.plan.get_kind_display(), str(r.actions), str(r.done), str(r.overdue), str(r.off_track))
        for r in improvement_selectors.plan_rows(today)
        if exclude is None or r.plan.pk != exclude.pk
    )
    if not rows:
        return section.add(Paragraph("No action plans are recorded."))
    return section.add(
        Paragraph(f"Where each action plan stood on {long_date(today)}."),
        Table(
            caption="Action plans",
            head=("Plan", "Kind", "Actions", "Complete", "Overdue", "Off track"),
            rows=rows,
            figures_from=2,
        ),
    )


def inspection_section() -> Section:
    """This authority's latest inspection (judgements, areas for improvement and the actions answering them) and
    how other authorities were judged."""
    section = Section("Inspection follow-up")
    own = (
        Inspection.objects.filter(la_code=settings.OPENMASH_LA_CODE)
        .prefetch_related("judgements", "areas_for_improvement__actions")
        .order_by("-published", "-pk")
        .first()
    )
    if own is None:
        section.add(Paragraph("No inspection of this authority is recorded."))
    else:
        section.add(
            Paragraph(f"The latest inspection of {own.authority} was published on {long_date(own.published)}."),
            Table(
                caption="Judgements",
                head=("Area", "Grade"),
                rows=tuple((area_label(own.framework, j.area), j.get_grade_display()) for j in own.judgements.all()),
                figures_from=2,
            ),
        )
        areas = []
        for area in own.areas_for_improvement.all():
            actions = list(area.actions.all())
            done = sum(1 for a in actions if a.status in DONE)
            where = f"{done} of {len(actions)} actions complete" if actions else "no action yet"
            areas.append(f"{area.text} ({where})")
        section.add(
            Bullets(tuple(areas), numbered=True) if areas else Paragraph("No areas for improvement are recorded.")
        )
    comparison = improvement_selectors.latest_graded()
    if comparison.rows:
        section.add(
            Table(
                caption="Latest inspection outcomes of authorities recorded (ILACS)",
                head=("Authority", "Published", *(label for _, label in comparison.columns)),
                rows=tuple(
                    (
                        r.inspection.authority,
                        long_date(r.inspection.published),
                        *(g.get_grade_display() if g is not None else "–" for g in r.grades),
                    )
                    for r in comparison.rows
                ),
                figures_from=99,
            )
        )
    return section


# A review's report --------------------------------------------------------------------------------------


def _members(review: Review) -> list[str]:
    return [f"Councillor {m.name}" + (" (chair)" if m.is_chair else "") for m in review.members.all()]


def _chair(review: Review) -> str | None:
    chair = next((m for m in review.members.all() if m.is_chair), None)
    return f"Councillor {chair.name}" if chair else None


def scope_appendix(review: Review) -> Section:
    """The scoping template, every field, as the committee noted it."""
    members = _members(review)
    officers = [f"{o.name}, {o.role}" for o in review.officers.all()]
    pairs = [
        ("Review topic", review.topic),
        ("Councillors involved", "; ".join(members) or NONE_RECORDED),
        ("Officer support", "; ".join(officers) or NONE_RECORDED),
    ]
    for name in (
        "rationale",
        "purpose",
        "indicators_of_success",
        "methodology",
        "witnesses_planned",
        "documentary_evidence",
        "site_visits_planned",
        "stakeholder_views",
        "publicity",
        "resources",
        "risks",
    ):
        label = str(getattr(Review._meta.get_field(name), "verbose_name", name))
        pairs.append((label[0].upper() + label[1:], getattr(review, name) or NONE_RECORDED))
    pairs.append(
        ("Projected start and completion dates", f"{_date(review.start_date)} to {_date(review.completion_date)}")
    )
    return Section("The scoping template").add(Terms(tuple(pairs)))


def contact_section(review: Review) -> Section:
    pairs = [
        ("Name", review.contact_name or NONE_RECORDED),
        ("Role", review.contact_role or NONE_RECORDED),
        ("Telephone", review.contact_phone or NONE_RECORDED),
        ("Email", review.contact_email or NONE_RECORDED),
    ]
    return Section("Contact officer").add(Terms(tuple(pairs)))


def _methodology(review: Review) -> Section:
    meetings = list(review.meetings.all())
    witnesses = list(review.witnesses.all())
    written = [e for e in review.evidence.all() if e.kind != Evidence.Kind.KPI_SNAPSHOT]
    visits = [m for m in meetings if m.kind == Meeting.Kind.SITE_VISIT]
    section = Section("Methodology")
    section.add(*paragraphs(review.methodology, empty="The group met, heard witnesses and read evidence."))
    section.add(
        Paragraph(
            f"The group met or visited {len(meetings)} time{'s' if len(meetings) != 1 else ''}, "
            f"heard {len(witnesses)} witness{'es' if len(witnesses) != 1 else ''} and received {len(written)} "
            f"written {'report or document' if len(written) == 1 else 'reports and documents'}."
        )
    )
    if meetings:
        section.add(
            Table(
                caption="Meetings and visits",
                head=("Date", "Kind", "Place", "Attendees"),
                rows=tuple(
                    (long_date(m.date), m.get_kind_display(), m.place or "–", " ".join(m.attendees.split()) or "–")
                    for m in meetings
                ),
                figures_from=99,
            )
        )
    if witnesses:
        section.add(
            Table(
                caption="Who gave evidence",
                head=("Name", "Role", "Organisation", "Date heard"),
                rows=tuple((w.name, w.role, w.organisation or "–", long_date(w.date_heard)) for w in witnesses),
                figures_from=99,
            )
        )
    if written:
        section.add(
            Table(
                caption="Written reports and documents received",
                head=("Title", "Kind", "Date", "Reference"),
                rows=tuple((e.title, e.get_kind_display(), long_date(e.date), e.reference or "–") for e in written),
                figures_from=99,
            )
        )
    if visits:
        section.add(
            Bullets(tuple(f"{m.place or 'A site visit'}, {long_date(m.date)}" for m in visits)),
        )
    return section


def _themes(review: Review) -> Section:
    section = Section("Work undertaken by the group")
    findings = list(review.findings.all())
    evidence = list(review.evidence.all())
    themes: list[str] = []
    for theme in [*(f.theme for f in findings), *(e.theme for e in evidence)]:
        if theme and theme not in themes:
            themes.append(theme)
    if not themes:
        return section.add(Paragraph("The group has not yet recorded findings."))
    section.add(Paragraph("The group's work, by theme, with what it found."))
    for theme in themes:
        sub = Section(theme)
        for finding in (f for f in findings if f.theme == theme):
            sub.add(*paragraphs(finding.text))
        read = [e.title for e in evidence if e.theme == theme]
        if read:
            sub.add(Paragraph("Evidence considered:"), Bullets(tuple(read)))
        section.subsections.append(sub)
    return section


def _recommendations(review: Review) -> Section:
    recommendations = list(review.recommendations.all())
    section = Section("Recommendations")
    if not recommendations:
        return section.add(Paragraph("The group has not yet made recommendations."))
    section.add(Paragraph("The group recommends:"))
    section.add(Bullets(tuple(r.text for r in recommendations), numbered=True))
    answered = [r for r in recommendations if r.response != Recommendation.Response.AWAITING]
    if answered:
        section.add(
            Table(
                caption="The executive's response",
                head=("No.", "Response", "Date", "Reasons given"),
                rows=tuple(
                    (str(r.number), r.get_response_display(), _date(r.response_date), r.response_text) for r in answered
                ),
                figures_from=99,
            )
        )
    return section


def _snapshots(review: Review) -> list[Snapshot]:
    return [e.snapshot for e in review.evidence.all() if e.snapshot is not None]


def review_report(review: Review, kind: str, *, today: dt.date | None = None) -> Document:
    """A review's interim, final or update report."""
    today = today or timezone.localdate()
    if kind == CommitteeReport.Kind.UPDATE:
        return update_report(review, today=today)
    final = kind == CommitteeReport.Kind.FINAL
    chair = _chair(review)
    witnesses = [w.name for w in review.witnesses.all()]
    committee = review.committee or "the Overview and Scrutiny Committee"
    intro = Section("Introduction from the chair")
    intro.add(*paragraphs(review.introduction, empty=""))
    if not review.introduction.strip():
        intro.blocks = [
            Paragraph(
                f"This is the {'final' if final else 'interim'} report of the task and finish group on "
                f"“{review.topic}”{', chaired by ' + chair if chair else ''}."
            )
        ]
        if witnesses:
            intro.add(Paragraph(f"The group thanks everyone who gave evidence: {_listing(witnesses)}."))
    purpose = Section("Purpose of the report").add(
        Paragraph(
            f"To present the {'final' if final else 'interim'} findings and recommendations of the group to "
            f"{committee}, for it to agree them and pass the recommendations to the executive."
        ),
        *paragraphs(review.purpose, empty=""),
    )
    purpose.blocks = [b for b in purpose.blocks if not (isinstance(b, Paragraph) and not b.text)]
    background = Section("Background")
    background.add(*paragraphs(review.rationale, empty="The reasons for the review are in the scoping template."))
    members = _members(review)
    background.add(Paragraph("The group's membership:"), Bullets(tuple(members) or (NONE_RECORDED,)))
    officers = [f"{o.name}, {o.role}" for o in review.officers.all()]
    if officers:
        background.add(Paragraph("Officers supporting the group:"), Bullets(tuple(officers)))
    background.add(Paragraph("The group's scope is set out in the scoping template at Appendix A."))
    figures = figures_for(_snapshots(review))
    performance, data = performance_section("Performance monitoring", figures)
    performance.subsections.extend([action_plans_section(today, exclude=review.action_plan), inspection_section()])
    document = Document(
        title=review.topic,
        kind_label=CommitteeReport.Kind(kind).label,
        committee=committee,
        date=today,
        authority=settings.OPENMASH_LA_NAME,
        sections=[
            intro,
            purpose,
            background,
            _methodology(review),
            _themes(review),
            performance,
            Section("Other issues considered").add(*paragraphs(review.other_issues)),
            Section("Conclusion").add(*paragraphs(review.conclusion)),
            _recommendations(review),
        ],
        appendices=[scope_appendix(review), data] if data.blocks else [scope_appendix(review)],
    )
    document.appendices.append(contact_section(review))
    return document


def _since(review: Review) -> dt.date | None:
    """The date the next update reports from: the last update to the committee, else the executive's response."""
    last = UpdateReport.objects.filter(review=review).order_by("-date", "-pk").first()
    if last is not None:
        return last.date
    dates = [r.response_date for r in review.recommendations.all() if r.response_date]
    return min(dates) if dates else None


def update_report(review: Review, *, today: dt.date) -> Document:
    """The update to the committee: where each accepted recommendation's action stands and what happened since."""
    since = _since(review)
    committee = review.committee or "the Overview and Scrutiny Committee"
    progress = recommendation_progress(review)
    intro = Section("Introduction").add(
        Paragraph(
            f"This report updates {committee} on the recommendations of the scrutiny review “{review.topic}”"
            + (f", reporting progress since {long_date(since)}." if since else ".")
        )
    )
    responses = Section("The recommendations and the executive's response")
    recommendations = list(review.recommendations.select_related("action"))
    responses.add(
        Table(
            caption="Recommendations",
            head=("No.", "Recommendation", "Response", "Status"),
            # An accepted recommendation stands where its action stands.
            rows=tuple(
                (
                    str(r.number),
                    r.text,
                    r.get_response_display(),
                    r.action.get_status_display() if r.action is not None else r.get_status_display(),
                )
                for r in recommendations
            ),
            figures_from=99,
        )
        if recommendations
        else Paragraph("The group made no recommendations.")
    )
    work = Section("Progress on the accepted recommendations")
    if not progress:
        work.add(Paragraph("No recommendation has been accepted yet."))
    for p in progress:
        sub = Section(f"Recommendation {p.recommendation.number}")
        sub.add(Paragraph(p.recommendation.text))
        if p.action is None:
            sub.add(Paragraph("No action is recorded yet."))
        else:
            action = p.action
            sub.add(
                Terms(
                    (
                        ("Action", f"{action.plan.title}, action {action.number}"),
                        ("Status", action.get_status_display()),
                        ("Rating", action.get_rag_display() if action.rag else "Not rated"),
                        ("Due", _date(action.due_date)),
                        ("Owner", action.owner_role or "Not set"),
                    )
                )
            )
            updates = ProgressUpdate.objects.filter(action=action).order_by("date", "pk")
            if since is not None:
                updates = updates.filter(date__gt=since)
            lines = [f"{long_date(u.date)}: {u.summary}" for u in updates]
            sub.add(
                Paragraph("Progress since the last report:" if since else "Progress:"),
                Bullets(tuple(lines)) if lines else Paragraph("No progress recorded in this period."),
            )
        work.subsections.append(sub)
    earlier = Section("Earlier updates to the committee")
    reports = list(review.update_reports.all())
    for report in reports:
        earlier.add(Paragraph(f"{long_date(report.date)}: {' '.join(report.summary.split())}"))
    if not reports:
        earlier.add(Paragraph("This is the first update."))
    figures = figures_for(_snapshots(review))
    performance, data = performance_section("Performance monitoring", figures)
    appendices = [data] if data.blocks else []
    appendices.append(contact_section(review))
    return Document(
        title=review.topic,
        kind_label=CommitteeReport.Kind.UPDATE.label,
        committee=committee,
        date=today,
        authority=settings.OPENMASH_LA_NAME,
        sections=[intro, responses, work, earlier, performance],
        appendices=appendices,
    )


# The quarterly performance pack -------------------------------------------------------------------------


def performance_pack(snapshot: Snapshot, *, today: dt.date | None = None) -> Document:
    """The committee's quarterly pack: every indicator of a frozen quarter by group, the action plans and the
    inspection follow-up."""
    today = today or timezone.localdate()
    figures = figures_for([snapshot])
    intro = Section("Introduction").add(
        Paragraph(
            f"The children's services performance pack for {snapshot.period_key}: every indicator the committee "
            "follows, with its target, rating, direction of travel, comparators and, for each indicator off "
            "target, its owner's account."
        )
    )
    performance, data = performance_section("Indicators", figures, groups=True)
    definitions = Section("What each indicator measures").add(
        Terms(tuple((i.full_name, f"{i.measures} Source: {i.source}") for i in registry.INDICATORS))
    )
    return Document(
        title=f"Children's services performance, {snapshot.period_key}",
        kind_label=CommitteeReport.Kind.PERFORMANCE_PACK.label,
        committee="the Overview and Scrutiny Committee",
        date=today,
        authority=settings.OPENMASH_LA_NAME,
        sections=[intro, performance, action_plans_section(today), inspection_section()],
        appendices=[definitions, data],
    )
