"""The GOV.UK date input: three boxes, the design system's messages, and an error summary that links to
the day box."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.template.loader import render_to_string

from openmash.core.forms import GovDateField


class DateForm(forms.Form):
    date_of_birth = GovDateField(label="Date of birth", past_only=True)
    seen_on = GovDateField(label="Date seen", required=False)


def _form(day: str, month: str, year: str) -> DateForm:
    return DateForm({"date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year})


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("", "", ""), "Enter the date of birth"),
        (("1", "", "2020"), "Date of birth must include a month"),
        (("", "", "2020"), "Date of birth must include a day and a month"),
        (("31", "2", "2020"), "Date of birth must be a real date"),
        (("1", "2", "20"), "Date of birth must be a real date"),
        (("x", "2", "2020"), "Date of birth must be a real date"),
        (("1", "1", "2999"), "Date of birth must be today or in the past"),
    ],
)
def test_each_mistake_gets_its_own_message(parts: tuple[str, str, str], message: str) -> None:
    form = _form(*parts)
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_a_real_date_with_spaces_and_leading_zeros_is_accepted() -> None:
    form = _form(" 04", "03 ", "2019")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == dt.date(2019, 3, 4)
    assert form.cleaned_data["seen_on"] is None


def test_the_three_boxes_keep_what_was_typed_and_the_summary_links_to_the_day_box() -> None:
    form = _form("31", "2", "2020")
    form.is_valid()
    html = render_to_string("includes/govuk/field.html", {"field": form["date_of_birth"]})
    assert 'name="date_of_birth_day"' in html
    assert 'value="31"' in html
    assert 'id="id_date_of_birth_0"' in html
    summary = render_to_string("includes/error_summary.html", {"form": form})
    assert 'href="#id_date_of_birth_0"' in summary
