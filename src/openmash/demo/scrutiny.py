"""The demo borough's improvement and scrutiny record: inspections (its own, synthetic, and the published
judgements of the authorities it is compared with), an action plan answering its inspection and a safeguarding
action plan, the last complete quarter frozen, and a children's safeguarding scrutiny review part way through.

Everything is made through the services, acting as the demo accounts (the analyst and the service manager keep
the record, as they would), so the audit trail, the action plans and the change history are real. `ensure_demo_scrutiny`
does nothing once any review exists, so `make run` can call it every time; it runs in one transaction, so a
failure leaves nothing half made. The people named below are made up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openmash.accounts.models import User
from openmash.improvement import services as improvement
from openmash.improvement.models import Action, ActionPlan, Inspection, PlanKind
from openmash.performance import scorecard
from openmash.performance import services as performance
from openmash.performance.models import IndicatorSetting, Snapshot
from openmash.scrutiny import services as scrutiny
from openmash.scrutiny.actions import progress_text
from openmash.scrutiny.models import Evidence, Meeting, Recommendation, Review

# Ofsted's published judgements of the authorities the demo borough is compared with (data/SOURCES.md).
INSPECTIONS_CSV = Path(__file__).parent / "data" / "inspections.csv"
AUTHORITY = "Demo borough"

ANALYST = "analyst.demo"
SERVICE_MANAGER = "sm.demo"
TEAM_MANAGER = "tm.demo"
COUNCILLOR = "cllr.demo"
REVIEW_TOPIC = "Keeping children safe: the front door and child sexual exploitation"


class DemoScrutinyError(Exception):
    """The demo accounts are missing: run `openmash demo-users` first."""


@dataclass(frozen=True)
class Made:
    review: Review
    inspection: Inspection
    plans: list[ActionPlan]
    snapshot: Snapshot | None


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise DemoScrutinyError(f"There is no demo account {username}: run `openmash demo-users` first")
    return user


def _inspections(today: dt.date, analyst: User) -> Inspection:
    """The comparison authorities from the published CSV, and the demo borough's own (synthetic) inspection."""
    improvement.inspections_load_csv(data=INSPECTIONS_CSV.read_bytes(), acting_user=analyst)
    own = Inspection.objects.filter(la_code=settings.OPENMASH_LA_CODE, framework="ilacs").order_by("-published").first()
    if own is not None:
        return own
    return improvement.inspection_record(
        authority=AUTHORITY,
        la_code=settings.OPENMASH_LA_CODE,
        framework="ilacs",
        inspection_type="Standard inspection (synthetic, for the demo)",
        published=today - dt.timedelta(days=420),
        judgements={
            "overall": "requires_improvement",
            "leaders": "requires_improvement",
            "help_protection": "requires_improvement",
            "children_in_care": "good",
            "care_leavers": "good",
        },
        areas_for_improvement=[
            "The timeliness and quality of decisions in the multi-agency safeguarding hub (MASH), including "
            "the use of parental consent and the recording of the reasons for decisions.",
            "The identification of, and response to, children at risk of child sexual exploitation, including "
            "the consistent use of return home interviews.",
            "The timeliness of assessments in the Advice and Assessment team, and the quality of plans that follow.",
            "Management oversight and supervision that challenge drift and help social workers reflect.",
        ],
        acting_user=analyst,
    )


