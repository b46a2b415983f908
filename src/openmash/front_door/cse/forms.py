"""Forms for CSE screening, the CSE team's cases and cumulative-concern alerts."""

from __future__ import annotations

from typing import Any

from django import forms

from openmash.core.forms import GovDateField
from openmash.front_door.models import CSECaseClosure
from openmash.workforce.models import StaffMember

from . import tool

MAX_ID = 2**63 - 1


class ScreeningLookupForm(forms.Form):
    id = forms.CharField(
        label="LA child ID or contact reference",
        max_length=20,
        error_messages={
            "required": "Enter the child's LA child ID or the contact reference",
            "max_length": "An LA child ID or contact reference is 20 characters or fewer",
        },
    )


class ScreeningForm(forms.Form):
    """One question (none, low, medium or high) for each indicator in the tool, the vulnerabilities and notes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(value), label) for value, label in tool.RATINGS.items()]
        for indicator in tool.INDICATORS:
            self.fields[indicator.code] = forms.TypedChoiceField(
                label=indicator.label,
                help_text=indicator.signs,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Rate {indicator.label.lower()}: none, low, medium or high",
                    "invalid_choice": f"Rate {indicator.label.lower()}: none, low, medium or high",
                },
            )
        self.fields["vulnerabilities"] = forms.MultipleChoiceField(
            label="Vulnerabilities",
            help_text="Select all that apply. A learning disability recorded on the child's record counts too.",
            choices=list(tool.VULNERABILITIES.items()),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Select vulnerabilities from the list"},
        )
        self.fields["notes"] = forms.CharField(
            label="Notes (optional)",
            help_text="What the ratings are based on: who said what, and when.",
            required=False,
            max_length=5000,
            widget=forms.Textarea,
            error_messages={"max_length": "Notes must be 5,000 characters or fewer"},
        )

    def indicator_fields(self) -> list[forms.BoundField]:
        return [self[i.code] for i in tool.INDICATORS]

    def ratings(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code in tool.INDICATOR_CODES}


class OpenCaseForm(forms.Form):
    screening = forms.IntegerField(
        min_value=1, max_value=MAX_ID, widget=forms.HiddenInput, error_messages={"invalid": "Choose a screening"}
    )


class AllocateForm(forms.Form):
    worker = forms.TypedChoiceField(
        label="Worker",
        coerce=int,
        error_messages={"required": "Choose a worker", "invalid_choice": "Choose a worker in the team"},
    )

    def __init__(self, *args: Any, workers: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["worker"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a worker"), *((str(w.pk), w.full_name) for w in workers)]


class CloseCaseForm(forms.Form):
    closed_on = GovDateField(label="Date the case closed", past_only=True)
    reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=CSECaseClosure.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why the case is closing",
            "invalid_choice": "Select why the case is closing",
        },
    )


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(
        label="What will the hub do about this pattern?",
        help_text="For example: strategy discussion arranged; referred for a single assessment; no action, with why.",
        max_length=5000,
        widget=forms.Textarea,
        error_messages={
            "required": "Say what the hub will do about the pattern",
            "max_length": "This must be 5,000 characters or fewer",
        },
    )
