"""Forms for maintaining the team structure. They check the shape of what was typed; the services decide the
rest (who may change what, unique names, a worker who still holds children)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms

from openmash.accounts.models import User
from openmash.core.forms import GovDateField

from .models import Service, StaffJobRole, StaffMember, Team, TeamKind

MAX_ID = 2**63 - 1
YES_NO = [("yes", "Yes"), ("no", "No")]


def _choices(field: forms.Field, options: Iterable[tuple[str, str]], *, empty: str | None = None) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = [*([("", empty)] if empty else []), *options]


class VersionedForm(forms.Form):
    """Carries the version of the record the form was opened on (openmash.core.locking)."""

    version = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)


class ServiceForm(VersionedForm):
    name = forms.CharField(
        label="Name of the service",
        max_length=120,
        error_messages={
            "required": "Enter the name of the service",
            "max_length": "The name of the service must be 120 characters or fewer",
        },
    )
    manager = forms.TypedChoiceField(
        label="Service manager",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a service manager from the list"},
    )

    def __init__(self, *args: Any, managers: Iterable[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self.fields["manager"], ((str(m.pk), f"{m.full_name}, {m.team.name}") for m in managers), empty="None yet"
        )


class TeamForm(VersionedForm):
    name = forms.CharField(
        label="Name of the team",
        max_length=120,
        error_messages={
            "required": "Enter the name of the team",
            "max_length": "The name of the team must be 120 characters or fewer",
        },
    )
    service = forms.TypedChoiceField(
        label="Service",
        coerce=int,
        error_messages={"required": "Choose the service", "invalid_choice": "Choose one of the services you manage"},
    )
    kind = forms.ChoiceField(
        label="What work does the team do?",
        choices=TeamKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the work the team does", "invalid_choice": "Select the work the team does"},
    )
    manager = forms.TypedChoiceField(
        label="Team manager",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Someone in a manager's role (or a senior social worker acting up) in the same service.",
        error_messages={"invalid_choice": "Choose a team manager from the list"},
    )

    def __init__(self, *args: Any, services: Iterable[Service], managers: Iterable[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = list(services)
        _choices(
            self.fields["service"], ((str(s.pk), s.name) for s in services), empty=None if len(services) == 1 else ""
        )
        _choices(
            self.fields["manager"], ((str(m.pk), f"{m.full_name}, {m.team.name}") for m in managers), empty="None yet"
        )


class WorkerForm(VersionedForm):
    first_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the first name", "max_length": "First name must be 100 characters or fewer"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the last name", "max_length": "Last name must be 100 characters or fewer"},
    )
    team = forms.TypedChoiceField(
        label="Team",
        coerce=int,
        error_messages={"required": "Choose the team", "invalid_choice": "Choose one of the teams you manage"},
    )
    job_role = forms.ChoiceField(
        label="Job role",
        choices=[("", "Choose a job role"), *StaffJobRole.choices],
        help_text="A newly qualified social worker in their first year (ASYE) has a protected caseload.",
        error_messages={"required": "Choose the job role", "invalid_choice": "Choose a job role from the list"},
    )
    fte = forms.DecimalField(
        label="FTE (full-time equivalent)",
        help_text="From 0 to 1: 1 for full time, 0.5 for half time, 0.6 for three days a week.",
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("1"),
        error_messages={
            "required": "Enter the FTE, from 0 to 1",
            "invalid": "FTE must be a number from 0 to 1, for example 0.6",
            "min_value": "FTE must be 0 or more",
            "max_value": "FTE must be 1 or less: 1 is full time",
            "max_digits": "FTE must be a number from 0 to 1 with at most two decimal places",
            "max_decimal_places": "FTE must have at most two decimal places, for example 0.75",
            "max_whole_digits": "FTE must be 1 or less: 1 is full time",
        },
    )
    is_case_holder = forms.ChoiceField(
        label="Do they hold cases?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if they hold cases", "invalid_choice": "Select yes or no"},
    )
    is_agency = forms.ChoiceField(
        label="Are they an agency worker?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Paid through an agency or self-employed, rather than employed by the council.",
        error_messages={"required": "Select yes if they are an agency worker", "invalid_choice": "Select yes or no"},
    )
    start_date = GovDateField(label="Start date")
    end_date = GovDateField(label="Date they left", required=False)
    user = forms.TypedChoiceField(
        label="Account they sign in with (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Children's social care accounts not linked to anyone yet. The link decides which children "
        "they see: their own, their team's, or their service's.",
        error_messages={"invalid_choice": "Choose an account from the list"},
    )

    def __init__(
        self, *args: Any, teams: Iterable[Team], accounts: Iterable[User], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["team"], ((str(t.pk), f"{t.name} ({t.service.name})") for t in teams), empty="")
        _choices(
            self.fields["user"],
            ((str(u.pk), f"{u.get_full_name() or u.username} ({u.username})") for u in accounts),
            empty="Not linked",
        )
        if not editing:
            # Someone joining has not left: the leaving date is recorded later, from their details page.
            del self.fields["end_date"]
        else:
            self.fields[
                "end_date"
            ].help_text = "Record the date they left. Nobody is deleted: their allocations keep naming them."

    @staticmethod
    def initial_for(worker: StaffMember) -> dict[str, Any]:
        return {
            "first_name": worker.first_name,
            "last_name": worker.last_name,
            "team": worker.team_id,
            "job_role": worker.job_role,
            "fte": worker.fte,
            "is_case_holder": "yes" if worker.is_case_holder else "no",
            "is_agency": "yes" if worker.is_agency else "no",
            "start_date": worker.start_date,
            "end_date": worker.end_date,
            "user": worker.user_id,
            "version": worker.version,
        }