def _inspection_plan(inspection: Inspection, today: dt.date, analyst: User, manager: User) -> ActionPlan:
    plan = improvement.plan_from_inspection(inspection=inspection, owner=manager, acting_user=analyst)
    # Where each area for improvement stands: (due in days from today, status, RAG, progress).
    states = [
        (
            -30,
            "in_progress",
            "red",
            "Audit of 40 MASH decisions found reasons recorded in 31; consent guidance reissued.",
        ),
        (60, "in_progress", "amber", "CSE screening tool in use across the front door; return home interviews at 74%."),
        (90, "in_progress", "amber", "Assessment timeliness reviewed weekly by the head of service."),
        (-90, "complete", "green", "Supervision policy relaunched; audits show monthly reflective supervision."),
    ]
    for action, (due, status, rag, summary) in zip(plan.actions.order_by("number"), states, strict=False):
        action = improvement.action_update(
            action=action,
            details=improvement.ActionDetails(
                title=action.title,
                description=action.description,
                owner=manager,
                owner_role="Head of Service, Children's Social Care",
                due_date=today + dt.timedelta(days=due),
                status="in_progress",
            ),
            acting_user=analyst,
        )
        improvement.progress_record(
            action=action,
            date=today - dt.timedelta(days=12),
            summary=summary,
            evidence="Quality assurance report to the improvement board",
            status=status,
            rag=rag,
            acting_user=analyst,
        )
    return plan


# (title, owner's role, due in days from today, status, RAG, indicators, progress updates as (days ago, summary))
SAFEGUARDING_ACTIONS = [
    (
        "Decide every contact to the MASH within one working day",
        "MASH team manager",
        -45,
        "in_progress",
        "red",
        ["rereferral_rate"],
        [(80, "Daily huddle started with police and health."), (20, "Decisions within a day at 81%, target 95%.")],
    ),
    (
        "Return home interviews offered within 72 hours to every child found after going missing",
        "Head of Service, Children's Social Care",
        -10,
        "in_progress",
        "amber",
        [],
        [(15, "Commissioned service extended to weekends.")],
    ),
    (
        "Complete single assessments within 45 working days",
        "Advice and Assessment team manager",
        45,
        "in_progress",
        "amber",
        ["assessments_within_45wd"],
        [(30, "Two agency social workers recruited to clear the backlog.")],
    ),
    (
        "Review every child protection plan open for 18 months or more",
        "Independent reviewing service manager",
        120,
        "not_started",
        "",
        ["cpp_two_years_at_end"],
        [],
    ),
    (
        "Bring average caseloads to 18 or fewer",
        "Principal social worker",
        -120,
        "complete",
        "green",
        ["average_caseload"],
        [(130, "Caseload weighting agreed."), (100, "Average caseload 17.6 at the end of the quarter.")],
    ),
    (
        "Publish the multi-agency thresholds document and train partners in it",
        "Safeguarding partnership business manager",
        -200,
        "closed",
        "green",
        [],
        [(210, "Thresholds published and 240 partner staff trained.")],
    ),
]


def _safeguarding_plan(today: dt.date, analyst: User, manager: User, team_manager: User) -> ActionPlan:
    plan = improvement.plan_create(
        title="Safeguarding action plan",
        kind=PlanKind.SAFEGUARDING,
        description="The borough's children's safeguarding priorities for the year, reported to the improvement "
        "board each month and to the scrutiny committee each quarter.",
        owner=manager,
        acting_user=analyst,
    )
    for n, (title, role, due, status, rag, indicators, updates) in enumerate(SAFEGUARDING_ACTIONS):
        action: Action = improvement.action_add(
            plan=plan,
            details=improvement.ActionDetails(
                title=title,
                owner=team_manager if n % 2 else manager,
                owner_role=role,
                due_date=today + dt.timedelta(days=due),
                indicators=indicators,
            ),
            acting_user=analyst,
        )
        for i, (days_ago, summary) in enumerate(updates):
            last = i == len(updates) - 1
            improvement.progress_record(
                action=action,
                date=today - dt.timedelta(days=days_ago),
                summary=summary,
                evidence=f"Performance report, {today - dt.timedelta(days=days_ago):%B %Y}",
                status=status if last else "in_progress",
                rag=rag if last else "amber",
                acting_user=analyst,
            )
        if not updates and (status, rag) != ("not_started", ""):
            improvement.action_update(
                action=action,
                details=improvement.ActionDetails(
                    title=title, owner=action.owner, owner_role=role, due_date=action.due_date, status=status, rag=rag
                ),
                acting_user=analyst,
            )
    return plan


