"""Every field of every model carries a personal-data class.

- IDENTIFYING: on its own or with little else, points at a person (names, IDs, dates of birth,
  addresses, usernames).
- SENSITIVE: safeguarding detail or special-category data about a person (free-text summaries,
  factors, categories of abuse, ethnicity, disability, reasons given).
- OPERATIONAL: how the work is organised (keys, timestamps, flags, team and worker links).
- AGGREGATE_SAFE: codes and dates that may be counted in aggregates shown outside children's
  services once small numbers are suppressed.

Exports keep only the classes a role may take (EXPORT_CLASSES); aggregate views read only
AGGREGATE_SAFE and OPERATIONAL fields. tests/access/test_classification.py fails when a field has
no class, so a new field cannot slip in unclassified.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class DataClass(StrEnum):
    IDENTIFYING = "identifying"
    SENSITIVE = "sensitive"
    OPERATIONAL = "operational"
    AGGREGATE_SAFE = "aggregate_safe"


# Short names keep the table below readable.
I, S, O, A = DataClass.IDENTIFYING, DataClass.SENSITIVE, DataClass.OPERATIONAL, DataClass.AGGREGATE_SAFE  # noqa: E741

_TIMESTAMPS = {"id": O, "created_at": O, "updated_at": O}

FIELD_CLASSES: dict[str, dict[str, DataClass]] = {
    "accounts.User": {
        "id": O,
        "password": S,
        "last_login": O,
        "is_superuser": O,
        "username": I,
        "first_name": I,
        "last_name": I,
        "email": I,
        "is_staff": O,
        "is_demo": O,
        "is_active": O,
        "date_joined": O,
        "agency": A,
        "groups": O,
        "user_permissions": O,
    },
    "accounts.UserRole": {"id": O, "user": O, "role": A},
    "access.AuditEvent": {
        "id": O,
        "at": O,
        "user": O,
        "username": I,
        "action": O,
        "object_type": O,
        "object_id": O,
        "child_id": I,
        "summary": S,
        "reason": S,
        "detail": S,
        "chain": O,
        "seq": O,
        "prev_hash": O,
        "hash": O,
    },
    "access.ChangeSeal": {"id": O, "entry": O, "chain": O, "seq": O, "prev_hash": O, "hash": O},
    "access.ChildRestriction": {"id": O, "child": I, "reason": S, "created_at": O, "created_by": O, "allowed_users": O},
    "access.BreakGlassGrant": {
        "id": O,
        "user": O,
        "child": I,
        "reason": S,
        "granted_at": O,
        "expires_at": O,
        "reviewed_by": O,
        "reviewed_at": O,
    },
    "people.Child": {
        **_TIMESTAMPS,
        "la_child_id": I,
        "upn": I,
        "former_upn": I,
        "upn_unknown": O,
        "nhs_number": I,
        "first_name": I,
        "last_name": I,
        "date_of_birth": I,
        "expected_date_of_birth": I,
        "date_of_death": S,
        "sex": A,
        "ethnicity": S,
        "address": I,
        "postcode": I,
        "first_name_key": I,
        "last_name_key": I,
    },
    "people.ChildDisability": {"id": O, "child": O, "code": S},
    "people.Adult": {
        **_TIMESTAMPS,
        "first_name": I,
        "last_name": I,
        "date_of_birth": I,
        "sex": S,
        "nhs_number": I,
        "address": I,
        "postcode": I,
    },
    "people.Relationship": {
        "id": O,
        "child": O,
        "relationship_type": S,
        "adult": O,
        "other_child": O,
        "lives_with_child": S,
        "start_date": O,
        "end_date": O,
    },
    "workforce.Service": {"id": O, "name": A},
    "workforce.Team": {"id": O, "name": A, "service": A, "kind": A},
    "workforce.StaffMember": {
        **_TIMESTAMPS,
        "user": O,
        "first_name": I,
        "last_name": I,
        "team": A,
        "job_role": A,
        "fte": A,
        "is_case_holder": A,
        "is_agency": A,
        "start_date": O,
        "end_date": O,
    },
    "workforce.Allocation": {**_TIMESTAMPS, "child": O, "worker": O, "team": A, "start_date": A, "end_date": A},
    "front_door.Contact": {
        **_TIMESTAMPS,
        "child": O,
        "received_at": A,
        "source": A,
        "referrer_name": I,
        "referrer_agency": A,
        "summary": S,
        "rag": A,
        "outcome": A,
        "decided_at": A,
        "decided_by": O,
        "team": A,
    },
    "front_door.AgencyContribution": {
        **_TIMESTAMPS,
        "child": O,
        "contact": O,
        "agency": A,
        "summary": S,
        "sharing_level": O,
        "created_by": O,
    },
    "front_door.ContributionShare": {"id": O, "contribution": O, "agency": O},
    "casework.Referral": {
        **_TIMESTAMPS,
        "child": O,
        "contact": O,
        "referral_date": A,
        "source": A,
        "primary_need": A,
        "no_further_action": A,
        "closure_date": A,
        "closure_reason": A,
        "team": A,
    },
    "casework.Assessment": {
        **_TIMESTAMPS,
        "referral": O,
        "start_date": A,
        "authorised_date": A,
        "authorised_by": O,
        "worker": O,
        "child_in_need": A,
    },
    "casework.AssessmentFactorRecord": {"id": O, "assessment": O, "code": S},
    "casework.CINPlan": {**_TIMESTAMPS, "referral": O, "start_date": A, "end_date": A},
    "protection.StrategyDiscussion": {**_TIMESTAMPS, "referral": O, "discussion_date": A, "outcome": A},
    "protection.Section47Enquiry": {
        **_TIMESTAMPS,
        "referral": O,
        "strategy_discussion": O,
        "start_date": A,
        "conference_target_date": A,
        "conference_date": A,
        "conference_not_required": A,
    },
    "protection.ChildProtectionPlan": {
        **_TIMESTAMPS,
        "referral": O,
        "section47": O,
        "start_date": A,
        "end_date": A,
        "initial_category": S,
        "latest_category": S,
        "number_of_previous_plans": A,
    },
    "protection.ChildProtectionReview": {**_TIMESTAMPS, "plan": O, "review_date": A},
    # One row per statutory event, derived from the records above: the same classes as its sources.
    "core.JourneyEvent": {
        "id": O,
        "event_type": A,
        "event_date": A,
        "child_id": O,
        "la_child_id": I,
        "episode_id": O,
        "source_id": O,
        "start_date": A,
        "team_id": A,
        "worker_id": O,
        # Referral sources and outcomes, but also categories of abuse.
        "code": S,
        "factors": S,
        "flag": A,
        "previous_plans": A,
    },
    # The stored summary of a synthetic borough: aggregate rates and counts only.
    "demo.DemoDataset": {"id": O, "size": O, "seed": O, "as_of": O, "summary": A, "loaded_at": O},
}

# What each kind of export may carry.
EXPORT_CLASSES: dict[str, frozenset[DataClass]] = {
    "child_level": frozenset({I, S, O, A}),
    "pseudonymised": frozenset({O, A}),
    "aggregate": frozenset({A}),
}


def fields_of_class(model: type[models.Model], allowed: frozenset[DataClass]) -> list[str]:
    """Field names of `model` whose class is allowed, in model order."""
    classes = FIELD_CLASSES[model._meta.label]
    names = [f.name for f in model._meta.concrete_fields] + [f.name for f in model._meta.many_to_many]
    return [name for name in names if classes[name] in allowed]
