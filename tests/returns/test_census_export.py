"""The Children in Need census written from the database: the schema's shape and order, the year's
scope (records as they stood at the reference date), the same bytes every time, one child alone,
the journey reader getting the database's events back, and `openmash export cin-census`."""

from __future__ import annotations

import datetime as dt
import io
from io import StringIO
from pathlib import Path

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from openmash.access.models import AuditEvent
from openmash.accounts.models import Role, User, UserRole
from openmash.casework import services as casework
from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.core.codes import AssessmentFactor, PrimaryNeed, ReferralSource
from openmash.journey.census import read_census
from openmash.journey.schema import EventType
from openmash.journey.selectors import journey_events
from openmash.people.models import Child
from openmash.returns.census_export import CensusYear, write_census
from openmash.returns.census_schema import CIN_SCHEMA, validate_schema
from openmash.workforce.models import Allocation

D = dt.date
WHEN = dt.datetime(2026, 5, 1, 9, 30, tzinfo=dt.UTC)
# What a census file cannot hold.
NOT_IN_CENSUS = {EventType.CONTACT.value, EventType.STRATEGY_DISCUSSION.value}
STARTS = {
    EventType.REFERRAL.value,
    EventType.ASSESSMENT_START.value,
    EventType.CIN_PLAN_START.value,
    EventType.S47_START.value,
    EventType.CP_PLAN_START.value,
}
COMPARED = ["event_type", "event_date", "la_child_id", "start_date", "code", "factors", "flag", "previous_plans"]


def _export(path: Path, year: int, **kwargs: object) -> bytes:
    with path.open("wb") as out:
        write_census(out, year=year, generated_at=WHEN, **kwargs)  # type: ignore[arg-type]
    return path.read_bytes()