def _freeze(today: dt.date, analyst: User) -> Snapshot:
    """Freeze the last complete quarter, as the analyst would for committee: each figure rated red is explained
    first by its owner (or, with none, by the analyst)."""
    period = scorecard.default_period(today)
    held = Snapshot.objects.filter(period_key=period.key).first()
    if held is not None:
        return held
    card = scorecard.build(analyst, period=period, today=today)
    owners = {s.indicator_id: s.owner for s in IndicatorSetting.objects.select_related("owner")}
    for row in card.missing_narratives:
        performance.narrative_save(
            period=period,
            indicator_id=row.indicator.id,
            text="Off target this quarter. The reasons and the actions taken are in the safeguarding action plan, "
            "which the improvement board follows monthly.",
            acting_user=owners.get(row.indicator.id) or analyst,
        )
    return performance.period_freeze(period=period, acting_user=analyst, today=today)


SCOPE = {
    "topic": REVIEW_TOPIC,
    "committee": "Children and Young People Overview and Scrutiny Committee",
    "status": Review.Status.REPORTING,
    "rationale": "Contacts to the MASH rose by a quarter in two years and the last inspection asked for quicker, "
    "better-recorded decisions at the front door and a stronger response to child sexual exploitation.",
    "purpose": "To understand how the MASH and the Advice and Assessment team decide what happens to a contact, "
    "how quickly, and how children at risk of exploitation are identified and protected; and to recommend "
    "improvements to the Cabinet Member for Children's Services.",
    "indicators_of_success": "Recommendations agreed by Cabinet and carried out; MASH decisions within a working day "
    "and assessments within 45 working days back on target within a year.",
    "methodology": "Quarterly performance figures (frozen for committee), visits to the MASH and the Advice and "
    "Assessment team, interviews with officers and partners, and the inspection report.",
    "witnesses_planned": "The head of the MASH; the police lead for child sexual exploitation; the Advice and "
    "Assessment team manager; the designated nurse for safeguarding.",
    "documentary_evidence": "Working Together to Safeguard Children 2023; the borough's last ILACS report; the "
    "safeguarding partnership's annual report; the multi-agency thresholds document.",
    "site_visits_planned": "The MASH; the Advice and Assessment team.",
    "stakeholder_views": "A session with the children in care council and a survey of partner agencies' staff.",
    "publicity": "The council's website, a press release when the report goes to committee, and the partnership's "
    "newsletter.",
    "resources": "Officer time from performance and democratic services; no additional budget.",
    "risks": "Overlap with the safeguarding partnership's own audit; witnesses' availability during the inspection "
    "window; figures small enough to identify a child (shown as \u201cc\u201d).",
    # Drafted for the committee report while the group is reporting.
    "introduction": "As chair of the task and finish group I am pleased to present our review of how the borough "
    "keeps children safe at its front door and protects them from sexual exploitation. I thank the officers, "
    "partners and witnesses who gave their time, and my fellow councillors for their commitment.",
    "other_issues": "The group heard concerns about the capacity of child and adolescent mental health services; "
    "these are for the health scrutiny panel and have been passed to it.",
    "conclusion": "The front door is safer and quicker than at the last inspection, but reasons for decisions, "
    "return home interviews and assessment timeliness need sustained attention. Our recommendations are "
    "intended to make that improvement last.",
    "contact_name": "Helen Marsh",
    "contact_role": "Scrutiny officer, Democratic Services",
    "contact_phone": "01632 960123",
    "contact_email": "helen.marsh@example.gov.uk",
}

