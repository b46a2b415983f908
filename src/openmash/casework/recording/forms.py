"""Forms for recording visits and case notes (GOV.UK patterns: three-field dates, radios, error summary)."""

from __future__ import annotations

from typing import Any

from django import forms

from openmash.core.forms import GovDateField

from ..models import CaseNoteType, VisitPurpose

YES_NO = [("yes", "Yes"), ("no", "No")]


class VisitForm(forms.Form):
    visit_date = GovDateField(label="Date of the visit", past_only=True, help_text="For example, 27 3 2026")
    purpose = forms.ChoiceField(
        label="Purpose of the visit",
        choices=VisitPurpose.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the purpose of the visit", "invalid_choice": "Select a purpose"},
    )
    visited_by = forms.ChoiceField(
        label="Who visited?",
        error_messages={"required": "Select who visited", "invalid_choice": "Select who visited from the list"},
    )
    seen = forms.ChoiceField(
        label="Was the child seen?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the child was seen", "invalid_choice": "Select yes or no"},
    )
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select yes or no"},
    )
    notes = forms.CharField(
        label="What happened on the visit", required=False, widget=forms.Textarea, max_length=20_000
    )

    def __init__(self, *args: Any, visitors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_by"].choices = [("", "Select who visited"), *visitors]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("seen") == "yes" and not data.get("seen_alone"):
            self.add_error("seen_alone", "Select whether the child was seen alone")
        if data.get("seen") == "no" and data.get("seen_alone") == "yes":
            self.add_error("seen_alone", "A child who was not seen cannot have been seen alone")
        return data


class VisitFrequencyForm(forms.Form):
    visit_every_working_days = forms.IntegerField(
        label="Visit the child every (working days)",
        min_value=1,
        max_value=60,
        error_messages={
            "required": "Enter how often the child is visited, in working days",
            "invalid": "Enter a whole number of working days, like 10",
            "min_value": "Visits must be every 1 to 60 working days",
            "max_value": "Visits must be every 1 to 60 working days",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class CaseNoteForm(forms.Form):
    note_type = forms.ChoiceField(
        label="Type of note",
        choices=[("", "Select the type of note"), *CaseNoteType.choices],
        error_messages={"required": "Select the type of note", "invalid_choice": "Select a type from the list"},
    )
    occurred_on = GovDateField(label="Date it happened", past_only=True, help_text="For example, 27 3 2026")
    subject = forms.CharField(
        label="Subject",
        max_length=200,
        error_messages={
            "required": "Enter a subject",
            "max_length": "The subject must be 200 characters or fewer",
        },
    )
    body = forms.CharField(
        label="Note",
        widget=forms.Textarea,
        max_length=50_000,
        error_messages={"required": "Enter the note", "max_length": "The note must be 50,000 characters or fewer"},
    )
    restricted = forms.BooleanField(
        label="Restrict this note",
        required=False,
        help_text="Only you and the managers holding this child will be able to read it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    DRAFT_FIELDS = (
        "note_type",
        "occurred_on_day",
        "occurred_on_month",
        "occurred_on_year",
        "subject",
        "body",
        "restricted",
        "version",
    )
