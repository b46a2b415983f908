"""Forms for the performance pages."""

from __future__ import annotations

from typing import Any

from django import forms

from openmash.accounts.models import Agency, Role, User
from openmash.workforce.models import Team

from .periods import Period


class ScorecardForm(forms.Form):
    """Which period, and (for those who may) which team. Both optional: the last complete quarter, everyone."""

    period = forms.ChoiceField(label="Period", required=False)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, periods: list[Period], teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ChoiceField)
        period_field.choices = [(p.key, f"{p.label} ({'quarter' if p.quarter else 'year'})") for p in periods]
        self.fields["period"].error_messages["invalid_choice"] = "Choose a period from the list"
        if teams:
            team_field = self.fields["team"]
            assert isinstance(team_field, forms.ChoiceField)
            team_field.choices = [("", "All teams"), *((t.pk, t.name) for t in teams)]
            self.fields["team"].error_messages["invalid_choice"] = "Choose a team from the list"
        else:
            del self.fields["team"]


class NarrativeForm(forms.Form):
    text = forms.CharField(
        label="Narrative",
        widget=forms.Textarea,
        max_length=5000,
        help_text="Why the figure is where it is, and what is being done about it.",
        error_messages={
            "required": "Enter the narrative",
            "max_length": "The narrative must be 5,000 characters or fewer",
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class IndicatorForm(forms.Form):
    owner = _PersonField(
        label="Owner",
        queryset=User.objects.none(),
        required=False,
        empty_label="No owner",
        help_text="Writes the narrative when the figure is off target.",
        error_messages={"invalid_choice": "Choose an owner from the list"},
    )
    target = forms.FloatField(
        label="Local target",
        required=False,
        help_text="Leave blank to use the national target, where there is one.",
        error_messages={"invalid": "Enter the target as a number, like 85 or 15.5"},
    )
    target_note = forms.CharField(
        label="Why this target",
        required=False,
        max_length=200,
        error_messages={"max_length": "Enter no more than 200 characters"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Owners work in children's social care; councillors never own an indicator.
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = (
            User.objects.filter(is_active=True, agency=Agency.CHILDRENS_SOCIAL_CARE)
            .exclude(roles__role=Role.SCRUTINY_MEMBER)
            .order_by("last_name", "first_name")
        )
