"""Forms for action plans, actions, progress updates and inspections. The services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms

from openmash.accounts.models import Agency, Role, User
from openmash.core.forms import GovDateField
from openmash.performance import registry

from .frameworks import AREA_KEYS, AREA_LABELS, Framework, Grade
from .models import ActionStatus, PlanKind, Rag

VERSION = {"widget": forms.HiddenInput, "required": False, "min_value": 0, "max_value": 2**31}


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


def _owners() -> Any:
    # Owners are managers and analysts in children's social care (policy.can_own_action).
    return (
        User.objects.filter(
            is_active=True,
            agency=Agency.CHILDRENS_SOCIAL_CARE,
            roles__role__in=[Role.TEAM_MANAGER, Role.SERVICE_MANAGER, Role.PERFORMANCE_ANALYST],
        )
        .exclude(roles__role=Role.SCRUTINY_MEMBER)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _owner_field(help_text: str = "") -> _PersonField:
    return _PersonField(
        label="Owner",
        queryset=User.objects.none(),
        required=False,
        empty_label="No owner yet",
        help_text=help_text,
        error_messages={"invalid_choice": "Choose an owner from the list"},
    )


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter the title", "max_length": "The title must be 200 characters or fewer"},
    )
    kind = forms.ChoiceField(
        label="What kind of plan",
        choices=PlanKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of plan it is", "invalid_choice": "Choose a kind from the list"},
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea,
        max_length=10_000,
        help_text="What the plan is for and where it came from. Do not name or describe any child.",
        error_messages={"max_length": "The description must be 10,000 characters or fewer"},
    )
    owner = _owner_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = _owners()


class ActionForm(forms.Form):
    title = forms.CharField(
        label="Action",
        max_length=300,
        error_messages={"required": "Enter the action", "max_length": "The action must be 300 characters or fewer"},
    )
    description = forms.CharField(
        label="Detail",
        required=False,
        widget=forms.Textarea,
        max_length=10_000,
        error_messages={"max_length": "The detail must be 10,000 characters or fewer"},
    )
    owner = _owner_field()
    owner_role = forms.CharField(
        label="Owner's role",
        required=False,
        max_length=120,
        help_text="For example Head of Service, MASH.",
        error_messages={"max_length": "The owner's role must be 120 characters or fewer"},
    )
    due_date = GovDateField(label="Due date", required=False, help_text="For example, 31 3 2026")
    status = forms.ChoiceField(
        label="Status",
        choices=ActionStatus.choices,
        initial=ActionStatus.NOT_STARTED,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status", "invalid_choice": "Choose a status from the list"},
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[("", "Not rated yet"), *Rag.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a rating from the list"},
    )
    indicators = forms.MultipleChoiceField(
        label="Indicators it should move",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(i.id, i.full_name) for i in registry.INDICATORS],
        error_messages={"invalid_choice": "Choose indicators from the list"},
    )
    version = forms.IntegerField(**VERSION)  # type: ignore[arg-type]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = _owners()


class ProgressForm(forms.Form):
    date = GovDateField(label="Date of the update", past_only=True, help_text="For example, 27 3 2026")
    summary = forms.CharField(
        label="Progress",
        widget=forms.Textarea,
        max_length=10_000,
        help_text="What has been done since the last update, and what is next.",
        error_messages={
            "required": "Enter the summary of progress",
            "max_length": "The summary must be 10,000 characters or fewer",
        },
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=2000,
        help_text="A link, or a document's name and where it is kept.",
        error_messages={"max_length": "The evidence must be 2,000 characters or fewer"},
    )
    status = forms.ChoiceField(
        label="Status now",
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the status", "invalid_choice": "Choose a status from the list"},
    )
    rag = forms.ChoiceField(
        label="RAG rating now",
        choices=[("", "Not rated"), *Rag.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a rating from the list"},
    )
    version = forms.IntegerField(**VERSION)  # type: ignore[arg-type]


GRADE_CHOICES = [("", "Not judged"), *Grade.choices]


class InspectionForm(forms.Form):
    authority = forms.CharField(
        label="Local authority",
        max_length=100,
        error_messages={
            "required": "Enter the local authority's name",
            "max_length": "Enter no more than 100 characters",
        },
    )
    la_code = forms.CharField(
        label="LA code",
        max_length=3,
        help_text="The Department for Education's three-digit number, for example 351.",
        error_messages={"required": "Enter the LA code", "max_length": "Enter the LA code as three digits"},
    )
    framework = forms.ChoiceField(
        label="Framework",
        choices=Framework.choices,
        error_messages={"required": "Choose the framework", "invalid_choice": "Choose a framework from the list"},
    )
    inspection_type = forms.CharField(
        label="Type of inspection",
        required=False,
        max_length=60,
        help_text="For example standard or short.",
        error_messages={"max_length": "Enter no more than 60 characters"},
    )
    published = GovDateField(label="Published date", past_only=True)
    report_url = forms.URLField(
        label="Link to the report",
        required=False,
        max_length=200,
        error_messages={"invalid": "Enter a link starting https://", "max_length": "Enter no more than 200 characters"},
    )
    areas_for_improvement = forms.CharField(
        label="Areas for improvement",
        required=False,
        widget=forms.Textarea,
        max_length=20_000,
        help_text="One on each line, in the report's order.",
        error_messages={"max_length": "Enter no more than 20,000 characters"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One grade question per judgement area any framework uses; the service refuses an area the chosen
        # framework did not judge on that date.
        for key in AREA_KEYS:
            self.fields[key] = forms.ChoiceField(
                label=AREA_LABELS[key],
                choices=GRADE_CHOICES,
                required=False,
                error_messages={"invalid_choice": "Choose a grade from the list"},
            )

    @property
    def grade_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in AREA_KEYS]

    def judgements(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in AREA_KEYS if self.cleaned_data.get(key)}

    def areas(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["areas_for_improvement"].splitlines() if line.strip()]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Inspection outcomes (CSV file)",
        help_text="One row for each inspection, with the columns described below.",
        error_messages={"required": "Choose a CSV file", "empty": "The file is empty", "invalid": "Choose a CSV file"},
    )


class FromInspectionForm(forms.Form):
    title = forms.CharField(
        label="Title of the plan",
        required=False,
        max_length=200,
        help_text="Leave blank to name it after the inspection.",
        error_messages={"max_length": "The title must be 200 characters or fewer"},
    )
    owner = _owner_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = _owners()
