"""Form pieces shared by every area: the GOV.UK date input (day, month and year in three fields).

Render any field with `{% include "includes/govuk/field.html" with field=form.name %}`: it picks the GOV.UK
component from the widget (text, textarea, select, radios, checkboxes, a single checkbox, the date input).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class GovDateWidget(forms.MultiWidget):
    """Three text boxes, named <name>_day, <name>_month and <name>_year, as the GOV.UK date input."""

    template_name = "includes/govuk/date_widget.html"
    is_govuk_date = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric", "class": "govuk-input govuk-date-input__input"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(attrs={**box, "class": box["class"] + " govuk-input--width-2"}),
            "month": forms.TextInput(attrs={**box, "class": box["class"] + " govuk-input--width-2"}),
            "year": forms.TextInput(attrs={**box, "class": box["class"] + " govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def id_for_label(self, id_: str) -> str:
        # Labels and the error summary point at the day box, as the design system does.
        return f"{id_}_0" if id_ else ""

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovDateField(forms.MultiValueField):
    """A date from the GOV.UK date input, with the design system's error messages.

    `label` is used in the messages ("Date of birth must include a month"). Leading zeros and spaces are
    allowed; two-digit years are not (they are ambiguous for dates of birth).
    """

    widget = GovDateWidget

    def __init__(self, *, required: bool = True, past_only: bool = False, **kwargs: Any) -> None:
        self.past_only = past_only
        parts = (
            forms.CharField(required=False, max_length=10),
            forms.CharField(required=False, max_length=10),
            forms.CharField(required=False, max_length=10),
        )
        super().__init__(parts, required=required, require_all_fields=False, **kwargs)

    def _name(self) -> str:
        return str(self.label or "Date")

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any((p or "").strip() for p in data_list):
            if self.required:
                raise ValidationError(f"Enter the {self._name().lower()}", code="required")
            return None
        day, month, year = ((p or "").strip() for p in data_list)
        missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise ValidationError(f"{self._name()} must include a {' and a '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"{self._name()} must be a real date", code="invalid")
        try:
            value = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self._name()} must be a real date", code="invalid") from None
        if value.year < 1900:
            raise ValidationError(f"{self._name()} must be a real date", code="invalid")
        if self.past_only and value > timezone.localdate():
            raise ValidationError(f"{self._name()} must be today or in the past", code="future")
        return value

    def clean(self, value: Any) -> Any:
        # Any part may be blank; compress() says which part is missing.
        if isinstance(value, list | tuple):
            return self.compress([str(v) if v is not None else "" for v in value])
        return super().clean(value)
