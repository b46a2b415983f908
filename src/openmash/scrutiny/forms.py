"""Forms for the scrutiny pages. The services check every value again; these give the messages by the field."""

from __future__ import annotations

from typing import Any

from django import forms

from openmash.accounts.models import Role, User
from openmash.core.forms import GovDateField
from openmash.performance.models import Snapshot

from .models import CommitteeReport, Evidence, Meeting, Recommendation, Review

DATE_HINT = "For example, 27 3 2026"


def _line(label: str, *, required: bool = False, max_length: int = 200, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "max_length": f"The {label.lower()} must be {max_length:,} characters or fewer",
        },
    )


def _text(label: str, *, required: bool = False, help_text: str = "", max_length: int = 10_000) -> forms.CharField:
    field = _line(label, required=required, max_length=max_length, help_text=help_text)
    field.widget = forms.Textarea()
    return field


class _Version(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)


# The scoping template, in sections: (heading, field names).
SCOPE_SECTIONS = [
    ("The review", ["topic", "committee", "status", "rationale", "purpose", "indicators_of_success"]),
    (
        "How the review will work",
        [
            "methodology",
            "witnesses_planned",
            "documentary_evidence",
            "site_visits_planned",
            "stakeholder_views",
            "publicity",
        ],
    ),
    ("Resources, risks and dates", ["resources", "risks", "start_date", "completion_date"]),
    ("For the report", ["introduction", "other_issues", "conclusion"]),
    ("Contact officer", ["contact_name", "contact_role", "contact_phone", "contact_email"]),
]


class ScopeForm(_Version):
    topic = _line("Review topic", required=True, help_text="The name of the review.")
    committee = _line("Committee", help_text="The overview and scrutiny committee the group reports to.")
    status = forms.ChoiceField(label="Status", choices=Review.Status.choices, initial=Review.Status.SCOPING)
    rationale = _text("Rationale", help_text="The key issues, or why the review was asked for.")
    purpose = _text("Purpose and objectives", help_text="Exactly what the review should achieve.")
    indicators_of_success = _text("Indicators of success", help_text="What would show the review worked.")
    methodology = _text("Methodology and approach", help_text="The kinds of enquiry, and why.")
    witnesses_planned = _text("Witnesses and experts", help_text="Who to hear, and when.")
    documentary_evidence = _text("Documentary evidence", help_text="National and local documents to read.")
    site_visits_planned = _text("Site visits", help_text="Where, and when.")
    stakeholder_views = _text("Views of stakeholders", help_text="Consultation, workshops, focus groups.")
    publicity = _text("Publicity", help_text="How the findings will be made public.")
    resources = _text("Resources", help_text="Staff time and expenditure.")
    risks = _text("Risks, barriers and dangers", help_text="Weaknesses and pitfalls.")
    introduction = _text(
        "Introduction from the chair", help_text="Opens the report: who chaired, and thanks to those who gave evidence."
    )
    other_issues = _text("Other issues considered", help_text="Issues beyond the review's themes.")
    conclusion = _text("Conclusion", help_text="Closes the report, before the recommendations.")
    start_date = GovDateField(label="Projected start date", required=False, help_text=DATE_HINT)
    completion_date = GovDateField(label="Projected completion date", required=False, help_text=DATE_HINT)
    contact_name = _line("Contact officer's name")
    contact_role = _line("Contact officer's role")
    contact_phone = _line("Contact officer's telephone", max_length=40)
    contact_email = forms.EmailField(
        label="Contact officer's email",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address like name@example.gov.uk"},
    )
    contact_email.widget.input_type = "email"

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(heading, [self[name] for name in names]) for heading, names in SCOPE_SECTIONS]


