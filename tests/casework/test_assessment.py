"""The single assessment from start to outcome: what a social worker records, sending it for authorisation,
a manager returning or authorising it (never the person who completed it), what it leads to, and two people
saving the same assessment at once."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.accounts.models import Role, User, UserRole
from openmash.casework import services
from openmash.casework.models import Assessment, AssessmentOutcome, CINPlan, Referral
from openmash.casework.selectors import assessment_clocks, previous_referral_within_year
from openmash.core.codes import AssessmentFactor, ReasonForClosure
from openmash.core.errors import ServiceError
from openmash.core.locking import EditConflict
from openmash.core.models import JourneyEvent
from openmash.journey.rebuild import check_table
from openmash.people.models import Child
from openmash.workforce.models import StaffMember

D = dt.date


def _record(a: Assessment, user: User, **changes: object) -> Assessment:
    answers: dict[str, object] = {
        "analysis": "Mother is the subject of domestic abuse by her partner; Amelia has been seen with older men.",
        "factors": [AssessmentFactor.DOMESTIC_ABUSE_PARENT, AssessmentFactor.CSE],
        "child_seen": True,
        "child_seen_date": D(2024, 5, 14),
        "seen_alone": True,
    }
    answers.update(changes)
    return services.assessment_update(assessment=a, expected_version=None, acting_user=user, **answers)  # type: ignore[arg-type]


def _submitted(referral: Referral, user: User) -> Assessment:
    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=user)
    _record(a, user)
    return services.assessment_submit(assessment=a, expected_version=None, acting_user=user)


def _authorised(referral: Referral, worker: User, manager: User) -> Assessment:
    a = _submitted(referral, worker)
    return services.assessment_authorise(
        assessment=a, authorised_date=D(2024, 6, 10), child_in_need=True, acting_user=manager
    )


@pytest.fixture
def second_manager(manager_user: User) -> User:
    """Another team manager of the same team."""
    user = User.objects.create_user(username="second", password="x" * 20, first_name="Sam", last_name="Second")
    UserRole.objects.create(user=user, role=Role.TEAM_MANAGER)
    StaffMember.objects.create(
        user=user,
        first_name="Sam",
        last_name="Second",
        team=manager_user.staff.team,  # type: ignore[attr-defined]
        job_role="team_manager",
        start_date=D(2020, 1, 1),
    )
    return user


def test_the_social_worker_records_the_analysis_factors_and_seeing_the_child(
    referral: Referral, worker_user: User
) -> None:
    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    before = a.version
    _record(a, worker_user, factors=["3A", "3B", "3C", "11A"])
    a.refresh_from_db()
    assert a.analysis.startswith("Mother is the subject")
    assert (a.child_seen, a.child_seen_date, a.seen_alone) == (True, D(2024, 5, 14), True)
    assert sorted(a.factors.values_list("code", flat=True)) == ["11A", "3A", "3B", "3C"]
    assert a.version == before + 1
    # Changing the factors takes away those unticked.
    _record(a, worker_user, factors=["3B"])
    assert list(a.factors.values_list("code", flat=True)) == ["3B"]


def test_a_child_not_seen_has_no_date_or_seen_alone(referral: Referral, worker_user: User) -> None:
    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    _record(a, worker_user, child_seen=False, child_seen_date=D(2024, 5, 14), seen_alone=True)
    a.refresh_from_db()
    assert (a.child_seen, a.child_seen_date, a.seen_alone) == (False, None, None)


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"factors": ["21", "3B"]}, "'No factors identified' cannot be combined", "factors"),
        ({"factors": ["99Z"]}, "Unknown factor code: 99Z", "factors"),
        ({"child_seen_date": D(2024, 4, 30)}, r"on or after the referral \(1 May 2024\)", "child_seen_date"),
        ({"child_seen_date": dt.date.today() + dt.timedelta(days=1)}, "cannot be in the future", "child_seen_date"),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(
    referral: Referral, worker_user: User, changes: dict[str, object], message: str, field: str
) -> None:
    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    opened_at = a.version
    with pytest.raises(ServiceError, match=message) as err:
        _record(a, worker_user, **changes)
    assert err.value.field == field
    a.refresh_from_db()
    assert (a.analysis, a.child_seen, a.factors.count(), a.version) == ("", None, 0, opened_at)


def test_someone_saving_first_is_shown_with_what_changed_and_nothing_is_overwritten(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    opened_at = a.version
    # The manager saves first, from the same version.
    services.assessment_update(
        assessment=a,
        analysis="Manager's wording",
        factors=["3B"],
        child_seen=None,
        expected_version=opened_at,
        acting_user=manager_user,
    )
    with pytest.raises(EditConflict) as err:
        services.assessment_update(
            assessment=a,
            analysis="Worker's wording",
            factors=["3B", "11A"],
            child_seen=None,
            expected_version=opened_at,
            acting_user=worker_user,
        )
    conflict = err.value
    assert "Someone else saved this assessment after you opened it" in conflict.message
    changed = {d.field: (d.saved, d.yours) for d in conflict.differences}
    assert changed == {
        "analysis": ("Manager's wording", "Worker's wording"),
        "factors": (
            "Domestic abuse – parent or carer is the subject",
            "Domestic abuse – parent or carer is the subject; Child sexual exploitation",
        ),
    }
    a.refresh_from_db()
    assert a.analysis == "Manager's wording"
    # Saving again with the version now saved keeps the worker's answers.
    services.assessment_update(
        assessment=a,
        analysis="Worker's wording",
        factors=["3B", "11A"],
        child_seen=None,
        expected_version=conflict.current_version,
        acting_user=worker_user,
    )
    a.refresh_from_db()
    assert a.analysis == "Worker's wording"


def test_submitting_needs_the_analysis_factors_and_whether_the_child_was_seen(
    referral: Referral, worker_user: User
) -> None:
    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    with pytest.raises(ServiceError) as err:
        services.assessment_submit(assessment=a, expected_version=None, acting_user=worker_user)
    assert err.value.message == (
        "Before you send it for authorisation: Enter your analysis; Select the factors identified, or "
        "'No factors identified'; Select whether the child was seen"
    )
    assert err.value.field == "analysis"
    _record(a, worker_user, child_seen_date=None)
    with pytest.raises(ServiceError, match="Enter the date the child was seen"):
        services.assessment_submit(assessment=a, expected_version=None, acting_user=worker_user)
    a.refresh_from_db()
    assert a.submitted_at is None
    _record(a, worker_user)
    services.assessment_submit(assessment=a, expected_version=None, acting_user=worker_user)
    a.refresh_from_db()
    assert a.submitted_by == worker_user
    assert a.submitted_at is not None


def test_a_submitted_assessment_cannot_be_changed_until_it_is_returned(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = _submitted(referral, worker_user)
    with pytest.raises(ServiceError, match="waiting for a manager to authorise it"):
        _record(a, worker_user, analysis="Second thoughts")
    with pytest.raises(ServiceError, match="Only a manager"):
        services.assessment_return(assessment=a, reason="Not mine to return", acting_user=worker_user)
    with pytest.raises(ServiceError, match="Enter what needs to change") as err:
        services.assessment_return(assessment=a, reason="  ", acting_user=manager_user)
    assert err.value.field == "reason"
    services.assessment_return(
        assessment=a, reason="Say what Amelia told you about the older men", acting_user=manager_user
    )
    a.refresh_from_db()
    assert (a.submitted_at, a.submitted_by, a.returned_reason) == (
        None,
        None,
        "Say what Amelia told you about the older men",
    )
    _record(a, worker_user, analysis="Amelia said the men give her lifts and cigarettes.")
    services.assessment_submit(assessment=a, expected_version=None, acting_user=worker_user)
    a.refresh_from_db()
    assert a.returned_reason == ""


def test_authorisation_is_a_separate_step_by_a_separate_manager(
    referral: Referral, worker_user: User, manager_user: User, second_manager: User
) -> None:
    a = services.assessment_start(referral=referral, start_date=D(2024, 5, 10), acting_user=worker_user)
    _record(a, worker_user)
    with pytest.raises(ServiceError, match="not been sent for authorisation"):
        services.assessment_authorise(
            assessment=a, authorised_date=D(2024, 6, 10), child_in_need=True, acting_user=manager_user
        )
    # The manager finishes it and sends it themselves: someone else must authorise it.
    services.assessment_submit(assessment=a, expected_version=None, acting_user=manager_user)
    with pytest.raises(ServiceError, match="cannot authorise an assessment you completed or sent"):
        services.assessment_authorise(
            assessment=a, authorised_date=D(2024, 6, 10), child_in_need=True, acting_user=manager_user
        )
    with pytest.raises(ServiceError, match="Only a manager"):
        services.assessment_authorise(
            assessment=a, authorised_date=D(2024, 6, 10), child_in_need=True, acting_user=worker_user
        )
    a.refresh_from_db()
    assert a.authorised_date is None
    assert not JourneyEvent.objects.filter(event_type="assessment_authorised").exists()
    services.assessment_authorise(
        assessment=a, authorised_date=D(2024, 6, 10), child_in_need=True, acting_user=second_manager
    )
    a.refresh_from_db()
    assert (a.authorised_by, a.authorised_date) == (second_manager, D(2024, 6, 10))


def test_the_manager_who_holds_the_assessment_cannot_authorise_it(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = services.assessment_start(
        referral=referral,
        start_date=D(2024, 5, 10),
        worker=manager_user.staff,  # type: ignore[attr-defined]
        acting_user=worker_user,
    )
    _record(a, worker_user)
    services.assessment_submit(assessment=a, expected_version=None, acting_user=worker_user)
    with pytest.raises(ServiceError, match="another manager must"):
        services.assessment_authorise(
            assessment=a, authorised_date=D(2024, 6, 10), child_in_need=True, acting_user=manager_user
        )


def test_authorisation_stores_the_factors_the_worker_recorded(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = _authorised(referral, worker_user, manager_user)
    event = JourneyEvent.objects.get(event_type="assessment_authorised", source_id=a.pk)
    assert event.factors == "11A,3B"
    assert (event.event_date, event.start_date, event.flag) == (D(2024, 6, 10), D(2024, 5, 10), True)
    assert check_table() == []


def test_authorisation_before_the_start_is_refused(referral: Referral, worker_user: User, manager_user: User) -> None:
    a = _submitted(referral, worker_user)
    with pytest.raises(ServiceError, match=r"cannot be authorised before it started \(10 May 2024\)") as err:
        services.assessment_authorise(
            assessment=a, authorised_date=D(2024, 5, 9), child_in_need=True, acting_user=manager_user
        )
    assert err.value.field == "authorised_date"


def test_authorising_an_assessment_someone_changed_since_is_refused(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = _submitted(referral, worker_user)
    read_at = a.version
    services.assessment_return(assessment=a, reason="Add the school's view", acting_user=manager_user)
    with pytest.raises(ServiceError):
        services.assessment_authorise(
            assessment=a,
            authorised_date=D(2024, 6, 10),
            child_in_need=True,
            expected_version=read_at,
            acting_user=manager_user,
        )


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (AssessmentOutcome.NO_FURTHER_ACTION, ReasonForClosure.NFA_AFTER_ASSESSMENT),
        (AssessmentOutcome.EARLY_HELP, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT),
    ],
)
def test_no_further_action_or_early_help_closes_the_case_with_its_reason(
    referral: Referral, worker_user: User, manager_user: User, outcome: str, reason: str
) -> None:
    a = _authorised(referral, worker_user, manager_user)
    services.assessment_record_outcome(
        assessment=a, outcome=outcome, decided_on=D(2024, 6, 11), acting_user=manager_user
    )
    referral.refresh_from_db()
    assert (referral.closure_date, referral.closure_reason) == (D(2024, 6, 11), reason)
    a.refresh_from_db()
    assert a.outcome == outcome
    assert check_table() == []
    with pytest.raises(ServiceError, match="this referral was closed on 11 June 2024"):
        services.cin_plan_start(referral=referral, start_date=D(2024, 6, 12), acting_user=worker_user)


def test_a_child_in_need_plan_outcome_starts_the_plan_and_the_case_stays_open_until_it_ends(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = _authorised(referral, worker_user, manager_user)
    services.assessment_record_outcome(
        assessment=a, outcome=AssessmentOutcome.CIN_PLAN, decided_on=D(2024, 6, 11), acting_user=manager_user
    )
    plan = CINPlan.objects.get(referral=referral)
    assert (plan.start_date, plan.end_date) == (D(2024, 6, 11), None)
    with pytest.raises(ServiceError, match="already recorded: Child in need plan"):
        services.assessment_record_outcome(
            assessment=a,
            outcome=AssessmentOutcome.NO_FURTHER_ACTION,
            decided_on=D(2024, 6, 11),
            acting_user=manager_user,
        )
    with pytest.raises(ServiceError, match=r"^Before the case can close, finish the child in need plan$"):
        services.referral_close(
            referral=referral,
            closure_date=D(2024, 7, 1),
            reason=ReasonForClosure.SERVICES_CEASED,
            acting_user=worker_user,
        )
    services.cin_plan_end(plan=plan, end_date=D(2024, 9, 2), acting_user=worker_user)
    services.referral_close(
        referral=referral, closure_date=D(2024, 9, 2), reason=ReasonForClosure.SERVICES_CEASED, acting_user=worker_user
    )
    assert check_table() == []


def test_a_strategy_discussion_outcome_is_recorded_and_leaves_the_case_open(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = _authorised(referral, worker_user, manager_user)
    services.assessment_record_outcome(
        assessment=a, outcome=AssessmentOutcome.STRATEGY_DISCUSSION, decided_on=D(2024, 6, 11), acting_user=manager_user
    )
    a.refresh_from_db()
    referral.refresh_from_db()
    assert (a.outcome, referral.closure_date) == ("strategy", None)


def test_the_outcome_waits_for_authorisation_and_is_a_managers(
    referral: Referral, worker_user: User, manager_user: User
) -> None:
    a = _submitted(referral, worker_user)
    with pytest.raises(ServiceError, match="Authorise the assessment before"):
        services.assessment_record_outcome(
            assessment=a, outcome=AssessmentOutcome.CIN_PLAN, decided_on=D(2024, 6, 11), acting_user=manager_user
        )
    services.assessment_authorise(
        assessment=a, authorised_date=D(2024, 6, 10), child_in_need=True, acting_user=manager_user
    )
    with pytest.raises(ServiceError, match="Only a manager"):
        services.assessment_record_outcome(
            assessment=a, outcome=AssessmentOutcome.CIN_PLAN, decided_on=D(2024, 6, 11), acting_user=worker_user
        )
    with pytest.raises(ServiceError, match=r"on or after the authorisation \(10 June 2024\)") as err:
        services.assessment_record_outcome(
            assessment=a, outcome=AssessmentOutcome.CIN_PLAN, decided_on=D(2024, 6, 7), acting_user=manager_user
        )
    assert err.value.field == "decided_on"
    assert not CINPlan.objects.exists()


def test_a_second_assessment_waits_for_the_first(referral: Referral, worker_user: User, manager_user: User) -> None:
    _submitted(referral, worker_user)
    with pytest.raises(ServiceError, match="already has an assessment in progress"):
        services.assessment_start(referral=referral, start_date=D(2024, 6, 1), acting_user=worker_user)


def test_the_two_clocks_count_working_days_around_christmas() -> None:
    referral = Referral(referral_date=D(2024, 11, 29))
    a = Assessment(referral=referral, start_date=D(2024, 12, 2))
    from_start, from_referral = assessment_clocks(a, today=D(2025, 2, 6))
    # 25 and 26 December and 1 January are not working days: three days later than weekends alone.
    assert (from_start.due, from_referral.due) == (D(2025, 2, 6), D(2025, 2, 5))
    assert from_start.basis.endswith("(DfE)")
    assert (from_start.overdue, from_start.working_days_left) == (False, 0)
    assert (from_referral.overdue, from_referral.in_time) == (True, False)


def test_a_clock_stops_at_authorisation_over_easter() -> None:
    # Good Friday 18 April and Easter Monday 21 April 2025.
    referral = Referral(referral_date=D(2025, 2, 14))
    on_the_day = Assessment(referral=referral, start_date=D(2025, 2, 14), authorised_date=D(2025, 4, 22))
    clock = assessment_clocks(on_the_day, today=D(2025, 6, 1))[0]
    # Weekends alone would make it 18 April, Good Friday itself.
    assert (clock.due, clock.working_days_taken, clock.in_time, clock.overdue) == (D(2025, 4, 22), 45, True, False)
    late = Assessment(referral=referral, start_date=D(2025, 2, 14), authorised_date=D(2025, 4, 23))
    clock = assessment_clocks(late, today=D(2025, 6, 1))[0]
    assert (clock.working_days_taken, clock.in_time) == (46, False)


def test_a_re_referral_is_an_earlier_referral_in_the_12_months_before(child: Child, worker_user: User) -> None:
    def refer(day: dt.date, closed: dt.date | None) -> Referral:
        r = services.referral_create(
            child=child, referral_date=day, source="6", primary_need="N1", acting_user=worker_user
        )
        if closed:
            services.referral_close(
                referral=r, closure_date=closed, reason=ReasonForClosure.SERVICES_CEASED, acting_user=worker_user
            )
        return r

    first = refer(D(2023, 4, 30), D(2023, 5, 1))
    second = refer(D(2024, 4, 30), D(2024, 5, 1))
    third = refer(D(2025, 5, 1), None)
    assert previous_referral_within_year(first) is None
    assert previous_referral_within_year(second) == first  # exactly 12 months before counts
    assert previous_referral_within_year(third) is None  # 12 months and a day
