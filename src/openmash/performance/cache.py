"""Computed figures, kept until the records change.

A scorecard shows every indicator for nine quarters; computing them reads the whole journey (a second or
more on a borough). `fingerprint` names the state of everything the indicators read (row counts, highest
keys and last changes of the journey events, allocations, staff and the front door's records, the
population and the definitions); figures are computed once per state and period and read back from
`ComputedFigures` until that state changes. A correction to any record changes the fingerprint, so the
next page computes afresh: nothing stale is ever shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Count, Max

from openmash.core.models import JourneyEvent
from openmash.core.routers import reporting_reads
from openmash.front_door.models import Contact, EarlyHelpPackage, ReferrerFeedback
from openmash.workforce.models import Allocation, StaffMember

from . import registry
from .inputs import Inputs, configured_population, from_database
from .models import ComputedFigures
from .periods import Period

Stored = list[float | None] | None  # [numerator, denominator, value], or None where not available

_WATCHED = (
    (JourneyEvent, "recorded_at"),
    (Allocation, "updated_at"),
    (StaffMember, "updated_at"),
    (Contact, "updated_at"),
    (EarlyHelpPackage, "updated_at"),
    (ReferrerFeedback, "updated_at"),
)


def fingerprint() -> str:
    """A name for the current state of every record the indicators read."""
    parts = [registry.definitions_version(), str(configured_population())]
    with reporting_reads():
        for model, changed in _WATCHED:
            state = model.objects.aggregate(n=Count("pk"), top=Max("pk"), last=Max(changed))
            parts.append(f"{model._meta.label}:{state['n']}:{state['top']}:{state['last']}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _store(measure: registry.Measure | None) -> Stored:
    if measure is None:
        return None
    return [float(measure.numerator), float(measure.denominator), measure.value]


def compute(inputs: Inputs, period: Period, team_id: int | None = None) -> dict[str, Stored]:
    return {i.id: _store(registry.figure(i, inputs, period, team_id)) for i in registry.INDICATORS}


def figures(periods: Sequence[Period], team_id: int | None = None) -> dict[str, dict[str, Stored]]:
    """Every indicator for each period (by period key), from the cache or computed now and kept."""
    state = fingerprint()
    wanted = {p.key: p for p in periods}
    found: dict[str, dict[str, Stored]] = {}
    for row in ComputedFigures.objects.filter(fingerprint=state, period_key__in=wanted, team_id=team_id or 0):
        if row.as_of == wanted[row.period_key].end:
            found[row.period_key] = row.figures
    missing = [p for key, p in wanted.items() if key not in found]
    if missing:
        inputs = from_database()
        for period in missing:
            found[period.key] = compute(inputs, period, team_id)
            try:
                with transaction.atomic():
                    ComputedFigures.objects.create(
                        fingerprint=state,
                        period_key=period.key,
                        team_id=team_id or 0,
                        as_of=period.end,
                        figures=found[period.key],
                    )
            except IntegrityError:
                pass  # another request computed the same figures at the same moment
        # Figures for earlier states of the records are never read again.
        ComputedFigures.objects.exclude(fingerprint=state).delete()
    return found
