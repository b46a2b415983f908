"""`openmash data-quality refresh`: the full check from the command line, a named child, and --if-never."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from openmash.casework.models import Referral
from openmash.returns.models import FindingCount

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("data-quality", "refresh", *args, stdout=out)
    return out.getvalue()


def test_the_full_check_records_the_days_counts_once_and_if_never_keeps_them(referral: Referral) -> None:
    # The fixture's child has no UPN and no reason for it (DfE query 8770Q): at least one finding.
    assert "Checked every child" in _run()
    counted = list(FindingCount.objects.values_list("rule", "count"))
    assert ("8770Q", 1) in counted

    assert "checked before: nothing to do" in _run("--if-never")
    assert list(FindingCount.objects.values_list("rule", "count")) == counted


def test_a_named_child_is_checked_and_an_unknown_one_refused(referral: Referral) -> None:
    assert "Checked 1 child(ren)" in _run("--child", referral.child.la_child_id)
    assert not FindingCount.objects.exists()  # one child's check keeps no counts
    with pytest.raises(CommandError, match="No child with LA child ID NOPE"):
        _run("--child", "NOPE")
