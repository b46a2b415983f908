"""The child's record: its summary, the merged chronology with its filters, and the printable copy.

Visits, case notes and agency contributions are written with the ORM: their recording pages are separate work,
and what is tested here is how the record reads them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from openmash.access.models import AuditEvent, BreakGlassGrant, ChildRestriction
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework import services as casework
from openmash.casework.models import CaseNote, CINPlan, Referral, Visit
from openmash.core.codes import CategoryOfAbuse, PrimaryNeed, ReasonForClosure, ReferralSource
from openmash.front_door.models import AgencyContribution, ContributionShare, SharingLevel
from openmash.journey.record import child_page
from openmash.journey.selectors import ChronologyFilters, EntryKind, child_chronology
from openmash.people.models import Child
from openmash.protection import services as protection
from openmash.protection.models import PriorChildProtectionPlan, StrategyDiscussion
from openmash.workforce.models import StaffMember
from tests.accounts.helpers import sign_in_verified

from .pdf import bookmarks

D = dt.date


def _user(username: str, *, agency: str = Agency.CHILDRENS_SOCIAL_CARE, role: str, team_of: User | None = None) -> User:
    user = User.objects.create_user(
        username=username, password="a-long-test-password", first_name=username.title(), last_name="Test", agency=agency
    )
    UserRole.objects.create(user=user, role=role)
    if team_of is not None:
        StaffMember.objects.create(
            user=user,
            first_name=username.title(),
            last_name="Test",
            team=team_of.staff.team,  # type: ignore[attr-defined]
            job_role="social_worker",
            start_date=D(2020, 1, 1),
        )
    return user


@pytest.fixture
def colleague(worker_user: User) -> User:
    """Another social worker in the same team, who sees the child through the team."""
    return _user("colleague", role=Role.SOCIAL_WORKER, team_of=worker_user)


@pytest.fixture
def health(db: None) -> User:
    return _user("health", agency=Agency.HEALTH, role=Role.AGENCY_RESEARCHER)


@pytest.fixture
def education(db: None) -> User:
    return _user("education", agency=Agency.EDUCATION, role=Role.AGENCY_RESEARCHER)


@pytest.fixture
def record(full_journey: Referral, worker_user: User, colleague: User, health: User, education: User) -> Child:
    """The whole journey, plus visits, case notes (one restricted, by the worker) and agency information."""
    child = full_journey.child
    staff = worker_user.staff  # type: ignore[attr-defined]
    Visit.objects.create(
        child=child, referral=full_journey, visit_date=D(2024, 6, 3), purpose=Visit.Purpose.CP_PLAN, seen=True,
        seen_alone=True, visited_by=staff, recorded_by=worker_user, notes="Amelia showed me her room",
    )  # fmt: skip
    Visit.objects.create(
        child=child, referral=full_journey, visit_date=D(2024, 9, 2), purpose=Visit.Purpose.CP_PLAN, seen=False,
        visited_by=staff, recorded_by=worker_user, notes="No answer at the door",
    )  # fmt: skip
    CaseNote.objects.create(
        child=child, referral=full_journey, note_type=CaseNote.NoteType.PHONE_CALL, occurred_on=D(2024, 7, 1),
        subject="Call with school", body="Attendance has improved", author=colleague,
    )  # fmt: skip
    CaseNote.objects.create(
        child=child, referral=full_journey, note_type=CaseNote.NoteType.CASE_NOTE, occurred_on=D(2024, 7, 2),
        subject="Disclosure about a relative", body="Mother disclosed her own history", author=worker_user,
        restricted=True,
    )  # fmt: skip
    contributions = {
        "health_own": (Agency.HEALTH, SharingLevel.SAFEGUARDING, "Missed immunisations", []),
        "police_shared": (Agency.POLICE, SharingLevel.PARTNERS, "Police call-out to the address", [Agency.HEALTH]),
        "police_mash_only": (Agency.POLICE, SharingLevel.MASH_ONLY, "Intelligence for the MASH only", []),
    }  # fmt: skip
    for day, (agency, level, summary, shared_with) in zip((3, 4, 5), contributions.values(), strict=True):
        c = AgencyContribution.objects.create(child=child, agency=agency, sharing_level=level, summary=summary)
        AgencyContribution.objects.filter(pk=c.pk).update(
            created_at=timezone.make_aware(dt.datetime(2024, 10, day, 12, 0))
        )
        for other in shared_with:
            ContributionShare.objects.create(contribution=c, agency=other)
    return child


def _titles(entries: list) -> list[str]:  # type: ignore[type-arg]
    return [e.title for e in entries]


# The chronology ----------------------------------------------------------------------------------


def test_everything_is_merged_newest_first(record: Child, worker_user: User) -> None:
    entries = child_chronology(user=worker_user, child=record)
    dates = [e.event_date for e in entries]
    assert dates == sorted(dates, reverse=True)
    kinds = {e.kind for e in entries}
    assert kinds == {EntryKind.EVENT, EntryKind.VISIT, EntryKind.NOTE, EntryKind.AGENCY}
    assert entries[0].title == "Case closed"  # 10 February 2025
    assert entries[-1].title == "Referral to children's social care"  # 1 May 2024
    # Between the review (20 August) and the plan's end: the visit when nobody answered, then the agencies' news
    # (not the police's item for the MASH only).
    middle = _titles([e for e in entries if D(2024, 8, 20) < e.event_date < D(2025, 2, 10)])
    assert middle == ["Information from Police", "Information from Health", "Child protection visit"]
    seen_alone = next(e for e in entries if e.event_date == D(2024, 6, 3))
    assert (seen_alone.details, seen_alone.worker, seen_alone.body) == (
        ["Child seen alone"],
        "Wendy Worker",
        "Amelia showed me her room",
    )
    note = next(e for e in entries if e.kind == EntryKind.NOTE and not e.restricted)
    assert (note.title, note.details) == ("Telephone call: Call with school", ["Written by Colleague Test"])


def test_a_restricted_note_is_for_its_author_and_the_managers(
    record: Child, worker_user: User, colleague: User, manager_user: User
) -> None:
    def notes(user: User) -> list[str]:
        return [e.title for e in child_chronology(user=user, child=record) if e.kind == EntryKind.NOTE]

    restricted = "Case note: Disclosure about a relative"
    assert restricted in notes(worker_user)  # wrote it
    assert restricted in notes(manager_user)  # manages the team holding the child
    assert notes(colleague) == ["Telephone call: Call with school"]
    page = Client()
    sign_in_verified(page, colleague)
    html = page.get(f"/children/{record.la_child_id}/").content.decode()
    assert "Call with school" in html
    assert "Disclosure about a relative" not in html
    assert "Mother disclosed" not in html


def test_a_partner_agency_reads_only_what_is_its_own_or_shared_with_it_and_no_casework(
    record: Child, health: User, education: User
) -> None:
    mine = child_chronology(user=health, child=record)
    assert {e.kind for e in mine} == {EntryKind.AGENCY}
    assert sorted(e.body for e in mine) == ["Missed immunisations", "Police call-out to the address"]
    # Education sees the child through nothing of its own: no basis, nothing at all.
    assert child_chronology(user=education, child=record) == []
    AgencyContribution.objects.create(child=record, agency=Agency.EDUCATION, summary="School attendance 60%")
    assert [e.body for e in child_chronology(user=education, child=record)] == ["School attendance 60%"]
    client = Client()
    sign_in_verified(client, health)
    html = client.get(f"/children/{record.la_child_id}/").content.decode()
    assert "Police call-out to the address" in html
    for hidden in ("Intelligence for the MASH only", "School attendance", "Call with school", "Case closed", "Filter"):
        assert hidden not in html
    assert "chronology.pdf" not in html


def test_the_childs_social_worker_reads_what_was_shared_for_safeguarding_not_the_mash_only_items(
    record: Child, worker_user: User
) -> None:
    bodies = {e.body for e in child_chronology(user=worker_user, child=record) if e.kind == EntryKind.AGENCY}
    assert bodies == {"Missed immunisations", "Police call-out to the address"}


def test_filters_by_kind_and_by_dates_inclusive(record: Child, worker_user: User) -> None:
    visits = child_chronology(
        user=worker_user, child=record, filters=ChronologyFilters(kinds=frozenset({EntryKind.VISIT}))
    )
    assert [e.event_date for e in visits] == [D(2024, 9, 2), D(2024, 6, 3)]
    summer = ChronologyFilters(start=D(2024, 6, 3), end=D(2024, 7, 1))
    entries = child_chronology(user=worker_user, child=record, filters=summer)
    assert [(e.event_date, e.kind) for e in entries] == [
        (D(2024, 7, 1), EntryKind.NOTE),
        (D(2024, 6, 20), EntryKind.EVENT),
        (D(2024, 6, 3), EntryKind.VISIT),
    ]
    both = ChronologyFilters(kinds=frozenset({EntryKind.EVENT, EntryKind.AGENCY}), start=D(2024, 10, 4))
    assert _titles(child_chronology(user=worker_user, child=record, filters=both)) == [
        "Case closed",
        "Child protection plan ended",
        "Information from Police",
    ]


def test_the_page_filters_and_explains_bad_filters_without_failing(record: Child, worker_user: User) -> None:
    client = Client()
    sign_in_verified(client, worker_user)
    url = f"/children/{record.la_child_id}/"
    html = client.get(url, {"kind": "note"}).content.decode()
    assert "Call with school" in html
    assert "Case closed" not in html
    assert "1 entry" not in html
    assert "2 entries: Case notes" in html
    for params, message in [
        ({"kind": "everything"}, "Choose from the kinds of entry listed"),
        ({"start_day": "31", "start_month": "2", "start_year": "2024"}, "From must be a real date"),
        ({"start_day": "1", "start_month": "6"}, "From must include a year"),
        (
            {"start_day": "2", "start_month": "6", "start_year": "2024",
             "end_day": "1", "end_month": "6", "end_year": "2024"},
            "The ‘to’ date must be the same as or after the ‘from’ date",
        ),
    ]:  # fmt: skip
        response = client.get(url, params)
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is a problem" in page
        assert message in page
        assert "Case closed" in page  # the whole chronology, unfiltered
    refused = client.get(f"/children/{record.la_child_id}/chronology.pdf", {"kind": "nope"})
    assert refused.status_code == 400
    assert "Choose from the kinds of entry listed" in refused.content.decode()


# The summary -------------------------------------------------------------------------------------


@pytest.fixture
def on_a_plan(referral: Referral, worker_user: User) -> Referral:
    """An open episode: a child protection plan since 21 May 2024, its first review long overdue."""
    u = worker_user
    casework.assessment_start(referral=referral, start_date=D(2024, 5, 2), acting_user=u)
    sd = protection.strategy_discussion_record(
        referral=referral, discussion_date=D(2024, 5, 3), outcome=StrategyDiscussion.Outcome.SECTION_47, acting_user=u
    )
    s47 = protection.section47_start(referral=referral, start_date=D(2024, 5, 3), strategy_discussion=sd, acting_user=u)
    protection.conference_record(
        enquiry=s47, conference_date=D(2024, 5, 21), plan_needed=True, category=CategoryOfAbuse.EMOTIONAL, acting_user=u
    )
    return referral


def test_the_summary_says_where_the_case_stands(on_a_plan: Referral, worker_user: User) -> None:
    child = on_a_plan.child
    PriorChildProtectionPlan.objects.create(
        child=child, authority="Another borough", start_date=D(2019, 1, 1), end_date=D(2019, 9, 1)
    )
    summary = child_page(user=worker_user, la_child_id=child.la_child_id).summary
    assert summary is not None
    assert summary.status == "Child protection plan"
    assert summary.episode == on_a_plan
    assert not summary.re_referral
    assert summary.plan is not None
    assert (summary.plan.label, summary.plan.start_date, summary.plan.category) == (
        "Child protection plan",
        D(2024, 5, 21),
        "Emotional abuse",
    )
    assert summary.previous_plans == 1
    assert summary.allocation is not None
    assert summary.allocation.worker.full_name == "Wendy Worker"
    # 3 months after the conference; the assessment 45 working days after 2 May 2024, skipping the bank holidays
    # of 6 and 27 May.
    by_kind = {item.kind: item.due for item in summary.due}
    assert by_kind["cp_review"] == D(2024, 8, 21)
    assert by_kind["assessment"] == D(2024, 7, 8)
    assert {i.kind for i in summary.overdue} >= {"cp_review", "assessment"}

    client = Client()
    sign_in_verified(client, worker_user)
    html = client.get(f"/children/{child.la_child_id}/").content.decode()
    summary_html = html[html.index('id="summary-heading"') : html.index("Date of birth")]
    for text in ("Child protection plan", "Emotional abuse", "Wendy Worker", "Child in need team 1", "Overdue"):
        assert text in summary_html
    assert "Child protection review conference: 21 August 2024" in summary_html


def test_a_re_referral_is_within_12_months_of_the_last_referral(child: Child, worker_user: User) -> None:
    def refer(day: dt.date) -> Referral:
        return casework.referral_create(
            child=child, referral_date=day, source=ReferralSource.SCHOOLS, primary_need=PrimaryNeed.ABUSE_NEGLECT,
            acting_user=worker_user,
        )  # fmt: skip

    def close(referral: Referral, day: dt.date) -> None:
        casework.referral_close(
            referral=referral, closure_date=day, reason=ReasonForClosure.SERVICES_CEASED, acting_user=worker_user
        )

    # Leap day: 12 months before 28 February 2025 is 28 February 2024, so 29 February 2024 is within them.
    close(refer(D(2024, 2, 29)), D(2024, 3, 4))
    second = refer(D(2025, 2, 28))
    summary = child_page(user=worker_user, la_child_id=child.la_child_id).summary
    assert summary is not None
    assert (summary.episode, summary.re_referral, summary.previous_referral_date) == (second, True, D(2024, 2, 29))
    assert summary.status == "Referral"
    # A day later than 12 months is a new referral, not a re-referral.
    close(second, D(2025, 3, 3))
    third = refer(D(2026, 3, 1))
    summary = child_page(user=worker_user, la_child_id=child.la_child_id).summary
    assert summary is not None
    assert summary.episode == third
    assert not summary.re_referral


def test_a_child_in_need_plan_and_a_closed_episode(referral: Referral, worker_user: User) -> None:
    casework.assessment_start(referral=referral, start_date=D(2024, 5, 2), acting_user=worker_user)
    CINPlan.objects.create(referral=referral, start_date=D(2024, 6, 1))  # ORM: the plan's own rules are not at issue
    summary = child_page(user=worker_user, la_child_id=referral.child.la_child_id).summary
    assert summary is not None
    assert summary.plan is not None
    assert (summary.plan.label, summary.plan.category) == ("Child in need plan", "")


def test_a_closed_case_shows_closed_and_no_plan(full_journey: Referral, worker_user: User) -> None:
    summary = child_page(user=worker_user, la_child_id=full_journey.child.la_child_id).summary
    assert summary is not None
    assert (summary.status, summary.plan, summary.previous_plans, summary.due) == ("Closed", None, 1, [])


def test_warnings_the_restricted_record_and_only_for_those_named(
    on_a_plan: Referral, worker_user: User, manager_user: User
) -> None:
    child = on_a_plan.child
    restriction = ChildRestriction.objects.create(child=child, reason="Child of a member of staff")
    restriction.allowed_users.add(manager_user)
    page = child_page(user=manager_user, la_child_id=child.la_child_id)
    assert page.warnings.restriction == restriction
    client = Client()
    sign_in_verified(client, manager_user)
    html = client.get(f"/children/{child.la_child_id}/").content.decode()
    assert "Restricted record: only the people named on it may see it. Reason: Child of a member of staff" in html


def test_partners_see_no_summary(record: Child, health: User) -> None:
    page = child_page(user=health, la_child_id=record.la_child_id)
    assert page.summary is None
    assert not page.warnings.any


# Printing ----------------------------------------------------------------------------------------


def _entries(pdf: bytes) -> list[str]:
    """The entry titles in a printed chronology (its bookmarks, less the document's own title)."""
    return [title for title in bookmarks(pdf) if not title.startswith("Chronology: ")]


def test_the_pdf_holds_the_filtered_entries_and_the_export_is_recorded(record: Child, worker_user: User) -> None:
    client = Client()
    sign_in_verified(client, worker_user)
    response = client.get(
        f"/children/{record.la_child_id}/chronology.pdf",
        {"kind": ["visit", "note"], "start_day": "1", "start_month": "7", "start_year": "2024"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert _entries(response.content) == [
        "Child protection visit",
        "Case note: Disclosure about a relative",
        "Telephone call: Call with school",
    ]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, child_id=record.pk).get()
    assert (event.user, event.detail["entries"], event.detail["kinds"]) == (worker_user, 3, ["note", "visit"])
    assert (event.detail["start"], event.detail["end"]) == ("2024-07-01", None)
    # What the social worker's colleague prints leaves out the note restricted to its author.
    colleague_client = Client()
    sign_in_verified(colleague_client, User.objects.get(username="colleague"))
    theirs = colleague_client.get(f"/children/{record.la_child_id}/chronology.pdf", {"kind": "note"})
    assert _entries(theirs.content) == ["Telephone call: Call with school"]


def test_the_pdf_is_a_pdf(record: Child, worker_user: User) -> None:
    client = Client()
    sign_in_verified(client, worker_user)
    response = client.get(f"/children/{record.la_child_id}/chronology.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert b"%%EOF" in response.content[-64:]
    assert 'filename="chronology-C100-' in response["Content-Disposition"]
    viewed = AuditEvent.objects.filter(child_id=record.pk, action=AuditEvent.Action.EXPORT)
    assert viewed.count() == 1


def test_no_pdf_for_partners_or_under_break_glass(record: Child, health: User, education: User) -> None:
    client = Client()
    sign_in_verified(client, health)
    assert client.get(f"/children/{record.la_child_id}/chronology.pdf").status_code == 404
    doctor = _user("doctor", agency=Agency.CHILDRENS_SOCIAL_CARE, role=Role.SOCIAL_WORKER)
    BreakGlassGrant.objects.create(
        user=doctor, child=record, reason="Out of hours", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    client = Client()
    sign_in_verified(client, doctor)
    assert client.get(f"/children/{record.la_child_id}/").status_code == 200
    assert client.get(f"/children/{record.la_child_id}/chronology.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize(
    "value", ["", "\x00", "x" * 5000, "ßüñ 漢字 🙂", "-1", "99999999999999999999999", "2025-02-30", "0"]
)
def test_no_filter_value_breaks_the_record_or_its_pdf(record: Child, worker_user: User, value: str) -> None:
    client = Client()
    sign_in_verified(client, worker_user)
    params = dict.fromkeys(("kind", "start_day", "start_month", "start_year", "end_day", "end_year"), value)
    page = client.get(f"/children/{record.la_child_id}/", params)
    assert page.status_code == 200
    assert "There is a problem" in page.content.decode() or value == ""
    assert client.get(f"/children/{record.la_child_id}/chronology.pdf", params).status_code in (200, 400)


def test_the_record_leads_to_the_work_on_the_case(on_a_plan: Referral, worker_user: User, health: User) -> None:
    child = on_a_plan.child
    plan = on_a_plan.cp_plans.get()
    client = Client()
    sign_in_verified(client, worker_user)
    html = client.get(f"/children/{child.la_child_id}/").content.decode()
    work = html[html.index('id="case-work-heading"') :]
    for href in (
        f"/referrals/{on_a_plan.pk}/",
        f"/cp-plans/{plan.pk}/",
        f"/referrals/{on_a_plan.pk}/strategy-discussion/",
        f"/children/{child.la_child_id}/visits/",
        f"/children/{child.la_child_id}/notes/",
    ):
        assert f'href="{href}"' in work
    assert "/reallocate/" not in work  # a social worker does not allocate
    partner = Client()
    sign_in_verified(partner, health)
    assert 'id="case-work-heading"' not in partner.get(f"/children/{child.la_child_id}/").content.decode()
