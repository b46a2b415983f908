"""Forms for the access pages: break glass, reviewing it, the audit export and restricting a record."""

import datetime as dt

from django import forms


class BreakGlassForm(forms.Form):
    la_child_id = forms.CharField(
        label="LA child ID", max_length=20, error_messages={"required": "Enter the child's LA child ID"}
    )
    reason = forms.CharField(
        label="Why do you need to open this record?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        error_messages={"required": "Explain why you need this record"},
    )


class ReviewGrantForm(forms.Form):
    grant = forms.IntegerField(min_value=1, max_value=2**63 - 1, error_messages={"invalid": "Choose a use to review"})


class AuditExportForm(forms.Form):
    start = forms.DateField(
        label="From",
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "Enter the first day", "invalid": "Enter a real date"},
    )
    end = forms.DateField(
        label="To",
        input_formats=["%Y-%m-%d"],
        error_messages={"required": "Enter the last day", "invalid": "Enter a real date"},
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", "The last day must be the same as or after the first day")
        return data


class RestrictRecordForm(forms.Form):
    reason = forms.CharField(
        label="Why should this record be restricted?",
        max_length=200,
        error_messages={"required": "Give the reason for restricting the record"},
    )
    allowed = forms.MultipleChoiceField(
        label="Who else may see it",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["allowed"].choices = choices  # type: ignore[attr-defined]
