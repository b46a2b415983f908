"""The accessibility harness itself must catch what it promises to catch."""

from __future__ import annotations

import pytest

from .conftest import AccessibilityFailure, Ui

pytestmark = pytest.mark.e2e


def test_a_serious_violation_fails_the_check(ui: Ui) -> None:
    ui.page.set_content('<html lang="en"><title>x</title><main><img src="data:,"><input type="text"></main></html>')
    ui.navigations += 1  # set_content is not a navigation; count it so check() runs
    with pytest.raises(AccessibilityFailure) as failure:
        ui.check()
    assert "image-alt" in str(failure.value)
    assert "label" in str(failure.value)
