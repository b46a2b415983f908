"""What the protection services promise, the database holds too: an ORM write that breaks it is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from openmash.casework.models import Referral
from openmash.protection.models import Section47Enquiry

D = dt.date


def test_a_referral_has_one_section_47_enquiry_waiting_for_its_conference(referral: Referral) -> None:
    first = Section47Enquiry.objects.create(referral=referral, start_date=D(2024, 5, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Section47Enquiry.objects.create(referral=referral, start_date=D(2024, 5, 3))
    # Once the first has its conference, or is found to need none, another may start.
    Section47Enquiry.objects.filter(pk=first.pk).update(conference_date=D(2024, 5, 20))
    second = Section47Enquiry.objects.create(referral=referral, start_date=D(2024, 6, 3))
    Section47Enquiry.objects.filter(pk=second.pk).update(conference_not_required=True)
    Section47Enquiry.objects.create(referral=referral, start_date=D(2024, 7, 1))
    assert referral.section47s.count() == 3