ATTENDEES = "Councillor Margaret Doyle (chair), Councillor Priya Shah, Councillor Tom Harrington; Helen Marsh"
MEETINGS = [
    (Meeting.Kind.MEETING, 150, "Committee room 2, Town Hall", "Scoping meeting: agreed the scope and witnesses."),
    (Meeting.Kind.SITE_VISIT, 120, "The MASH, Civic Centre", "Watched the daily MASH huddle and contact screening."),
    (
        Meeting.Kind.SITE_VISIT,
        95,
        "Advice and Assessment team, Civic Centre",
        "Met social workers and the team manager; looked at how assessments are allocated.",
    ),
    (Meeting.Kind.INTERVIEW, 70, "Committee room 2, Town Hall", "Heard from the police and health witnesses."),
]

WITNESSES = [
    (
        "Amira Collins",
        "Head of the MASH",
        "Demo Borough Council",
        120,
        "Described the rise in contacts, the daily huddle and the target of a decision within one working day.",
    ),
    (
        "Detective Chief Inspector Paul Reid",
        "Police lead for child sexual exploitation",
        "Demo Constabulary",
        70,
        "Explained how intelligence on exploitation is shared with the MASH and the gaps in return home interviews.",
    ),
    (
        "Grace Obi",
        "Team manager, Advice and Assessment",
        "Demo Borough Council",
        95,
        "Set out caseloads, the assessment backlog and the recruitment of agency staff.",
    ),
    (
        "Janet Price",
        "Designated nurse for safeguarding",
        "Demo Integrated Care Board",
        70,
        "Described health's part in MASH strategy discussions and information sharing within the day.",
    ),
]

# (kind, title, days before today, theme): the documents and officers' reports the group read.
EVIDENCE = [
    (Evidence.Kind.DOCUMENT, "Working Together to Safeguard Children 2023", 150, ""),
    (Evidence.Kind.DOCUMENT, "Ofsted inspection of the borough's children's services (ILACS)", 150, ""),
    (Evidence.Kind.REPORT, "The MASH: contacts, decisions and timeliness", 120, "The MASH"),
    (
        Evidence.Kind.REPORT,
        "Child sexual exploitation: screening and return home interviews",
        70,
        "Child sexual exploitation",
    ),
    (
        Evidence.Kind.REPORT,
        "Advice and Assessment: caseloads and assessment timeliness",
        95,
        "The Advice and Assessment team",
    ),
]

FINDINGS = [
    ("The MASH", "Most contacts are decided within a working day, but the reasons are not always recorded."),
    ("The MASH", "Police and health attend the daily huddle; education is not yet represented."),
    (
        "Child sexual exploitation",
        "The screening tool is used consistently, but return home interviews are not always offered within 72 hours.",
    ),
    ("Child sexual exploitation", "Partners share intelligence well at the monthly exploitation meeting."),
    ("The Advice and Assessment team", "High caseloads last year led to assessments running past 45 working days."),
    ("The Advice and Assessment team", "Newly qualified social workers value their supervision and training."),
]

# (text, response, reasons) — None: the executive has not yet responded.
RECOMMENDATIONS: list[tuple[str, str | None, str]] = [
    (
        "Record the reasons for every MASH decision, and audit a sample each month.",
        Recommendation.Response.ACCEPTED,
        "Accepted: monthly audits begin next month and are reported to the improvement board.",
    ),
    (
        "Offer every child a return home interview within 72 hours of being found.",
        Recommendation.Response.PARTLY_ACCEPTED,
        "Partly accepted: within 72 hours where the child agrees; the service will be extended to weekends.",
    ),
    (
        "Invite a designated safeguarding lead from education to the daily MASH huddle.",
        Recommendation.Response.ACCEPTED,
        "Accepted: the education safeguarding team will attend from next term.",
    ),
    ("Report assessment timeliness to this committee every quarter until it is on target.", None, ""),
    ("Fund two additional permanent posts in the Advice and Assessment team.", None, ""),
]


