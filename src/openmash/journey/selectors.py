"""Reading the journey-events table from the database.

This is a building block for selectors that check access (the chronology, KPI scorecards,
returns); it applies no access rule itself and must not be called from a view directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl
from django.db.models import QuerySet

from openmash.casework.models import Assessment, AssessmentFactorRecord, CINPlan, Referral
from openmash.front_door.models import Contact
from openmash.protection.models import (
    ChildProtectionPlan,
    ChildProtectionReview,
    Section47Enquiry,
    StrategyDiscussion,
)

from .schema import SCHEMA, EventType, conform, empty_events


def _frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    data = list(rows)
    if not data:
        return empty_events()
    # Keys missing from a row (a referral has no start_date) become nulls.
    return pl.from_dicts(data, schema=SCHEMA)


def _filter(qs: QuerySet[Any], field: str, child_ids: list[int] | None) -> QuerySet[Any]:
    return qs if child_ids is None else qs.filter(**{f"{field}__in": child_ids})


def journey_events(*, child_ids: list[int] | None = None) -> pl.DataFrame:
    """All statutory events, optionally for some children only, in the journey schema."""
    frames: list[pl.DataFrame] = []

    contacts = _filter(Contact.objects.all(), "child_id", child_ids).values_list(
        "id", "child_id", "child__la_child_id", "received_at", "team_id", "outcome", "source"
    )
    frames.append(
        _frame(
            {
                "event_type": EventType.CONTACT.value,
                "event_date": received.date(),
                "child_id": child,
                "la_child_id": la_id,
                "source_id": pk,
                "team_id": team,
                "code": source,
            }
            for pk, child, la_id, received, team, _outcome, source in contacts.iterator(chunk_size=5000)
        )
    )

    referrals = _filter(Referral.objects.all(), "child_id", child_ids).values_list(
        "id",
        "child_id",
        "child__la_child_id",
        "referral_date",
        "source",
        "no_further_action",
        "closure_date",
        "closure_reason",
        "team_id",
    )
    referral_rows: list[dict[str, Any]] = []
    episode_team: dict[int, int | None] = {}
    for pk, child, la_id, ref_date, source, nfa, closed, reason, team in referrals.iterator(chunk_size=5000):
        episode_team[pk] = team
        common = {"child_id": child, "la_child_id": la_id, "episode_id": pk, "source_id": pk, "team_id": team}
        referral_rows.append(
            {
                "event_type": EventType.REFERRAL.value,
                "event_date": ref_date,
                "code": source,
                "flag": nfa,
                **common,
            }
        )
        if closed is not None:
            referral_rows.append(
                {
                    "event_type": EventType.REFERRAL_CLOSED.value,
                    "event_date": closed,
                    "start_date": ref_date,
                    "code": reason,
                    **common,
                }
            )
    frames.append(_frame(referral_rows))

    factors: dict[int, list[str]] = {}
    factor_qs = _filter(AssessmentFactorRecord.objects.all(), "assessment__referral__child_id", child_ids)
    for assessment_id, code in factor_qs.values_list("assessment_id", "code").order_by("assessment_id", "code"):
        factors.setdefault(assessment_id, []).append(code)
    assessments = _filter(Assessment.objects.all(), "referral__child_id", child_ids).values_list(
        "id",
        "referral_id",
        "referral__child_id",
        "referral__child__la_child_id",
        "start_date",
        "authorised_date",
        "worker_id",
        "child_in_need",
    )
    rows: list[dict[str, Any]] = []
    for pk, episode, child, la_id, start, authorised, worker, in_need in assessments.iterator(chunk_size=5000):
        common = {
            "child_id": child,
            "la_child_id": la_id,
            "episode_id": episode,
            "source_id": pk,
            "team_id": episode_team.get(episode),
            "worker_id": worker,
        }
        rows.append({"event_type": EventType.ASSESSMENT_START.value, "event_date": start, **common})
        if authorised is not None:
            rows.append(
                {
                    "event_type": EventType.ASSESSMENT_AUTHORISED.value,
                    "event_date": authorised,
                    "start_date": start,
                    "factors": factors.get(pk, []),
                    "flag": in_need,
                    **common,
                }
            )
    frames.append(_frame(rows))

    rows = []
    cin_plans = _filter(CINPlan.objects.all(), "referral__child_id", child_ids).values_list(
        "id", "referral_id", "referral__child_id", "referral__child__la_child_id", "start_date", "end_date"
    )
    for pk, episode, child, la_id, start, end in cin_plans.iterator(chunk_size=5000):
        common = {
            "child_id": child,
            "la_child_id": la_id,
            "episode_id": episode,
            "source_id": pk,
            "team_id": episode_team.get(episode),
        }
        rows.append({"event_type": EventType.CIN_PLAN_START.value, "event_date": start, **common})
        if end is not None:
            rows.append({"event_type": EventType.CIN_PLAN_END.value, "event_date": end, "start_date": start, **common})

    strategies = _filter(StrategyDiscussion.objects.all(), "referral__child_id", child_ids).values_list(
        "id",
        "referral_id",
        "referral__child_id",
        "referral__child__la_child_id",
        "discussion_date",
        "outcome",
    )
    for pk, episode, child, la_id, day, outcome in strategies.iterator(chunk_size=5000):
        rows.append(
            {
                "event_type": EventType.STRATEGY_DISCUSSION.value,
                "event_date": day,
                "child_id": child,
                "la_child_id": la_id,
                "episode_id": episode,
                "source_id": pk,
                "team_id": episode_team.get(episode),
                "code": outcome,
            }
        )

    s47s = _filter(Section47Enquiry.objects.all(), "referral__child_id", child_ids).values_list(
        "id",
        "referral_id",
        "referral__child_id",
        "referral__child__la_child_id",
        "start_date",
        "conference_date",
        "conference_not_required",
    )
    for pk, episode, child, la_id, start, conference, not_required in s47s.iterator(chunk_size=5000):
        common = {
            "child_id": child,
            "la_child_id": la_id,
            "episode_id": episode,
            "source_id": pk,
            "team_id": episode_team.get(episode),
        }
        rows.append({"event_type": EventType.S47_START.value, "event_date": start, "flag": not_required, **common})
        if conference is not None:
            rows.append({"event_type": EventType.ICPC.value, "event_date": conference, "start_date": start, **common})

    plans = _filter(ChildProtectionPlan.objects.all(), "referral__child_id", child_ids).values_list(
        "id",
        "referral_id",
        "referral__child_id",
        "referral__child__la_child_id",
        "start_date",
        "end_date",
        "initial_category",
        "latest_category",
        "number_of_previous_plans",
    )
    for pk, episode, child, la_id, start, end, initial, latest, previous in plans.iterator(chunk_size=5000):
        common = {
            "child_id": child,
            "la_child_id": la_id,
            "episode_id": episode,
            "source_id": pk,
            "team_id": episode_team.get(episode),
        }
        rows.append(
            {
                "event_type": EventType.CP_PLAN_START.value,
                "event_date": start,
                "code": initial,
                "previous_plans": previous,
                **common,
            }
        )
        if end is not None:
            rows.append(
                {
                    "event_type": EventType.CP_PLAN_END.value,
                    "event_date": end,
                    "start_date": start,
                    "code": latest,
                    **common,
                }
            )

    reviews = _filter(ChildProtectionReview.objects.all(), "plan__referral__child_id", child_ids).values_list(
        "id",
        "plan__referral_id",
        "plan__referral__child_id",
        "plan__referral__child__la_child_id",
        "review_date",
        "plan__start_date",
    )
    for pk, episode, child, la_id, day, plan_start in reviews.iterator(chunk_size=5000):
        rows.append(
            {
                "event_type": EventType.CP_REVIEW.value,
                "event_date": day,
                "start_date": plan_start,
                "child_id": child,
                "la_child_id": la_id,
                "episode_id": episode,
                "source_id": pk,
                "team_id": episode_team.get(episode),
            }
        )
    frames.append(_frame(rows))

    return conform(pl.concat([conform(f) for f in frames], how="vertical"))
