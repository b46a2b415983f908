"""The demo borough's scorecard opens fast: `openmash generate`, and `openmash demo-users` after it (as `make run`
does), leave the default scorecard's figures computed for the records as they are."""

from __future__ import annotations

import io
from typing import NoReturn

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from openmash.accounts.models import Agency, Role, User, UserRole
from openmash.performance import registry, scorecard
from openmash.performance.cache import fingerprint
from openmash.performance.models import ComputedFigures

from .conftest import AS_OF


def _recompute(*args: object, **kwargs: object) -> NoReturn:
    raise AssertionError("the scorecard computed its figures while the viewer waited")


@pytest.mark.django_db
def test_the_first_scorecard_after_generate_and_demo_users_reads_computed_figures(
    monkeypatch: pytest.MonkeyPatch, settings: SettingsWrapper
) -> None:
    settings.OPENMASH_DEMO = True
    call_command("generate", "--size", "small", "--seed", "1", "--as-of", AS_OF.isoformat(), "--no-progress",
                 stdout=io.StringIO())  # fmt: skip
    manager = User.objects.create_user(username="tm.scorecard", agency=Agency.CHILDRENS_SOCIAL_CARE)
    UserRole.objects.create(user=manager, role=Role.TEAM_MANAGER)
    today = timezone.localdate()
    with monkeypatch.context() as patched:
        patched.setattr(registry, "figure", _recompute)
        card = scorecard.build(manager)
    assert card.period == scorecard.default_period(today).at(today)
    assert len(card.rows) == len(registry.INDICATORS)
    assert all(len(row.trend) == scorecard.TREND_QUARTERS for row in card.rows)

    before = fingerprint()
    call_command("demo-users", stdout=io.StringIO())
    assert fingerprint() != before  # linking the demo accounts to staff changed the records the figures read
    assert set(ComputedFigures.objects.values_list("fingerprint", flat=True)) == {fingerprint()}
    with monkeypatch.context() as patched:
        patched.setattr(registry, "figure", _recompute)
        again = scorecard.build(manager)
    assert again.period == card.period
    assert len(again.rows) == len(registry.INDICATORS)
