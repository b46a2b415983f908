"""Forms for the MASH's pages. They check the shape of what was typed; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from openmash.accounts.models import Agency
from openmash.core.codes import Ethnicity, PrimaryNeed, ReferralSource, Sex
from openmash.core.forms import GovDateField

from .. import timescales
from ..models import ConsentStatus, Contact, ContactOutcome, ContactRag, LawfulBasis, SharingLevel, YesNoUnknown
from ..services import CHECKING_AGENCIES, MERGEABLE

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
BLANK = [("", "Select")]


def _agency_choices(agencies: Any = Agency) -> list[tuple[str, str]]:
    return [(a.value, a.label) for a in agencies if a != Agency.DEMOCRATIC_SERVICES]


class ChildDetailsForm(forms.Form):
    """The child as the caller describes them: the fields matching reads."""

    first_name = forms.CharField(label="First name", max_length=100, required=False)
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    date_of_birth = GovDateField(label="Date of birth", required=False)
    nhs_number = forms.CharField(label="NHS number", max_length=12, required=False)
    upn = forms.CharField(label="UPN (unique pupil number)", max_length=15, required=False)
    address = forms.CharField(label="Address", max_length=200, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    school = forms.CharField(label="School or nursery", max_length=200, required=False)

    def has_something_to_match(self) -> bool:
        data = self.cleaned_data
        name = f"{data.get('first_name', '')}{data.get('last_name', '')}".strip()
        return len(name) >= 2 or bool(data.get("nhs_number") or data.get("upn"))


class SuggestForm(ChildDetailsForm):
    """What the contact form sends while the child's details are typed (the JSON suggestions)."""


class ContactRecordForm(ChildDetailsForm):
    """A contact taken by phone, email or letter. `child` is the suggestion chosen, if any."""

    field_order = [
        "source",
        "referrer_agency",
        "referrer_name",
        "referrer_role",
        "referrer_phone",
        "referrer_email",
        "first_name",
        "last_name",
        "date_of_birth",
        "nhs_number",
        "upn",
        "address",
        "postcode",
        "school",
        "child",
        "summary",
        "immediate_risk",
        "parents_aware",
        "received_date",
        "received_time",
    ]

    source = forms.ChoiceField(
        label="Who made the contact?",
        choices=BLANK + list(ReferralSource.choices),
        error_messages={"required": "Select who made the contact", "invalid_choice": "Select who made the contact"},
    )
    referrer_agency = forms.ChoiceField(
        label="Their agency (if a professional)",
        choices=[("", "Not a professional"), *_agency_choices()],
        required=False,
    )
    referrer_name = forms.CharField(label="Their name", max_length=200, required=False)
    referrer_role = forms.CharField(label="Job title, or relationship to the child", max_length=200, required=False)
    referrer_phone = forms.CharField(label="Phone number", max_length=40, required=False)
    referrer_email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    child = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    summary = forms.CharField(
        label="What is the concern?",
        widget=forms.Textarea,
        max_length=10_000,
        error_messages={"required": "Describe the concern about the child"},
    )
    immediate_risk = forms.BooleanField(label="The caller believes the child is in danger now", required=False)
    parents_aware = forms.ChoiceField(
        label="Do the parents or carers know about this contact?",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    received_date = GovDateField(label="Date received", required=False, past_only=True)
    received_time = forms.CharField(label="Time received", max_length=5, required=False)

    def clean_received_time(self) -> str:
        value: str = self.cleaned_data["received_time"].strip()
        if value and not _TIME.match(value):
            raise forms.ValidationError("Enter the time received as hours and minutes, like 14:30")
        return value

    def received_at(self) -> dt.datetime | None:
        """When the contact came in, if the practitioner says it was earlier than now."""
        day = self.cleaned_data.get("received_date")
        time = self.cleaned_data.get("received_time") or ""
        found = _TIME.match(time)
        if day is None or found is None:
            return None
        hours, minutes = int(found.group(1)), int(found.group(2))
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hours, minutes)))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("received_time") and not data.get("received_date") and not self.errors.get("received_date"):
            self.add_error("received_date", "Enter the date received as well as the time")
        if data.get("received_date") and not data.get("received_time") and not self.errors.get("received_time"):
            self.add_error("received_time", "Enter the time received, like 14:30")
        return data


