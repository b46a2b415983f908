"""`openmash import cin-census`: a census file checked whole, then loaded into the records; a refused file
names each problem with its line and child and leaves the database as it was; a second import of the
same file changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from openmash.access.models import AuditEvent
from openmash.accounts.models import Role, User, UserRole
from openmash.casework.models import Assessment, Referral
from openmash.journey.rebuild import check_table
from openmash.people.models import Child
from openmash.protection.models import ChildProtectionPlan, Section47Enquiry
from openmash.returns.census_import import PLACEHOLDER_FIRST_NAME, CensusRefused, ImportDenied, import_census

SAMPLE = Path("/work/shared/data/cin/sample-cin-2022.xml")
SAMPLE = SAMPLE if SAMPLE.is_file() else Path(__file__).parents[1] / "performance" / "data" / "sample-cin-2022.xml"

GOOD = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header>
    <CollectionDetails><Collection>CIN</Collection><Year>2025</Year><ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>
    <Source><SourceLevel>L</SourceLevel><LEA>351</LEA></Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C001</LAchildID>
        <UPN>A123456789012</UPN>
        <PersonBirthDate>2015-05-01</PersonBirthDate>
        <Sex>F</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities><Disability>HAND</Disability><Disability>HEAR</Disability></Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-04-08</CINreferralDate>
        <ReferralSource>2A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <ReferralNFA>false</ReferralNFA>
        <Assessments>
          <AssessmentActualStartDate>2024-04-09</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>2024-04-22</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>2024-05-20</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>4B</AssessmentFactors><AssessmentFactors>3B</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates><CINPlanStartDate>2024-12-16</CINPlanStartDate></CINPlanDates>
        <Section47>
          <S47ActualStartDate>2024-05-21</S47ActualStartDate>
          <InitialCPCtarget>2024-06-11</InitialCPCtarget>
          <DateOfInitialCPC>2024-06-10</DateOfInitialCPC>
          <ICPCnotRequired>false</ICPCnotRequired>
        </Section47>
        <ChildProtectionPlans>
          <CPPstartDate>2024-06-10</CPPstartDate>
          <CPPendDate>2024-12-16</CPPendDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews><CPPreviewDate>2024-09-10</CPPreviewDate><CPPreviewDate>2024-12-10</CPPreviewDate></Reviews>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C002</LAchildID>
        <UPNunknown>UN6</UPNunknown>
        <ExpectedPersonBirthDate>2025-06-01</ExpectedPersonBirthDate>
        <GenderCurrent>0</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics><Ethnicity>NOBT</Ethnicity></ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-01-06</CINreferralDate>
        <ReferralSource>3B</ReferralSource>
        <CINclosureDate>2025-01-10</CINclosureDate>
        <ReasonForClosure>RC7</ReasonForClosure>
        <ReferralNFA>true</ReferralNFA>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>C003</LAchildID>
        <UPNunknown>UN3</UPNunknown>
        <PersonBirthDate>2010-01-01</PersonBirthDate>
        <GenderCurrent>1</GenderCurrent>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>BAFR</Ethnicity>
        <Disabilities><Disability>NONE</Disability></Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-06-20</CINreferralDate>
        <ReferralSource>5C</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <CINclosureDate>2024-10-15</CINclosureDate>
        <ReasonForClosure>RC7</ReasonForClosure>
        <DateOfInitialCPC>2024-07-01</DateOfInitialCPC>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2024-07-01</CPPstartDate>
          <CPPendDate>2024-10-01</CPPendDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>2</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""

DOMAIN_APPS = {"people", "casework", "protection", "core", "access", "auditlog", "front_door", "workforce"}


@pytest.fixture
def admin(db: None) -> User:
    user = User.objects.create_user(username="admin", password="a-long-test-password")
    UserRole.objects.create(user=user, role=Role.SYSTEM_ADMINISTRATOR)
    return user


def write(tmp_path: Path, text: str, name: str = "census.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def table_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in DOMAIN_APPS}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every domain table, audit trail aside (an import adds its own row)."""
    return {
        m._meta.label: sorted(map(repr, m.objects.values_list()))
        for m in apps.get_models()
        if m._meta.app_label in DOMAIN_APPS - {"access", "auditlog"}
    }


