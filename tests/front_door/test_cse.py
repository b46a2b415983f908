"""CSE screening: the rules that give a risk level, who may screen, the CSE team's queue and cases, the flag on
the child's record and the assessment factors it suggests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AuditEvent, BreakGlassGrant
from openmash.access.services import child_restrict
from openmash.core.codes import AssessmentFactor, Disability
from openmash.core.errors import ServiceError
from openmash.front_door.cse import selectors, services, tool
from openmash.front_door.cse.tool import INDICATOR_CODES, SPECIFIC_CODES, Rated, Rule, ScoreAtLeast
from openmash.front_door.models import AgencyContribution, CSECase, CSERiskLevel, CSEScreening
from openmash.workforce.models import Allocation, StaffMember, Team

from .cse_setup import Hub, build_hub, contact, decide, new_child, years_ago

NONE = dict.fromkeys(INDICATOR_CODES, 0)
SPECIFIC = sorted(SPECIFIC_CODES)
GENERAL = sorted(set(INDICATOR_CODES) - SPECIFIC_CODES)


def rated(**ratings: int) -> dict[str, int]:
    return {**NONE, **ratings}


def level(ratings: dict[str, int], *, age: int | None = 15, ld: bool = False) -> CSERiskLevel:
    return tool.assess(ratings, age=age, learning_disability=ld).level


@pytest.fixture
def hub(db: None) -> Hub:
    return build_hub()


# The rules ---------------------------------------------------------------------------------------


def _score_threshold(target: CSERiskLevel) -> int:
    """The score at which the default rules give `target` on score alone (read from the rules, not assumed)."""
    return min(c.score for r in tool.RULES if r.level == target for c in r.when if isinstance(c, ScoreAtLeast))


def _spread(score: int) -> dict[str, int]:
    """Ratings adding up to `score` with as few indicators above low as can be (none high), general ones first."""
    ratings = dict(NONE)
    for code in [*GENERAL, *SPECIFIC, *GENERAL, *SPECIFIC]:
        if sum(ratings.values()) < score:
            ratings[code] += 1
    assert sum(ratings.values()) == score
    return ratings


def test_nothing_rated_is_no_concern_and_any_rating_is_at_least_low() -> None:
    assert level(NONE) == CSERiskLevel.NONE
    for code in INDICATOR_CODES:
        assert level(rated(**{code: 1})) == CSERiskLevel.LOW, code


def test_one_high_indicator_specific_to_exploitation_is_medium_for_an_older_child() -> None:
    for code in SPECIFIC:
        assert level(rated(**{code: 3}), age=15) == CSERiskLevel.MEDIUM, code
    # A general indicator (school attendance, say) rated high does not on its own show exploitation at 15...
    for code in GENERAL:
        assert level(rated(**{code: 3}), age=15) == CSERiskLevel.LOW, code


def test_under_13_with_one_high_indicator_is_at_least_medium() -> None:
    # ...but under 13 any one high indicator is potential CSE (Pan-Cheshire).
    for code in GENERAL:
        assert level(rated(**{code: 3}), age=12) == CSERiskLevel.MEDIUM, code
    assert level(rated(**{GENERAL[0]: 3}), age=13) == CSERiskLevel.LOW


def test_under_13s_and_children_with_a_learning_disability_are_never_low_when_indicators_show_cse() -> None:
    one_low = rated(**{SPECIFIC[0]: 1})
    assert level(one_low, age=15) == CSERiskLevel.LOW
    assert level(one_low, age=12) == CSERiskLevel.MEDIUM
    assert level(one_low, age=15, ld=True) == CSERiskLevel.MEDIUM
    # Unknown age: no age rule applies, but a learning disability still does.
    assert level(one_low, age=None) == CSERiskLevel.LOW
    assert level(one_low, age=None, ld=True) == CSERiskLevel.MEDIUM


def test_score_thresholds_are_exact() -> None:
    for target in (CSERiskLevel.MEDIUM, CSERiskLevel.HIGH):
        at = _score_threshold(target)
        assert tool.level_rank(level(_spread(at))) >= tool.level_rank(target), target
        assert tool.level_rank(level(_spread(at - 1))) < tool.level_rank(target), target


def test_two_high_indicators_are_high_and_the_reasons_say_why() -> None:
    result = tool.assess(rated(**{GENERAL[0]: 3, GENERAL[1]: 3}), age=16, learning_disability=False)
    assert result.level == CSERiskLevel.HIGH
    assert result.score == 6
    high_rules = [r.text for r in tool.RULES if r.level == CSERiskLevel.HIGH]
    assert list(result.reasons) == high_rules


def test_an_authority_can_change_the_rules(settings: object) -> None:
    ratings = rated(**{GENERAL[0]: 2})
    assert level(ratings) == CSERiskLevel.LOW
    stricter = (
        *tool.RULES,
        Rule(CSERiskLevel.HIGH, (Rated(at_least=2),), "Any medium indicator is high here.", "Local policy"),
    )
    settings.OPENMASH_CSE_RULES = stricter  # type: ignore[attr-defined]
    assert level(ratings) == CSERiskLevel.HIGH


@pytest.mark.parametrize(
    "ratings",
    [
        {k: v for k, v in NONE.items() if k != "missing"},  # one left unrated
        rated(missing=4),
        rated(missing=-1),
        rated(missing=True),  # type: ignore[arg-type]
        {**NONE, "astrology": 1},
    ],
)
def test_answers_that_cannot_be_scored_are_refused(ratings: dict[str, int]) -> None:
    assert tool.check_answers(ratings, [])
    assert tool.check_answers(NONE, ["not_a_vulnerability"])
    assert not tool.check_answers(NONE, list(tool.VULNERABILITIES))


def test_age_counts_whole_years() -> None:
    born = dt.date(2012, 6, 15)
    assert tool.age_on(born, dt.date(2025, 6, 14)) == 12
    assert tool.age_on(born, dt.date(2025, 6, 15)) == 13
    assert tool.age_on(None, dt.date(2025, 6, 15)) is None
    assert tool.age_on(dt.date(2030, 1, 1), dt.date(2025, 6, 15)) is None  # unborn


# Screening ---------------------------------------------------------------------------------------


def test_a_mash_practitioner_screens_a_child_from_a_contact(hub: Hub) -> None:
    child = new_child(hub)
    item = contact(hub, child)
    ratings = rated(missing=3, coercion=3, gifts=2)
    screening = services.cse_screen(
        child=child, contact=item, ratings=ratings, vulnerabilities=["care_history"], notes=" Seen at a hotel ",
        acting_user=hub.mash,
    )  # fmt: skip
    screening.refresh_from_db()
    expected = tool.assess(
        ratings, age=tool.age_on(child.date_of_birth, timezone.localdate()), learning_disability=False
    )
    assert (screening.risk_level, screening.score) == (expected.level, sum(ratings.values()))
    assert screening.risk_level == CSERiskLevel.HIGH
    assert (screening.contact, screening.screened_by, screening.notes) == (item, hub.mash, "Seen at a hotel")
    assert screening.vulnerabilities == ["care_history"]
    row = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(screening.pk))
    assert (row.child_id, row.detail["basis"], row.detail["level"]) == (child.pk, "open or recent MASH contact", "high")


def test_a_learning_disability_on_the_childs_record_counts(hub: Hub) -> None:
    ratings = rated(**{SPECIFIC[0]: 1})
    plain = new_child(hub)
    disabled = new_child(hub, disabilities=(Disability.LEARNING,))
    for child in (plain, disabled):
        contact(hub, child)
    low = services.cse_screen(child=plain, contact=None, ratings=ratings, vulnerabilities=[], acting_user=hub.mash)
    medium = services.cse_screen(
        child=disabled, contact=None, ratings=ratings, vulnerabilities=[], acting_user=hub.mash
    )
    assert (low.risk_level, medium.risk_level) == (CSERiskLevel.LOW, CSERiskLevel.MEDIUM)


def test_the_childs_age_on_the_day_decides_the_under_13_rule(hub: Hub) -> None:
    twelve = new_child(hub, born=years_ago(13) + dt.timedelta(days=1))  # 13 tomorrow
    thirteen = new_child(hub, born=years_ago(13))  # 13 today
    ratings = rated(**{GENERAL[0]: 3})
    levels = []
    for child in (twelve, thirteen):
        contact(hub, child)
        levels.append(
            services.cse_screen(child=child, contact=None, ratings=ratings, vulnerabilities=[], acting_user=hub.mash)
        )
    assert [s.risk_level for s in levels] == [CSERiskLevel.MEDIUM, CSERiskLevel.LOW]


def _refused(**kwargs: object) -> str:
    with pytest.raises(ServiceError) as exc:
        services.cse_screen(**kwargs)  # type: ignore[arg-type]
    return exc.value.message


def test_screening_is_refused_to_those_who_may_not_and_changes_nothing(hub: Hub) -> None:
    child = new_child(hub)
    contact(hub, child)
    other = new_child(hub)
    other_contact = contact(hub, other)
    base = {"child": child, "contact": None, "ratings": rated(missing=3), "vulnerabilities": []}
    # A social worker outside the CSE team, even one who holds the child.
    sw_staff = hub.sw.staff  # type: ignore[attr-defined]
    Allocation.objects.create(child=child, worker=sw_staff, team=hub.cin_team, start_date=dt.date(2025, 1, 1))
    assert "Only MASH practitioners and the CSE team" in _refused(**base, acting_user=hub.sw)
    # The CSE team sees no child that has not been referred to it.
    assert _refused(**base, acting_user=hub.cse) == "That child does not exist"
    # A contact about another child.
    assert _refused(**{**base, "contact": other_contact}, acting_user=hub.mash) == "That contact is about another child"
    # Answers that cannot be scored.
    assert "Rate accommodation" in _refused(**{**base, "ratings": {"missing": 3}}, acting_user=hub.mash)
    assert "5,000" in _refused(**base, notes="x" * 5001, acting_user=hub.mash)
    # Break glass gives sight, not the right to screen.
    BreakGlassGrant.objects.create(
        user=hub.cse, child=child, reason="x" * 30, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert _refused(**base, acting_user=hub.cse) == "That child does not exist"
    # A restricted record, for someone not named on it.
    child_restrict(child=child, reason="Staff member's child", allowed=[], acting_user=hub.mash_manager)
    assert _refused(**base, acting_user=hub.police) == "That child does not exist"
    assert not CSEScreening.objects.exists()


def test_the_cse_team_sees_the_children_referred_to_it_and_those_it_works_with(hub: Hub) -> None:
    child = new_child(hub)
    contact(hub, child)
    cse = hub.cse
    assert policy.basis_for(cse, child) is None
    services.cse_screen(child=child, contact=None, ratings=rated(missing=1), vulnerabilities=[], acting_user=hub.mash)
    assert policy.basis_for(cse, child) is None  # low risk: not a referral to the team
    screening = services.cse_screen(
        child=child, contact=None, ratings=rated(missing=3, gifts=3), vulnerabilities=[], acting_user=hub.mash
    )
    assert policy.basis_for(cse, child) == policy.Basis.CSE_REFERRAL
    assert not policy.can_change_child(cse, child)  # sight to decide on the referral, not to record casework
    case = services.cse_case_open(screening=screening, worker=cse.staff, acting_user=cse)  # type: ignore[attr-defined]
    assert policy.basis_for(cse, child) == policy.Basis.CSE_CASE
    assert policy.can_change_child(cse, child)
    services.cse_case_close(
        case=case, closed_on=timezone.localdate(), reason=CSECase.Closure.RISK_REDUCED, acting_user=cse
    )
    assert policy.basis_for(cse, child) is None
    # A later screening below medium does not put the child back in the queue.
    services.cse_screen(child=child, contact=None, ratings=rated(missing=1), vulnerabilities=[], acting_user=hub.mash)
    assert policy.basis_for(cse, child) is None


def test_a_newer_screening_at_low_risk_takes_the_child_out_of_the_queue(hub: Hub) -> None:
    child = new_child(hub)
    contact(hub, child)
    high = services.cse_screen(
        child=child, contact=None, ratings=rated(missing=3, coercion=3), vulnerabilities=[], acting_user=hub.mash
    )
    assert list(policy.cse_referrals_waiting()) == [high]
    low = services.cse_screen(
        child=child, contact=None, ratings=rated(missing=1), vulnerabilities=[], acting_user=hub.mash
    )
    assert not policy.cse_referrals_waiting().exists()
    with pytest.raises(ServiceError, match="newer screening"):
        services.cse_case_open(screening=high, acting_user=hub.mash)
    with pytest.raises(ServiceError, match="medium or high"):
        services.cse_case_open(screening=low, acting_user=hub.mash)


# Cases -------------------------------------------------------------------------------------------


def _high(hub: Hub) -> CSEScreening:
    child = new_child(hub)
    contact(hub, child)
    return services.cse_screen(
        child=child, contact=None, ratings=rated(missing=3, gifts=3), vulnerabilities=[], acting_user=hub.mash
    )


def test_the_mash_opens_a_case_in_the_cse_team_once(hub: Hub) -> None:
    screening = _high(hub)
    case = services.cse_case_open(screening=screening, acting_user=hub.mash)
    assert (case.team, case.worker, case.risk_level, case.opened_on) == (
        hub.cse_team, None, screening.risk_level, timezone.localdate()
    )  # fmt: skip
    with pytest.raises(ServiceError, match="already has an open CSE case"):
        services.cse_case_open(screening=screening, acting_user=hub.cse)
    assert CSECase.objects.count() == 1


def test_a_case_goes_to_a_worker_in_the_team_only(hub: Hub) -> None:
    screening = _high(hub)
    with pytest.raises(ServiceError, match="Complex safeguarding") as exc:
        services.cse_case_open(screening=screening, worker=hub.sw.staff, acting_user=hub.cse)  # type: ignore[attr-defined]
    assert exc.value.field == "worker"
    case = services.cse_case_open(screening=screening, acting_user=hub.cse)
    services.cse_case_allocate(case=case, worker=hub.cse_colleague, acting_user=hub.cse)
    assert CSECase.objects.get().worker == hub.cse_colleague
    leaver = StaffMember.objects.create(
        first_name="Lee", last_name="Ver", team=hub.cse_team, job_role="social_worker", start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2021, 1, 1),
    )  # fmt: skip
    with pytest.raises(ServiceError):
        services.cse_case_allocate(case=case, worker=leaver, acting_user=hub.cse)


def test_only_the_cse_team_allocates_and_closes_its_cases(hub: Hub) -> None:
    case = services.cse_case_open(screening=_high(hub), acting_user=hub.mash)
    with pytest.raises(ServiceError, match="Only Complex safeguarding"):
        services.cse_case_close(case=case, closed_on=timezone.localdate(), reason="reduced", acting_user=hub.mash)
    with pytest.raises(ServiceError, match="Only Complex safeguarding"):
        services.cse_case_allocate(case=case, worker=hub.cse_colleague, acting_user=hub.mash)
    # A second CSE team's worker cannot close the first team's case (and does not see the child).
    other_team = Team.objects.create(name="Exploitation north", service=hub.cse_team.service, kind=Team.Kind.CSE)
    hub.cse.staff.team = other_team  # type: ignore[attr-defined]
    hub.cse.staff.save()  # type: ignore[attr-defined]
    with pytest.raises(ServiceError, match="does not exist"):
        services.cse_case_close(case=case, closed_on=timezone.localdate(), reason="reduced", acting_user=hub.cse)


def test_closing_a_case_checks_the_date_and_reason(hub: Hub) -> None:
    case = services.cse_case_open(screening=_high(hub), acting_user=hub.cse)
    today = timezone.localdate()
    for closed_on, reason, field in (
        (today - dt.timedelta(days=1), "reduced", "closed_on"),
        (today + dt.timedelta(days=1), "reduced", "closed_on"),
        (today, "bored", "reason"),
    ):
        with pytest.raises(ServiceError) as exc:
            services.cse_case_close(case=case, closed_on=closed_on, reason=reason, acting_user=hub.cse)
        assert exc.value.field == field
    services.cse_case_close(case=case, closed_on=today, reason="moved", acting_user=hub.cse)
    case.refresh_from_db()
    assert (case.closed_on, case.closure_reason) == (today, "moved")
    with pytest.raises(ServiceError, match=r"does not exist|was closed"):
        services.cse_case_close(case=case, closed_on=today, reason="moved", acting_user=hub.cse)


def test_screening_again_during_a_case_updates_its_risk(hub: Hub) -> None:
    screening = _high(hub)
    case = services.cse_case_open(screening=screening, acting_user=hub.cse)
    services.cse_screen(
        child=screening.child, contact=None, ratings=rated(missing=2), vulnerabilities=[], acting_user=hub.cse
    )
    case.refresh_from_db()
    assert case.risk_level == tool.assess(rated(missing=2), age=14, learning_disability=False).level


# Suggested assessment factors --------------------------------------------------------------------


def test_suggested_assessment_factors_follow_the_latest_screening_and_open_case(hub: Hub) -> None:
    child = new_child(hub)
    contact(hub, child)
    suggest = selectors.suggested_assessment_factors
    assert suggest(child) == set()

    def screen(**ratings: int) -> CSEScreening:
        return services.cse_screen(
            child=child, contact=None, ratings=rated(**ratings), vulnerabilities=[], acting_user=hub.mash
        )

    screen(missing=1)
    assert suggest(child) == set()  # low risk, missing rated low
    screen(missing=2)
    assert suggest(child) == {AssessmentFactor.MISSING}  # low risk overall, missing rated medium
    high = screen(missing=3, coercion=3)
    assert suggest(child) == {AssessmentFactor.CSE, AssessmentFactor.MISSING}
    services.cse_case_open(screening=high, acting_user=hub.cse)
    screen(coercion=1)
    assert suggest(child) == {AssessmentFactor.CSE}  # a case is still open


# Pages -------------------------------------------------------------------------------------------


def test_screening_from_a_contact_reference_through_to_the_flag_on_the_record(hub: Hub) -> None:
    child = new_child(hub)
    item = contact(hub, child)
    client = hub.client_for(hub.mash)
    form = client.get("/cse/screen/", {"id": item.reference})
    assert form.status_code == 200
    assert child.full_name in form.content.decode()
    answers = dict.fromkeys(INDICATOR_CODES, "0") | {"missing": "3", "coercion": "3", "gifts": "3"}
    answers["vulnerabilities"] = ["uasc"]
    response = client.post(f"/cse/screen/?id={item.reference}", answers)
    assert response.status_code == 302
    assert response["Location"] == f"/children/{child.la_child_id}/"
    screening = CSEScreening.objects.get()
    assert (screening.contact, screening.risk_level) == (item, CSERiskLevel.HIGH)
    page = client.get(response["Location"]).content.decode()
    assert "CSE risk: High" in page
    assert "11A: Child sexual exploitation" in page
    # A partner agency that sees the child only through its own contribution sees no flag.
    AgencyContribution.objects.create(child=child, agency="health", summary="Seen in clinic")
    health_page = hub.client_for(hub.health).get(f"/children/{child.la_child_id}/").content.decode()
    assert "Seen in clinic" in health_page
    assert "CSE risk" not in health_page
    assert "Child sexual exploitation" not in health_page


def test_the_screening_form_says_what_is_missing(hub: Hub) -> None:
    child = new_child(hub)
    contact(hub, child)
    client = hub.client_for(hub.mash)
    response = client.post(f"/cse/screen/?id={child.la_child_id}", {"missing": "3"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert 'href="#id_school"' in text
    assert "Rate school attendance" in text
    assert not CSEScreening.objects.exists()


def _without_tokens(html: str) -> str:
    """The page's main content (the rest carries per-request tokens)."""
    return re.search(r"<main.*</main>", html, re.DOTALL).group(0)  # type: ignore[union-attr]


