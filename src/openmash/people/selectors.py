"""Finding children."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from .models import Child

_ID_LIKE = re.compile(r"^[A-Za-z0-9 ]+$")


def child_search(*, query: str) -> QuerySet[Child]:
    """Children matching a name, LA child ID, NHS number or UPN.

    Identifiers must match exactly (a near-miss on an ID is a different child); names match on
    every word typed, in first or last name, ignoring case.
    """
    text = " ".join(query.split())
    if not text:
        return Child.objects.none()
    condition = Q()
    compact = text.replace(" ", "")
    if _ID_LIKE.match(text):
        condition |= Q(la_child_id__iexact=compact) | Q(upn__iexact=compact)
        if compact.isdigit():
            condition |= Q(nhs_number=compact)
    words = [w for w in re.split(r"[\s,]+", text) if w]
    if words:
        name_condition = Q()
        for word in words:
            name_condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        condition |= name_condition
    return Child.objects.filter(condition).order_by("last_name", "first_name", "id")
