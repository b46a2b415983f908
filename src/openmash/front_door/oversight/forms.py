"""Forms for oversight: searching the disclosure ledger and closing early help."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from openmash.accounts.models import Agency
from openmash.core.forms import GovDateField

from ..models import EarlyHelpOutcome

_LA_CHILD_ID = re.compile(r"[A-Za-z0-9]{1,20}")
# The agencies something may be shared with (councillors never receive a child's information).
RECIPIENT_AGENCIES = [(value, label) for value, label in Agency.choices if value != Agency.DEMOCRATIC_SERVICES]


class LedgerSearchForm(forms.Form):
    child = forms.CharField(label="LA child ID", required=False, max_length=20, strip=True)
    agency = forms.ChoiceField(
        label="Shared with", required=False, choices=[("", "Any agency or person"), *RECIPIENT_AGENCIES]
    )
    start = GovDateField(label="From", required=False, help_text="For example, 27 3 2026")
    end = GovDateField(label="To", required=False, help_text="For example, 31 3 2026")

    FIELDS = ("child", "agency", "start_day", "start_month", "start_year", "end_day", "end_month", "end_year")

    def clean_child(self) -> str:
        value: str = self.cleaned_data.get("child", "")
        if value and not _LA_CHILD_ID.fullmatch(value):
            raise forms.ValidationError("An LA child ID has only letters and numbers")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", "The ‘to’ date must be the same as or after the ‘from’ date")
        return data


class EarlyHelpCloseForm(forms.Form):
    closed_on = GovDateField(label="Date the early help ended", past_only=True, help_text="For example, 27 3 2026")
    outcome = forms.ChoiceField(
        label="How did the early help end?",
        choices=EarlyHelpOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the early help ended", "invalid_choice": "Select how it ended"},
    )
