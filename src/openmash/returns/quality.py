"""The census data-quality check: DfE's CIN census rules run over the live records all year round.

`refresh_all` writes the census file for the current collection year (the year ending on the 31 March
after today) to a temporary file, checks it with DfE's rules (openmash.returns.dfe) and replaces every
stored finding, then records today's counts by team and rule for the trend. `refresh_children` does the
same for some children only and replaces only their findings: it runs after each change to a child's
statutory record (see `on_records_changed`), so a failure shows, and goes, when the record changes, not
when the return is due.

Findings about the whole return (no LA child ID, such as the share of children with sex not recorded)
are left out: the page lists children's records to correct.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.tasks import task
from django.utils import timezone

from openmash.casework.models import Assessment, CINPlan, Referral
from openmash.people.models import Child
from openmash.protection.models import ChildProtectionPlan, ChildProtectionReview, Section47Enquiry
from openmash.workforce.models import Allocation

from . import census_export, dfe
from .models import Finding, FindingCount, Kind


def collection_year(today: dt.date | None = None) -> int:
    """The census year being collected: the one ending on the next 31 March (today, on 31 March)."""
    today = today or timezone.localdate()
    return today.year if (today.month, today.day) <= (3, 31) else today.year + 1


# Where a finding points: the census table, the record type and model, and census item to model field
# for the dates that identify a record among the child's.
@dataclass(frozen=True)
class _Place:
    record_type: Finding.RecordType
    model: type[Model]
    child_path: str
    dates: dict[str, str]
    # The episode's referral date, which the validator gives with each record of the episode.
    referral_date_path: str = "referral__referral_date"


PLACES: dict[str, _Place] = {
    "CINdetails": _Place(
        Finding.RecordType.REFERRAL,
        Referral,
        "child_id",
        {
            "CINreferralDate": "referral_date",
            "CINclosureDate": "closure_date",
            "DateOfInitialCPC": "initial_conference_date",
        },
        "referral_date",
    ),
    "Assessments": _Place(
        Finding.RecordType.ASSESSMENT,
        Assessment,
        "referral__child_id",
        {"AssessmentActualStartDate": "start_date", "AssessmentAuthorisationDate": "authorised_date"},
    ),
    "CINplanDates": _Place(
        Finding.RecordType.CIN_PLAN,
        CINPlan,
        "referral__child_id",
        {"CINPlanStartDate": "start_date", "CINPlanEndDate": "end_date"},
    ),
    "Section47": _Place(
        Finding.RecordType.SECTION47,
        Section47Enquiry,
        "referral__child_id",
        {"S47ActualStartDate": "start_date", "DateOfInitialCPC": "conference_date"},
    ),
    "ChildProtectionPlans": _Place(
        Finding.RecordType.CP_PLAN,
        ChildProtectionPlan,
        "referral__child_id",
        {"CPPstartDate": "start_date", "CPPendDate": "end_date"},
    ),
    "Reviews": _Place(
        Finding.RecordType.CP_REVIEW,
        ChildProtectionReview,
        "plan__referral__child_id",
        {"CPPreviewDate": "review_date"},
        "plan__referral__referral_date",
    ),
}


def _date(value: Any) -> dt.date | None:
    text = str(value or "").strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


class _Locator:
    """Finds the record a finding is about among the child's records, by the dates in its values."""

    def __init__(self, child_ids: Iterable[int]) -> None:
        ids = list(child_ids)
        self._rows: dict[str, list[dict[str, Any]]] = {}
        for table, place in PLACES.items():
            columns = list(dict.fromkeys(["pk", place.child_path, place.referral_date_path, *place.dates.values()]))
            self._rows[table] = [
                {**row, "child_id": row[place.child_path], "_referral_date": row[place.referral_date_path]}
                for row in place.model._default_manager.filter(**{f"{place.child_path}__in": ids}).values(*columns)
            ]

    def locate(self, child_id: int, table: str, values: dict[str, str]) -> tuple[str, int | None]:
        place = PLACES.get(table)
        if place is None:
            return Finding.RecordType.CHILD, None
        wanted = {place.dates[k]: _date(v) for k, v in values.items() if k in place.dates and _date(v) is not None}
        if "CINreferralDate" in values and table != "CINdetails":
            wanted["_referral_date"] = _date(values["CINreferralDate"])
        best: tuple[int, int | None] = (0, None)
        for row in self._rows[table]:
            if row["child_id"] != child_id:
                continue
            score = sum(1 for name, value in wanted.items() if row[name] == value)
            if score > best[0]:
                best = (score, row["pk"])
        if best[1] is None:
            # No date to go by (or none matches): the child's only record of that kind, if there is one.
            mine = [row["pk"] for row in self._rows[table] if row["child_id"] == child_id]
            if len(mine) == 1:
                return place.record_type, mine[0]
            return Finding.RecordType.CHILD, None
        return place.record_type, best[1]


