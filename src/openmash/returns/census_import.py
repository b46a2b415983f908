"""A Children in Need census file loaded into the records: how a new authority starts with its history.

`import_census(path, user=...)` reads and checks the whole file first (openmash.returns.census_read);
any problem refuses it and nothing is written. Otherwise, in one transaction:

- children are matched by LAchildID, created or updated. A census carries no names: a child it creates
  is named "Not recorded" with the LAchildID as last name (PLACEHOLDER_FIRST_NAME), and an existing
  child keeps the names already recorded. The file's disabilities replace the child's;
- each CINdetails group is an episode (casework.Referral), matched to the child's referrals by referral
  date (and, where two share the date, by source); the episode-level DateOfInitialCPC is the referral's
  initial_conference_date;
- inside an episode, assessments (with their AssessmentInternalReviewDate and factors), child in need
  plans, Section 47 enquiries (InitialCPCtarget is the conference_target_date) and child protection plans
  (NumberOfPreviousCPP on the plan) are matched by their start date, and reviews by their date;
- records the file does not mention are left as they are; strategy discussions, teams and workers do not
  exist in a census and stay empty;
- the journey events of every child whose records changed are rebuilt from the records and stored;
- one audit event records who imported which file and what it changed.

Importing the same file again changes nothing: every record is then "unchanged". Writes are in bulk
(no per-record change history: the audit event stands for the whole import). A dry run does all the work
and rolls it back, so its counts are those the import would give.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.casework.models import Assessment, AssessmentFactorRecord, CINPlan, Referral
from openmash.core.events import Event, replace_child_events
from openmash.journey.rebuild import rebuild_events
from openmash.journey.schema import to_events
from openmash.people.models import Child, ChildDisability
from openmash.people.name_keys import name_key
from openmash.protection.models import ChildProtectionPlan, ChildProtectionReview, Section47Enquiry
from openmash.protection.timescales import conference_due

from .census_read import (
    CensusChild,
    CensusEpisode,
    CensusFile,
    CensusRefused,
    Problem,
    read_census_file,
)

__all__ = ["PLACEHOLDER_FIRST_NAME", "CensusRefused", "ImportResult", "Problem", "import_census"]

PLACEHOLDER_FIRST_NAME = "Not recorded"
CHUNK = 5_000  # keys per IN (...) query, well inside SQLite's limit on parameters
BATCH = 2_000
KINDS = ("children", "referrals", "assessments", "cin_plans", "section47s", "cp_plans", "reviews")
CHILD_FIELDS = (
    "upn",
    "former_upn",
    "upn_unknown",
    "date_of_birth",
    "expected_date_of_birth",
    "date_of_death",
    "sex",
    "ethnicity",
)

Progress = Callable[[str, int, int], None]


class ImportDenied(Exception):
    """The user may not import records."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    file: str
    children_in_file: int
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    events_written: int = 0
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.counts.values())

    def summary(self) -> dict[str, Any]:
        return {
            k: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged} for k, c in self.counts.items()
        }


