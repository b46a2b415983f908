"""Oversight of the front door: today's flow, overdue contacts, the disclosure ledger and early help.

The records are made through the services, at the times a MASH would make them (the clock is moved for
each step), so the figures a manager relies on are counted from real decisions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openmash.access.models import AuditEvent
from openmash.access.services import child_restrict
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.core.codes import PrimaryNeed, ReferralSource
from openmash.front_door.models import (
    ConsentStatus,
    Contact,
    CumulativeConcernAlert,
    EarlyHelpOutcome,
    EarlyHelpPackage,
    LawfulBasis,
)
from openmash.front_door.services import (
    DecisionDetails,
    Referrer,
    ReportedChild,
    Sharing,
    contact_decide,
    contact_decide_with_result,
    contact_rate,
    contact_receive,
    contact_record,
    information_request_answer,
    information_requests_send,
)
from openmash.people.models import Child
from openmash.workforce.models import Service, StaffMember, Team

from ..accounts.helpers import sign_in_verified

LONDON = ZoneInfo("Europe/London")
# Wednesday 11 March 2026 at 14:00 in London (GMT): the week began on Monday 9 March.
NOW = dt.datetime(2026, 3, 11, 14, 0, tzinfo=LONDON)
# Every decision also tells the referrer the outcome, which the ledger records.
TOLD = "Telling the referrer the outcome of their contact (Working Together 2023)"


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def _user(username: str, agency: str, roles: list[str], team: Team | None = None) -> User:
    user = User.objects.create_user(
        username=username, password="x", agency=agency, first_name=username.title(), last_name="User"
    )
    UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
    if team is not None:
        StaffMember.objects.create(
            user=user, first_name=username, last_name="Staff", team=team, job_role="team_manager",
            start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    return user


class People:
    def __init__(self) -> None:
        front_door = Service.objects.create(name="Front door")
        self.mash_team = Team.objects.create(name="MASH", service=front_door, kind=Team.Kind.MASH)
        Team.objects.create(name="Advice and assessment", service=front_door, kind=Team.Kind.ASSESSMENT)
        manager_roles = [Role.MASH_PRACTITIONER, Role.TEAM_MANAGER]
        self.manager = _user("manager", Agency.CHILDRENS_SOCIAL_CARE, manager_roles, self.mash_team)
        self.other_manager = _user("manager2", Agency.CHILDRENS_SOCIAL_CARE, manager_roles, self.mash_team)
        self.mash = _user("mash", Agency.CHILDRENS_SOCIAL_CARE, [Role.MASH_PRACTITIONER])
        self.auditor = _user("auditor", Agency.CHILDRENS_SOCIAL_CARE, [Role.AUDITOR])
        self.police_researcher = _user("police_r", Agency.POLICE, [Role.AGENCY_RESEARCHER])
        self.housing = _user("housing", Agency.HOUSING, [Role.AGENCY_RESEARCHER])
        self.early_help = _user("early_help", Agency.EARLY_HELP, [Role.AGENCY_RESEARCHER])
        self.education = _user("education", Agency.EDUCATION, [Role.AGENCY_RESEARCHER])
        self.count = 0

    def child(self, first_name: str = "Sam") -> Child:
        self.count += 1
        return child_create(
            la_child_id=f"FD{self.count:04d}",
            first_name=first_name,
            last_name="Flow",
            date_of_birth=dt.date(2014, 1, 1) + dt.timedelta(days=self.count),
            sex="F",
            ethnicity="WBRI",
            postcode="ZZ2 2ZZ",
            acting_user=self.mash,
        )


@pytest.fixture
def people(db: None) -> People:
    return People()


def client_for(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def record(people: People, child: Child, received: dt.datetime, *, agency: str = "") -> Contact:
    return contact_record(
        child=child, received_at=received, source=ReferralSource.SCHOOLS, referrer_agency=agency,
        acting_user=people.mash,
    )  # fmt: skip


# Today's flow ------------------------------------------------------------------------------------


@pytest.fixture
def day(people: People, time_machine: time_machine.TimeMachineFixture) -> dict[str, Contact]:
    """A MASH's week up to Wednesday 14:00, each step done at its own time."""

    def step(when: dt.datetime) -> None:
        time_machine.move_to(when, tick=False)

    mash = people.mash
    contacts: dict[str, Contact] = {}
    # Last Thursday: a green contact (due in 3 working days, on Tuesday), decided late today.
    step(at(5, 10))
    contacts["late"] = contact_rate(
        contact=record(people, people.child(), at(5, 10)), rag="green", reason="Low level", acting_user=mash
    )
    # Monday: a red contact decided within its 4 hours.
    step(at(9, 9, 30))
    contacts["monday"] = contact_rate(
        contact=record(people, people.child(), at(9, 9)), rag="red", reason="Injury", acting_user=mash
    )
    step(at(9, 11))
    contact_decide(contact=contacts["monday"], outcome="nfa", rationale="Explained by the school", acting_user=mash)
    # Tuesday: a green contact still open (due Friday); education and housing asked for checks at 15:00.
    step(at(10, 15))
    contacts["open_green"] = contact_rate(
        contact=record(people, people.child(), at(10, 14)), rag="green", reason="Neglect", acting_user=mash
    )
    information_requests_send(contact=contacts["open_green"], agencies=["education", "housing"], acting_user=mash)
    step(at(10, 16))
    request = contacts["open_green"].information_requests.get(agency="housing")
    information_request_answer(request=request, summary="Nothing known", sharing_level="safeguarding",
                               acting_user=people.housing)  # fmt: skip
    # Today: an amber contact at 08:00 decided in time at 10:00 (a referral).
    step(at(11, 8, 5))
    contacts["amber"] = contact_rate(
        contact=record(people, people.child(), at(11, 8)), rag="amber", reason="Concern", acting_user=mash
    )
    step(at(11, 10))
    contact_decide(
        contact=contacts["amber"], outcome="referral", rationale="Needs assessment",
        details=DecisionDetails(primary_need=PrimaryNeed.ABUSE_NEGLECT), acting_user=mash,
    )  # fmt: skip
    # Today: a red contact at 09:00 (due 13:00, so overdue at 14:00) with police and health checks due 11:30.
    step(at(11, 9, 30))
    contacts["overdue"] = contact_rate(
        contact=record(people, people.child(), at(11, 9)), rag="red", reason="Threat", acting_user=mash
    )
    information_requests_send(contact=contacts["overdue"], agencies=["police", "health"], acting_user=mash)
    # Today: a red contact about a child whose record another manager restricts; overdue too.
    restricted = people.child("Private")
    step(at(11, 9, 20))
    contacts["restricted"] = contact_rate(
        contact=record(people, restricted, at(11, 9, 15)), rag="red", reason="Threat", acting_user=mash
    )
    child_restrict(child=restricted, reason="Child of a staff member", allowed=[], acting_user=people.other_manager)
    # Today: decided at 10:30 without a rating (no timescale to meet).
    step(at(11, 10, 30))
    contacts["unrated"] = record(people, people.child(), at(11, 10))
    contact_decide(contact=contacts["unrated"], outcome="nfa", rationale="Duplicate of a known concern",
                   acting_user=mash)  # fmt: skip
    # Today 12:00: last Thursday's green contact decided, a day late (early help).
    step(at(11, 12))
    contact_decide(
        contact=contacts["late"], outcome="early_help", rationale="Family support",
        details=DecisionDetails(early_help_support="Family support worker"), acting_user=mash,
    )  # fmt: skip
    # January: three contacts from three agencies, each no further action, raise a cumulative concern.
    pattern = people.child("Pattern")
    for n, agency in enumerate(["police", "health", "education"]):
        step(at(10 + n, 9, month=1))
        old = record(people, pattern, at(10 + n, 9, month=1), agency=agency)
        contact_decide(contact=old, outcome="nfa", rationale="Low level", acting_user=mash)
    # Today 14:00: a member of the public reports a concern (not matched to a child yet).
    step(NOW)
    contacts["public"] = contact_receive(
        channel="public",
        child=ReportedChild(first_name="Alex", last_name="Unknown"),
        summary="I am worried about a child next door",
        referrer=Referrer(name="A neighbour"),
    )
    return contacts


