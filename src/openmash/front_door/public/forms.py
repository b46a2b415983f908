"""The ways-in forms: the public report, the professional referral and the referrer survey.

Both contact forms ask the same questions about the child; each adds its own (the public say how they know
the child and may stay anonymous; professionals give their role and the child's identifiers). Answers
travel between the form and the check-your-answers page as the raw text typed (`raw_answers`), so going
back to change one shows exactly what was typed, and the check page validates them again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from openmash.casework.children import normalise_postcode
from openmash.core.codes import ReferralSource
from openmash.core.dates import long_date
from openmash.core.forms import GovDateField
from openmash.front_door.models import ContactAdultRole, YesNoUnknown
from openmash.front_door.services import PUBLIC_SOURCES, Referrer, ReportedAdult, ReportedChild, SurveyAnswers
from openmash.people.identifiers import valid_nhs_number, valid_upn

ADULT_SLOTS = 3
YES_NO = [("yes", "Yes"), ("no", "No")]
# A UK postcode, loosely: outward code, one space, inward code (after normalise_postcode).
POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")

PUBLIC_SOURCE_CHOICES = [
    (ReferralSource.FAMILY.value, "I am in their family, or I look after them"),
    (ReferralSource.ACQUAINTANCE.value, "I know them or their family (for example a neighbour, friend or childminder)"),
    (ReferralSource.SELF.value, "It is about me"),
    (ReferralSource.INDIVIDUAL_OTHER.value, "Another way (for example, I saw something happen)"),
    (ReferralSource.ANONYMOUS.value, "I would rather not say"),
]
assert {c for c, _ in PUBLIC_SOURCE_CHOICES} == {str(s) for s in PUBLIC_SOURCES}

PUBLIC_ADULT_ROLES = [
    ("", "Select how they are involved"),
    (ContactAdultRole.PARENT_OR_CARER.value, "Parent or carer"),
    (ContactAdultRole.HOUSEHOLD_MEMBER.value, "Lives with the child"),
    (ContactAdultRole.ALLEGED_PERPETRATOR.value, "May have harmed the child"),
]
PROFESSIONAL_ADULT_ROLES = [("", "Select how they are involved"), *ContactAdultRole.choices]


def _text(label: str, *, max_length: int, required: bool = False, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


def _too_long(max_length: int) -> dict[str, str]:
    return {"max_length": f"Must be {max_length:,} characters or fewer"}


@dataclass(frozen=True)
class Answer:
    """One row of check your answers: the question, the answer as text, and the field to change it."""

    question: str
    answer: str
    field_id: str


class ConcernForm(forms.Form):
    """The questions about the child that every way in asks."""

    adult_roles: list[tuple[str, str]] = PUBLIC_ADULT_ROLES
    adult_date_of_birth = False

    immediate_risk = forms.ChoiceField(
        label="Is the child in danger right now?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if the child is in danger right now"},
    )
    subject_first_name = _text("First name", max_length=100, error_messages=_too_long(100))
    subject_last_name = _text("Last name", max_length=100, error_messages=_too_long(100))
    subject_date_of_birth = GovDateField(label="Date of birth", required=False)
    subject_age = forms.IntegerField(
        label="Age",
        required=False,
        min_value=0,
        max_value=17,
        error_messages={
            "invalid": "Enter the child's age as a number, like 7",
            "min_value": "The age must be between 0 and 17",
            "max_value": "The age must be between 0 and 17: this form is for concerns about children",
        },
    )
    subject_address = _text("Address", max_length=200, widget=forms.Textarea, error_messages=_too_long(200))
    subject_postcode = _text("Postcode", max_length=10, error_messages=_too_long(10))
    subject_school = _text("School, college or nursery", max_length=200, error_messages=_too_long(200))
    summary = forms.CharField(
        label="What is worrying you about the child?",
        max_length=10_000,
        widget=forms.Textarea,
        error_messages={
            "required": "Describe what is worrying you about the child",
            "max_length": "The description must be 10,000 characters or fewer",
        },
    )
    parents_aware = forms.ChoiceField(
        label="Do the child's parents or carers know you are contacting us?",
        choices=[
            (YesNoUnknown.YES.value, "Yes"),
            (YesNoUnknown.NO.value, "No"),
            (YesNoUnknown.UNKNOWN.value, "I do not know"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the child's parents or carers know"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, ADULT_SLOTS + 1):
            self.fields[f"adult_{n}_first_name"] = _text("First name", max_length=100, error_messages=_too_long(100))
            self.fields[f"adult_{n}_last_name"] = _text("Last name", max_length=100, error_messages=_too_long(100))
            if self.adult_date_of_birth:
                self.fields[f"adult_{n}_date_of_birth"] = GovDateField(
                    label="Date of birth", required=False, past_only=True
                )
            self.fields[f"adult_{n}_role"] = forms.ChoiceField(
                label="How are they involved?", choices=self.adult_roles, required=False
            )

    def adult_fields(self) -> list[tuple[int, list[forms.BoundField]]]:
        """Each adult's inputs, for the template: first name, last name, (date of birth,) role."""
        parts = ["first_name", "last_name", *(["date_of_birth"] if self.adult_date_of_birth else []), "role"]
        return [(n, [self[f"adult_{n}_{part}"] for part in parts]) for n in range(1, ADULT_SLOTS + 1)]

    def more_adults_given(self) -> bool:
        """Whether anything was typed (or is wrong) about the second adult onwards, which start folded away."""
        for _n, fields in self.adult_fields()[1:]:
            for bound in fields:
                value = bound.value()
                parts = value if isinstance(value, list | tuple) else [value]
                if bound.errors or any(str(part or "").strip() for part in parts):
                    return True
        return False

    # Raw answers, for the session and for drafts --------------------------------------------------

    def data_names(self) -> frozenset[str]:
        """The names the form's inputs post under (a date input posts three)."""
        names: set[str] = set()
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.MultiWidget):
                suffixes: list[str] = widget.widgets_names  # type: ignore[attr-defined]  # not in django-stubs
                names.update(f"{name}{suffix}" for suffix in suffixes)
            else:
                names.add(name)
        return frozenset(names)

    def raw_answers(self) -> dict[str, str]:
        """What was posted for this form's inputs, as text."""
        return {name: str(self.data.get(name, "")) for name in sorted(self.data_names()) if name in self.data}

    @classmethod
    def initial_from(cls, raw: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Initial values that show the raw answers as typed (for a form shown unbound, without errors)."""
        form = cls(**kwargs)
        clean = {k: str(v) for k, v in raw.items() if isinstance(v, str | int)}
        return {name: field.widget.value_from_datadict(clean, {}, name) for name, field in form.fields.items()}

    # Validation -----------------------------------------------------------------------------------

    def clean_subject_first_name(self) -> str:
        return " ".join(self.cleaned_data["subject_first_name"].split())

    def clean_subject_last_name(self) -> str:
        return " ".join(self.cleaned_data["subject_last_name"].split())

    def clean_subject_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["subject_postcode"])
        if postcode and not POSTCODE.fullmatch(postcode):
            raise forms.ValidationError("Enter a real postcode, like SW1A 1AA")
        return postcode

    def clean_subject_date_of_birth(self) -> dt.date | None:
        born: dt.date | None = self.cleaned_data.get("subject_date_of_birth")
        if born is None:
            return None
        today = timezone.localdate()
        if born > today + dt.timedelta(days=280):
            raise forms.ValidationError("The date of birth is too far in the future")
        if born < today.replace(year=today.year - 19):
            raise forms.ValidationError("The date of birth is for an adult: this form is for concerns about children")
        return born

    def clean_summary(self) -> str:
        summary: str = self.cleaned_data["summary"].strip()
        if len(summary) < 10:
            raise forms.ValidationError("Tell us more about what is worrying you (at least 10 characters)")
        return summary

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name_errors = self.errors.get("subject_first_name") or self.errors.get("subject_last_name")
        if not name_errors and not data.get("subject_first_name") and not data.get("subject_last_name"):
            self.add_error("subject_first_name", "Enter the child's name, or as much of it as you know")
        for n in range(1, ADULT_SLOTS + 1):
            named = data.get(f"adult_{n}_first_name") or data.get(f"adult_{n}_last_name")
            role = data.get(f"adult_{n}_role")
            born = data.get(f"adult_{n}_date_of_birth")
            if named and not role:
                self.add_error(f"adult_{n}_role", f"Select how adult {n} is involved")
            elif (role or born) and not named:
                self.add_error(f"adult_{n}_first_name", f"Enter a name for adult {n}, or as much of it as you know")
        return data

    # For the services and the check page ----------------------------------------------------------

    def reported_child(self) -> ReportedChild:
        d = self.cleaned_data
        return ReportedChild(
            first_name=d["subject_first_name"],
            last_name=d["subject_last_name"],
            date_of_birth=d.get("subject_date_of_birth"),
            nhs_number=d.get("subject_nhs_number", ""),
            upn=d.get("subject_upn", ""),
            address=d["subject_address"].strip(),
            postcode=d["subject_postcode"],
            school=d["subject_school"].strip(),
            age=d.get("subject_age"),
        )

    def reported_adults(self) -> list[ReportedAdult]:
        d = self.cleaned_data
        return [
            ReportedAdult(
                first_name=d[f"adult_{n}_first_name"].strip(),
                last_name=d[f"adult_{n}_last_name"].strip(),
                role=d[f"adult_{n}_role"],
                date_of_birth=d.get(f"adult_{n}_date_of_birth"),
            )
            for n in range(1, ADULT_SLOTS + 1)
            if d.get(f"adult_{n}_role")
        ]

    def immediate_risk_given(self) -> bool:
        return self.cleaned_data["immediate_risk"] == "yes"

    def _choice_label(self, name: str) -> str:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        value = self.cleaned_data.get(name, "")
        return str(dict(field.choices).get(value, ""))  # type: ignore[arg-type]

    def child_answers(self) -> list[Answer]:
        d = self.cleaned_data
        name = " ".join(p for p in (d["subject_first_name"], d["subject_last_name"]) if p)
        born = d.get("subject_date_of_birth")
        age = d.get("subject_age")
        rows = [
            Answer("Is the child in danger right now?", self._choice_label("immediate_risk"), "id_immediate_risk"),
            Answer("The child's name", name, "id_subject_first_name"),
            Answer("Date of birth", long_date(born) if born else "Not given", "id_subject_date_of_birth_0"),
            Answer("Age", str(age) if age is not None else "Not given", "id_subject_age"),
        ]
        if "subject_nhs_number" in self.fields:
            rows += [
                Answer("NHS number", d["subject_nhs_number"] or "Not given", "id_subject_nhs_number"),
                Answer("Unique pupil number (UPN)", d["subject_upn"] or "Not given", "id_subject_upn"),
            ]
        rows += [
            Answer("Address", d["subject_address"].strip() or "Not given", "id_subject_address"),
            Answer("Postcode", d["subject_postcode"] or "Not given", "id_subject_postcode"),
            Answer("School, college or nursery", d["subject_school"].strip() or "Not given", "id_subject_school"),
            Answer("What is worrying you", d["summary"], "id_summary"),
            Answer("Do the parents or carers know?", self._choice_label("parents_aware"), "id_parents_aware"),
        ]
        return rows

    def adult_answers(self) -> list[Answer]:
        rows = []
        roles = dict(self.adult_roles)
        for n, adult in enumerate(self.reported_adults(), start=1):
            text = f"{adult.first_name} {adult.last_name}".strip() + f" ({roles.get(str(adult.role), '')})"
            if adult.date_of_birth:
                text += f", born {long_date(adult.date_of_birth)}"
            rows.append(Answer(f"Adult {n}", text, f"id_adult_{n}_first_name"))
        if not rows:
            rows.append(Answer("Adults involved", "None given", "id_adult_1_first_name"))
        return rows


class PublicReportForm(ConcernForm):
    """Report a concern about a child: for anyone, no account needed."""

    source = forms.ChoiceField(
        label="How do you know the child?",
        choices=PUBLIC_SOURCE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you know the child"},
    )
    referrer_name = _text("Your name", max_length=200, error_messages=_too_long(200))
    referrer_phone = _text("Phone number", max_length=40, error_messages=_too_long(40))
    referrer_email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    # The honeypot: people never see it (nor do screen readers, nor the keyboard); a bot filling every input
    # fills it too.
    website = forms.CharField(required=False)

    field_order = [
        "immediate_risk",
        "subject_first_name",
        "subject_last_name",
        "subject_date_of_birth",
        "subject_age",
        "subject_address",
        "subject_postcode",
        "subject_school",
        "summary",
        "source",
        "parents_aware",
    ]

    def clean_referrer_phone(self) -> str:
        phone = " ".join(self.cleaned_data["referrer_phone"].split())
        if phone and (sum(ch.isdigit() for ch in phone) < 6 or not re.fullmatch(r"[0-9 +()\-]+", phone)):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
        return phone

    def referrer(self) -> Referrer:
        d = self.cleaned_data
        return Referrer(name=d["referrer_name"].strip(), phone=d["referrer_phone"], email=d["referrer_email"])

    def caught_by_honeypot(self) -> bool:
        return bool(self.cleaned_data.get("website", "").strip())

    def reporter_answers(self) -> list[Answer]:
        d = self.cleaned_data
        return [
            Answer("How you know the child", self._choice_label("source"), "id_source"),
            Answer("Your name", d["referrer_name"].strip() or "Not given", "id_referrer_name"),
            Answer("Phone number", d["referrer_phone"] or "Not given", "id_referrer_phone"),
            Answer("Email address", d["referrer_email"] or "Not given", "id_referrer_email"),
        ]


class ReferForm(ConcernForm):
    """The professional referral: the same questions, the child's identifiers, and the referrer's role."""

    adult_roles = PROFESSIONAL_ADULT_ROLES
    adult_date_of_birth = True

    subject_nhs_number = _text("NHS number", max_length=12, error_messages=_too_long(12))
    subject_upn = _text("Unique pupil number (UPN)", max_length=16, error_messages=_too_long(16))
    referrer_role = _text(
        "Your job title",
        max_length=200,
        required=True,
        error_messages={"required": "Enter your job title", **_too_long(200)},
    )
    referrer_phone = _text(
        "Phone number",
        max_length=40,
        required=True,
        error_messages={"required": "Enter a phone number the MASH can reach you on", **_too_long(40)},
    )

    field_order = [
        "immediate_risk",
        "subject_first_name",
        "subject_last_name",
        "subject_date_of_birth",
        "subject_age",
        "subject_nhs_number",
        "subject_upn",
        "subject_address",
        "subject_postcode",
        "subject_school",
        "summary",
        "parents_aware",
    ]

    def clean_subject_nhs_number(self) -> str:
        nhs = "".join(self.cleaned_data["subject_nhs_number"].split())
        if nhs and not valid_nhs_number(nhs):
            raise forms.ValidationError("Enter a valid NHS number: 10 digits, like 943 476 5919")
        return nhs

    def clean_subject_upn(self) -> str:
        upn = "".join(self.cleaned_data["subject_upn"].split()).upper()
        if upn and not valid_upn(upn):
            raise forms.ValidationError("Enter a valid UPN: a letter and 12 more characters, like A123456789012")
        return upn

    def clean_referrer_phone(self) -> str:
        phone = " ".join(self.cleaned_data["referrer_phone"].split())
        if sum(ch.isdigit() for ch in phone) < 6 or not re.fullmatch(r"[0-9 +()\-]+", phone):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
        return phone

    def referrer_answers(self) -> list[Answer]:
        d = self.cleaned_data
        return [
            Answer("Your job title", d["referrer_role"].strip(), "id_referrer_role"),
            Answer("Phone number", d["referrer_phone"], "id_referrer_phone"),
        ]


SCALE = [("1", "1"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5")]


def _scale(label: str, low: str, high: str, *, required: bool = False) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=f"1 is {low}, 5 is {high}",
        choices=[(v, f"{v} – {low}" if v == "1" else f"{v} – {high}" if v == "5" else v) for v, _ in SCALE],
        coerce=int,
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a number from 1 to 5", "invalid_choice": "Choose a number from 1 to 5"},
    )


def _yes_no(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select yes or no"},
    )


class SurveyForm(forms.Form):
    """The referrer survey (front-door notes, section 6): four 1 to 5 scales, three yes/no questions, comments."""

    acknowledged_in_time = _yes_no("Did we tell you we had your referral within one working day?")
    ease = _scale("How easy was it to make the referral?", "very hard", "very easy")
    spoke_to_social_worker = _yes_no("Did you speak to a qualified social worker about it?")
    told_outcome = _yes_no("Did we tell you what we decided?")
    explained_clearly = _scale("How clearly did we explain our decision?", "not at all clearly", "very clearly")
    agree_with_decision = _scale("How much do you agree with our decision?", "not at all", "completely")
    overall = _scale("Overall, how satisfied are you?", "very dissatisfied", "very satisfied", required=True)
    comments = forms.CharField(
        label="Is there anything else you want to tell us? (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"max_length": "Comments must be 5,000 characters or fewer"},
    )

    def answers(self) -> SurveyAnswers:
        d = self.cleaned_data
        return SurveyAnswers(
            acknowledged_in_time=d["acknowledged_in_time"],
            ease=d["ease"],
            spoke_to_social_worker=d["spoke_to_social_worker"],
            told_outcome=d["told_outcome"],
            explained_clearly=d["explained_clearly"],
            agree_with_decision=d["agree_with_decision"],
            overall=d["overall"],
            comments=d["comments"],
        )