def _chunks[T](items: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for at in range(0, len(items), size):
        yield items[at : at + size]


def _assign(obj: Model, values: dict[str, Any]) -> bool:
    """Set the values; True if any differed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _safe_due(day: dt.date) -> dt.date | None:
    try:
        return conference_due(day)
    except (KeyError, IndexError, ValueError):
        return None  # outside the working-day calendar


class _Writer:
    def __init__(self, census: CensusFile, result: ImportResult, progress: Progress | None) -> None:
        self.census = census
        self.result = result
        self.progress = progress
        self.now = timezone.now()
        self.touched: set[int] = set()

    def count(self, kind: str, created: bool, updated: bool) -> None:
        c = self.result.counts[kind]
        if created:
            c.created += 1
        elif updated:
            c.updated += 1
        else:
            c.unchanged += 1

    def _save[M: Model](self, model: type[M], new: list[M], changed: list[M], fields: Sequence[str]) -> None:
        versioned = any(f.name == "version" for f in model._meta.fields)
        timestamped = any(f.name == "updated_at" for f in model._meta.fields)
        for obj in changed:
            if versioned:
                obj.version += 1  # type: ignore[attr-defined]
            if timestamped:
                obj.updated_at = self.now  # type: ignore[attr-defined]
        extra = [*(["version"] if versioned else []), *(["updated_at"] if timestamped else [])]
        if changed:
            model.objects.bulk_update(changed, [*fields, *extra], batch_size=BATCH)  # type: ignore[attr-defined]
        if new:
            model.objects.bulk_create(new, batch_size=BATCH)  # type: ignore[attr-defined]

    def write(self) -> None:
        children = self.census.children
        total = len(children)
        for done_before, chunk in zip(range(0, total, CHUNK), _chunks(children), strict=True):
            self.write_children(chunk)
            if self.progress:
                self.progress("Writing children", done_before + len(chunk), total)
        if self.touched:
            ids = sorted(self.touched)
            events: list[Event] = []
            for chunk_ids in _chunks(ids):
                events.extend(to_events(rebuild_events(child_ids=list(chunk_ids))))
            self.result.events_written = replace_child_events(ids, events)

    # Children --------------------------------------------------------------------------------------

    def write_children(self, records: Sequence[CensusChild]) -> None:
        existing = {c.la_child_id: c for c in Child.objects.filter(la_child_id__in=[r.la_child_id for r in records])}
        new: list[Child] = []
        changed: list[Child] = []
        objs: dict[str, Child] = {}
        status: dict[str, tuple[bool, bool]] = {}
        for record in records:
            values = {name: getattr(record, name) for name in CHILD_FIELDS}
            child = existing.get(record.la_child_id)
            if child is None:
                child = Child(
                    la_child_id=record.la_child_id,
                    first_name=PLACEHOLDER_FIRST_NAME,
                    last_name=record.la_child_id,
                    first_name_key=name_key(PLACEHOLDER_FIRST_NAME),
                    last_name_key=name_key(record.la_child_id),
                    **values,
                )
                new.append(child)
                status[record.la_child_id] = (True, False)
            else:
                updated = _assign(child, values)
                if updated:
                    changed.append(child)
                status[record.la_child_id] = (False, updated)
            objs[record.la_child_id] = child
        self._save(Child, new, changed, CHILD_FIELDS)

        # Disabilities: the file's set replaces the child's.
        ids = [c.pk for c in objs.values()]
        held: dict[int, dict[str, int]] = defaultdict(dict)
        for pk, child_id, code in ChildDisability.objects.filter(child_id__in=ids).values_list(
            "pk", "child_id", "code"
        ):
            held[child_id][code] = pk
        add: list[ChildDisability] = []
        remove: list[int] = []
        for record in records:
            child = objs[record.la_child_id]
            have = held.get(child.pk, {})
            wanted = set(record.disabilities)
            add += [ChildDisability(child_id=child.pk, code=code) for code in sorted(wanted - set(have))]
            remove += [pk for code, pk in have.items() if code not in wanted]
            if wanted != set(have):
                created, _ = status[record.la_child_id]
                status[record.la_child_id] = (created, not created)
        if remove:
            ChildDisability.objects.filter(pk__in=remove).delete()
        ChildDisability.objects.bulk_create(add, batch_size=BATCH)

        # Changes below the child mark it touched; they are counted per record kind.
        for record in records:
            created, updated = status[record.la_child_id]
            if created or updated:
                self.touched.add(objs[record.la_child_id].pk)
        self.write_referrals(records, objs)
        for record in records:
            created, updated = status[record.la_child_id]
            self.count("children", created, updated)

    # Episodes --------------------------------------------------------------------------------------

    def write_referrals(self, records: Sequence[CensusChild], children: dict[str, Child]) -> None:
        by_child: dict[int, list[Referral]] = defaultdict(list)
        for referral in Referral.objects.filter(child_id__in=[c.pk for c in children.values()]).order_by("id"):
            by_child[referral.child_id].append(referral)
        pairs: list[tuple[CensusEpisode, Referral]] = []
        new: list[Referral] = []
        changed: list[Referral] = []
        fields = (
            "referral_date",
            "source",
            "primary_need",
            "no_further_action",
            "closure_date",
            "closure_reason",
            "initial_conference_date",
        )
        for record in records:
            child = children[record.la_child_id]
            free = list(by_child.get(child.pk, []))
            for ep in record.episodes:
                same_day = [r for r in free if r.referral_date == ep.referral_date]
                match = next((r for r in same_day if r.source == ep.source), same_day[0] if same_day else None)
                values = {
                    "referral_date": ep.referral_date,
                    "source": ep.source,
                    "primary_need": ep.primary_need,
                    "no_further_action": ep.no_further_action,
                    "closure_date": ep.closure_date,
                    "closure_reason": ep.closure_reason,
                    "initial_conference_date": ep.conference,
                }
                if match is None:
                    referral = Referral(child_id=child.pk, **values)
                    new.append(referral)
                    self.count("referrals", True, False)
                    self.touched.add(child.pk)
                else:
                    free.remove(match)
                    referral = match
                    updated = _assign(referral, values)
                    if updated:
                        changed.append(referral)
                        self.touched.add(child.pk)
                    self.count("referrals", False, updated)
                referral.child = child
                pairs.append((ep, referral))
        self._save(Referral, new, changed, fields)
        self.write_items(pairs)

    def write_items(self, pairs: list[tuple[CensusEpisode, Referral]]) -> None:
        ids = [r.pk for _, r in pairs]

        def held[M: Model](model: type[M], key: str) -> dict[int, dict[dt.date, M]]:
            found: dict[int, dict[dt.date, M]] = defaultdict(dict)
            for obj in model.objects.filter(referral_id__in=ids).order_by("id"):  # type: ignore[attr-defined]
                found[obj.referral_id].setdefault(getattr(obj, key), obj)
            return found

        assessments = held(Assessment, "start_date")
        cin_plans = held(CINPlan, "start_date")
        enquiries = held(Section47Enquiry, "start_date")
        plans = held(ChildProtectionPlan, "start_date")

        # Assessments and their factors (the file's factors replace the assessment's).
        held_factors: dict[int, dict[str, int]] = defaultdict(dict)
        for pk, assessment_id, code in AssessmentFactorRecord.objects.filter(
            assessment__referral_id__in=ids
        ).values_list("pk", "assessment_id", "code"):
            held_factors[assessment_id][code] = pk
        new_a: list[Assessment] = []
        changed_a: list[Assessment] = []
        wanted_factors: list[tuple[Assessment, tuple[str, ...]]] = []
        for ep, referral in pairs:
            for item in ep.assessments:
                values: dict[str, Any] = {
                    "authorised_date": item.authorised,
                    "internal_review_date": item.internal_review,
                }
                obj = assessments[referral.pk].get(item.start)
                if obj is None:
                    obj = Assessment(referral_id=referral.pk, start_date=item.start, **values)
                    new_a.append(obj)
                    self._mark(referral, "assessments", True, False)
                else:
                    updated = _assign(obj, values)
                    if updated:
                        changed_a.append(obj)
                    factors_changed = set(item.factors) != set(held_factors.get(obj.pk, {}))
                    self._mark(referral, "assessments", False, updated or factors_changed)
                wanted_factors.append((obj, item.factors))
        self._save(Assessment, new_a, changed_a, ("authorised_date", "internal_review_date"))
        add_f: list[AssessmentFactorRecord] = []
        remove_f: list[int] = []
        for obj, factors in wanted_factors:
            have = held_factors.get(obj.pk, {})
            add_f += [AssessmentFactorRecord(assessment_id=obj.pk, code=c) for c in factors if c not in have]
            remove_f += [pk for code, pk in have.items() if code not in factors]
        if remove_f:
            AssessmentFactorRecord.objects.filter(pk__in=remove_f).delete()
        AssessmentFactorRecord.objects.bulk_create(add_f, batch_size=BATCH)

        new_c: list[CINPlan] = []
        changed_c: list[CINPlan] = []
        for ep, referral in pairs:
            for cin_plan in ep.cin_plans:
                found = cin_plans[referral.pk].get(cin_plan.start)
                if found is None:
                    new_c.append(CINPlan(referral_id=referral.pk, start_date=cin_plan.start, end_date=cin_plan.end))
                    self._mark(referral, "cin_plans", True, False)
                else:
                    updated = _assign(found, {"end_date": cin_plan.end})
                    if updated:
                        changed_c.append(found)
                    self._mark(referral, "cin_plans", False, updated)
        self._save(CINPlan, new_c, changed_c, ("end_date",))

        new_s: list[Section47Enquiry] = []
        changed_s: list[Section47Enquiry] = []
        by_conference: dict[tuple[int, dt.date], Section47Enquiry] = {}
        for ep, referral in pairs:
            for enquiry in ep.section47s:
                values = {
                    "conference_target_date": enquiry.target,
                    "conference_date": enquiry.conference,
                    "conference_not_required": enquiry.not_required,
                }
                found_s = enquiries[referral.pk].get(enquiry.start)
                if found_s is None:
                    found_s = Section47Enquiry(
                        referral_id=referral.pk,
                        start_date=enquiry.start,
                        conference_due_from_start=_safe_due(enquiry.start),
                        **values,
                    )
                    new_s.append(found_s)
                    self._mark(referral, "section47s", True, False)
                else:
                    updated = _assign(found_s, values)
                    if updated:
                        changed_s.append(found_s)
                    self._mark(referral, "section47s", False, updated)
                if enquiry.conference is not None:
                    by_conference[(referral.pk, enquiry.conference)] = found_s
        self._save(
            Section47Enquiry,
            new_s,
            changed_s,
            ("conference_target_date", "conference_date", "conference_not_required"),
        )

        new_p: list[ChildProtectionPlan] = []
        changed_p: list[ChildProtectionPlan] = []
        plan_reviews: list[tuple[ChildProtectionPlan, list[dt.date], Referral]] = []
        plan_fields = ("end_date", "initial_category", "latest_category", "number_of_previous_plans")
        for ep, referral in pairs:
            for plan in ep.cp_plans:
                values = {
                    "end_date": plan.end,
                    "initial_category": plan.initial_category,
                    "latest_category": plan.latest_category,
                    "number_of_previous_plans": plan.previous_plans,
                }
                found_p = plans[referral.pk].get(plan.start)
                if found_p is None:
                    # The plan began at its enquiry's conference, where the file shows one that day.
                    enquiry_at = by_conference.get((referral.pk, plan.start))
                    found_p = ChildProtectionPlan(
                        referral_id=referral.pk, start_date=plan.start, section47=enquiry_at, **values
                    )
                    new_p.append(found_p)
                    self._mark(referral, "cp_plans", True, False)
                else:
                    updated = _assign(found_p, values)
                    if updated:
                        changed_p.append(found_p)
                    self._mark(referral, "cp_plans", False, updated)
                plan_reviews.append((found_p, [day for _, day in plan.reviews], referral))
        self._save(ChildProtectionPlan, new_p, changed_p, plan_fields)

        held_reviews: dict[int, set[dt.date]] = defaultdict(set)
        plan_ids = [p.pk for p, _, _ in plan_reviews]
        for chunk in _chunks(plan_ids):
            for plan_id, day in ChildProtectionReview.objects.filter(plan_id__in=chunk).values_list(
                "plan_id", "review_date"
            ):
                held_reviews[plan_id].add(day)
        new_r: list[ChildProtectionReview] = []
        for plan_obj, days, referral in plan_reviews:
            for day in days:
                created = day not in held_reviews[plan_obj.pk]
                if created:
                    new_r.append(ChildProtectionReview(plan_id=plan_obj.pk, review_date=day))
                self._mark(referral, "reviews", created, False)
        ChildProtectionReview.objects.bulk_create(new_r, batch_size=BATCH)

    def _mark(self, referral: Referral, kind: str, created: bool, updated: bool) -> None:
        self.count(kind, created, updated)
        if created or updated:
            self.touched.add(referral.child_id)


def import_census(
    path: Path | str,
    *,
    user: User,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check the file whole, then load it (CensusRefused with every problem if it cannot be; nothing is
    then written). `dry_run` does the work and rolls it back.

    `user` is the account importing, which the access policy must allow; the audit trail names it."""
    if not policy.can_import_records(user):
        raise ImportDenied(
            f"{user.get_username()} may not import records: a system administrator in children's social care may"
        )
    path = Path(path)

    def reading(done: int, total: int) -> None:
        if progress is not None:
            progress("Reading and checking", done, total)

    census = read_census_file(path, progress=reading)
    result = ImportResult(file=path.name, children_in_file=len(census.children), dry_run=dry_run)
    try:
        with transaction.atomic():
            _Writer(census, result, progress).write()
            if not dry_run:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                audit.record(
                    user=user,
                    action=AuditEvent.Action.CHANGE,
                    summary=f"Imported the CIN census file {path.name} ({len(census.children)} children)",
                    detail={
                        "return": "cin-census",
                        "file": path.name,
                        "sha256": digest,
                        "reference_date": census.reference_date.isoformat(),
                        **result.summary(),
                    },
                )
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError as exc:
        # A record already held for one of the children conflicts with the file (two open episodes, say).
        raise CensusRefused([Problem(None, None, f"the file conflicts with the records already held: {exc}")]) from None
    return result
