"""Loading the synthetic borough into the database with bulk inserts, and removing it again.

The journey events are loaded too, built from the same frames as the records (demo/events.py), as
the services would have stored them one by one. Rows are inserted with their keys (so the events
carry the keys of the records behind them) by `executemany` in large batches inside the caller's transaction. Values are
converted column by column with Polars to what the database driver takes (naive UTC text for SQLite
date-times, as Django itself stores them).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import ForeignObjectRel

from openmash.accounts.models import Role, User, UserRole
from openmash.casework.models import Assessment, AssessmentFactorRecord, CaseNote, CINPlan, Referral, Visit
from openmash.core.models import JourneyEvent
from openmash.front_door.models import (
    AgencyContribution,
    Contact,
    ContactAdult,
    ContributionShare,
    CSECase,
    CSEScreening,
    CumulativeConcernAlert,
    Disclosure,
    EarlyHelpPackage,
    FrontDoorSettings,
    InformationRequest,
    RagRating,
    ReferrerFeedback,
)
from openmash.people.models import Adult, Child, ChildDisability, Relationship
from openmash.protection.models import (
    ChildProtectionPlan,
    ChildProtectionReview,
    Section47Enquiry,
    StrategyDiscussion,
)
from openmash.workforce.models import Allocation, Service, StaffMember, Team

from .models import DemoDataset

# In the order they can be inserted (every foreign key points backwards in the list).
DOMAIN_MODELS: list[type[models.Model]] = [
    Service,
    Team,
    StaffMember,
    Child,
    ChildDisability,
    Adult,
    Relationship,
    Allocation,
    FrontDoorSettings,
    Contact,
    RagRating,
    Referral,
    Assessment,
    AssessmentFactorRecord,
    CINPlan,
    StrategyDiscussion,
    Section47Enquiry,
    ChildProtectionPlan,
    ChildProtectionReview,
    Visit,
    CaseNote,
    AgencyContribution,
    ContributionShare,
    InformationRequest,
    EarlyHelpPackage,
    Disclosure,
    ReferrerFeedback,
    CSEScreening,
    CSECase,
    CumulativeConcernAlert,
    CumulativeConcernAlert.contacts.through,
    ContactAdult,
    JourneyEvent,
    DemoDataset,
]
# Apps whose every table is demo data to `--replace` (including tables the generator does not fill,
# such as agency contributions added by demo users).
DOMAIN_APPS = ("people", "workforce", "front_door", "casework", "protection", "demo")
BATCH_ROWS = 20_000

Progress = Callable[[str, int, int], None]


def domain_models() -> list[type[models.Model]]:
    """Every model of the domain apps, in an order safe for deleting: tables the generator does not
    fill first (those that refer to others before them), then the generator's in reverse."""
    others = [m for label in DOMAIN_APPS for m in apps.get_app_config(label).get_models() if m not in DOMAIN_MODELS]
    ordered: list[type[models.Model]] = []
    while others:
        free = [m for m in others if not any(o is not m and _refers_to(o, m) for o in others)]
        batch = free or others
        ordered.extend(batch)
        others = [m for m in others if m not in batch]
    return ordered + list(reversed(DOMAIN_MODELS))


def _refers_to(model: type[models.Model], target: type[models.Model]) -> bool:
    return any(f.many_to_one and f.related_model is target for f in model._meta.concrete_fields)


def is_empty() -> bool:
    return not any(model._default_manager.exists() for model in domain_models())


class DataInTheWay(Exception):
    """Another part of the system holds records that must not be removed with the demo data."""


