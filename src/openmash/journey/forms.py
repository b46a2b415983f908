from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from openmash.core.forms import GovDateField

from .selectors import NO_FILTERS, ChronologyFilters, EntryKind


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label="Name, LA child ID, NHS number or UPN",
        max_length=100,
        required=True,
        error_messages={
            "required": "Enter a name or an ID to search for",
            "max_length": "Enter no more than 100 characters",
        },
    )

    def clean_q(self) -> str:
        value: str = self.cleaned_data["q"].strip()
        if len(value) < 2:
            raise forms.ValidationError("Enter at least 2 characters")
        return value


class ChronologyFilterForm(forms.Form):
    """Which entries of a child's chronology to show (or print): some kinds, between two dates."""

    kind = forms.MultipleChoiceField(
        label="Show",
        required=False,
        choices=EntryKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from the kinds of entry listed"},
    )
    start = GovDateField(label="From", required=False, help_text="For example, 27 3 2025")
    end = GovDateField(label="To", required=False, help_text="For example, 31 3 2025")

    FIELDS = ("kind", "start_day", "start_month", "start_year", "end_day", "end_month", "end_year")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", "The ‘to’ date must be the same as or after the ‘from’ date")
        return data

    def filters(self) -> ChronologyFilters:
        """The filters asked for; none unless the form is valid."""
        if not self.is_valid():
            return NO_FILTERS
        return ChronologyFilters(
            kinds=frozenset(EntryKind(k) for k in self.cleaned_data["kind"]),
            start=self.cleaned_data["start"],
            end=self.cleaned_data["end"],
        )
