"""The partner API's request and response bodies. The OpenAPI schema is generated from these.

Requests are strict: an unknown field, a value of the wrong type or a date not written YYYY-MM-DD is refused
with a message naming the field, rather than guessed at. Lengths match what the front door stores.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StringConstraints, WithJsonSchema

from openmash.front_door.models import ContactAdultRole, SharingLevel, YesNoUnknown

from .selectors import ContactStatus

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _storable(value: str) -> str:
    """Text the database can hold: PostgreSQL refuses NUL, and a lone surrogate is not UTF-8."""
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode") from None
    return value


def _iso_date(value: object) -> object:
    # Lax parsing would take a number as a timestamp; a partner's system sends dates as YYYY-MM-DD.
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("Enter the date as YYYY-MM-DD, for example 2015-03-27")
    return value


def _not_in_future(value: dt.date | None) -> dt.date | None:
    if value is not None and value > timezone.localdate():
        raise ValueError("The date of birth cannot be in the future")
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Enter an email address like name@example.org") from None
    return value


Storable = AfterValidator(_storable)
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Name = Annotated[str, StringConstraints(max_length=100), Storable]
Line = Annotated[str, StringConstraints(max_length=200), Storable]
Phone = Annotated[str, StringConstraints(max_length=40), Storable]
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    Storable,
    AfterValidator(_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]
RequiredLine = Annotated[str, StringConstraints(min_length=1, max_length=200), Storable]
Concern = Annotated[str, StringConstraints(min_length=10, max_length=10_000), Storable]
Answer = Annotated[str, StringConstraints(min_length=1, max_length=10_000), Storable]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ChildIn(Strict):
    """The child as your records describe them. Give as much as you know: at least a first or last name."""

    first_name: Name = ""
    last_name: Name = ""
    date_of_birth: IsoDate | None = Field(None, description="YYYY-MM-DD; an unborn child's expected date")
    nhs_number: Annotated[str, StringConstraints(max_length=12, pattern=r"^[0-9 ]*$")] = Field(
        "", description="10 digits, spaces allowed"
    )
    upn: Annotated[str, StringConstraints(max_length=16, pattern=r"^[A-Za-z0-9 ]*$")] = Field(
        "", description="The school's Unique Pupil Number, 13 characters"
    )
    address: Line = ""
    postcode: Annotated[str, StringConstraints(max_length=10, pattern=r"^[A-Za-z0-9 ]*$")] = ""
    school: Line = ""
    age: int | None = Field(
        None, ge=0, le=17, strict=True, description="Age in years, when you do not know the date of birth"
    )


class ReferrerIn(Strict):
    """The professional making the contact, whom the MASH may call back."""

    name: RequiredLine
    role: Line = Field("", description="Job title")
    email: Email = ""
    phone: Phone = ""


class AdultIn(Strict):
    """An adult involved: a parent or carer, someone in the household, or the person alleged to have caused harm."""

    first_name: Name = ""
    last_name: Name = ""
    role: ContactAdultRole
    date_of_birth: Annotated[IsoDate | None, AfterValidator(_not_in_future)] = None


class ContactIn(Strict):
    """A contact: a concern about a child, sent to the MASH."""

    child: ChildIn
    concern: Concern = Field(..., description="What has happened and why you are worried about the child")
    immediate_risk: bool = Field(False, strict=True, description="You believe the child is in danger now")
    parents_aware: YesNoUnknown | None = Field(None, description="Whether the parents or carers know of the contact")
    referrer: ReferrerIn
    adults: list[AdultIn] = Field(default_factory=list, max_length=20)


class ContactReceived(Schema):
    reference: str = Field(..., description="The MASH's reference for the contact; quote it when you call")
    received_at: dt.datetime


class ReportedChild(Schema):
    first_name: str
    last_name: str
    date_of_birth: dt.date | None


class ContactSummary(Schema):
    """One of your agency's contacts, with what the MASH may tell you of the outcome."""

    reference: str
    received_at: dt.datetime
    channel: str = Field(..., description="api (sent by your system) or professional (the referral form)")
    child: ReportedChild = Field(..., description="The child as your agency described them")
    status: ContactStatus = Field(
        ..., description="received: not yet looked at; under_review: the MASH is working on it; decided"
    )
    decided_at: dt.datetime | None
    outcome: str | None = Field(None, description="What the MASH tells the referrer about its decision")


class ReportedChildDetail(ReportedChild):
    nhs_number: str
    upn: str
    address: str
    postcode: str
    school: str
    age: int | None


class ContactDetail(ContactSummary):
    child: ReportedChildDetail
    concern: str
    immediate_risk: bool
    referrer_name: str


class ContactPage(Schema):
    count: int = Field(..., description="How many contacts match, on every page")
    page: int
    pages: int
    results: list[ContactSummary]


class RequestChild(Schema):
    """The child the MASH asks about, as needed to find them in your records."""

    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    nhs_number: str
    upn: str
    address: str
    postcode: str


class InformationRequestOut(Schema):
    id: int
    requested_at: dt.datetime
    due_at: dt.datetime
    overdue: bool
    question: str = Field(..., description="Anything in particular the MASH wants your agency to check")
    child: RequestChild


class InformationRequestPage(Schema):
    count: int
    page: int
    pages: int
    results: list[InformationRequestOut]


# Agencies an answer may be shared with (councillors' democratic services never see a child).
ShareAgency = Literal["csc", "police", "health", "education", "probation", "housing", "youth_justice", "early_help"]


class AnswerIn(Strict):
    """Your agency's answer, and who may read it."""

    answer: Answer = Field(..., description="What your agency knows about the child, or that it holds nothing")
    sharing_level: SharingLevel = Field(
        ...,
        description="mash_only: MASH practitioners only; safeguarding: the MASH and the child's social care "
        "team; partners: those and the agencies named in shared_with",
    )
    shared_with: list[ShareAgency] = Field(
        default_factory=list, max_length=10, description="Only with sharing_level partners"
    )


class AnswerRecorded(Schema):
    id: int
    status: Literal["answered"]
    answered_at: dt.datetime
    sharing_level: SharingLevel
    shared_with: list[str]


class FieldProblem(Schema):
    field: str = Field(..., description="Where the problem is, e.g. child.date_of_birth")
    message: str


class Problem(Schema):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = Field(default_factory=list)
