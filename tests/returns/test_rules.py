"""Each CIN census rule both ways: a small set of records that keeps every rule, and for each rule changes
that break it, checked to be reported against the right record."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

from openmash.people.identifiers import upn_check_letter
from openmash.returns import rules
from openmash.returns.rules import COLUMNS, RULES, Records

D = dt.date
AS_OF = D(2025, 3, 31)
Tables = dict[str, list[dict[str, Any]]]


def _upn(body: str) -> str:
    return upn_check_letter(body) + body


def valid_tables() -> Tables:
    """Amelia: two episodes (the second referred the day the first closed), an assessment, strategy
    discussion, enquiry, conference and plan with a review, and child in need plans either side of it.
    An unborn baby with no episode, and Ben, whose only episode needed no further action."""
    return {
        "children": [
            {"id": 1, "la_child_id": "C1", "upn": _upn("201234567890"), "upn_unknown": "", "nhs_number": "9434765919",
             "date_of_birth": D(2015, 6, 1), "expected_date_of_birth": None, "date_of_death": None, "sex": "F",
             "ethnicity": "WBRI"},
            {"id": 2, "la_child_id": "U2", "upn": "", "upn_unknown": "UN6", "nhs_number": "",
             "date_of_birth": None, "expected_date_of_birth": D(2025, 8, 1), "date_of_death": None, "sex": "U",
             "ethnicity": "NOBT"},
            {"id": 3, "la_child_id": "C3", "upn": "", "upn_unknown": "UN7", "nhs_number": "",
             "date_of_birth": D(2010, 1, 1), "expected_date_of_birth": None, "date_of_death": None, "sex": "M",
             "ethnicity": "BAFR"},
        ],
        "disabilities": [{"child_id": 1, "code": "NONE"}],
        "referrals": [
            {"id": 10, "child_id": 1, "referral_date": D(2024, 5, 1), "source": "6", "primary_need": "N1",
             "no_further_action": False, "closure_date": D(2025, 2, 10), "closure_reason": "RC7"},
            {"id": 11, "child_id": 1, "referral_date": D(2025, 2, 10), "source": "2A", "primary_need": "N4",
             "no_further_action": False, "closure_date": None, "closure_reason": ""},
            {"id": 12, "child_id": 3, "referral_date": D(2024, 9, 2), "source": "9", "primary_need": "",
             "no_further_action": True, "closure_date": D(2024, 9, 2), "closure_reason": "RC7"},
        ],
        "assessments": [
            {"id": 100, "referral_id": 10, "start_date": D(2024, 5, 2), "authorised_date": D(2024, 6, 20)},
            {"id": 101, "referral_id": 11, "start_date": D(2025, 2, 11), "authorised_date": None},
        ],
        "factors": [{"assessment_id": 100, "code": "3B"}, {"assessment_id": 100, "code": "11A"}],
        "cin_plans": [
            {"id": 601, "referral_id": 10, "start_date": D(2024, 5, 10), "end_date": D(2024, 5, 21)},
            {"id": 600, "referral_id": 11, "start_date": D(2025, 2, 12), "end_date": None},
        ],
        "strategy": [{"id": 200, "referral_id": 10, "discussion_date": D(2024, 5, 3)}],
        "s47": [
            {"id": 300, "referral_id": 10, "strategy_discussion_id": 200, "start_date": D(2024, 5, 3),
             "conference_date": D(2024, 5, 21), "conference_not_required": False},
        ],
        "plans": [
            {"id": 400, "referral_id": 10, "section47_id": 300, "start_date": D(2024, 5, 21),
             "end_date": D(2025, 2, 10), "initial_category": "NEG", "latest_category": "EMO",
             "number_of_previous_plans": 0},
        ],
        "reviews": [{"id": 500, "plan_id": 400, "review_date": D(2024, 8, 20)}],
    }  # fmt: skip


def build(tables: Tables) -> Records:
    return Records(**{name: pl.DataFrame(rows, schema=COLUMNS[name]) for name, rows in tables.items()})


# Changes to the valid records -----------------------------------------------------------------------------
Change = Callable[[Tables], None]


def set_(table: str, key: Any, **values: Any) -> Change:
    """Change the row whose id (or, for disabilities and factors, whose owner) is `key`."""

    def change(t: Tables) -> None:
        id_column = {"disabilities": "child_id", "factors": "assessment_id"}.get(table, "id")
        (row,) = [r for r in t[table] if r[id_column] == key][:1]
        row.update(values)

    return change


def add(table: str, **row: Any) -> Change:
    def change(t: Tables) -> None:
        t[table].append(row)

    return change


def remove(table: str, **match: Any) -> Change:
    def change(t: Tables) -> None:
        t[table] = [r for r in t[table] if any(r[k] != v for k, v in match.items())]

    return change


def both(*changes: Change) -> Change:
    def change(t: Tables) -> None:
        for c in changes:
            c(t)

    return change


OPEN_S47 = {"conference_date": None, "conference_not_required": False, "strategy_discussion_id": None}
Case = tuple[Callable[[Records, dt.date], pl.DataFrame], str, tuple[str, int], Change]
BREAKAGES: list[Case] = [
    (rules.episodes_do_not_overlap, "referred before the last closed", ("referrals", 11),
     set_("referrals", 11, referral_date=D(2025, 2, 9))),
    (rules.episodes_do_not_overlap, "an earlier episode still open", ("referrals", 11),
     set_("referrals", 10, closure_date=None, closure_reason="")),
    (rules.activity_within_its_episode, "assessment before the referral", ("assessments", 100),
     set_("assessments", 100, start_date=D(2024, 4, 30))),
    (rules.activity_within_its_episode, "review after closure", ("reviews", 500),
     set_("reviews", 500, review_date=D(2025, 2, 11))),
    (rules.nothing_after_the_reference_date, "born after the reference date", ("children", 1),
     set_("children", 1, date_of_birth=D(2025, 4, 1))),
    (rules.nothing_after_the_reference_date, "plan after the reference date", ("cin_plans", 600),
     set_("cin_plans", 600, start_date=D(2025, 4, 2))),
    (rules.no_further_action_means_no_activity, "assessment on an NFA referral", ("assessments", 102),
     add("assessments", id=102, referral_id=12, start_date=D(2024, 9, 2), authorised_date=None)),
    (rules.no_further_action_means_no_activity, "strategy discussion on an NFA referral", ("strategy", 201),
     add("strategy", id=201, referral_id=12, discussion_date=D(2024, 9, 2))),
    (rules.plans_start_at_a_conference, "plan the day after the conference", ("plans", 400),
     set_("plans", 400, start_date=D(2024, 5, 22))),
    (rules.plans_start_at_a_conference, "plan naming another episode's enquiry", ("plans", 401),
     both(add("s47", id=301, referral_id=11, start_date=D(2025, 2, 11), strategy_discussion_id=None,
              conference_date=D(2025, 2, 12), conference_not_required=False),
          add("plans", id=401, referral_id=11, section47_id=300, start_date=D(2025, 2, 12), end_date=None,
              initial_category="NEG", latest_category="NEG", number_of_previous_plans=1))),
    (rules.conferences_not_at_weekends, "conference on a Saturday", ("s47", 300),
     set_("s47", 300, conference_date=D(2024, 5, 18))),
    (rules.dates_in_order, "assessment authorised before it started", ("assessments", 100),
     set_("assessments", 100, authorised_date=D(2024, 5, 1))),
    (rules.dates_in_order, "enquiry before its strategy discussion", ("s47", 300),
     set_("s47", 300, start_date=D(2024, 5, 2))),
    (rules.dates_in_order, "conference and not required", ("s47", 300),
     set_("s47", 300, conference_not_required=True)),
    (rules.dates_in_order, "protection plan ending the day it starts", ("plans", 400),
     set_("plans", 400, end_date=D(2024, 5, 21))),
    (rules.dates_in_order, "child in need plan ending before it starts", ("cin_plans", 601),
     set_("cin_plans", 601, end_date=D(2024, 5, 9))),
    (rules.dates_in_order, "review on the day the plan started", ("reviews", 500),
     set_("reviews", 500, review_date=D(2024, 5, 21))),
    (rules.one_open_at_a_time, "two assessments in progress", ("assessments", 102),
     add("assessments", id=102, referral_id=11, start_date=D(2025, 2, 12), authorised_date=None)),
    (rules.one_open_at_a_time, "two enquiries awaiting conference", ("s47", 302),
     both(add("s47", id=301, referral_id=11, start_date=D(2025, 2, 11), **OPEN_S47),
          add("s47", id=302, referral_id=11, start_date=D(2025, 2, 12), **OPEN_S47))),
    (rules.one_open_at_a_time, "two child in need plans", ("cin_plans", 602),
     add("cin_plans", id=602, referral_id=11, start_date=D(2025, 2, 13), end_date=None)),
    (rules.cin_and_cp_plans_do_not_overlap, "child in need plan into the protection plan", ("cin_plans", 601),
     set_("cin_plans", 601, end_date=D(2024, 5, 22))),
    (rules.closed_episodes_are_complete, "closed with an assessment in progress", ("assessments", 100),
     both(set_("assessments", 100, authorised_date=None), remove("factors", assessment_id=100))),
    (rules.closed_episodes_are_complete, "closed with an enquiry unresolved", ("s47", 300),
     set_("s47", 300, conference_date=None)),
    (rules.closed_episodes_are_complete, "a closure date without a reason", ("referrals", 10),
     set_("referrals", 10, closure_reason="")),
    (rules.closed_episodes_are_complete, "closed after assessment with none", ("referrals", 12),
     set_("referrals", 12, closure_reason="RC8")),
    (rules.previous_plans_counted, "a second plan counted as the first", ("plans", 401),
     add("plans", id=401, referral_id=11, section47_id=None, start_date=D(2025, 3, 3), end_date=None,
         initial_category="PHY", latest_category="PHY", number_of_previous_plans=0)),
    (rules.factors_are_valid, "factors on an assessment in progress", ("assessments", 101),
     add("factors", assessment_id=101, code="1B")),
    (rules.factors_are_valid, "an authorised assessment without factors", ("assessments", 100),
     remove("factors", assessment_id=100)),
    (rules.factors_are_valid, "a factor twice", ("assessments", 100), add("factors", assessment_id=100, code="3B")),
    (rules.factors_are_valid, "'no factors' with a factor", ("assessments", 100),
     add("factors", assessment_id=100, code="21")),
    (rules.births_are_consistent, "both birth dates", ("children", 2),
     set_("children", 2, date_of_birth=D(2024, 1, 1))),
    (rules.births_are_consistent, "an unborn girl", ("children", 2), set_("children", 2, sex="F")),
    (rules.births_are_consistent, "death before birth", ("children", 1),
     set_("children", 1, date_of_death=D(2015, 5, 1))),
    (rules.births_are_consistent, "referral 41 weeks before the birth", ("referrals", 10),
     set_("children", 1, date_of_birth=D(2025, 2, 6))),
    (rules.identifiers_are_valid, "LA child ID with a hyphen", ("children", 1), set_("children", 1, la_child_id="C-1")),
    (rules.identifiers_are_valid, "LA child ID twice", ("children", 3), set_("children", 3, la_child_id="C1")),
    (rules.identifiers_are_valid, "UPN with the wrong check letter", ("children", 1),
     set_("children", 1, upn="Z201234567890")),
    (rules.identifiers_are_valid, "UPN and a reason", ("children", 1), set_("children", 1, upn_unknown="UN4")),
    (rules.identifiers_are_valid, "neither UPN nor reason", ("children", 3), set_("children", 3, upn_unknown="")),
    (rules.identifiers_are_valid, "UPN twice", ("children", 3),
     set_("children", 3, upn=_upn("201234567890"), upn_unknown="")),
    (rules.identifiers_are_valid, "'not of school age' at 15", ("children", 3), set_("children", 3, upn_unknown="UN1")),
    (rules.identifiers_are_valid, "'NFA' for a child followed up", ("children", 3),
     set_("referrals", 12, no_further_action=False, primary_need="N9")),
    (rules.identifiers_are_valid, "NHS number failing modulus 11", ("children", 1),
     set_("children", 1, nhs_number="9434765918")),
    (rules.disabilities_are_valid, "followed up with no disability code", ("children", 1),
     remove("disabilities", child_id=1)),
    (rules.disabilities_are_valid, "'none' with a disability", ("children", 1),
     add("disabilities", child_id=1, code="MOB")),
    (rules.disabilities_are_valid, "a code twice", ("children", 3),
     both(add("disabilities", child_id=3, code="MOB"), add("disabilities", child_id=3, code="MOB"))),
    (rules.codes_in_their_lists, "sex Q", ("children", 1), set_("children", 1, sex="Q")),
    (rules.codes_in_their_lists, "ethnicity ZZZZ", ("children", 1), set_("children", 1, ethnicity="ZZZZ")),
    (rules.codes_in_their_lists, "reason UPN unknown UN9", ("children", 2), set_("children", 2, upn_unknown="UN9")),
    (rules.codes_in_their_lists, "disability WINGS", ("children", 1), set_("disabilities", 1, code="WINGS")),
    (rules.codes_in_their_lists, "referral source 11", ("referrals", 10), set_("referrals", 10, source="11")),
    (rules.codes_in_their_lists, "no primary need, not NFA", ("referrals", 11), set_("referrals", 11, primary_need="")),
    (rules.codes_in_their_lists, "primary need N10", ("referrals", 11), set_("referrals", 11, primary_need="N10")),
    (rules.codes_in_their_lists, "closure reason RC0", ("referrals", 10), set_("referrals", 10, closure_reason="RC0")),
    (rules.codes_in_their_lists, "category of abuse XYZ", ("plans", 400), set_("plans", 400, latest_category="XYZ")),
    (rules.codes_in_their_lists, "factor 99Z", ("assessments", 100), set_("factors", 100, code="99Z")),
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_the_valid_records_keep_the_rule(rule: rules.Rule) -> None:
    failures = rule.check(build(valid_tables()), AS_OF)
    assert failures.is_empty(), failures
    assert failures.schema == pl.Schema(rules.FAILURE_SCHEMA)


@pytest.mark.parametrize(("check", "what", "culprit", "change"), BREAKAGES, ids=[c[1] for c in BREAKAGES])
def test_the_rule_finds_the_record_that_breaks_it(
    check: Callable[[Records, dt.date], pl.DataFrame], what: str, culprit: tuple[str, int], change: Change
) -> None:
    tables = copy.deepcopy(valid_tables())
    change(tables)
    failures = check(build(tables), AS_OF)
    assert culprit in set(failures.select("table", "id").iter_rows()), failures


def test_every_rule_is_shown_failing() -> None:
    assert {r.check for r in RULES} == {case[0] for case in BREAKAGES}


def test_every_rule_names_its_dfe_numbers_and_requirement() -> None:
    for r in RULES:
        assert r.codes, r.name
        assert all(code[:4].isdigit() for code in r.codes), r.name
        assert r.requirement, r.name
    assert rules.check_all(build(valid_tables()), AS_OF).keys() == {r.name for r in RULES}


def test_records_need_the_columns_the_rules_read() -> None:
    tables = {name: pl.DataFrame(schema=schema) for name, schema in COLUMNS.items()}
    tables["referrals"] = tables["referrals"].drop("closure_reason")
    with pytest.raises(ValueError, match="referrals lacks the columns closure_reason"):
        Records(**tables)


@pytest.mark.parametrize(
    ("born", "school_age"),
    [
        (D(2020, 3, 31), D(2025, 3, 31)),  # fifth birthday on a prescribed day
        (D(2020, 4, 1), D(2025, 8, 31)),
        (D(2020, 9, 1), D(2025, 12, 31)),
        (D(2020, 1, 1), D(2025, 3, 31)),
        (D(2020, 2, 29), D(2025, 3, 31)),
    ],
)
def test_compulsory_school_age_starts_on_the_prescribed_day_after_the_fifth_birthday(
    born: dt.date, school_age: dt.date
) -> None:
    assert rules.school_age_from(born) == school_age


def test_not_of_school_age_holds_until_the_prescribed_day() -> None:
    tables = valid_tables()
    tables["children"][2].update(date_of_birth=D(2020, 1, 1), upn_unknown="UN1")  # school age on 31 March 2025
    assert rules.identifiers_are_valid(build(tables), D(2025, 3, 30)).is_empty()
    assert not rules.identifiers_are_valid(build(tables), D(2025, 3, 31)).is_empty()