def figures(client: Client) -> dict[str, str]:
    """The figures on the flow page, by their data-figure attribute, as text."""
    html = client.get(reverse("front_door:flow")).content.decode()
    found = re.findall(r'data-figure="([^"]+)">(.*?)</(?:td|dd)>', html, re.DOTALL)
    return {name: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for name, value in found}


def test_the_flow_page_counts_the_day_and_the_week(people: People, day: dict[str, Contact]) -> None:
    assert CumulativeConcernAlert.objects.count() == 1
    shown = figures(client_for(people.manager))
    expected = {
        "received-today": "5",  # amber, overdue, restricted, unrated, public
        "received-week": "7",  # and Monday's and Tuesday's
        "open": "4",  # open green, overdue red, restricted red, public
        "overdue": "2 overdue See the overdue contacts",
        "unmatched": "1",
        "alerts": "1",
        "open-red": "2",
        "open-amber": "0",
        "open-green": "1",
        "open-unrated": "1",
        "decided-today-nfa": "1",
        "decided-week-nfa": "2",
        "decided-today-referral": "1",
        "decided-today-early_help": "1",
        "decided-today-strategy": "0",
        "decided-today": "3",
        "decided-week": "4",
        # Rated decisions: today amber in time and green late; this week also Monday's red in time.
        "in-time-today": "1 of 2 (50%)",
        "in-time-week": "2 of 3 (67%)",
        "in-time-today-1": "No decisions",
        "in-time-week-1": "1 of 1 (100%)",
        "in-time-today-3": "0 of 1 (0%)",
        # Police and health were due at 11:30; education's is due at 15:00; housing answered.
        "checks-police": "1",
        "checks-overdue-police": "1",
        "checks-health": "1",
        "checks-overdue-health": "1",
        "checks-education": "1",
        "checks-overdue-education": "0",
    }
    assert {k: shown.get(k) for k in expected} == expected
    assert "checks-housing" not in shown


