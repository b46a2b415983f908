"""Ofsted's Annex A lists, from a small constructed borough, as at a fixed day (30 September 2025).

The six-month window then starts on 30 March 2025 and the twelve-month counts on 30 September 2024. Records
are made with the ORM at exact dates, so each window edge can be placed a day either side.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from openmash.access.models import AuditEvent
from openmash.accounts.models import Role, User, UserRole
from openmash.casework.models import Assessment, CINPlan, Referral, Visit
from openmash.front_door.models import Contact, EarlyHelpPackage
from openmash.people.models import Child, ChildDisability
from openmash.protection.models import (
    ChildProtectionPlan,
    ChildProtectionReview,
    EmergencyProtection,
    Section47Enquiry,
    StrategyDiscussion,
)
from openmash.returns import annex_a
from openmash.workforce.models import Allocation, Service, StaffMember, Team

D = dt.date
AS_OF = D(2025, 9, 30)
pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _child(la_id: str, **kwargs: Any) -> Child:
    fields: dict[str, Any] = {"first_name": "Test", "last_name": la_id, "date_of_birth": D(2012, 1, 1)}
    fields.update(kwargs)
    return Child.objects.create(la_child_id=la_id, **fields)


def _referral(child: Child, day: dt.date, **kwargs: Any) -> Referral:
    fields: dict[str, Any] = {"source": "6", "primary_need": "N1"}
    fields.update(kwargs)
    return Referral.objects.create(child=child, referral_date=day, **fields)


def _s47(referral: Referral, day: dt.date, **kwargs: Any) -> Section47Enquiry:
    sd = StrategyDiscussion.objects.create(referral=referral, discussion_date=day, outcome="s47")
    return Section47Enquiry.objects.create(referral=referral, strategy_discussion=sd, start_date=day, **kwargs)


def _plan(referral: Referral, start: dt.date, end: dt.date | None = None, **kwargs: Any) -> ChildProtectionPlan:
    fields: dict[str, Any] = {"initial_category": "NEG", "latest_category": "NEG"}
    fields.update(kwargs)
    return ChildProtectionPlan.objects.create(referral=referral, start_date=start, end_date=end, **fields)


@pytest.fixture
def borough() -> dict[str, Any]:
    service = Service.objects.create(name="Safeguarding")
    team = Team.objects.create(name="North team", service=service, kind=Team.Kind.CHILD_IN_NEED)
    ann = StaffMember.objects.create(
        first_name="Ann", last_name="Able", team=team, job_role="social_worker", start_date=D(2020, 1, 1)
    )
    ben = StaffMember.objects.create(
        first_name="Ben", last_name="Baker", team=team, job_role="social_worker", start_date=D(2020, 1, 1)
    )

    # Amelia: nine on the day (ten the next), disabled, on a plan, with police protection in the window.
    amelia = _child("C1", sex="M", ethnicity="WBRI", date_of_birth=D(2015, 10, 1))
    ChildDisability.objects.create(child=amelia, code="MOB")
    for day, hour in ((D(2025, 3, 29), 10), (D(2025, 3, 30), 9), (AS_OF, 23), (D(2025, 10, 1), 9)):
        Contact.objects.create(child=amelia, received_at=_at(day, hour), source="6")
    earlier = _referral(amelia, D(2024, 11, 1), closure_date=D(2025, 1, 15), closure_reason="RC7")
    _s47(
        earlier,
        D(2024, 12, 1),
        conference_not_required=True,
        outcome="substantiated",
        outcome_date=D(2024, 12, 15),
    )
    current = _referral(amelia, D(2025, 4, 10))
    Allocation.objects.create(child=amelia, worker=ann, team=team, start_date=D(2025, 4, 10), end_date=D(2025, 6, 30))
    Allocation.objects.create(child=amelia, worker=ben, team=team, start_date=D(2025, 7, 1))
    Assessment.objects.create(
        referral=current, start_date=D(2025, 4, 11), child_seen=True, authorised_date=D(2025, 5, 20)
    )
    enquiry = _s47(current, D(2025, 5, 1), conference_date=D(2025, 5, 20), outcome="icpc", outcome_date=D(2025, 5, 20))
    plan = _plan(current, D(2025, 5, 20), section47=enquiry, latest_category="EMO", number_of_previous_plans=1)
    ChildProtectionReview.objects.create(plan=plan, review_date=D(2025, 8, 20))
    for day, alone in ((D(2025, 9, 1), True), (D(2025, 9, 20), False), (D(2025, 10, 5), True)):
        Visit.objects.create(
            child=amelia, referral=current, visit_date=day, purpose="cp_plan", seen=True, seen_alone=alone
        )
    EmergencyProtection.objects.create(child=amelia, kind="police", start_date=D(2025, 5, 1), end_date=D(2025, 5, 3))

    # Bea: a child in need since 2024 on a plan, a referral in the window that needed no further action,
    # and early help that started and ended in the window.
    bea = _child("C2", sex="F", ethnicity="BAFR", date_of_birth=D(2010, 1, 1))
    cin = _referral(bea, D(2024, 1, 10), primary_need="N4")
    CINPlan.objects.create(referral=cin, start_date=D(2024, 3, 1))
    _referral(
        bea, D(2025, 6, 1), source="1A", primary_need="", no_further_action=True, closure_date=D(2025, 6, 1),
        closure_reason="RC8",
    )  # fmt: skip
    contact = Contact.objects.create(child=bea, received_at=_at(D(2025, 4, 30)), source="2A")
    EarlyHelpPackage.objects.create(
        contact=contact, child=bea, lead_agency="education", support="Support", started_on=D(2025, 5, 1),
        closed_on=D(2025, 7, 1), outcome="needs_met",
    )  # fmt: skip

    # Cal: a plan that ended the day after the window opened, a case closed in the window, and an emergency
    # protection order long before it.
    cal = _child("C3", sex="U", ethnicity="REFU", date_of_birth=D(2018, 3, 4))
    closed = _referral(cal, D(2024, 6, 1), closure_date=D(2025, 4, 1), closure_reason="RC7")
    _s47(closed, D(2024, 6, 5), conference_date=D(2024, 6, 20), outcome="icpc", outcome_date=D(2024, 6, 20))
    _plan(closed, D(2024, 7, 1), D(2025, 3, 31), initial_category="PHY", latest_category="PHY")
    EmergencyProtection.objects.create(child=cal, kind="epo", start_date=D(2024, 8, 1), end_date=D(2024, 8, 5))

    # Dan: a plan that ended the day before the window opened.
    dan = _child("C4", ethnicity="CHNE")
    old = _referral(dan, D(2024, 5, 1), closure_date=D(2025, 3, 29), closure_reason="RC7")
    _plan(old, D(2024, 6, 1), D(2025, 3, 29))

    return {"amelia": amelia, "bea": bea, "cal": cal, "dan": dan}


def _rows(builder: Any, as_of: dt.date = AS_OF) -> list[dict[str, Any]]:
    spec = next(s for s in annex_a.LISTS if annex_a.BUILDERS.get(s.number) is builder)
    return [dict(zip(spec.columns, row, strict=True)) for row in builder(as_of)]


def test_contacts_in_the_six_months_only(borough: dict[str, Any]) -> None:
    rows = _rows(annex_a.contacts)
    # The contact 6 months and a day before, and the one after the day, are out; the ones on each edge are in.
    assert [(r["Child unique ID"], r["Date of contact"]) for r in rows] == [
        ("C1", "30/03/2025"),
        ("C2", "30/04/2025"),
        ("C1", "30/09/2025"),
    ]
    first = rows[0]
    assert first["Contact source"] == "q) 6: Police"
    assert (first["Gender"], first["Ethnicity"], first["Date of birth"]) == ("a) Male", "a) WBRI", "01/10/2015")
    assert first["Age of child (years)"] == 9  # ten the day after


def test_early_help(borough: dict[str, Any]) -> None:
    assert _rows(annex_a.early_help) == [
        {
            "Child unique ID": "C2",
            "Gender": "b) Female",
            "Ethnicity": "o) BAFR",
            "Date of birth": "01/01/2010",
            "Age of child (years)": 15,
            "Assessment start date": "01/05/2025",
            "Assessment completion date": "01/07/2025",
            "Organisation completing the assessment": "Education",
        }
    ]
    # Before it ended, the completion date had not happened.
    assert _rows(annex_a.early_help, D(2025, 6, 1))[0]["Assessment completion date"] == ""


def test_referrals_with_counts_and_worker_as_at_the_day(borough: dict[str, Any]) -> None:
    rows = {r["Child unique ID"]: r for r in _rows(annex_a.referrals)}
    assert set(rows) == {"C1", "C2"}  # the referrals before the window are out
    amelia, bea = rows["C1"], rows["C2"]
    assert (amelia["Date of referral"], amelia["Referral source"], amelia["Referral NFA?"]) == (
        "10/04/2025",
        "q) 6: Police",
        "b) No",
    )
    assert amelia["Number of referrals in the last 12 months"] == 2  # November 2024's and this one
    assert (amelia["Allocated team"], amelia["Allocated worker"]) == ("North team", "Ben Baker")
    assert (bea["Referral NFA?"], bea["Referral source"], bea["Number of referrals in the last 12 months"]) == (
        "a) Yes",
        "a) 1A: Individual",
        1,  # her referral of January 2024 is more than twelve months before
    )
    # Earlier in the summer the case was with Ann.
    earlier = {r["Child unique ID"]: r for r in _rows(annex_a.referrals, D(2025, 6, 15))}
    assert earlier["C1"]["Allocated worker"] == "Ann Able"


def test_assessments(borough: dict[str, Any]) -> None:
    rows = _rows(annex_a.assessments)
    assert len(rows) == 1
    row = rows[0]
    assert row["Does the child have a disability"] == "a) Yes"
    assert row["Continuous assessment start date"] == "11/04/2025"
    assert row["Child seen during continuous assessment"] == "a) Yes"
    assert row["Continuous assessment date of authorisation"] == "20/05/2025"


def test_section47s_and_conferences(borough: dict[str, Any]) -> None:
    rows = _rows(annex_a.section47s)
    assert [r["Child unique ID"] for r in rows] == ["C1"]  # December's ended before the window; Cal's in 2024
    row = rows[0]
    assert row["Strategy discussion initiating S47 enquiry start date"] == "01/05/2025"
    assert row["Was an ICPC deemed unnecessary?"] == "b) No"
    assert row["Date of initial child protection conference"] == "20/05/2025"
    assert row["Did the ICPC result in a CP plan?"] == "a) Yes"
    assert row["Number of S47 enquiries in the last 12 months"] == 2
    assert row["Number of ICPCs in the last 12 months"] == 1
    # Before the conference was held, nothing about it is known yet; December's, then in the window, was
    # decided as needing no conference.
    december, before = _rows(annex_a.section47s, D(2025, 5, 10))
    assert december["Was an ICPC deemed unnecessary?"] == "a) Yes"
    assert before["Date of initial child protection conference"] == ""
    assert before["Did the ICPC result in a CP plan?"] == ""
    assert before["Was an ICPC deemed unnecessary?"] == ""


def test_children_in_need(borough: dict[str, Any]) -> None:
    rows = {r["Child unique ID"]: r for r in _rows(annex_a.children_in_need)}
    # Dan's case closed the day before the window: out. Bea's referral that needed no action is not her row.
    assert set(rows) == {"C1", "C2", "C3"}
    assert rows["C1"]["Case status"] == "b) Child Protection plan"
    assert rows["C1"]["Date child was last seen"] == "20/09/2025"  # the October visit had not happened
    assert rows["C2"]["Case status"] == "c) Child in need plan"
    assert rows["C2"]["CIN start date"] == "10/01/2024"
    assert rows["C2"]["Primary need code"] == "N4 - Family in acute stress"
    cal = rows["C3"]
    assert (cal["Case status"], cal["CIN closure date"]) == ("e) Closed episode", "01/04/2025")
    assert cal["Reason for closure"].startswith("RC7 - ")
    assert (cal["Gender"], cal["Ethnicity"]) == ("c) Not stated/recorded", "s) REFU")
    # As at the day before Cal's case closed, it was still open.
    assert {r["Child unique ID"]: r for r in _rows(annex_a.children_in_need, D(2025, 3, 31))}["C3"][
        "CIN closure date"
    ] == ""


def test_child_protection(borough: dict[str, Any]) -> None:
    rows = {r["Child unique ID"]: r for r in _rows(annex_a.child_protection)}
    assert set(rows) == {"C1", "C3"}  # Dan's plan ended a day before the window
    amelia = rows["C1"]
    assert (amelia["Initial category of abuse"], amelia["Latest category of abuse"]) == (
        "a) Neglect",
        "d) Emotional abuse",
    )
    assert amelia["Date of the last statutory visit"] == "20/09/2025"
    assert amelia["Was the child seen alone?"] == "b) No"
    assert amelia["Date of latest review conference"] == "20/08/2025"
    assert amelia["CP plan end date"] == ""
    key = "Subject to an emergency protection order or police protection in the last six months (Y/N)"
    assert amelia[key] == "a) Yes"
    assert amelia["Number of previous CP plans"] == 1
    assert amelia["Allocated worker"] == "Ben Baker"
    cal = rows["C3"]
    assert (cal["CP plan end date"], cal["Initial category of abuse"], cal[key]) == (
        "31/03/2025",
        "b) Physical abuse",
        "b) No",
    )


def test_definitions_keep_to_excel_and_ofsted() -> None:
    assert [s.number for s in annex_a.LISTS] == list(range(1, 12))
    assert all(len(s.sheet) <= 31 for s in annex_a.LISTS)
    assert all(s.columns[:5] == annex_a.COMMON for s in annex_a.LISTS[:10])
    assert annex_a.ETHNICITY["NOBT"] == "t) NOBT"
    assert annex_a.SOURCE["5D"] == "p1) 5D: LA services"


@pytest.fixture
def analyst() -> User:
    user = User.objects.create_user(username="analyst", password="a-long-test-password")
    UserRole.objects.create(user=user, role=Role.PERFORMANCE_ANALYST)
    return user


def _export(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "annex-a.xlsx"
    call_command("export", "annex-a", *args, "-o", str(out))
    return out


def test_command_writes_a_workbook_and_audits_it(borough: dict[str, Any], analyst: User, tmp_path: Path) -> None:
    out = _export(tmp_path, "--as-of", AS_OF.isoformat(), "--user", analyst.username)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == [s.sheet for s in annex_a.LISTS]
    for spec in annex_a.LISTS:
        sheet = book[spec.sheet]
        found = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert found[0] == spec.columns
        if spec.not_held:
            assert found[1][0] == spec.not_held
            assert len(found) == 2
    contacts = [list(r) for r in book["List 1 - Contacts"].iter_rows(min_row=2, values_only=True)]
    assert [r[5] for r in contacts] == ["30/03/2025", "30/04/2025", "30/09/2025"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.user == analyst
    assert event.detail["rows"]["List 1 - Contacts"] == 3


def test_empty_lists_keep_their_header(analyst: User, tmp_path: Path) -> None:
    out = _export(tmp_path, "--as-of", "2020-01-01", "--user", analyst.username)
    book = load_workbook(out, read_only=True)
    for spec in annex_a.LISTS[:7]:
        assert [list(r) for r in book[spec.sheet].iter_rows(values_only=True)] == [spec.columns]


@pytest.mark.parametrize("as_of", ["2025-13-01", "30/09/2025", "2999-01-01"])
def test_a_bad_as_of_is_refused(analyst: User, tmp_path: Path, as_of: str) -> None:
    with pytest.raises(CommandError) as refused:
        _export(tmp_path, "--as-of", as_of, "--user", analyst.username)
    assert refused.value.returncode == 2
    assert "--as-of" in str(refused.value)
    assert not (tmp_path / "annex-a.xlsx").exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_only_those_allowed_may_export(worker_user: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as refused:
        _export(tmp_path, "--as-of", AS_OF.isoformat(), "--user", worker_user.username)
    assert refused.value.returncode == 2
    assert not (tmp_path / "annex-a.xlsx").exists()