def _children(data: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(data)
    return {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.iter("Child")}


def _schema_order() -> dict[str, list[str]]:
    """Each complex type's element names in the order the kept schema fixes, by the element holding them."""
    xs = "{http://www.w3.org/2001/XMLSchema}"
    schema = etree.parse(str(CIN_SCHEMA))
    by_type = {
        t.get("name"): [e.get("name") for e in t.find(f"{xs}sequence").findall(f"{xs}element")]
        for t in schema.getroot().findall(f"{xs}complexType")
    }
    holders = {
        "Child": "childtype",
        "ChildIdentifiers": "childidentifierstype",
        "CINdetails": "cindetailstype",
        "Assessments": "assessmentstype",
        "Section47": "section47type",
        "ChildProtectionPlans": "childprotectionplanstype",
    }
    return {element: by_type[name] for element, name in holders.items()}


def _in_schema_order(data: bytes) -> None:
    order = _schema_order()
    for element in etree.fromstring(data).iter(*order):
        names = [child.tag for child in element]
        positions = [order[element.tag].index(name) for name in names]
        assert positions == sorted(positions), (element.tag, names)


def _comparable(events: pl.DataFrame) -> pl.DataFrame:
    """The columns a census holds; an assessment's "child in need" outcome is not one of them."""
    no_outcome = (
        pl.when(pl.col("event_type") == EventType.ASSESSMENT_AUTHORISED.value).then(None).otherwise(pl.col("flag"))
    )
    return (
        events.filter(~pl.col("event_type").cast(pl.String).is_in(NOT_IN_CENSUS))
        .with_columns(
            event_type=pl.col("event_type").cast(pl.String),
            flag=no_outcome,
            factors=pl.col("factors").list.join(","),
        )
        .select(COMPARED)
    )


def _reads_back_as_the_database(path: Path, year: int) -> pl.DataFrame:
    """The file read by the journey reader holds the database's events for the year: every event dated
    in the year, no event the database does not have, nothing after the reference date, and before the
    year only the starts of what is still in the year."""
    census = CensusYear(year)
    read = _comparable(read_census(path))
    stored = _comparable(journey_events())
    in_year = stored.filter(pl.col("event_date").is_between(census.start, census.reference_date))
    assert in_year.join(read, on=COMPARED, how="anti", nulls_equal=True).is_empty()
    assert read.join(stored, on=COMPARED, how="anti", nulls_equal=True).is_empty()
    assert read["event_date"].max() <= census.reference_date  # type: ignore[operator]
    earlier = read.filter(pl.col("event_date") < census.start)
    assert set(earlier["event_type"].to_list()) <= STARTS
    return read


@pytest.fixture
def second_child(worker_user: User, manager_user: User) -> Child:
    """A child referred in January 2025, assessed, on a child in need plan from February that ended in
    June 2025 (after the reference date of the 2024-25 census), with a conference recorded on the
    episode itself (the child arrived with another authority's enquiry)."""
    child = child_create(
        la_child_id="C200",
        first_name="Ben",
        last_name="Adeyemi",
        date_of_birth=D(2012, 3, 4),
        sex="M",
        ethnicity="BAFR",
        postcode="AB1 2CD",
        acting_user=worker_user,
    )
    staff = worker_user.staff  # type: ignore[attr-defined]
    Allocation.objects.create(child=child, worker=staff, team=staff.team, start_date=D(2025, 1, 6))
    referral = casework.referral_create(
        child=child,
        referral_date=D(2025, 1, 6),
        source=ReferralSource.SCHOOLS,
        primary_need=PrimaryNeed.FAMILY_DYSFUNCTION,
        acting_user=worker_user,
    )
    assessment = casework.assessment_start(referral=referral, start_date=D(2025, 1, 7), acting_user=worker_user)
    casework.assessment_update(
        assessment=assessment,
        analysis="Conflict at home; school attendance falling.",
        factors=[AssessmentFactor.MENTAL_HEALTH_PARENT],
        child_seen=True,
        child_seen_date=D(2025, 1, 8),
        seen_alone=True,
        expected_version=None,
        acting_user=worker_user,
    )
    casework.assessment_submit(assessment=assessment, expected_version=None, acting_user=worker_user)
    casework.assessment_authorise(
        assessment=assessment, authorised_date=D(2025, 2, 14), child_in_need=True, acting_user=manager_user
    )
    casework.referral_record_initial_conference(
        referral=referral, conference_date=D(2025, 1, 13), acting_user=worker_user
    )
    plan = casework.cin_plan_start(referral=referral, start_date=D(2025, 2, 14), acting_user=worker_user)
    casework.cin_plan_end(plan=plan, end_date=D(2025, 6, 2), acting_user=worker_user)
    return child


def test_the_year_is_written_in_the_schemas_shape_and_order(
    full_journey: Referral, analyst: User, second_child: Child, tmp_path: Path
) -> None:
    path = tmp_path / "cin.xml"
    data = _export(path, 2025)
    assert validate_schema(path) == []
    _in_schema_order(data)
    root = etree.fromstring(data)
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2025-03-31"
    assert root.findtext("Header/Source/DateTime") == "2026-05-01T10:30:00"  # in England (summer time)
    children = _children(data)
    assert list(children) == ["C100", "C200"]
    amelia = children["C100"]
    assert amelia.findtext("ChildIdentifiers/Sex") == "F"
    assert amelia.findtext("CINdetails/Section47/DateOfInitialCPC") == "2024-05-21"
    assert amelia.findtext("CINdetails/ChildProtectionPlans/NumberOfPreviousCPP") == "0"
    assert amelia.findtext("CINdetails/ChildProtectionPlans/Reviews/CPPreviewDate") == "2024-08-20"
    assert amelia.findtext("CINdetails/CINclosureDate") == "2025-02-10"
    ben = children["C200"]
    assert ben.findtext("CINdetails/DateOfInitialCPC") == "2025-01-13"
    # The plan ended after the reference date: in this return it is still open, as is the case.
    assert ben.find("CINdetails/CINPlanDates/CINPlanStartDate").text == "2025-02-14"  # type: ignore[union-attr]
    assert ben.find("CINdetails/CINPlanDates/CINPlanEndDate") is None
    read = _reads_back_as_the_database(path, 2025)
    conference = read.filter(pl.col("event_type") == EventType.ICPC.value, pl.col("la_child_id") == "C200")
    assert conference["start_date"].to_list() == [None]


def test_a_later_year_leaves_out_what_ended_before_it(
    full_journey: Referral, analyst: User, second_child: Child, tmp_path: Path
) -> None:
    path = tmp_path / "cin.xml"
    data = _export(path, 2026)
    assert validate_schema(path) == []
    children = _children(data)
    # Amelia's only episode closed in February 2025, before the year began.
    assert list(children) == ["C200"]
    episode = children["C200"].find("CINdetails")
    assert episode is not None
    # The plan open at 1 April is in, with its end; the assessment authorised in February 2025 is not
    # (DfE rule 8696), nor the conference held then (8715).
    assert episode.findtext("CINPlanDates/CINPlanEndDate") == "2025-06-02"
    assert episode.find("Assessments") is None
    assert episode.find("DateOfInitialCPC") is None
    _reads_back_as_the_database(path, 2026)


def test_the_same_records_give_the_same_bytes_in_any_batch_size(
    full_journey: Referral, analyst: User, second_child: Child, tmp_path: Path
) -> None:
    first = _export(tmp_path / "a.xml", 2025)
    assert _export(tmp_path / "b.xml", 2025) == first
    assert _export(tmp_path / "c.xml", 2025, batch_size=1) == first


def test_one_child_can_be_written_alone(
    full_journey: Referral, analyst: User, second_child: Child, tmp_path: Path
) -> None:
    path = tmp_path / "one.xml"
    data = _export(path, 2025, child_ids=[second_child.pk])
    assert list(_children(data)) == ["C200"]
    assert validate_schema(path) == []


@pytest.mark.django_db
def test_a_generated_borough_is_written_whole_and_reads_back(tmp_path: Path) -> None:
    call_command(
        "generate", "--size", "small", "--seed", "1", "--as-of", "2026-11-26", "--no-progress", stdout=StringIO()
    )
    path = tmp_path / "cin.xml"
    buffer = io.BytesIO()
    summary = write_census(buffer, year=2026, generated_at=WHEN, batch_size=40)
    path.write_bytes(buffer.getvalue())
    assert validate_schema(path) == []
    _in_schema_order(path.read_bytes())
    children = _children(path.read_bytes())
    assert summary.children == len(children) > 100
    assert list(children) == sorted(children)
    _reads_back_as_the_database(path, 2026)
    assert _export(tmp_path / "again.xml", 2026) == path.read_bytes()


@pytest.fixture
def analyst(db: None) -> User:
    user = User.objects.create_user(username="analyst", password="a-long-test-password")
    UserRole.objects.create(user=user, role=Role.PERFORMANCE_ANALYST)
    return user


def _run(*args: str, user: str = "analyst") -> str:
    out = StringIO()
    call_command("export", "cin-census", *args, "--user", user, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_command_writes_checks_and_records_the_export(
    full_journey: Referral, analyst: User, tmp_path: Path
) -> None:
    path = tmp_path / "cin.xml"
    printed = _run("--year", "2025", "-o", str(path))
    assert "1 children, 1 episodes" in printed
    assert "matches the schema" in printed
    assert validate_schema(path) == []
    assert list(_children(path.read_bytes())) == ["C100"]
    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert exported.detail["return"] == "cin-census"
    assert exported.detail["children"] == 1
    assert exported.username == "analyst"


@pytest.mark.parametrize("username", ["nobody", "worker"])
def test_only_those_the_policy_allows_may_export(
    full_journey: Referral, analyst: User, worker_user: User, tmp_path: Path, username: str
) -> None:
    path = tmp_path / "cin.xml"
    with pytest.raises(CommandError, match=f"'{username}' may not export the census") as err:
        _run("--year", "2025", "-o", str(path), user=username)
    assert err.value.returncode == 2
    assert not path.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("twenty", "--year must be a year like 2025"),
        ("2099", "--year must be between 2013 and"),
        ("1999", "--year must be between 2013 and"),
    ],
)
def test_a_bad_year_is_refused_with_nothing_written(
    full_journey: Referral, analyst: User, tmp_path: Path, year: str, message: str
) -> None:
    path = tmp_path / "cin.xml"
    with pytest.raises(CommandError, match=message) as err:
        _run("--year", year, "-o", str(path))
    assert err.value.returncode == 2
    assert not path.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_missing_folder_is_refused(full_journey: Referral, analyst: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no folder") as err:
        _run("--year", "2025", "-o", str(tmp_path / "nowhere" / "cin.xml"))
    assert err.value.returncode == 2


def test_dfe_rules_run_on_the_written_file_and_a_clean_year_is_ready(
    full_journey: Referral, analyst: User, tmp_path: Path
) -> None:
    printed = _run("--year", "2025", "-o", str(tmp_path / "cin.xml"))
    assert "No DfE rule errors: the file is ready to send" in printed


def test_a_dfe_rule_error_is_listed_with_its_child_and_the_file_is_not_ready(
    full_journey: Referral, analyst: User, tmp_path: Path
) -> None:
    # A birth date long after the referral passes the schema but breaks DfE's rule 8606.
    Child.objects.filter(la_child_id="C100").update(date_of_birth=D(2025, 12, 1))
    path = tmp_path / "cin.xml"
    out = StringIO()
    with pytest.raises(CommandError, match="Not ready: DfE's rules find") as err:
        call_command(
            "export",
            "cin-census",
            "--year",
            "2025",
            "-o",
            str(path),
            "--user",
            "analyst",
            stdout=out,
            stderr=StringIO(),
        )
    assert err.value.returncode == 4
    assert "8606 child C100: Child referral date is more than 40 weeks before DOB" in out.getvalue()
    assert out.getvalue().index("written to") < out.getvalue().index("Errors (to fix")
    assert path.exists()  # written, for the analyst to read beside the list


def test_no_rules_checks_the_schema_only(full_journey: Referral, analyst: User, tmp_path: Path) -> None:
    Child.objects.filter(la_child_id="C100").update(date_of_birth=D(2025, 12, 1))
    printed = _run("--year", "2025", "-o", str(tmp_path / "cin.xml"), "--no-rules")
    assert "matches the schema" in printed
    assert "DfE" not in printed
