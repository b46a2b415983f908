"""The authority's own front-door timescales and thresholds, kept by a system administrator in the admin.

One row (FrontDoorSettings.current()): it cannot be added twice or deleted. Each number must be a whole
number within a sensible range, so a slip of the keyboard cannot set a red contact's timescale to zero or
to a year. A change applies to contacts rated (and checks requested) after it: times already set stay.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from openmash.front_door.models import FrontDoorSettings, TimescaleUnit

# (smallest, largest) allowed for each setting; decision timescales by their unit.
DECISION_LIMITS = {TimescaleUnit.HOURS: (1, 168), TimescaleUnit.WORKING_DAYS: (1, 20)}
LIMITS = {
    "red_check_hours": (1, 168),
    "amber_check_hours": (1, 168),
    "green_check_hours": (1, 168),
    "concern_contacts": (2, 50),
    "concern_months": (1, 36),
    "concern_agencies": (1, 9),
}


class FrontDoorSettingsForm(forms.ModelForm):
    class Meta:
        model = FrontDoorSettings
        exclude: ClassVar[list[str]] = []
        labels: ClassVar[dict[str, str]] = {
            "red_decision": "Red: decide within",
            "amber_decision": "Amber: decide within",
            "green_decision": "Green: decide within",
            "red_decision_unit": "unit",
            "amber_decision_unit": "unit",
            "green_decision_unit": "unit",
            "red_check_hours": "Red: agencies answer within (hours)",
            "amber_check_hours": "Amber: agencies answer within (hours)",
            "green_check_hours": "Green: agencies answer within (hours)",
            "concern_contacts": "Number of contacts",
            "concern_months": "Within this many months",
            "concern_agencies": "From at least this many agencies",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, (low, high) in LIMITS.items():
            value = data.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, f"Enter a whole number from {low} to {high}")
        for rag in ("red", "amber", "green"):
            value, unit = data.get(f"{rag}_decision"), data.get(f"{rag}_decision_unit")
            if value is None or unit not in DECISION_LIMITS:
                continue
            low, high = DECISION_LIMITS[unit]
            if not low <= value <= high:
                self.add_error(
                    f"{rag}_decision", f"Enter a whole number of {TimescaleUnit(unit).label} from {low} to {high}"
                )
        return data


@admin.register(FrontDoorSettings)
class FrontDoorSettingsAdmin(admin.ModelAdmin):
    form = FrontDoorSettingsForm
    readonly_fields = ("updated_at",)
    fieldsets = (
        (
            "Decision timescales, from when a contact is received",
            {
                "fields": [
                    ("red_decision", "red_decision_unit"),
                    ("amber_decision", "amber_decision_unit"),
                    ("green_decision", "green_decision_unit"),
                ]
            },
        ),
        (
            "Agency checks, from when they are requested",
            {"fields": ["red_check_hours", "amber_check_hours", "green_check_hours"]},
        ),
        (
            "Cumulative concern: contacts decided no further action that together alert the hub",
            {"fields": ["concern_contacts", "concern_months", "concern_agencies"]},
        ),
        (None, {"fields": ["updated_at"]}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not FrontDoorSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