def test_a_child_out_of_reach_answers_like_one_that_does_not_exist(hub: Hub) -> None:
    hidden = new_child(hub)  # no contact: the MASH does not see this child
    client = hub.client_for(hub.mash)
    missing = client.get("/cse/screen/", {"id": "NOSUCH1"}).content.decode()
    forbidden = client.get("/cse/screen/", {"id": hidden.la_child_id}).content.decode()
    assert "No child or contact was found" in missing
    assert _without_tokens(missing).replace("NOSUCH1", "X") == _without_tokens(forbidden).replace(
        hidden.la_child_id, "X"
    )
    assert hub.client_for(hub.sw).get("/cse/screen/").status_code == 404


def test_the_cse_worker_opens_a_case_from_the_queue_and_closes_it(hub: Hub) -> None:
    waiting = _high(hub)
    client = hub.client_for(hub.cse)
    queue = client.get("/cse/")
    assert waiting.child.full_name in queue.content.decode()
    seen = AuditEvent.objects.filter(user=hub.cse, detail__page="CSE queue").get()
    assert seen.detail["children"] == [waiting.child.la_child_id]
    opened = client.post("/cse/", {"screening": str(waiting.pk)})
    case = CSECase.objects.get()
    assert opened["Location"] == f"/cse/cases/{case.pk}/"
    after = client.get("/cse/").content.decode()
    assert "None waiting." in after
    assert f"/cse/cases/{case.pk}/" in after
    page = client.get(opened["Location"])
    assert "Close the case" in page.content.decode()
    bad = client.post(opened["Location"], {"action": "close", "reason": "reduced"})
    assert "Enter the date the case closed" in bad.content.decode()
    today = timezone.localdate()
    done = client.post(
        opened["Location"],
        {
            "action": "close",
            "reason": "reduced",
            "closed_on_day": today.day,
            "closed_on_month": today.month,
            "closed_on_year": today.year,
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.closed_on == today
    # Once closed, the child is no longer the team's: the case answers like a missing one.
    assert client.get(opened["Location"]).status_code == 404


def test_a_queue_post_for_a_screening_the_user_cannot_see_changes_nothing(hub: Hub) -> None:
    hidden = _high(hub)
    child_restrict(child=hidden.child, reason="Staff member's child", allowed=[], acting_user=hub.mash_manager)
    response = hub.client_for(hub.cse).post("/cse/", {"screening": str(hidden.pk)}, follow=True)
    assert "That child does not exist" in response.content.decode()
    assert not CSECase.objects.exists()


def test_a_partner_practitioner_who_sees_the_child_only_through_their_own_referral_sees_no_flag(
    hub: Hub, settings: object
) -> None:
    child = new_child(hub)
    item = contact(hub, child, agency="police", source="6")
    services.cse_screen(
        child=child, contact=item, ratings=rated(missing=3, gifts=3), vulnerabilities=[], acting_user=hub.mash
    )
    decide(hub, item, "nfa")
    settings.OPENMASH_MASH_RECENT_DAYS = 0  # type: ignore[attr-defined]  # the contact is no longer recent
    assert policy.basis_for(hub.police, child) == policy.Basis.AGENCY
    page = hub.client_for(hub.police).get(f"/children/{child.la_child_id}/")
    assert page.status_code == 200
    assert "CSE risk" not in page.content.decode()
    # The same officer working on the child in the MASH sees it.
    assert selectors.cse_flag(user=hub.police, child=child, basis=policy.Basis.MASH) is not None