def _teams(child_ids: Iterable[int]) -> dict[int, int | None]:
    """Each child's team: the open allocation's, else the latest referral's."""
    ids = list(child_ids)
    teams: dict[int, int | None] = {}
    for child_id, team_id in (
        Referral.objects.filter(child_id__in=ids, team__isnull=False)
        .order_by("referral_date", "pk")
        .values_list("child_id", "team_id")
    ):
        teams[child_id] = team_id
    for child_id, team_id in (
        Allocation.objects.filter(child_id__in=ids, end_date__isnull=True)
        .order_by("start_date", "pk")
        .values_list("child_id", "team_id")
    ):
        teams[child_id] = team_id
    return teams


def _check(year: int, child_ids: Sequence[int] | None) -> list[dfe.Finding]:
    with tempfile.TemporaryDirectory(prefix="openmash-cin-") as folder:
        path = Path(folder) / f"cin-{year}.xml"
        with path.open("wb") as out:
            census_export.write_census(out, year=year, child_ids=child_ids)
        return list(dfe.check(path, ruleset=dfe.ruleset_for(year)).findings)


def _findings(raw: list[dfe.Finding], *, only: set[int] | None = None) -> list[Finding]:
    """Stored findings from the check's, for children known here (and in `only`, when given)."""
    by_la_id = dict(
        Child.objects.filter(la_child_id__in={f.la_child_id for f in raw if f.la_child_id}).values_list(
            "la_child_id", "pk"
        )
    )
    child_ids = {by_la_id[f.la_child_id] for f in raw if f.la_child_id in by_la_id}
    if only is not None:
        child_ids &= only
    locator = _Locator(child_ids)
    teams = _teams(child_ids)
    now = timezone.now()
    rows = []
    seen: set[tuple[Any, ...]] = set()
    for f in raw:
        child_id = by_la_id.get(f.la_child_id or "")
        if child_id is None or child_id not in child_ids:
            continue
        values = {str(k): "" if v is None else str(v) for k, v in (f.values or {}).items()}
        key = (child_id, f.rule, f.table, tuple(sorted(values.items())))
        if key in seen:
            continue
        seen.add(key)
        record_type, record_id = locator.locate(child_id, f.table or "", values)
        rows.append(
            Finding(
                child_id=child_id,
                team_id=teams.get(child_id),
                rule=str(f.rule)[:20],
                kind=Kind.QUERY if f.kind == "query" else Kind.ERROR,
                message=str(f.message)[:500],
                table=str(f.table or "")[:40],
                fields=",".join(f.fields)[:200],
                values=values,
                record_type=record_type,
                record_id=record_id,
                found_at=now,
            )
        )
    return rows


def refresh_all(*, today: dt.date | None = None) -> int:
    """Check every child in the current collection year, replace all findings and record today's counts.
    Returns the number of findings."""
    today = today or timezone.localdate()
    rows = _findings(_check(collection_year(today), None))
    counts = Counter((r.team_id, r.rule, r.kind) for r in rows)
    now = timezone.now()
    with transaction.atomic():
        Finding.objects.all().delete()
        Finding.objects.bulk_create(rows, batch_size=2000)
        FindingCount.objects.filter(date=today).delete()
        FindingCount.objects.bulk_create(
            FindingCount(date=today, team_id=team_id, rule=rule, kind=kind, count=n, recorded_at=now)
            for (team_id, rule, kind), n in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0] or 0))
        )
    return len(rows)


def refresh_children(child_ids: Iterable[int], *, today: dt.date | None = None) -> int:
    """Check these children only and replace their findings (the others' stay as they were).
    Returns the number of findings for them."""
    ids = sorted({int(i) for i in child_ids})
    if not ids:
        return 0
    rows = _findings(_check(collection_year(today), ids), only=set(ids))
    with transaction.atomic():
        Finding.objects.filter(child_id__in=ids).delete()
        Finding.objects.bulk_create(rows)
    return len(rows)


@task()
def refresh_all_task() -> int:
    return refresh_all()


@task()
def refresh_children_task(child_ids: list[int]) -> int:
    return refresh_children(child_ids)


# After each change ------------------------------------------------------------------------------------

_pending = threading.local()


def _enqueue_pending() -> None:
    ids = sorted(getattr(_pending, "ids", set()))
    _pending.ids = set()
    if ids:
        refresh_children_task.enqueue(child_ids=ids)


def on_records_changed(sender: Any, *, child_ids: frozenset[int], **_kwargs: Any) -> None:
    """Receiver of core.events.records_changed: once the change commits, check the children it touched.

    Children changed several times in one transaction are checked once. Off unless
    settings.OPENMASH_DATA_QUALITY_ON_CHANGE (the validator is a separate process taking a second or two).
    """
    if getattr(settings, "OPENMASH_DATA_QUALITY_ON_CHANGE", False):
        refresh_after_commit(child_ids)


def refresh_after_commit(child_ids: Iterable[int]) -> None:
    """Check these children once the current transaction commits (at once outside one)."""
    pending: set[int] = getattr(_pending, "ids", None) or set()
    pending.update(child_ids)
    _pending.ids = pending
    # One callback a change; the first to run after the commit takes every child pending, the rest find
    # none. (A rolled-back change leaves its children pending: they are checked with the next change,
    # which costs a check and changes nothing.)
    transaction.on_commit(_enqueue_pending)
