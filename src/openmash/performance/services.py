"""Changes to performance: narratives, indicators' owners and targets, and freezing a period.

Each is one transaction that asks the access policy first and writes the audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openmash.access import audit, policy
from openmash.access.audit import changes_by_acting_user
from openmash.access.models import AuditEvent
from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.core.locking import ensure_current, next_version

from . import registry, scorecard
from .models import IndicatorSetting, Narrative, Snapshot
from .periods import Period

NARRATIVE_MAX = 5000


def _indicator(indicator_id: str) -> registry.Indicator:
    indicator = registry.BY_ID.get(indicator_id)
    if indicator is None:
        raise ServiceError("There is no such indicator")
    return indicator


@transaction.atomic
@changes_by_acting_user
def narrative_save(
    *, period: Period, indicator_id: str, text: str, expected_version: int | None = None, acting_user: User
) -> Narrative:
    """Write or rewrite the owner's narrative for an indicator in a period that is not frozen."""
    indicator = _indicator(indicator_id)
    setting = IndicatorSetting.objects.filter(indicator_id=indicator.id).first()
    if not policy.can_write_narrative(acting_user, setting.owner_id if setting else None):
        raise PermissionError("Only the indicator's owner may write its narrative")
    text = text.strip()
    if not text:
        raise ServiceError("Enter the narrative", field="text")
    if len(text) > NARRATIVE_MAX:
        raise ServiceError(f"The narrative must be {NARRATIVE_MAX:,} characters or fewer", field="text")
    if Snapshot.objects.filter(period_key=period.key).exists():
        raise ServiceError(f"{period.label} is frozen: its narratives can no longer change")
    narrative = Narrative.objects.select_for_update().filter(period_key=period.key, indicator_id=indicator.id).first()
    if narrative is None:
        narrative = Narrative.objects.create(
            period_key=period.key, indicator_id=indicator.id, text=text, author=acting_user
        )
    else:
        ensure_current(narrative, expected_version, {"text": text}, what="this narrative")
        narrative.text, narrative.author = text, acting_user
        narrative.save(update_fields=["text", "author", "updated_at", *next_version(narrative)])
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=narrative,
        summary=f"Wrote the narrative for “{indicator.full_name}”, {period.label}"[:300],
        detail={"indicator": indicator.id, "period": period.key},
    )
    return narrative


@transaction.atomic
@changes_by_acting_user
def indicator_update(
    *,
    indicator_id: str,
    owner: User | None,
    target: float | None,
    target_note: str,
    expected_version: int | None = None,
    acting_user: User,
) -> IndicatorSetting:
    """Set an indicator's owner and local target (None: the registry's national or default target)."""
    indicator = _indicator(indicator_id)
    if not policy.can_manage_scorecard(acting_user):
        raise PermissionError("Only performance analysts and service managers set owners and targets")
    if owner is not None and not policy.can_own_indicator(owner):
        raise ServiceError("Choose an owner who works in children's services", field="owner")
    if target is not None and (target < 0 or (indicator.unit == "percent" and target > 100)):
        raise ServiceError(
            "Enter a percentage from 0 to 100" if indicator.unit == "percent" else "Enter a target of 0 or more",
            field="target",
        )
    setting, created = IndicatorSetting.objects.select_for_update().get_or_create(indicator_id=indicator.id)
    if not created:
        ensure_current(
            setting,
            expected_version,
            {"owner": owner, "target": target, "target_note": target_note.strip()},
            what="this indicator",
        )
    setting.owner, setting.target, setting.target_note = owner, target, target_note.strip()
    setting.save(
        update_fields=None if created else ["owner", "target", "target_note", "updated_at", *next_version(setting)]
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=setting,
        summary=f"Set the owner and target of “{indicator.full_name}”"[:300],
        detail={"indicator": indicator.id, "target": target, "owner": owner.username if owner else None},
    )
    return setting


@transaction.atomic
@changes_by_acting_user
def period_freeze(*, period: Period, acting_user: User, today: dt.date | None = None) -> Snapshot:
    """Freeze a complete period: store its scorecard, with the definitions' version and the as-of date.

    Refused while any indicator rated red has no narrative from its owner.
    """
    if not policy.can_manage_scorecard(acting_user):
        raise PermissionError("Only performance analysts and service managers freeze a period")
    today = today or timezone.localdate()
    if period.at(today).full_end >= today:
        raise ServiceError(f"{period.label} has not finished yet: freeze it once it has")
    # Serialise freezes of one period: the unique period key refuses a second, this gives the clear message.
    if Snapshot.objects.select_for_update().filter(period_key=period.key).exists():
        raise ServiceError(f"{period.label} is already frozen")
    card = scorecard.build(acting_user, period=period, today=today)
    if card.suppressed:
        raise PermissionError("A frozen scorecard holds the full figures")
    missing = card.missing_narratives
    if missing:
        names = "; ".join(r.indicator.full_name for r in missing)
        raise ServiceError(f"Before freezing, the owners must explain each figure rated red: {names}")
    snapshot = Snapshot.objects.create(
        period_key=period.key,
        as_of=today,
        definitions_version=registry.definitions_version(),
        frozen_by=acting_user,
        population=card.population,
        rows=[r.to_frozen() for r in card.rows],
    )
    audit.record(
        user=acting_user,
        action=AuditEvent.Action.CHANGE,
        obj=snapshot,
        summary=f"Froze the scorecard for {period.label}",
        detail={"period": period.key, "definitions_version": snapshot.definitions_version},
    )
    return snapshot
