"""Forms for casework pages: allocating a waiting referral to a worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from openmash.core.dates import long_date
from openmash.core.forms import GovDateField


class AllocateForm(forms.Form):
    worker = forms.ChoiceField(
        label="Who will hold the case?",
        error_messages={"required": "Select a worker", "invalid_choice": "Select a worker from the list"},
    )
    start_date = GovDateField(label="Start date", past_only=True, help_text="For example, 27 3 2026")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], earliest: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Select a worker"), *choices]  # type: ignore[attr-defined]
        self.earliest = earliest

    def clean_start_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["start_date"]
        if day < self.earliest:
            raise forms.ValidationError(f"Start date must be on or after {long_date(self.earliest)}")
        return day