class MatchForm(forms.Form):
    """Link an unmatched contact to one of the candidates, as they are or updating their record."""

    child = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[("linked", "linked"), ("merged", "merged")])
    update_fields = forms.MultipleChoiceField(
        label="Details to update on the child's record",
        choices=[(k, k.replace("_", " ")) for k in MERGEABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class NewChildForm(forms.Form):
    """Recording the contact's child as a new child: the register's required facts, prefilled from the contact."""

    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(label="Last name", max_length=100, error_messages={"required": "Enter the last name"})
    date_of_birth = GovDateField(label="Date of birth", required=False, past_only=True)
    expected_date_of_birth = GovDateField(label="Expected date of birth (unborn child)", required=False)
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child's sex", "invalid_choice": "Select the child's sex"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=Ethnicity.choices,
        initial=Ethnicity.NOBT,
        error_messages={"invalid_choice": "Select the child's ethnicity from the list"},
    )
    nhs_number = forms.CharField(label="NHS number", max_length=12, required=False)
    upn = forms.CharField(label="UPN (unique pupil number)", max_length=15, required=False)
    address = forms.CharField(label="Address", max_length=200, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born, expected = data.get("date_of_birth"), data.get("expected_date_of_birth")
        if born is None and expected is None and not self.errors.get("date_of_birth"):
            self.add_error("date_of_birth", "Enter the date of birth or, for an unborn child, the expected date")
        return data


def _rag_choices() -> list[tuple[str, str]]:
    words = timescales.describe()
    return [(r.value, f"{r.label}: decide within {words[r]}") for r in ContactRag]


class RateForm(forms.Form):
    rag = forms.ChoiceField(
        label="How urgent is this contact?",
        widget=forms.RadioSelect,
        choices=[],
        error_messages={"required": "Select red, amber or green", "invalid_choice": "Select red, amber or green"},
    )
    reason = forms.CharField(
        label="Why this rating?",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Say why you gave this rating"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rag"].choices = _rag_choices()  # type: ignore[attr-defined]


class RequestsForm(forms.Form):
    agencies = forms.MultipleChoiceField(
        label="Which agencies should check their records?",
        choices=[(a.value, a.label) for a in CHECKING_AGENCIES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one agency", "invalid_choice": "Select agencies from the list"},
    )
    question = forms.CharField(
        label="What should they look for? (optional)",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )


SHARE_ROWS = 3


class DecisionForm(forms.Form):
    """The decision, its conditional details, what is shared back with agencies, and what the referrer is told."""

    outcome = forms.ChoiceField(
        label="What happens next?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happens next", "invalid_choice": "Select what happens next"},
    )
    early_help_support = forms.CharField(
        label="The early help agreed: who will do what", widget=forms.Textarea, max_length=5000, required=False
    )
    early_help_lead = forms.ChoiceField(
        label="Lead agency for the early help", choices=_agency_choices(), initial=Agency.EARLY_HELP, required=False
    )
    primary_need = forms.ChoiceField(
        label="The child's primary need",
        choices=BLANK + [c for c in PrimaryNeed.choices if c[0] != PrimaryNeed.NOT_STATED],
        required=False,
    )
    rationale = forms.CharField(
        label="Reasons for the decision",
        widget=forms.Textarea,
        max_length=10_000,
        error_messages={"required": "Give the reasons for the decision"},
    )
    outcome_for_referrer = forms.CharField(
        label="What the referrer is told", widget=forms.Textarea, max_length=2000, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, SHARE_ROWS + 1):
            self.fields[f"share_{i}_agency"] = forms.ChoiceField(
                label="Agency", choices=BLANK + _agency_choices(), required=False
            )
            self.fields[f"share_{i}_recipient"] = forms.CharField(
                label="Person or team (optional)", max_length=200, required=False
            )
            self.fields[f"share_{i}_shared"] = forms.CharField(
                label="What is shared", widget=forms.Textarea, max_length=5000, required=False
            )
            self.fields[f"share_{i}_purpose"] = forms.CharField(label="Why", max_length=300, required=False)
            self.fields[f"share_{i}_basis"] = forms.ChoiceField(
                label="Lawful basis", choices=BLANK + list(LawfulBasis.choices), required=False
            )
            self.fields[f"share_{i}_consent"] = forms.ChoiceField(
                label="Consent", choices=BLANK + list(ConsentStatus.choices), required=False
            )

    def share_rows(self) -> list[list[forms.BoundField]]:
        names = ("agency", "recipient", "shared", "purpose", "basis", "consent")
        return [[self[f"share_{i}_{n}"] for n in names] for i in range(1, SHARE_ROWS + 1)]

    def more_rows_used(self) -> bool:
        """Whether the rows after the first hold anything (so they are shown open)."""
        if not self.is_bound:
            return False
        return any(
            self.data.get(self.add_prefix(f"share_{i}_{n}")) or self.errors.get(f"share_{i}_{n}")
            for i in range(2, SHARE_ROWS + 1)
            for n in ("agency", "recipient", "shared", "purpose", "basis", "consent")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        if outcome == Contact.Outcome.EARLY_HELP and not (data.get("early_help_support") or "").strip():
            self.add_error("early_help_support", "Describe the early help agreed: who will do what")
        if outcome in (Contact.Outcome.REFERRAL, Contact.Outcome.STRATEGY) and not data.get("primary_need"):
            self.add_error("primary_need", "Select the child's primary need")
        for i in range(1, SHARE_ROWS + 1):
            values = {n: data.get(f"share_{i}_{n}") for n in ("agency", "recipient", "shared", "purpose", "basis")}
            values["consent"] = data.get(f"share_{i}_consent")
            if not any(values.values()):
                continue
            for name, message in (
                ("agency", "Select the agency it is shared with"),
                ("shared", "Say what is shared"),
                ("purpose", "Say why it is shared"),
                ("basis", "Select the lawful basis for sharing"),
                ("consent", "Say whether consent was given"),
            ):
                if not values[name] and not self.errors.get(f"share_{i}_{name}"):
                    self.add_error(f"share_{i}_{name}", message)
        return data


class AnswerForm(forms.Form):
    summary = forms.CharField(
        label="What does your agency know?",
        widget=forms.Textarea,
        max_length=10_000,
        error_messages={"required": "Enter what your agency knows (or that it holds nothing)"},
    )
    sharing_level = forms.ChoiceField(
        label="Who may read your answer?",
        choices=SharingLevel.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who may read your answer",
            "invalid_choice": "Select who may read your answer",
        },
    )
    shared_with = forms.MultipleChoiceField(
        label="Agencies to share with",
        choices=_agency_choices(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select agencies from the list"},
    )

    def __init__(self, *args: Any, agency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Their own agency always sees its answer, so it is not offered.
        self.fields["shared_with"].choices = [  # type: ignore[attr-defined]
            c for c in _agency_choices() if c[0] != agency
        ]