def test_the_flow_page_shows_no_child(people: People, day: dict[str, Contact]) -> None:
    html = client_for(people.manager).get(reverse("front_door:flow")).content.decode()
    for child in Child.objects.all():
        assert child.first_name not in html.replace("Flow</", "")
        assert child.la_child_id not in html


def test_the_flow_page_asks_the_same_few_queries_however_many_contacts(
    people: People, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(NOW, tick=False)
    client = client_for(people.manager)
    client.get(reverse("front_door:flow"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("front_door:flow")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(12):
        contact = record(people, people.child(), NOW - dt.timedelta(hours=n + 1))
        contact_rate(contact=contact, rag=["red", "amber", "green"][n % 3], reason="Concern", acting_user=people.mash)
        if n % 2:
            contact_decide(contact=contact, outcome="advice", rationale="Advice given", acting_user=people.mash)
    assert queries() == few


@pytest.mark.parametrize("who", ["mash", "auditor", "police_researcher"])
def test_only_a_mash_manager_sees_the_flow(people: People, who: str) -> None:
    client = client_for(getattr(people, who))
    assert client.get(reverse("front_door:flow")).status_code == 404
    assert client.get(reverse("front_door:flow_overdue")).status_code == 404


def test_overdue_contacts_are_listed_by_reference_and_restricted_ones_only_counted(
    people: People, day: dict[str, Contact]
) -> None:
    response = client_for(people.manager).get(reverse("front_door:flow_overdue"))
    html = response.content.decode()
    assert day["overdue"].reference in html
    assert day["restricted"].reference not in html
    assert "1 more overdue contact is about a restricted record you are not named on" in html
    named = client_for(people.other_manager).get(reverse("front_door:flow_overdue")).content.decode()
    assert day["overdue"].reference in named
    assert day["restricted"].reference in named
    assert "restricted record you are not named on" not in named
    viewed = AuditEvent.objects.filter(user=people.manager, action=AuditEvent.Action.VIEW).get()
    assert viewed.detail == {"page": "overdue contacts", "contacts": [day["overdue"].reference]}


# The disclosure ledger ---------------------------------------------------------------------------


@pytest.fixture
def ledger(people: People, time_machine: time_machine.TimeMachineFixture) -> dict[str, Child]:
    """Three children and what was shared about each, on either side of midnight at the end of June."""
    children = {"amy": people.child("Amy"), "ben": people.child("Ben"), "cal": people.child("Cal")}

    def share(child: Child, when: dt.datetime, agency: str, purpose: str) -> None:
        time_machine.move_to(when - dt.timedelta(hours=1), tick=False)
        contact = record(people, child, when - dt.timedelta(hours=1))
        time_machine.move_to(when, tick=False)
        contact_decide(
            contact=contact,
            outcome="advice",
            rationale="Advice given",
            details=DecisionDetails(
                sharing=[
                    Sharing(
                        recipient="Designated safeguarding lead",
                        shared="The outcome and the plan",
                        purpose=purpose,
                        lawful_basis=LawfulBasis.SAFEGUARDING,
                        consent=ConsentStatus.NOT_SOUGHT,
                        recipient_agency=agency,
                    )
                ]
            ),
            acting_user=people.mash,
        )

    # 23:30 on 30 June in London is 22:30 UTC; 00:30 on 1 July is 23:30 UTC on 30 June.
    share(children["amy"], dt.datetime(2025, 6, 30, 23, 30, tzinfo=LONDON), "education", "School to support")
    share(children["amy"], dt.datetime(2025, 7, 1, 0, 30, tzinfo=LONDON), "health", "GP to review")
    share(children["ben"], dt.datetime(2025, 6, 15, 12, 0, tzinfo=LONDON), "education", '=HYPERLINK("x")')
    share(children["cal"], dt.datetime(2025, 6, 20, 12, 0, tzinfo=LONDON), "police", "Police to visit")
    time_machine.move_to(dt.datetime(2025, 7, 2, 12, 0, tzinfo=LONDON), tick=False)
    child_restrict(child=children["cal"], reason="High-profile case", allowed=[], acting_user=people.other_manager)
    return children


def search(client: Client, **params: str) -> list[tuple[str, str]]:
    """The (LA child ID, purpose) of each row found."""
    fields = {"child": "", "agency": "", "start_day": "", "start_month": "", "start_year": "", "end_day": "",
              "end_month": "", "end_year": ""}  # fmt: skip
    response = client.get(reverse("front_door:disclosures"), {**fields, **params})
    assert response.status_code == 200
    page = response.context["page_obj"]
    return [(d.child.la_child_id, d.purpose) for d in page] if page is not None else []


def test_the_ledger_is_searched_by_child_agency_and_local_dates(people: People, ledger: dict[str, Child]) -> None:
    client = client_for(people.auditor)
    amy, ben = ledger["amy"].la_child_id, ledger["ben"].la_child_id
    found = search(client, child=amy.lower())
    assert len(found) == 4
    assert {p for _c, p in found} == {"School to support", "GP to review", TOLD}
    assert sorted(search(client, agency="education")) == [(amy, "School to support"), (ben, '=HYPERLINK("x")')]
    june_end = {"start_day": "30", "start_month": "6", "start_year": "2025", "end_day": "30", "end_month": "6",
                "end_year": "2025"}  # fmt: skip
    assert sorted(search(client, **june_end)) == [(amy, "School to support"), (amy, TOLD)]
    july_1 = {k: v.replace("30", "1") if "day" in k else v.replace("6", "7") for k, v in june_end.items()}
    assert sorted(search(client, **july_1)) == [(amy, "GP to review"), (amy, TOLD)]
    assert search(client, child="NOBODY1") == []


def test_restricted_rows_are_for_information_governance_and_those_named(
    people: People, ledger: dict[str, Child]
) -> None:
    cal = ledger["cal"].la_child_id
    assert sorted(search(client_for(people.auditor), child=cal)) == [(cal, "Police to visit"), (cal, TOLD)]
    assert sorted(search(client_for(people.other_manager), child=cal)) == [(cal, "Police to visit"), (cal, TOLD)]
    assert search(client_for(people.manager), child=cal) == []
    assert cal not in {c for c, _p in search(client_for(people.manager))}


def test_searches_and_exports_are_recorded_with_their_filters(people: People, ledger: dict[str, Child]) -> None:
    client = client_for(people.auditor)
    amy = ledger["amy"]
    search(client, child=amy.la_child_id, agency="health")
    searched = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert searched.child_id == amy.pk
    assert searched.detail == {"child": amy.la_child_id, "agency": "health", "start": "", "end": "", "results": 1}
    response = client.get(reverse("front_door:disclosures"), {"agency": "education", "download": "csv"})
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert exported.detail == {"child": "", "agency": "education", "start": "", "end": "", "rows": 2}
    assert len(list(csv.reader(io.StringIO(body)))) == 3  # the header and two rows


def test_the_csv_cannot_run_as_a_formula(people: People, ledger: dict[str, Child]) -> None:
    response = client_for(people.auditor).get(
        reverse("front_door:disclosures"), {"child": ledger["ben"].la_child_id, "download": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    purposes = {r["purpose"] for r in rows}
    assert '\'=HYPERLINK("x")' in purposes
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_a_bad_date_gets_a_message_and_searches_nothing(people: People, ledger: dict[str, Child]) -> None:
    client = client_for(people.auditor)
    response = client.get(
        reverse("front_door:disclosures"), {"start_day": "31", "start_month": "2", "start_year": "2025"}
    )
    assert "From must be a real date" in response.content.decode()
    assert response.context["page_obj"] is None
    response = client.get(
        reverse("front_door:disclosures"),
        {"start_day": "2", "start_month": "7", "start_year": "2025", "end_day": "1", "end_month": "7",
         "end_year": "2025", "download": "csv"},
    )  # fmt: skip
    assert response["Content-Type"].startswith("text/html")
    assert "must be the same as or after" in response.content.decode()
    assert not AuditEvent.objects.filter(action__in=[AuditEvent.Action.SEARCH, AuditEvent.Action.EXPORT]).exists()


@pytest.mark.parametrize("who", ["mash", "police_researcher", "education"])
def test_the_ledger_is_not_there_for_others(people: People, who: str) -> None:
    client = client_for(getattr(people, who))
    assert client.get(reverse("front_door:disclosures")).status_code == 404
    assert client.get(reverse("front_door:disclosures"), {"child": "", "download": "csv"}).status_code == 404


# Early help --------------------------------------------------------------------------------------


def early_help(people: People, child: Child, *, lead: str = Agency.EARLY_HELP, days_ago: int = 40) -> EarlyHelpPackage:
    received = dt.datetime.now(tz=LONDON) - dt.timedelta(days=days_ago)
    contact = record(people, child, received)
    result = contact_decide_with_result(
        contact=contact,
        outcome="early_help",
        rationale="Family support",
        details=DecisionDetails(early_help_support="Family support worker visits weekly", early_help_lead=lead),
        decided_at=received + dt.timedelta(hours=2),
        acting_user=people.mash,
    )
    assert result.early_help is not None
    return result.early_help


def test_the_mash_and_the_lead_agency_see_open_early_help(people: People) -> None:
    package = early_help(people, people.child("Dana"))
    for user in (people.mash, people.early_help):
        html = client_for(user).get(reverse("front_door:early_help")).content.decode()
        assert "Dana Flow" in html
        assert "5 weeks" in html
        assert reverse("front_door:early_help_close", args=[package.pk]) in html
    other = client_for(people.education)
    assert "Dana Flow" not in other.get(reverse("front_door:early_help")).content.decode()
    assert other.get(reverse("front_door:early_help_close", args=[package.pk])).status_code == 404
    viewed = AuditEvent.objects.filter(user=people.early_help, action=AuditEvent.Action.VIEW)
    assert [e.detail for e in viewed] == [{"page": "early help", "children": [package.child.la_child_id]}]


def test_closing_early_help_with_bad_dates_changes_nothing(people: People) -> None:
    package = early_help(people, people.child("Eve"))
    client = client_for(people.early_help)
    url = reverse("front_door:early_help_close", args=[package.pk])
    started = package.started_on
    before = started - dt.timedelta(days=1)
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    bad = {
        "Date the early help ended must be a real date": ("31", "2", "2026"),
        "Date the early help ended must include a month": ("3", "", "2026"),
        "Date the early help ended must be today or in the past": (
            str(tomorrow.day), str(tomorrow.month), str(tomorrow.year),
        ),
        "The early help cannot close before it started": (str(before.day), str(before.month), str(before.year)),
    }  # fmt: skip
    for message, (d, m, y) in bad.items():
        response = client.post(
            url, {"closed_on_day": d, "closed_on_month": m, "closed_on_year": y, "outcome": "needs_met"}
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    response = client.post(url, {"closed_on_day": str(started.day), "closed_on_month": str(started.month),
                                 "closed_on_year": str(started.year), "outcome": "not-an-outcome"})  # fmt: skip
    assert "Select how it ended" in response.content.decode()
    package.refresh_from_db()
    assert (package.closed_on, package.outcome) == (None, "")


def test_closing_early_help_records_the_date_and_outcome(people: People) -> None:
    package = early_help(people, people.child("Finn"))
    ended = package.started_on + dt.timedelta(days=30)
    response = client_for(people.mash).post(
        reverse("front_door:early_help_close", args=[package.pk]),
        {"closed_on_day": ended.day, "closed_on_month": ended.month, "closed_on_year": ended.year,
         "outcome": EarlyHelpOutcome.NEEDS_MET},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == reverse("front_door:early_help")
    package.refresh_from_db()
    assert (package.closed_on, package.outcome, package.closed_by) == (ended, "needs_met", people.mash)
    assert "Finn Flow" not in client_for(people.mash).get(reverse("front_door:early_help")).content.decode()


def test_early_help_on_a_restricted_record_is_for_those_named(people: People) -> None:
    child = people.child("Gus")
    package = early_help(people, child, days_ago=2)
    child_restrict(child=child, reason="Child of a staff member", allowed=[], acting_user=people.manager)
    url = reverse("front_door:early_help_close", args=[package.pk])
    assert client_for(people.mash).get(url).status_code == 404
    assert "Gus Flow" not in client_for(people.mash).get(reverse("front_door:early_help")).content.decode()
    assert client_for(people.manager).get(url).status_code == 200
