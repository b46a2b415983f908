"""Showing figures: one decimal place, the unit in words where it helps, "c" and "–" as they are."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from ..charts import trend_svg

register = template.Library()

RAG_LABELS = {"green": ("On target", "green"), "amber": ("Near target", "yellow"), "red": ("Off target", "red")}
TRAVEL_LABELS = {
    "improving": "Improving",
    "worsening": "Worsening",
    "no change": "No change",
    "up": "Up",
    "down": "Down",
}


def shown(value: Any, unit: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "percent":
        return f"{value:,.1f}%"
    return f"{value:,.1f}"


@register.filter
def figure(value: Any, unit: str) -> str:
    """A figure in its unit: 85.7%, 543.8, 15.1, 11,261; "c" where hidden, "–" where there is none."""
    return shown(value, unit)


@register.filter
def count(value: Any) -> str:
    """A count (numerator or denominator): whole numbers with commas, FTE to one decimal place."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@register.filter
def rag_label(rag: str | None) -> str:
    return RAG_LABELS[rag][0] if rag in RAG_LABELS else "No target"


@register.filter
def rag_colour(rag: str | None) -> str:
    return RAG_LABELS[rag][1] if rag in RAG_LABELS else "grey"


@register.filter
def travel(direction: str | None) -> str:
    return TRAVEL_LABELS.get(direction or "", "Not known")


@register.simple_tag
def chart(row: Any) -> SafeString:
    return trend_svg(row)