def _review(today: dt.date, snapshot: Snapshot | None, analyst: User, manager: User, cllr: User) -> Review:
    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    review = scrutiny.review_create(
        values={**SCOPE, "start_date": ago(160), "completion_date": today + dt.timedelta(days=60)},
        acting_user=analyst,
    )
    scrutiny.member_add(review=review, user=cllr, is_chair=True, acting_user=analyst)
    for name in ("Councillor Priya Shah", "Councillor Tom Harrington"):
        scrutiny.member_add(review=review, name=name, acting_user=analyst)
    for name, role in (
        ("Ruth Adeyemi", "Performance analyst, Children's Services"),
        ("Dev Okafor", "Service manager, Children's Social Care"),
        ("Helen Marsh", "Scrutiny officer, Democratic Services"),
    ):
        scrutiny.officer_add(review=review, name=name, role=role, acting_user=analyst)
    for kind, days, place, notes in MEETINGS:
        scrutiny.meeting_record(
            review=review,
            kind=kind,
            date=ago(days),
            place=place,
            attendees=ATTENDEES,
            notes=notes,
            acting_user=analyst,
        )
    for name, role, organisation, days, summary in WITNESSES:
        scrutiny.witness_record(
            review=review,
            name=name,
            role=role,
            organisation=organisation,
            date_heard=ago(days),
            summary=summary,
            acting_user=analyst,
        )
    if snapshot is not None:
        scrutiny.evidence_add(
            review=review,
            kind=Evidence.Kind.KPI_SNAPSHOT,
            title="",
            snapshot=snapshot,
            theme="The MASH",
            acting_user=analyst,
        )
    for evidence_kind, title, days, theme in EVIDENCE:
        scrutiny.evidence_add(
            review=review, kind=evidence_kind, title=title, date=ago(days), theme=theme, acting_user=analyst
        )
    for theme, text in FINDINGS:
        scrutiny.finding_add(review=review, theme=theme, text=text, acting_user=analyst)
    for text, response, reasons in RECOMMENDATIONS:
        recommendation = scrutiny.recommendation_add(review=review, text=text, acting_user=analyst)
        if response is None:
            continue
        recommendation = scrutiny.recommendation_respond(
            recommendation=recommendation,
            response=response,
            response_text=reasons,
            response_date=ago(40),
            acting_user=manager,
        )
        action = recommendation.action
        assert action is not None  # an accepted recommendation is an action
        action = improvement.action_update(
            action=action,
            details=improvement.ActionDetails(
                title=action.title,
                description=action.description,
                owner=manager,
                owner_role="Head of Service, Children's Social Care",
                due_date=today + dt.timedelta(days=90),
                status="in_progress",
            ),
            acting_user=manager,
        )
        improvement.progress_record(
            action=action,
            date=ago(10),
            summary="Work started: an owner named and the first steps agreed at the improvement board.",
            evidence="Improvement board minutes",
            status="in_progress",
            rag="green",
            acting_user=manager,
        )
    scrutiny.update_report_record(
        review=review,
        date=ago(5),
        summary="Progress on the recommendations the executive has accepted so far:\n" + progress_text(review),
        acting_user=analyst,
    )
    return review


def ensure_demo_scrutiny(*, today: dt.date | None = None) -> Made | None:
    """Make the demo's inspections, action plans, frozen quarter and scrutiny review; None (nothing done) once any
    review exists. Needs the demo accounts (`openmash demo-users`)."""
    if Review.objects.exists():
        return None
    today = today or timezone.localdate()
    analyst, manager = _user(ANALYST), _user(SERVICE_MANAGER)
    team_manager, cllr = _user(TEAM_MANAGER), _user(COUNCILLOR)
    with transaction.atomic():
        inspection = _inspections(today, analyst)
        plans = [
            _inspection_plan(inspection, today, analyst, manager),
            _safeguarding_plan(today, analyst, manager, team_manager),
        ]
        snapshot = _freeze(today, analyst)
        review = _review(today, snapshot, analyst, manager, cllr)
    return Made(review=review, inspection=inspection, plans=plans, snapshot=snapshot)
