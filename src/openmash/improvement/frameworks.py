"""Inspection frameworks as data: which judgement areas each framework graded, and from when.

Ofsted's frameworks change (ILACS added a separate care leavers judgement from January 2023), so areas
are rows here with the dates they apply, never columns of a model. A judgement stores the area's key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models


class Framework(models.TextChoices):
    ILACS = "ilacs", "ILACS (inspection of local authority children's services)"
    SIF = "sif", "Single inspection framework (SIF)"
    FOCUSED_VISIT = "focused_visit", "Focused visit"
    MONITORING_VISIT = "monitoring_visit", "Monitoring visit"
    JTAI = "jtai", "Joint targeted area inspection (JTAI)"


class Grade(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"


# Best first: the compare table sorts and colours by this.
GRADE_ORDER = {g.value: i for i, g in enumerate(Grade)}


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    framework: str
    starts: dt.date | None = None  # graded by inspections published on or after this date
    ends: dt.date | None = None  # ... and before this one

    def applies_on(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return (self.starts is None or day >= self.starts) and (self.ends is None or day < self.ends)


AREAS: tuple[Area, ...] = (
    Area("overall", "Overall effectiveness", Framework.ILACS),
    Area("leaders", "The impact of leaders on social work practice with children and families", Framework.ILACS),
    Area("help_protection", "The experiences and progress of children who need help and protection", Framework.ILACS),
    Area("children_in_care", "The experiences and progress of children in care", Framework.ILACS),
    Area("care_leavers", "The experiences and progress of care leavers", Framework.ILACS, dt.date(2023, 1, 1)),
    Area("overall", "Overall effectiveness", Framework.SIF),
    Area("help_protection", "Children who need help and protection", Framework.SIF),
    Area("children_in_care", "Children looked after and achieving permanence", Framework.SIF),
    Area("adoption", "Adoption performance", Framework.SIF),
    Area("care_leavers", "Experiences and progress of care leavers", Framework.SIF),
    Area("leaders", "Leadership, management and governance", Framework.SIF),
)

# Every key any framework uses, in the order the compare table shows them.
AREA_KEYS: tuple[str, ...] = tuple(dict.fromkeys(a.key for a in AREAS))
AREA_LABELS: dict[str, str] = {
    "overall": "Overall effectiveness",
    "leaders": "Leaders",
    "help_protection": "Help and protection",
    "children_in_care": "Children in care",
    "care_leavers": "Care leavers",
    "adoption": "Adoption",
}


def areas_for(framework: str, published: dt.date | None = None) -> list[Area]:
    """The areas a framework graded on a date (none for visits, which carry no graded judgements)."""
    return [a for a in AREAS if a.framework == framework and a.applies_on(published)]


def area_label(framework: str, key: str) -> str:
    for a in AREAS:
        if a.framework == framework and a.key == key:
            return a.label
    return AREA_LABELS.get(key, key)
