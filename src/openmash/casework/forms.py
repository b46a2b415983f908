"""Forms for casework pages: allocating a waiting referral, and the single assessment, child in need plan and
closure pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from openmash.core.codes import AssessmentFactor, ReasonForClosure
from openmash.core.dates import long_date
from openmash.core.forms import GovDateField

from .models import AssessmentOutcome
from .services import ANALYSIS_MAX

YES_NO = [("yes", "Yes"), ("no", "No")]


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


class VersionField(forms.IntegerField):
    """The version of the record the form was opened on (core.locking), carried in a hidden input."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            min_value=0,
            max_value=2**31 - 1,
            error_messages={
                "required": "This page is out of date: open it again",
                "invalid": "This page is out of date: open it again",
                "min_value": "This page is out of date: open it again",
                "max_value": "This page is out of date: open it again",
            },
            **kwargs,
        )


class DateForm(forms.Form):
    """One date: when an assessment started, a plan started or ended."""

    def __init__(self, *args: Any, label: str, hint: str = "For example, 27 3 2026", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"] = GovDateField(label=label, past_only=True, help_text=hint)


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def _as_yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


# The factor codes in groups a social worker scans for, in the order of the DfE list within each.
FACTOR_GROUPS: list[tuple[str, list[str]]] = [
    ("Alcohol and drugs", ["1A", "1B", "1C", "2A", "2B", "2C"]),
    ("Domestic abuse", ["3A", "3B", "3C"]),
    ("Health and disability", ["4A", "4B", "4C", "5A", "5B", "5C", "6A", "6B", "6C"]),
    ("Abuse or neglect", ["16A", "17A", "18B", "18C", "19B", "19C", "22A", "23A"]),
    ("Exploitation and harm outside the home", ["10A", "11A", "12A", "13A", "24A"]),
    ("The child's own circumstances", ["7A", "9A", "14A", "15A"]),
    ("Private fostering", ["8B", "8C", "8D", "8E", "8F"]),
    ("Other", ["20"]),
]


class AssessmentForm(forms.Form):
    version = VersionField()
    analysis = forms.CharField(
        label="Your analysis",
        required=False,
        max_length=ANALYSIS_MAX,
        widget=forms.Textarea,
        help_text="What you found, what it means for the child, and what should happen next",
        error_messages={"max_length": f"Your analysis must be {ANALYSIS_MAX:,} characters or fewer"},
    )
    factors = forms.MultipleChoiceField(
        label="Factors identified",
        required=False,
        choices=AssessmentFactor.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select factors from the list"},
    )
    child_seen = forms.ChoiceField(
        label="Was the child seen during the assessment?",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select yes or no"},
    )
    child_seen_date = GovDateField(
        label="Date the child was seen", required=False, past_only=True, help_text="If the child was seen"
    )
    seen_alone = forms.ChoiceField(
        label="Was the child seen alone?",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="If the child was seen",
        error_messages={"invalid_choice": "Select yes or no"},
    )
    internal_review_date = GovDateField(
        label="Date of internal review",
        required=False,
        past_only=True,
        help_text="If the assessment was reviewed within the service before it was finished",
    )

    @classmethod
    def initial_for(cls, assessment: Any, factors: list[str]) -> dict[str, Any]:
        return {
            "version": assessment.version,
            "analysis": assessment.analysis,
            "factors": factors,
            "child_seen": _as_yes_no(assessment.child_seen),
            "child_seen_date": assessment.child_seen_date,
            "seen_alone": _as_yes_no(assessment.seen_alone),
            "internal_review_date": assessment.internal_review_date,
        }

    def factor_groups(self) -> list[dict[str, Any]]:
        """The checkboxes, grouped, each with its id (the first is id_factors, where the error summary links)."""
        chosen = set(self["factors"].value() or [])
        labels = dict(AssessmentFactor.choices)
        groups: list[dict[str, Any]] = []
        for heading, codes in FACTOR_GROUPS:
            options = [{"code": c, "label": labels[c], "checked": c in chosen, "id": f"id_factors_{c}"} for c in codes]
            if not groups:
                options[0]["id"] = "id_factors"
            groups.append({"heading": heading, "options": options})
        none = AssessmentFactor.NO_FACTORS
        self.no_factors = {"code": none.value, "label": none.label, "checked": none.value in chosen}
        return groups

    def values(self) -> dict[str, Any]:
        """The cleaned answers as the service takes them."""
        data = self.cleaned_data
        return {
            "analysis": data["analysis"],
            "factors": data["factors"],
            "child_seen": _yes_no(data["child_seen"]),
            "child_seen_date": data["child_seen_date"],
            "seen_alone": _yes_no(data["seen_alone"]),
            "internal_review_date": data["internal_review_date"],
        }


class SubmitForm(forms.Form):
    version = VersionField()


class AuthoriseForm(forms.Form):
    version = VersionField()
    authorised_date = GovDateField(label="Date authorised", past_only=True, help_text="For example, 27 3 2026")
    child_in_need = forms.ChoiceField(
        label="Is the child in need?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Under section 17 of the Children Act 1989",
        error_messages={"required": "Select whether the child is in need", "invalid_choice": "Select yes or no"},
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="What needs to change",
        max_length=5000,
        widget=forms.Textarea,
        help_text="The social worker sees this when the assessment comes back to them",
        error_messages={
            "required": "Enter what needs to change before you can authorise it",
            "max_length": "The reason must be 5,000 characters or fewer",
        },
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What does the assessment lead to?",
        choices=AssessmentOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the assessment leads to", "invalid_choice": "Select an outcome"},
    )
    decided_on = GovDateField(
        label="Date",
        past_only=True,
        help_text="The case closes, or the child in need plan starts, on this date. For example, 27 3 2026",
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason for closing the case",
        choices=ReasonForClosure.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the reason for closing the case",
            "invalid_choice": "Select a reason from the list",
        },
    )
    closure_date = GovDateField(label="Closure date", past_only=True, help_text="For example, 27 3 2026")