def refused(path: Path, user: User) -> list[str]:
    before = table_counts()
    with pytest.raises(CensusRefused) as caught:
        import_census(path, user=user)
    assert table_counts() == before
    return [str(p) for p in caught.value.problems]


@pytest.mark.django_db
def test_the_sample_file_is_refused_naming_each_impossible_date(admin: User) -> None:
    problems = refused(SAMPLE, admin)
    assert all("child DfEX0000001" in p and p.startswith("line ") for p in problems), problems
    # Each date named on its own line: the assessment's start (line 44) before the referral.
    assert any(
        p.startswith("line 44,") and "the assessment's start (1970-06-03) is before the referral" in p for p in problems
    )
    assert any(p.startswith("line 64,") and "child protection plan's start" in p for p in problems)
    assert any(p.startswith("line 23,") and "UPN" in p for p in problems)
    assert any("exactly one of PersonBirthDate and ExpectedPersonBirthDate" in p for p in problems)
    assert any("after the case closed" in p for p in problems)
    assert Child.objects.count() == 0


def _broken(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


BROKEN = {
    "malformed": (
        _broken(GOOD, "</ReferralSource>", "</ReferralSourc>"),
        ["not well-formed XML", f"line {GOOD[: GOOD.index('</ReferralSource>')].count(chr(10)) + 1}, column"],
    ),
    "unknown code": (_broken(GOOD, "<ReferralSource>3B<", "<ReferralSource>3Z<"), ["'3Z' is not a code", "C002"]),
    "no such day": (_broken(GOOD, "2025-01-10", "2025-02-30"), ["2025-02-30 is not a real date", "C002"]),
    "two open plans": (
        _broken(
            GOOD,
            "<CINPlanDates><CINPlanStartDate>2024-12-16</CINPlanStartDate></CINPlanDates>",
            "<CINPlanDates><CINPlanStartDate>2024-12-16</CINPlanStartDate></CINPlanDates>"
            "<CINPlanDates><CINPlanStartDate>2025-01-16</CINPlanStartDate></CINPlanDates>",
        ),
        ["2 open child in need plans", "C001"],
    ),
    "not a census": (
        "<Message><Header><CollectionDetails><Collection>SSDA903</Collection>"
        "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails></Header><Children/></Message>",
        ["not a CIN census"],
    ),
    "item the records cannot hold": (
        _broken(GOOD, "<ReferralNFA>0</ReferralNFA>", "<ReferralNFA>0</ReferralNFA><PreProceedingsandFGDM/>"),
        ["cannot hold pre-proceedings", "C003"],
    ),
    "duplicate child": (_broken(GOOD, "<LAchildID>C003<", "<LAchildID>C001<"), ["LAchildID C001 is also the child"]),
    "plan before its conference closes": (
        _broken(GOOD, "<CPPendDate>2024-10-01</CPPendDate>", ""),
        ["End the child protection plan", "C003"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_is_refused_naming_the_problem_and_nothing_changes(
    case: str, admin: User, tmp_path: Path
) -> None:
    text, expected = BROKEN[case]
    problems = refused(write(tmp_path, text), admin)
    assert problems
    joined = "\n".join(problems)
    for phrase in expected:
        assert phrase in joined, (case, problems)


@pytest.mark.django_db
def test_a_refused_file_leaves_existing_records_untouched(admin: User, tmp_path: Path) -> None:
    import_census(write(tmp_path, GOOD), user=admin)
    before = snapshot()
    # The good children come first in the file; the last one is broken: none of it is written.
    bad = _broken(GOOD.replace("2024-12-16", "2024-12-17", 1), "<Ethnicity>BAFR<", "<Ethnicity>XXXX<")
    problems = refused(write(tmp_path, bad, "bad.xml"), admin)
    assert any("Ethnicity 'XXXX'" in p and "C003" in p for p in problems)
    assert snapshot() == before


@pytest.mark.django_db
def test_a_good_file_loads_and_a_second_import_changes_nothing(admin: User, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    first = import_census(path, user=admin)
    assert first.counts["children"].created == 3
    assert first.counts["referrals"].created == 3
    assert (first.counts["cp_plans"].created, first.counts["reviews"].created) == (2, 2)

    girl = Child.objects.get(la_child_id="C001")
    assert (girl.first_name, girl.last_name) == (PLACEHOLDER_FIRST_NAME, "C001")
    assert (girl.sex, girl.ethnicity, girl.upn) == ("F", "WBRI", "A123456789012")
    assert sorted(girl.disabilities.values_list("code", flat=True)) == ["HAND", "HEAR"]
    unborn = Child.objects.get(la_child_id="C002")
    assert (unborn.expected_date_of_birth, unborn.sex, unborn.upn_unknown) == (dt.date(2025, 6, 1), "U", "UN6")
    assert Child.objects.get(la_child_id="C003").sex == "M"  # GenderCurrent 1

    assessment = Assessment.objects.get(referral__child=girl)
    assert assessment.internal_review_date == dt.date(2024, 4, 22)
    assert sorted(assessment.factors.values_list("code", flat=True)) == ["3B", "4B"]
    enquiry = Section47Enquiry.objects.get(referral__child=girl)
    assert (enquiry.conference_target_date, enquiry.conference_date) == (dt.date(2024, 6, 11), dt.date(2024, 6, 10))
    plan = ChildProtectionPlan.objects.get(referral__child=girl)
    assert (plan.section47, plan.latest_category, plan.number_of_previous_plans) == (enquiry, "EMO", 0)
    assert list(plan.reviews.values_list("review_date", flat=True)) == [dt.date(2024, 9, 10), dt.date(2024, 12, 10)]
    transferred = Referral.objects.get(child__la_child_id="C003")
    assert transferred.initial_conference_date == dt.date(2024, 7, 1)
    assert transferred.cp_plans.get().number_of_previous_plans == 2
    assert transferred.team is None
    assert not transferred.strategy_discussions.exists()
    assert check_table() == []

    audit = AuditEvent.objects.get(summary__startswith="Imported the CIN census")
    assert audit.user == admin
    assert audit.detail["children"]["created"] == 3

    before = snapshot()
    second = import_census(path, user=admin)
    assert not second.changed
    for kind, counts in second.counts.items():
        assert (counts.created, counts.updated) == (0, 0), kind
    assert second.counts["children"].unchanged == 3
    assert second.counts["assessments"].unchanged == 1
    assert snapshot() == before
    assert check_table() == []


@pytest.mark.django_db
def test_a_changed_file_updates_what_changed(admin: User, tmp_path: Path) -> None:
    import_census(write(tmp_path, GOOD), user=admin)
    changed = _broken(GOOD, "<AssessmentFactors>4B</AssessmentFactors>", "<AssessmentFactors>2B</AssessmentFactors>")
    changed = _broken(changed, "<Ethnicity>BAFR<", "<Ethnicity>BOTH<")
    result = import_census(write(tmp_path, changed, "changed.xml"), user=admin)
    assert (result.counts["children"].updated, result.counts["children"].unchanged) == (1, 2)
    assert (result.counts["assessments"].updated, result.counts["referrals"].updated) == (1, 0)
    assert Child.objects.get(la_child_id="C003").ethnicity == "BOTH"
    assert sorted(Assessment.objects.get().factors.values_list("code", flat=True)) == ["2B", "3B"]
    assert check_table() == []


@pytest.mark.django_db
def test_a_dry_run_counts_and_writes_nothing(admin: User, tmp_path: Path) -> None:
    before = table_counts()
    result = import_census(write(tmp_path, GOOD), user=admin, dry_run=True)
    assert result.counts["children"].created == 3
    assert table_counts() == before


@pytest.mark.django_db
def test_only_a_system_administrator_may_import(worker_user: User, tmp_path: Path) -> None:
    with pytest.raises(ImportDenied):
        import_census(write(tmp_path, GOOD), user=worker_user)
    assert not Child.objects.filter(la_child_id="C001").exists()


@pytest.mark.django_db
def test_the_command_exits_1_on_a_refused_file_and_2_on_bad_arguments(admin: User, tmp_path: Path) -> None:
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "cin-census", str(SAMPLE), "--user", "admin", stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 1
    assert "child DfEX0000001" in err.getvalue()
    for args in (["/no/such/file.xml", "--user", "admin"], [str(SAMPLE), "--user", "nobody"]):
        with pytest.raises(CommandError) as caught:
            call_command("import", "cin-census", *args, stdout=StringIO(), stderr=StringIO())
        assert caught.value.returncode == 2
    out = StringIO()
    call_command("import", "cin-census", str(write(tmp_path, GOOD)), "--user", "admin", stdout=out, stderr=StringIO())
    assert '"created": 3' in out.getvalue()


@pytest.mark.django_db
def test_the_command_needs_the_account_importing(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import", "cin-census", str(write(tmp_path, GOOD)), stdout=StringIO(), stderr=StringIO())
    assert not Child.objects.exists()
    assert not AuditEvent.objects.filter(summary__startswith="Imported the CIN census").exists()


# Round trip: a borough's census exported, loaded into an authority with no records, exported again --------

ROUND_TRIP_AS_OF = dt.date(2025, 11, 26)
GENERATED_AT = dt.datetime(2025, 5, 1, 9, 30)
KEPT_ACCESS = {"access.AuditEvent", "access.ChangeSeal"}


def _forget_every_child() -> None:
    """An authority with no children's records: its accounts, teams and audit trail only. Tables are
    emptied in whatever order their keys allow (each try in a savepoint)."""
    from django.db import IntegrityError, transaction
    from django.db.models import ProtectedError, RestrictedError

    wipe = {"people", "casework", "protection", "front_door", "core", "journey"}
    remaining = [
        m
        for m in apps.get_models()
        if (m._meta.app_label in wipe or m._meta.label == "workforce.Allocation")
        or (m._meta.app_label == "access" and m._meta.label not in KEPT_ACCESS)
    ]
    for _ in range(len(remaining)):
        left = []
        for model in remaining:
            try:
                with transaction.atomic():
                    model._base_manager.all().delete()
            except (ProtectedError, RestrictedError, IntegrityError):
                left.append(model)
        remaining = left
        if not remaining:
            break
    assert not remaining
    assert Child.objects.count() == 0


@pytest.mark.django_db
def test_a_borough_exported_imported_and_exported_again_gives_the_same_file_and_figures(
    admin: User, tmp_path: Path
) -> None:
    from openmash.performance import inputs as sources
    from openmash.performance.periods import Period
    from openmash.performance.registry import INDICATORS
    from openmash.performance.sources import available, figure_from
    from openmash.returns.census_export import write_census

    call_command(
        "generate", "--size", "small", "--as-of", ROUND_TRIP_AS_OF.isoformat(), "--no-progress", stdout=StringIO()
    )
    first = tmp_path / "first.xml"
    with first.open("wb") as out:
        exported = write_census(out, year=2025, generated_at=GENERATED_AT)
    assert exported.children > 100
    population = sources.configured_population()

    _forget_every_child()
    result = import_census(first, user=admin)
    assert result.counts["children"].created == exported.children
    assert result.counts["referrals"].created == exported.episodes
    assert check_table() == []

    second = tmp_path / "second.xml"
    with second.open("wb") as out:
        write_census(out, year=2025, generated_at=GENERATED_AT)
    assert second.read_bytes() == first.read_bytes()

    from_file = sources.from_cin_census(first, population=population)
    from_records = sources.from_database()
    period = Period(2025)
    compared = 0
    for indicator in INDICATORS:
        if indicator.needs not in {"events", "population"} or not available(indicator, from_file):
            continue
        expected = figure_from(indicator, from_file, period)
        got = figure_from(indicator, from_records, period)
        pair = None if expected is None else (expected.numerator, expected.denominator)
        assert (None if got is None else (got.numerator, got.denominator)) == pair, indicator.id
        compared += 1
    assert compared >= 10
