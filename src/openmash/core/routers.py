"""Which database a query goes to: reports and KPIs may read from a replica, everything else uses the primary.

With DATABASE_REPLICA_URL set, settings add a `replica` database (a PostgreSQL hot standby) and name it
OPENMASH_REPORTING_DATABASE. Reads go there only when all of these hold:

- the code asked for it, by running inside `reporting_reads()` (the performance selectors do, around
  the journey-events read that headline figures and scorecards are computed from; that read is raw SQL,
  so it asks `router.db_for_read` for its connection);
- the table is one reports are computed from (the stored journey events and the case records,
  REPORTING_MODELS and REPORTING_APPS): never accounts, sessions, two-factor devices, lockouts,
  access restrictions or the audit trail, which must be current;
- no transaction is open on the primary, so work that writes always reads its own writes.

Every write goes to the primary, and migrations run on the primary only (a standby is a copy of it).
A replica lags the primary by a moment, which a year's KPIs can bear and a child's record cannot:
child pages, searches and everything a social worker changes never read from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

# The tables KPIs and reports are read from: the stored journey events and the case records behind them.
REPORTING_MODELS = frozenset({"core.journeyevent"})
REPORTING_APPS = frozenset({"people", "workforce", "front_door", "casework", "protection"})

_reporting = ContextVar("openmash_reporting_reads", default=False)


def reporting_db() -> str:
    """The database alias reports and KPIs read from: the replica when there is one, else the primary."""
    return str(getattr(settings, "OPENMASH_REPORTING_DATABASE", DEFAULT_DB_ALIAS))


@contextmanager
def reporting_reads() -> Iterator[None]:
    """Within this block, reads of case-record tables may come from the read replica.

    Wrap only code that reads for a report or KPI and tolerates data a moment old.
    """
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


class ReportingRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _reporting.get()
            and (model._meta.app_label in REPORTING_APPS or model._meta.label_lower in REPORTING_MODELS)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return reporting_db()
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica holds the same rows as the primary: objects from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
