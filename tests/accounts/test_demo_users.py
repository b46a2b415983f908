"""`openmash demo-users`: fixed demo sign-ins, only with the demo switch on."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.fixtures import Settings as SettingsWrapper

from openmash.access import policy
from openmash.access.models import AuditEvent, BreakGlassGrant, ChildRestriction
from openmash.accounts.models import Role, User, UserRole
from openmash.demo.accounts import DEMO_ACCOUNTS, demo_code, ensure_demo_users
from openmash.people.models import Child
from openmash.workforce.models import Allocation, Service, StaffMember, Team

from .helpers import sign_in_with_password

KEYS = {"username", "agency", "roles", "password", "totp_secret", "description"}


@pytest.fixture
def demo_on(settings: SettingsWrapper) -> SettingsWrapper:
    settings.OPENMASH_DEMO = True
    return settings


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo-users", *args, stdout=out)
    return out.getvalue()


def run_json() -> list[dict[str, object]]:
    data = json.loads(run("--format", "json"))
    assert isinstance(data, list)
    return data


def test_refuses_without_the_demo_switch(db: None, settings: SettingsWrapper) -> None:
    settings.OPENMASH_DEMO = False
    with pytest.raises(CommandError, match="OPENMASH_DEMO"):
        run()
    with pytest.raises(CommandError, match="OPENMASH_DEMO"):
        run("--code", "sw.demo")
    assert not User.objects.exists()


def test_json_lists_every_account_with_every_role(db: None, demo_on: SettingsWrapper) -> None:
    data = run_json()
    assert [d["username"] for d in data] == [
        "sw.demo", "tm.demo", "sm.demo", "mash.demo", "mashmgr.demo", "police.demo", "policeresearch.demo",
        "cse.demo", "health.demo",
        "education.demo", "probation.demo", "housing.demo", "youthjustice.demo", "earlyhelp.demo",
        "analyst.demo", "cllr.demo", "auditor.demo", "admin.demo",
    ]  # fmt: skip
    for entry in data:
        # The account a demo partner-API key acts as also carries the key.
        expected = KEYS | ({"api_key"} if entry["username"] == "policeresearch.demo" else set())
        assert set(entry) == expected
        roles = entry["roles"]
        assert isinstance(roles, list)
        assert len(roles) == len(set(roles))
    every_role = [role for entry in data for role in entry["roles"]]  # type: ignore[attr-defined]
    assert set(every_role) == set(Role.values)  # every role is there to try
    by_name = {d["username"]: d for d in data}
    assert by_name["police.demo"]["agency"] == "police"
    assert by_name["police.demo"]["roles"] == ["mash_practitioner"]
    assert by_name["health.demo"]["roles"] == ["agency_researcher"]
    # A researcher for every partner agency in the MASH, the police's beside the officer working in it.
    researchers = {d["agency"] for d in data if d["roles"] == ["agency_researcher"]}
    assert researchers == {"police", "health", "education", "probation", "housing", "youth_justice", "early_help"}
    assert by_name["cllr.demo"]["agency"] == "democratic"
    assert by_name["admin.demo"]["roles"] == ["system_administrator"]


def test_accounts_match_what_is_printed(db: None, demo_on: SettingsWrapper) -> None:
    for entry in run_json():
        user = User.objects.get(username=entry["username"])
        assert user.agency == entry["agency"]
        assert sorted(user.role_set) == sorted(entry["roles"])  # type: ignore[arg-type]
        password = str(entry["password"])
        assert len(password) >= 12
        assert user.check_password(password)
        validate_password(password, user)  # not common, not like the username
        assert user.is_staff == user.is_superuser == (entry["username"] == "admin.demo")
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        secret = str(entry["totp_secret"])
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        assert base64.b32decode(secret) == device.bin_key


def test_secrets_are_the_same_on_every_run_and_rerunning_changes_nothing(db: None, demo_on: SettingsWrapper) -> None:
    first = run_json()
    counts = (User.objects.count(), UserRole.objects.count(), TOTPDevice.objects.count())
    UserRole.objects.create(user=User.objects.get(username="sw.demo"), role=Role.AUDITOR)  # drift to undo
    second = run_json()
    assert first == second
    assert (User.objects.count(), UserRole.objects.count(), TOTPDevice.objects.count()) == counts
    assert User.objects.get(username="sw.demo").role_set == {"social_worker"}
    assert {a.username: a.totp_secret for a in DEMO_ACCOUNTS}["sw.demo"] == first[0]["totp_secret"]


def test_a_demo_account_signs_in_with_the_printed_code(client: Client, db: None, demo_on: SettingsWrapper) -> None:
    entry = run_json()[0]
    response = sign_in_with_password(client, str(entry["username"]), str(entry["password"]))
    assert response["Location"] == "/sign-in/code/"
    response = client.post("/sign-in/code/", {"code": demo_code(str(entry["totp_secret"]))})
    assert response["Location"] == "/"


def test_code_option_prints_the_current_code(db: None, demo_on: SettingsWrapper) -> None:
    assert run("--code", "sw.demo").strip() == demo_code("sw.demo")
    assert re.fullmatch(r"\d{6}\n", run("--code", "admin.demo"))
    with pytest.raises(CommandError, match="not a demo account"):
        run("--code", "someone.else")


def test_text_output_is_a_table(db: None, demo_on: SettingsWrapper) -> None:
    text = run()
    assert "Username" in text
    assert "Two-factor secret" in text
    for account in DEMO_ACCOUNTS:
        assert account.username in text
        assert account.password in text


def test_demo_accounts_cannot_sign_in_with_the_switch_off(client: Client, db: None, settings: SettingsWrapper) -> None:
    settings.OPENMASH_DEMO = True
    ensure_demo_users()
    settings.OPENMASH_DEMO = False
    response = sign_in_with_password(client, "sw.demo", "demo-social-worker-2026")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert client.session.get("_auth_user_id") is None


def test_a_demo_session_ends_when_the_switch_goes_off(client: Client, db: None, settings: SettingsWrapper) -> None:
    settings.OPENMASH_DEMO = True
    ensure_demo_users()
    sign_in_with_password(client, "sw.demo", "demo-social-worker-2026")
    client.post("/sign-in/code/", {"code": demo_code("sw.demo")})
    assert client.get("/performance/").status_code == 200
    settings.OPENMASH_DEMO = False
    assert client.get("/performance/")["Location"] == "/sign-in/"
    assert client.session.get("_auth_user_id") is None


def test_without_a_borough_nobody_is_linked_to_staff(db: None, demo_on: SettingsWrapper) -> None:
    ensure_demo_users()
    assert not StaffMember.objects.exists()


# With a borough: the CSC accounts stand for staff in one team


def _staff(team: Team, first: str, job_role: str, **extra: object) -> StaffMember:
    return StaffMember.objects.create(
        first_name=first, last_name="Staff", team=team, job_role=job_role, start_date=dt.date(2020, 1, 1), **extra
    )


def _allocate(worker: StaffMember, n: int) -> None:
    for _ in range(n):
        number = Child.objects.count() + 1
        child = Child.objects.create(
            la_child_id=f"D{number:04d}", first_name=f"Child{number}", last_name="Demo",
            date_of_birth=dt.date(2016, 1, 1), sex="F", ethnicity="WBRI",
        )  # fmt: skip
        Allocation.objects.create(child=child, worker=worker, team=worker.team, start_date=dt.date(2024, 1, 1))


@pytest.fixture
def borough(db: None) -> dict[str, object]:
    safeguarding = Service.objects.create(name="Safeguarding")
    front = Service.objects.create(name="Front door")
    cp_north = Team.objects.create(name="CP North", service=safeguarding, kind=Team.Kind.CHILD_PROTECTION)
    cin_south = Team.objects.create(name="CIN South", service=safeguarding, kind=Team.Kind.CHILD_IN_NEED)
    assessment = Team.objects.create(name="Assessment", service=front, kind=Team.Kind.ASSESSMENT)
    mash = Team.objects.create(name="MASH", service=front, kind=Team.Kind.MASH)

    busy = _staff(cp_north, "Busy", StaffMember.JobRole.SOCIAL_WORKER)
    _allocate(busy, 3)
    quieter = _staff(cin_south, "Quieter", StaffMember.JobRole.SOCIAL_WORKER)
    _allocate(quieter, 1)
    assessor = _staff(assessment, "Assessor", StaffMember.JobRole.SOCIAL_WORKER)  # not a CIN or CP team
    _allocate(assessor, 5)
    cin_manager = _staff(cin_south, "Other", StaffMember.JobRole.TEAM_MANAGER)
    cp_manager = _staff(cp_north, "Manager", StaffMember.JobRole.TEAM_MANAGER)
    return {"busy": busy, "cp_north": cp_north, "cp_manager": cp_manager, "cin_manager": cin_manager, "mash": mash}


def test_the_social_worker_is_the_busiest_case_holder(borough: dict[str, object], demo_on: SettingsWrapper) -> None:
    sign_ins = {s.account.username: s for s in ensure_demo_users()}
    sw = User.objects.get(username="sw.demo")
    assert sw.staff == borough["busy"]
    assert sw.get_full_name() == "Busy Staff"  # the name on screen is the name on the allocations
    assert "holding 3 children" in sign_ins["sw.demo"].description
    assert "CP North" in sign_ins["sw.demo"].description


def test_managers_are_in_the_social_workers_team_and_service(
    borough: dict[str, object], demo_on: SettingsWrapper
) -> None:
    ensure_demo_users()
    tm = User.objects.get(username="tm.demo").staff
    assert tm == borough["cp_manager"]

    sm = User.objects.get(username="sm.demo").staff  # none existed, so one was created
    assert sm.job_role == StaffMember.JobRole.SERVICE_MANAGER
    assert sm.team.service == borough["cp_north"].service  # type: ignore[attr-defined]

    mash = User.objects.get(username="mash.demo").staff
    assert mash.team == borough["mash"]
    assert mash.job_role == StaffMember.JobRole.MASH_PRACTITIONER

    for username in ("police.demo", "health.demo", "analyst.demo", "admin.demo"):
        assert not StaffMember.objects.filter(user__username=username).exists()


def test_a_team_manager_is_created_when_none_is_free(borough: dict[str, object], demo_on: SettingsWrapper) -> None:
    StaffMember.objects.filter(pk=borough["cp_manager"].pk).delete()  # type: ignore[attr-defined]
    ensure_demo_users()
    tm = User.objects.get(username="tm.demo").staff
    assert tm.team == borough["cp_north"]
    assert tm.job_role == StaffMember.JobRole.TEAM_MANAGER
    assert not tm.is_case_holder


def test_linking_is_idempotent(borough: dict[str, object], demo_on: SettingsWrapper) -> None:
    ensure_demo_users()
    staff_count = StaffMember.objects.count()
    links = dict(StaffMember.objects.filter(user__isnull=False).values_list("user__username", "pk"))
    ensure_demo_users()
    assert StaffMember.objects.count() == staff_count
    assert dict(StaffMember.objects.filter(user__isnull=False).values_list("user__username", "pk")) == links


def test_a_restricted_record_and_a_break_glass_use_are_made_once(
    borough: dict[str, object], demo_on: SettingsWrapper
) -> None:
    sign_ins = {s.account.username: s for s in ensure_demo_users()}
    sw, tm, sm = (User.objects.get(username=name) for name in ("sw.demo", "tm.demo", "sm.demo"))

    restriction = ChildRestriction.objects.get()
    assert restriction.created_by == tm
    assert set(restriction.allowed_users.all()) == {sw, tm}
    child = restriction.child
    assert child.allocations.filter(worker=borough["busy"], end_date__isnull=True).exists()
    assert policy.can_view_child(sw, child)
    assert policy.can_view_child(tm, child)
    assert not policy.can_view_child(sm, child)  # held in their service, but they are not named
    assert child.la_child_id in sign_ins["tm.demo"].description

    grant = BreakGlassGrant.objects.get()
    assert grant.user == sw
    assert not grant.child.allocations.filter(team=borough["cp_north"]).exists()  # held by another team
    assert policy.basis_for(sw, grant.child) == policy.Basis.BREAK_GLASS
    event = AuditEvent.objects.get(action=AuditEvent.Action.BREAK_GLASS)
    assert (event.user, event.object_id, event.child_id) == (sw, str(grant.pk), grant.child_id)
    assert event.reason == grant.reason
    assert list(policy.break_glass_reviewable_by(tm)) == [grant]
    assert grant.child.la_child_id in sign_ins["sw.demo"].description

    counts = (ChildRestriction.objects.count(), BreakGlassGrant.objects.count(), AuditEvent.objects.count())
    ensure_demo_users()
    assert (ChildRestriction.objects.count(), BreakGlassGrant.objects.count(), AuditEvent.objects.count()) == counts