def delete_all(progress: Progress | None = None) -> None:
    """Remove every row of the domain tables (auth users and their accounts stay).

    The domain tables are emptied with one DELETE each (no per-row signals, so no audit entries for
    synthetic rows). Rows elsewhere that point into them follow their own on-delete rule first:
    cascades are deleted, SET_NULL references cleared, and protected ones stop the removal."""
    order = domain_models()
    ours = set(order)
    quote = connection.ops.quote_name
    for i, model in enumerate(order, start=1):
        for rel in model._meta.get_fields(include_hidden=True):
            if not isinstance(rel, ForeignObjectRel) or rel.related_model in ours or rel.many_to_many:
                continue
            _clear_references(rel)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608 - a table name
        if progress:
            progress("Removing the previous demo data", i, len(order))


def _clear_references(rel: ForeignObjectRel) -> None:
    """Apply the on-delete rule of a reference from another app to rows that are about to go."""
    other = rel.related_model
    referring = other._default_manager.filter(**{f"{rel.field.name}__isnull": False})
    if rel.on_delete is models.CASCADE:
        referring.delete()
    elif rel.on_delete is models.SET_NULL:
        referring.update(**{rel.field.name: None})
    elif referring.exists():
        raise DataInTheWay(f"{other._meta.verbose_name_plural} refer to the demo data and cannot be removed with it")


def _column_values(frame: pl.DataFrame, field: models.Field[Any, Any], stamp: dt.datetime) -> list[Any]:
    """One column converted for the database driver."""
    name = field.attname
    n = frame.height
    stamped = name in ("created_at", "updated_at", "loaded_at") and name not in frame.columns
    if isinstance(field, models.DateTimeField) and stamped:  # unless the frame has its own (contributions)
        return [_datetime_param(stamp)] * n
    if name not in frame.columns:
        if field.null:
            return [None] * n
        default = field.get_default()
        if isinstance(field, models.JSONField):
            default = field.get_db_prep_save(default, connection)  # a list or dict cannot be bound as it is
        return [default] * n
    series = frame.get_column(name)
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":
            # What Django stores for an aware date-time on SQLite: naive UTC text.
            text = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None).dt.strftime("%Y-%m-%d %H:%M:%S")
            return text.to_list()
        return series.to_list()
    if isinstance(field, models.DateField):
        if connection.vendor == "sqlite":
            return series.cast(pl.String).to_list()  # ISO dates, as Django stores them (without a call per value)
        return series.to_list()
    if isinstance(field, models.JSONField):
        # Frames carry JSON as text (stored as it is on SQLite) or as lists; the field prepares them otherwise.
        if connection.vendor == "sqlite" and series.dtype == pl.String:
            return series.to_list()
        values = [json.loads(v) if isinstance(v, str) else v for v in series.to_list()]
        return [field.get_db_prep_save(v, connection) for v in values]
    if isinstance(field, models.CharField | models.TextField) and not field.null:
        return series.fill_null("").to_list()
    return series.to_list()


def _datetime_param(value: dt.datetime) -> Any:
    if connection.vendor == "sqlite":
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
    return value


def insert(
    model: type[models.Model], frame: pl.DataFrame, stamp: dt.datetime, progress: Progress | None, label: str = ""
) -> None:
    """Insert a frame whose columns are the model's field names (foreign keys as `<name>_id`)."""
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    label = label or str(model._meta.verbose_name_plural)
    total = frame.height
    done = 0
    for start in range(0, max(total, 1), BATCH_ROWS):
        chunk = frame.slice(start, BATCH_ROWS)
        if chunk.height == 0:
            break
        cols = [_column_values(chunk, f, stamp) for f in fields]
        with connection.cursor() as cursor:
            cursor.executemany(sql, list(zip(*cols, strict=True)))
        done += chunk.height
        if progress:
            progress(f"Loading {label}", done, total)


