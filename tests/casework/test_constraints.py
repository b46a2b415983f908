"""What the casework services promise, the database holds too: an ORM write that breaks it is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from openmash.casework.models import Referral
from openmash.people.models import Child

D = dt.date


def test_a_child_has_one_open_referral(referral: Referral, child: Child) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(child=child, referral_date=D(2024, 6, 1), source="6", primary_need="N1")
    Referral.objects.filter(pk=referral.pk).update(closure_date=D(2024, 5, 31), closure_reason="RC7")
    again = Referral.objects.create(child=child, referral_date=D(2024, 6, 1), source="6", primary_need="N1")
    assert again.is_open


def test_a_referral_has_a_primary_need_unless_no_further_action(child: Child) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(child=child, referral_date=D(2024, 6, 1), source="6")
    nfa = Referral.objects.create(child=child, referral_date=D(2024, 6, 1), source="6", no_further_action=True)
    assert nfa.primary_need == ""
