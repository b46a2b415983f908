"""Forms for the child protection pages (GOV.UK patterns: three-field dates, radios, error summary)."""

from __future__ import annotations

from typing import Any

from django import forms

from openmash.accounts.models import Agency
from openmash.core.codes import CategoryOfAbuse
from openmash.core.forms import GovDateField

from .models import EmergencyProtectionKind, PlanEndReason, Section47Outcome, StrategyOutcome

EXAMPLE = "For example, 27 3 2026"
# Councillors' democratic services never sit in a strategy discussion.
AGENCIES = [(v, label) for v, label in Agency.choices if v != Agency.DEMOCRATIC_SERVICES]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class StrategyForm(forms.Form):
    discussion_date = GovDateField(label="Date of the strategy discussion", past_only=True, help_text=EXAMPLE)
    agencies_present = forms.MultipleChoiceField(
        label="Which agencies took part?",
        choices=AGENCIES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Working Together expects at least the police, health and children's social care.",
        error_messages={
            "required": "Select the agencies that took part in the discussion",
            "invalid_choice": "Select agencies from the list",
        },
    )
    outcome = forms.ChoiceField(
        label="What was decided?",
        choices=StrategyOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what was decided", "invalid_choice": "Select what was decided"},
    )
    notes = forms.CharField(label="Notes of the discussion", required=False, widget=forms.Textarea, max_length=50_000)


class Section47Form(forms.Form):
    start_date = GovDateField(label="Date the enquiry started", past_only=True, help_text=EXAMPLE)
    strategy_discussion = forms.ChoiceField(
        label="Which strategy discussion decided on the enquiry?",
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select a strategy discussion from the list"},
    )

    def __init__(self, *args: Any, discussions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strategy_discussion"].choices = [*discussions, ("", "None recorded here")]  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What did the enquiry find?",
        choices=Section47Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the enquiry found", "invalid_choice": "Select what it found"},
    )
    outcome_date = GovDateField(label="Date of the outcome", past_only=True, help_text=EXAMPLE)
    version = _version()


class ConferenceForm(forms.Form):
    conference_date = GovDateField(label="Date of the conference", past_only=True, help_text=EXAMPLE)
    plan_needed = forms.ChoiceField(
        label="Did the conference decide on a child protection plan?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether a plan is needed", "invalid_choice": "Select yes or no"},
    )
    category = forms.ChoiceField(
        label="Category of abuse",
        choices=CategoryOfAbuse.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Answer if a plan is needed.",
        error_messages={"invalid_choice": "Select a category from the list"},
    )
    core_group = forms.CharField(
        label="Core group",
        required=False,
        widget=forms.Textarea,
        max_length=10_000,
        help_text="One person a line: name, role and agency.",
    )
    notes = forms.CharField(label="Notes of the conference", required=False, widget=forms.Textarea, max_length=50_000)
    version = _version()

    DRAFT_FIELDS = (
        "conference_date_day",
        "conference_date_month",
        "conference_date_year",
        "plan_needed",
        "category",
        "core_group",
        "notes",
        "version",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("plan_needed") == "yes" and not data.get("category"):
            self.add_error("category", "Select the category of abuse for the plan")
        data["core_group_lines"] = _lines(data.get("core_group") or "")
        return data


class PlanEditForm(forms.Form):
    core_group = forms.CharField(
        label="Core group",
        required=False,
        widget=forms.Textarea,
        max_length=10_000,
        help_text="One person a line: name, role and agency.",
    )
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
    version = _version()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["core_group_lines"] = _lines(data.get("core_group") or "")
        return data


class ReviewForm(forms.Form):
    review_date = GovDateField(label="Date of the review conference", past_only=True, help_text=EXAMPLE)
    latest_category = forms.ChoiceField(
        label="Category of abuse now",
        choices=CategoryOfAbuse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the category of abuse now", "invalid_choice": "Select a category"},
    )
    notes = forms.CharField(label="Notes of the review", required=False, widget=forms.Textarea, max_length=50_000)
    version = _version()


class PlanEndForm(forms.Form):
    end_date = GovDateField(label="Date the plan ended", past_only=True, help_text=EXAMPLE)
    reason = forms.ChoiceField(
        label="Why did the plan end?",
        choices=PlanEndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the plan ended", "invalid_choice": "Select a reason"},
    )
    version = _version()


class PriorPlanForm(forms.Form):
    authority = forms.CharField(
        label="Local authority that held the plan",
        max_length=120,
        error_messages={
            "required": "Enter the local authority that held the plan",
            "max_length": "The local authority must be 120 characters or fewer",
        },
    )
    start_date = GovDateField(label="Start date", past_only=True, help_text=EXAMPLE)
    end_date = GovDateField(label="End date", past_only=True, help_text=EXAMPLE)
    category = forms.ChoiceField(
        label="Category of abuse",
        choices=[*CategoryOfAbuse.choices, ("", "Not known")],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select a category"},
    )


class EmergencyProtectionForm(forms.Form):
    kind = forms.ChoiceField(
        label="What was it?",
        choices=EmergencyProtectionKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select an emergency protection order or police protection",
            "invalid_choice": "Select an emergency protection order or police protection",
        },
    )
    start_date = GovDateField(label="Start date", past_only=True, help_text=EXAMPLE)
    end_date = GovDateField(label="End date (if it has ended)", past_only=True, required=False, help_text=EXAMPLE)