@contextmanager
def indexes_built_after(model_list: Iterable[type[models.Model]]) -> Iterator[None]:
    """On SQLite, drop the tables' secondary indexes for the bulk insert and build each once afterwards:
    much faster than updating a dozen B-trees row by row. Inside the caller's transaction, so a failed load
    leaves them as they were; a unique index built afterwards still refuses duplicates. Elsewhere a no-op."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = [m._meta.db_table for m in model_list]
    placeholders = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
            f"AND tbl_name IN ({placeholders}) ORDER BY name",
            tables,
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _name, sql in indexes:
            cursor.execute(sql)


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """After explicit keys, move each key sequence past them (PostgreSQL; a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# Accounts for the front-door staff who act in the generated records (who rated, asked, decided). They
# cannot sign in; they are kept with the other users when demo data is replaced, and reused.
STAFF_ACCOUNT_PREFIX = "staff."
STAFF_ACCOUNT_SUFFIX = ".generated"


def staff_username(staff_id: int) -> str:
    return f"{STAFF_ACCOUNT_PREFIX}{staff_id}{STAFF_ACCOUNT_SUFFIX}"


_ROLES_BY_JOB = {
    "team_manager": Role.TEAM_MANAGER.value,
    "service_manager": Role.SERVICE_MANAGER.value,
}


def _account_roles(job_role: str, team_kind: str | None) -> set[str]:
    """The MASH team's staff are MASH practitioners (its manager a team manager too); elsewhere social
    workers, team managers and service managers by their job."""
    roles = {Role.MASH_PRACTITIONER.value} if team_kind in (None, "mash") else set()
    if job_role in _ROLES_BY_JOB:
        roles.add(_ROLES_BY_JOB[job_role])
    elif team_kind not in (None, "mash"):
        roles.add(Role.SOCIAL_WORKER.value)
    return roles


def staff_accounts(staff: pl.DataFrame) -> dict[int, int]:
    """An account for each member of staff in the frame (`id`, `first_name`, `last_name`, `job_role`, and
    `team_kind`, the front door's where missing): their user keys by staff key. Made and refreshed in a few
    bulk queries (a borough has a few hundred), inactive and without a usable password."""
    rows = staff.to_dicts()
    wanted = {staff_username(int(r["id"])): r for r in rows}
    existing = {u.username: u for u in User.objects.filter(username__in=list(wanted))}
    changed = []
    for username, row in wanted.items():
        user = existing.get(username)
        if user is None:
            existing[username] = User(
                username=username,
                first_name=row["first_name"],
                last_name=row["last_name"],
                is_active=False,
                is_demo=True,
                password=make_password(None),
            )
        elif (user.first_name, user.last_name, user.is_active, user.is_demo) != (
            row["first_name"],
            row["last_name"],
            False,
            True,
        ):
            user.first_name, user.last_name, user.is_active, user.is_demo = (
                row["first_name"],
                row["last_name"],
                False,
                True,
            )
            changed.append(user)
    User.objects.bulk_create([u for u in existing.values() if u.pk is None], batch_size=500)
    User.objects.bulk_update(changed, ["first_name", "last_name", "is_active", "is_demo"], batch_size=500)
    keys = dict(User.objects.filter(username__in=list(wanted)).values_list("username", "pk"))
    have = set(UserRole.objects.filter(user_id__in=list(keys.values())).values_list("user_id", "role"))
    UserRole.objects.bulk_create(
        [
            UserRole(user_id=keys[username], role=role)
            for username, row in wanted.items()
            for role in sorted(_account_roles(row["job_role"], row.get("team_kind")))
            if (keys[username], role) not in have
        ],
        batch_size=500,
    )
    return {int(r["id"]): keys[u] for u, r in wanted.items()}


def with_accounts(frame: pl.DataFrame, accounts: dict[int, int]) -> pl.DataFrame:
    """Each `<name>_staff` column (a member of staff) as the `<name>_id` column of their account."""
    staff_columns = [c for c in frame.columns if c.endswith("_staff")]
    return frame.with_columns(
        pl.col(c).replace_strict(accounts, default=None, return_dtype=pl.Int64).alias(c.removesuffix("_staff") + "_id")
        for c in staff_columns
    ).drop(staff_columns)