class _CouncillorField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class MemberForm(forms.Form):
    user = _CouncillorField(
        label="Councillor",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not listed: give their name below",
        help_text="A councillor with an account can read the review.",
        error_messages={"invalid_choice": "Choose a councillor from the list"},
    )
    name = _line("Name", help_text="Needed only for a councillor not in the list.")
    is_chair = forms.BooleanField(label="Chair of the group", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(is_active=True, roles__role=Role.SCRUTINY_MEMBER).distinct()


class OfficerForm(forms.Form):
    name = _line("Name", required=True)
    role = _line("Role", required=True, help_text="For example, assistant director or performance lead.")


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label="What was it?",
        choices=Meeting.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of meeting it was"},
    )
    date = GovDateField(label="Date", help_text=DATE_HINT)
    place = _line("Place")
    attendees = _text("Attendees", help_text="Councillors, officers and others present.")
    notes = _text("Notes")


class WitnessForm(forms.Form):
    name = _line("Name", required=True)
    role = _line("Role", required=True)
    organisation = _line("Organisation")
    date_heard = GovDateField(label="Date the evidence was heard", help_text=DATE_HINT)
    summary = _text("Summary of their evidence")


class _SnapshotField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.period_key} (frozen {obj.as_of.day} {obj.as_of:%B %Y})"


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of evidence?",
        choices=Evidence.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of evidence it is"},
    )
    title = _line("Title", help_text="For performance figures, leave blank to name it after the quarter.")
    reference = _line("Reference or link", max_length=500)
    date = GovDateField(label="Date", required=False, help_text="Not needed for performance figures. " + DATE_HINT)
    snapshot = _SnapshotField(
        label="Frozen quarter",
        queryset=Snapshot.objects.none(),
        required=False,
        empty_label="None",
        help_text="For performance figures: the figures as they stood when the quarter was frozen.",
        error_messages={"invalid_choice": "Choose a frozen quarter from the list"},
    )
    theme = _line("Theme", help_text="For example, the MASH or child sexual exploitation.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["snapshot"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Snapshot.objects.order_by("-period_key")


class FindingForm(forms.Form):
    theme = _line("Theme", required=True)
    text = _text("Finding", required=True)


class RecommendationForm(forms.Form):
    text = _text("Recommendation", required=True)


class ResponseForm(_Version):
    response = forms.ChoiceField(
        label="The executive's response",
        choices=[c for c in Recommendation.Response.choices if c[0] != Recommendation.Response.AWAITING],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the executive's response", "invalid_choice": "Choose a response"},
    )
    response_text = _text("Reasons given", required=True)
    response_date = GovDateField(label="Date of the response", help_text=DATE_HINT)


class UpdateReportForm(forms.Form):
    date = GovDateField(label="Date of the update", help_text=DATE_HINT)
    summary = _text("Summary", required=True, max_length=20_000, help_text="Progress on each accepted recommendation.")


_FORMAT_CHOICES = [(f.value, f.label) for f in CommitteeReport.Format]


class ReportForm(forms.Form):
    """Which of a review's reports to make, and as what."""

    kind = forms.ChoiceField(
        label="Report",
        choices=[(k.value, k.label) for k in CommitteeReport.REVIEW_KINDS],
        widget=forms.RadioSelect,
        initial=CommitteeReport.Kind.FINAL,
        error_messages={"required": "Choose which report to make", "invalid_choice": "Choose which report to make"},
    )
    format = forms.ChoiceField(
        label="Format",
        choices=_FORMAT_CHOICES,
        widget=forms.RadioSelect,
        initial=CommitteeReport.Format.PDF,
        error_messages={"required": "Choose PDF, Word or HTML", "invalid_choice": "Choose PDF, Word or HTML"},
    )


class PackForm(forms.Form):
    """The quarterly performance pack: a frozen quarter, and a format."""

    period = forms.ModelChoiceField(
        label="Frozen quarter",
        queryset=Snapshot.objects.order_by("-period_key"),
        to_field_name="period_key",
        empty_label=None,
        error_messages={
            "required": "Choose a frozen quarter",
            "invalid_choice": "Choose a frozen quarter from the list",
        },
    )
    format = forms.ChoiceField(
        label="Format",
        choices=_FORMAT_CHOICES,
        widget=forms.RadioSelect,
        initial=CommitteeReport.Format.PDF,
        error_messages={"required": "Choose PDF, Word or HTML", "invalid_choice": "Choose PDF, Word or HTML"},
    )
