"""The form correcting a record's census dates: one GOV.UK date input for each date the record holds."""

from __future__ import annotations

from typing import Any

from django import forms

from openmash.core.forms import GovDateField

from .services import CensusRecord


class CorrectionForm(forms.Form):
    def __init__(self, *args: Any, found: CensusRecord, **kwargs: Any) -> None:
        kwargs["initial"] = {item.field: found.value(item) for item in found.items}
        super().__init__(*args, **kwargs)
        for item in found.items:
            self.fields[item.field] = GovDateField(
                label=item.label, past_only=True, help_text=f"Census item {item.census_item}. For example, 27 3 2026"
            )
