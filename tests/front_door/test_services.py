"""The front door's business actions: a contact from each way in, matched to a child, rated, checked with
agencies and decided, with everything a decision sets going (referral, early help, ledger, referrer survey,
cumulative concern). Refusals change nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from openmash.access.services import child_restrict
from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.casework.children import child_create
from openmash.casework.models import Referral
from openmash.core.codes import PrimaryNeed, ReferralSource
from openmash.core.errors import ServiceError
from openmash.core.models import JourneyEvent
from openmash.front_door import services as fd
from openmash.front_door.models import (
    AgencyContribution,
    ConsentStatus,
    Contact,
    ContactAdult,
    CumulativeConcernAlert,
    Disclosure,
    EarlyHelpPackage,
    FrontDoorSettings,
    InformationRequest,
    LawfulBasis,
    MatchDecision,
    RagRating,
    ReferrerFeedback,
    SharingLevel,
    TimescaleUnit,
)
from openmash.people.models import Child, Relationship
from openmash.workforce.models import Service, StaffMember, Team

LONDON = ZoneInfo("Europe/London")


def _user(username: str, agency: str, *roles: str, team: Team | None = None) -> User:
    user = User.objects.create_user(username=username, password="x", agency=agency, first_name=username.title())
    UserRole.objects.bulk_create(UserRole(user=user, role=r) for r in roles)
    if team is not None:
        StaffMember.objects.create(
            user=user, first_name=username, last_name="Staff", team=team, job_role="social_worker",
            start_date=dt.date(2020, 1, 1),
        )  # fmt: skip
    return user


@pytest.fixture
def hub(db: None) -> dict[str, object]:
    service = Service.objects.create(name="Front door")
    mash_team = Team.objects.create(name="MASH", service=service, kind=Team.Kind.MASH)
    assessment = Team.objects.create(name="Advice and assessment", service=service, kind=Team.Kind.ASSESSMENT)
    return {
        "mash": _user("mash", Agency.CHILDRENS_SOCIAL_CARE, Role.MASH_PRACTITIONER, team=mash_team),
        "teacher": _user("teacher", Agency.EDUCATION, Role.AGENCY_RESEARCHER),
        "health": _user("health", Agency.HEALTH, Role.AGENCY_RESEARCHER),
        "police": _user("police", Agency.POLICE, Role.AGENCY_RESEARCHER),
        "cllr": _user("cllr", Agency.DEMOCRATIC_SERVICES, Role.SCRUTINY_MEMBER),
        "assessment": assessment,
    }


def _child(by: User, n: int = 1, **extra: object) -> Child:
    fields: dict[str, object] = {
        "la_child_id": f"F{n:04d}",
        "first_name": "Amira",
        "last_name": "Stone",
        "date_of_birth": dt.date(2014, 5, 2),
        "sex": "F",
        "ethnicity": "WBRI",
        "postcode": "ZZ1 1ZZ",
    }
    fields.update(extra)
    return child_create(acting_user=by, **fields)  # type: ignore[arg-type]


def _report(by: User | None = None, **child: object) -> Contact:
    reported = fd.ReportedChild(
        first_name=str(child.get("first_name", "Amira")),
        last_name=str(child.get("last_name", "Stone")),
        date_of_birth=child.get("date_of_birth", dt.date(2014, 5, 2)),  # type: ignore[arg-type]
        postcode=str(child.get("postcode", "ZZ1 1ZZ")),
        address=str(child.get("address", "")),
    )
    return fd.contact_receive(
        channel="professional" if by else "public",
        child=reported,
        summary="Came to school with bruises on both arms and said she was scared to go home",
        referrer=fd.Referrer(name="A Teacher", role="Designated safeguarding lead", email="dsl@school.example"),
        adults=[fd.ReportedAdult("Kyle", "Marsh", "alleged_perpetrator")],
        acting_user=by,
    )


# Ways in ---------------------------------------------------------------------------------------


def test_a_public_report_gets_a_reference_and_waits_to_be_matched(hub: dict) -> None:
    contact = _report()
    assert contact.reference is not None
    assert contact.reference.startswith("MC-")
    assert contact.child is None
    assert contact.channel == "public"
    assert contact.source == ReferralSource.INDIVIDUAL_OTHER
    assert contact.referrer_agency == ""
    assert ContactAdult.objects.get(contact=contact).role == "alleged_perpetrator"
    # Not a journey event until someone knows which child it is about.
    assert not JourneyEvent.objects.filter(source_id=contact.pk, event_type="contact").exists()


def test_a_professional_referral_carries_their_agency(hub: dict) -> None:
    contact = _report(by=hub["teacher"])
    assert contact.referrer_agency == Agency.EDUCATION
    assert contact.source == ReferralSource.SCHOOLS
    assert contact.submitted_by == hub["teacher"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": "", "last_name": ""}, "subject_first_name"),
        ({"date_of_birth": dt.date(1990, 1, 1)}, "subject_date_of_birth"),
    ],
)
def test_bad_input_creates_nothing(hub: dict, change: dict, field: str) -> None:
    with pytest.raises(ServiceError) as refused:
        _report(**change)
    assert refused.value.field == field
    assert not Contact.objects.exists()
    assert not ContactAdult.objects.exists()


def test_a_summary_too_short_and_a_bad_nhs_number_are_refused(hub: dict) -> None:
    with pytest.raises(ServiceError, match="Describe your concern"):
        fd.contact_receive(channel="public", child=fd.ReportedChild("A", "B"), summary="bad", referrer=fd.Referrer())
    with pytest.raises(ServiceError, match="NHS number"):
        fd.contact_receive(
            channel="public",
            child=fd.ReportedChild("A", "B", nhs_number="1234567890"),
            summary="A proper description of the worry",
            referrer=fd.Referrer(),
        )
    assert not Contact.objects.exists()


def test_councillors_cannot_refer_and_staff_do_not_use_the_public_form(hub: dict) -> None:
    with pytest.raises(ServiceError):
        _report(by=hub["cllr"])
    with pytest.raises(ServiceError, match="professional"):
        fd.contact_receive(
            channel="public",
            child=fd.ReportedChild("A", "B"),
            summary="A proper description of the worry",
            referrer=fd.Referrer(),
            acting_user=hub["teacher"],
        )
    assert not Contact.objects.exists()


# Matching --------------------------------------------------------------------------------------


def test_linking_says_who_decided_and_flags_a_re_referral(hub: dict) -> None:
    mash = hub["mash"]
    child = _child(mash)
    earlier = fd.contact_record(
        child=child, received_at=timezone.now() - dt.timedelta(days=200), source="6", acting_user=mash
    )
    fd.contact_rate(contact=earlier, rag="amber", reason="Police call-out", acting_user=mash)
    fd.contact_decide(
        contact=earlier,
        outcome="referral",
        rationale="Domestic abuse with the child present",
        details=fd.DecisionDetails(primary_need=PrimaryNeed.ABUSE_NEGLECT),
        decided_at=earlier.received_at + dt.timedelta(hours=3),
        acting_user=mash,
    )
    contact = _report()
    fd.contact_link(contact=contact, child=child, acting_user=mash)
    contact.refresh_from_db()
    assert contact.child == child
    assert contact.match_decision == MatchDecision.LINKED
    assert contact.matched_by == mash
    assert contact.re_referral
    assert JourneyEvent.objects.filter(source_id=contact.pk, event_type="contact", child_id=child.pk).exists()


def test_merging_copies_the_chosen_details_to_the_child(hub: dict) -> None:
    mash = hub["mash"]
    child = _child(mash, postcode="ZZ1 1ZZ")
    contact = _report(postcode="ZZ9 9ZZ", address="1 New Road")
    fd.contact_link(
        contact=contact, child=child, decision=MatchDecision.MERGED, update_fields=["postcode"], acting_user=mash
    )
    child.refresh_from_db()
    assert child.postcode == "ZZ9 9ZZ"
    assert child.address == ""  # not chosen, so not copied


def test_a_restricted_child_cannot_be_linked_by_someone_not_named(hub: dict) -> None:
    mash = hub["mash"]
    child = _child(mash)
    manager = _user("tm", Agency.CHILDRENS_SOCIAL_CARE, Role.TEAM_MANAGER, Role.MASH_PRACTITIONER)
    fd.contact_record(child=child, received_at=timezone.now(), source="6", acting_user=mash)
    child_restrict(child=child, reason="Child of a member of staff", allowed=[], acting_user=manager)
    contact = _report()
    with pytest.raises(ServiceError, match="does not exist"):
        fd.contact_link(contact=contact, child=child, acting_user=mash)
    contact.refresh_from_db()
    assert contact.child is None


def test_only_the_mash_matches(hub: dict) -> None:
    child = _child(hub["mash"])
    contact = _report()
    with pytest.raises(ServiceError):
        fd.contact_link(contact=contact, child=child, acting_user=hub["teacher"])


# Rating and checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "rag", "due"),
    [
        (dt.datetime(2026, 3, 6, 16, 0), "red", dt.datetime(2026, 3, 6, 20, 0)),  # 4 hours
        (dt.datetime(2026, 3, 6, 16, 0), "amber", dt.datetime(2026, 3, 9, 16, 0)),  # Friday -> Monday
        (dt.datetime(2026, 3, 6, 16, 0), "green", dt.datetime(2026, 3, 11, 16, 0)),  # Friday -> Wednesday
        (dt.datetime(2026, 4, 2, 10, 0), "amber", dt.datetime(2026, 4, 7, 10, 0)),  # over Easter
    ],
)
def test_the_rating_sets_when_the_decision_is_due(hub: dict, received: dt.datetime, rag: str, due: dt.datetime) -> None:
    at = received.replace(tzinfo=LONDON)
    with time_machine.travel(at, tick=False):
        contact = _report()
    with time_machine.travel(at + dt.timedelta(minutes=20), tick=False):
        fd.contact_rate(contact=contact, rag=rag, reason="Screened", acting_user=hub["mash"])
    contact.refresh_from_db()
    assert timezone.localtime(contact.decision_due_at, LONDON).replace(tzinfo=None) == due


def test_the_authority_sets_its_own_timescales(hub: dict) -> None:
    settings = FrontDoorSettings.current()
    settings.red_decision, settings.red_decision_unit = 1, TimescaleUnit.WORKING_DAYS
    settings.save()
    contact = _report()
    fd.contact_rate(contact=contact, rag="red", reason="Screened", acting_user=hub["mash"])
    contact.refresh_from_db()
    assert contact.decision_due_at is not None
    assert contact.decision_due_at - contact.received_at >= dt.timedelta(days=1)


def test_every_rating_is_kept_and_open_checks_keep_pace(hub: dict) -> None:
    mash = hub["mash"]
    contact = _report()
    fd.contact_rate(contact=contact, rag="green", reason="Low level", acting_user=mash)
    (request,) = fd.information_requests_send(contact=contact, agencies=["police"], acting_user=mash)
    green_due = request.due_at
    fd.contact_rate(contact=contact, rag="red", reason="New information: threats made", acting_user=mash)
    request.refresh_from_db()
    assert request.due_at < green_due
    assert list(RagRating.objects.filter(contact=contact).values_list("rag", flat=True)) == ["green", "red"]


def test_checks_need_a_rating_and_are_not_asked_twice(hub: dict) -> None:
    mash = hub["mash"]
    contact = _report()
    with pytest.raises(ServiceError, match="Rate the contact"):
        fd.information_requests_send(contact=contact, agencies=["police"], acting_user=mash)
    fd.contact_rate(contact=contact, rag="amber", reason="Screened", acting_user=mash)
    fd.information_requests_send(contact=contact, agencies=["police", "health"], acting_user=mash)
    with pytest.raises(ServiceError, match="Already waiting for: Police"):
        fd.information_requests_send(contact=contact, agencies=["police", "housing"], acting_user=mash)
    assert InformationRequest.objects.filter(contact=contact).count() == 2


def _linked_rated_contact(hub: dict) -> Contact:
    mash = hub["mash"]
    child = _child(mash)
    contact = _report()
    fd.contact_link(contact=contact, child=child, acting_user=mash)
    return fd.contact_rate(contact=contact, rag="amber", reason="Screened", acting_user=mash)


def test_a_researcher_answers_for_their_own_agency_only(hub: dict) -> None:
    contact = _linked_rated_contact(hub)
    requests = fd.information_requests_send(contact=contact, agencies=["health", "police"], acting_user=hub["mash"])
    health_request = next(r for r in requests if r.agency == "health")
    with pytest.raises(ServiceError, match="researcher for this agency"):
        fd.information_request_answer(
            request=health_request, summary="x", sharing_level="safeguarding", acting_user=hub["police"]
        )
    answer = fd.information_request_answer(
        request=health_request,
        summary="Missed three health visitor appointments",
        sharing_level=SharingLevel.MASH_ONLY,
        acting_user=hub["health"],
    )
    health_request.refresh_from_db()
    assert health_request.status == "answered"
    assert health_request.response == answer
    assert answer.agency == "health"
    assert answer.child_id == contact.child_id
    with pytest.raises(ServiceError, match="already been answered"):
        fd.information_request_answer(
            request=health_request, summary="again", sharing_level="mash_only", acting_user=hub["health"]
        )


def test_sharing_with_named_agencies_needs_the_agencies(hub: dict) -> None:
    contact = _linked_rated_contact(hub)
    (request,) = fd.information_requests_send(contact=contact, agencies=["health"], acting_user=hub["mash"])
    with pytest.raises(ServiceError, match="agencies to share with"):
        fd.information_request_answer(
            request=request, summary="Known to CAMHS", sharing_level=SharingLevel.PARTNERS, acting_user=hub["health"]
        )
    assert not AgencyContribution.objects.exists()
    answer = fd.information_request_answer(
        request=request,
        summary="Known to CAMHS",
        sharing_level=SharingLevel.PARTNERS,
        shared_with=["education"],
        acting_user=hub["health"],
    )
    assert list(answer.shares.values_list("agency", flat=True)) == ["education"]


# Deciding --------------------------------------------------------------------------------------


def test_a_decision_needs_the_child_and_reasons(hub: dict) -> None:
    mash = hub["mash"]
    contact = _report()
    with pytest.raises(ServiceError, match="match the contact"):
        fd.contact_decide(contact=contact, outcome="nfa", rationale="Nothing to do", acting_user=mash)
    fd.contact_link(contact=contact, child=_child(mash), acting_user=mash)
    with pytest.raises(ServiceError, match="reasons"):
        fd.contact_decide(contact=contact, outcome="nfa", rationale="  ", acting_user=mash)
    contact.refresh_from_db()
    assert contact.outcome == ""


def test_referral_to_social_care_opens_a_referral_in_the_assessment_queue(hub: dict) -> None:
    contact = _linked_rated_contact(hub)
    result = fd.contact_decide_with_result(
        contact=contact,
        outcome=Contact.Outcome.REFERRAL,
        rationale="Injuries and disclosure: section 17 assessment",
        details=fd.DecisionDetails(
            primary_need=PrimaryNeed.ABUSE_NEGLECT,
            sharing=[
                fd.Sharing(
                    recipient="Oak Primary School DSL",
                    recipient_agency=Agency.EDUCATION,
                    shared="That an assessment has started",
                    purpose="So the school can support the child",
                    lawful_basis=LawfulBasis.S17,
                    consent=ConsentStatus.NOT_SOUGHT,
                )
            ],
        ),
        acting_user=hub["mash"],
    )
    referral = Referral.objects.get(contact=contact)
    assert result.referral == referral
    assert referral.team == hub["assessment"]
    assert referral.closure_date is None
    # Shared with the school, and the referrer told the outcome: both in the ledger.
    assert Disclosure.objects.filter(contact=contact).count() == 2
    assert result.feedback_link_token is not None
    feedback = fd.feedback_for_token(result.feedback_link_token)
    assert feedback is not None
    assert "assessment" in feedback.outcome_told


def test_a_refused_decision_leaves_nothing_behind(hub: dict) -> None:
    contact = _linked_rated_contact(hub)
    with pytest.raises(ServiceError, match="early help agreed"):
        fd.contact_decide(
            contact=contact, outcome="early_help", rationale="Family needs support", acting_user=hub["mash"]
        )
    with pytest.raises(ServiceError, match="lawful basis"):
        fd.contact_decide(
            contact=contact,
            outcome="nfa",
            rationale="No concerns found",
            details=fd.DecisionDetails(sharing=[fd.Sharing("School", "x", "y", "made-up", "given")]),
            acting_user=hub["mash"],
        )
    contact.refresh_from_db()
    assert contact.outcome == ""
    assert not EarlyHelpPackage.objects.exists()
    assert not Disclosure.objects.exists()
    assert not ReferrerFeedback.objects.exists()


def test_early_help_is_recorded_and_closed_with_an_outcome(hub: dict) -> None:
    contact = _linked_rated_contact(hub)
    result = fd.contact_decide_with_result(
        contact=contact,
        outcome="early_help",
        rationale="Parenting support will meet the need",
        details=fd.DecisionDetails(early_help_support="Family support worker: weekly visits for 12 weeks"),
        acting_user=hub["mash"],
    )
    package = result.early_help
    assert package is not None
    assert package.closed_on is None
    with pytest.raises(ServiceError, match="before it started"):
        fd.early_help_close(
            package=package, closed_on=package.started_on - dt.timedelta(days=1), outcome="needs_met",
            acting_user=hub["mash"],
        )  # fmt: skip
    fd.early_help_close(package=package, closed_on=package.started_on, outcome="needs_met", acting_user=hub["mash"])
    package.refresh_from_db()
    assert package.outcome == "needs_met"


def test_the_survey_is_answered_once(hub: dict) -> None:
    contact = _linked_rated_contact(hub)
    result = fd.contact_decide_with_result(
        contact=contact, outcome="advice", rationale="Advice to the school", acting_user=hub["mash"]
    )
    token = result.feedback_link_token
    assert token is not None
    answers = fd.SurveyAnswers(True, 4, False, True, 5, 4, 5, "Quick and clear")
    with pytest.raises(ServiceError, match="1 to 5"):
        fd.feedback_submit(token=token, answers=fd.SurveyAnswers(True, 9, False, True, 5, 4, 5))
    fd.feedback_submit(token=token, answers=answers)
    with pytest.raises(ServiceError, match="already been used"):
        fd.feedback_submit(token=token, answers=answers)
    assert ReferrerFeedback.objects.get(contact=contact).overall == 5


# Cumulative concern ----------------------------------------------------------------------------


def test_contacts_from_several_agencies_about_siblings_raise_one_alert(hub: dict) -> None:
    mash = hub["mash"]
    child = _child(mash, 1)
    brother = _child(mash, 2, first_name="Jay", sex="M")
    Relationship.objects.create(child=child, other_child=brother, relationship_type="sibling")
    now = timezone.now()
    alerts = []
    for days_ago, who, agency in ((100, child, Agency.POLICE), (60, brother, Agency.HEALTH), (10, child, "")):
        contact = fd.contact_record(
            child=who,
            received_at=now - dt.timedelta(days=days_ago),
            source="6",
            referrer_agency=agency,
            acting_user=mash,
        )
        result = fd.contact_decide_with_result(
            contact=contact,
            outcome="nfa",
            rationale="Below threshold on its own",
            decided_at=contact.received_at + dt.timedelta(hours=1),
            acting_user=mash,
        )
        alerts.append(result.concern)
    assert alerts[:2] == [None, None]
    alert = alerts[2]
    assert alert is not None
    assert alert.contacts.count() == 3
    assert "police" in alert.agencies
    # The same contacts do not raise it again.
    assert fd.cumulative_concern_check(child=child, acting_user=mash) is None
    assert CumulativeConcernAlert.objects.count() == 1
