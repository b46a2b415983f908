"""Browser tests: Playwright driving Debian's Chromium against a live server.

Every page a test visits is checked with axe-core (served from tests/e2e/vendor, never a CDN):
any serious or critical WCAG 2.2 A/AA violation fails the test, and so does any Content Security
Policy violation or script error on the page. Tests drive pages through `Ui`, which checks the
page it is on before each action and at the end, and counts navigations so none goes unchecked.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, ConsoleMessage, Frame, Page, sync_playwright

CHROMIUM = os.environ.get("OPENMASH_CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Flags that keep Chromium off the network and quiet in a sandbox without a display.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


class AccessibilityFailure(AssertionError):
    pass


class Ui:
    """A page plus the checks every visited page must pass."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.navigations = 0
        self.checked: list[str] = []
        self._checked_navigation = -1
        self.problems: list[str] = []
        self.unchecked: list[str] = []
        self._last_url = ""
        page.on("framenavigated", self._on_navigation)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))

    def _on_navigation(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            if self.navigations and self._checked_navigation != self.navigations:
                self.unchecked.append(self._last_url)
            self.navigations += 1
            self._last_url = frame.url

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            self.problems.append(f"CSP: {text}")

    def check(self) -> None:
        """Run axe on the current page once per navigation; raise on serious or critical issues."""
        if self._checked_navigation == self.navigations:
            return
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, so the page's own CSP stays fully in force.
            self.page.evaluate(AXE_SOURCE)
        result: dict[str, Any] = self.page.evaluate(
            "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS,
        )
        bad = [v for v in result["violations"] if v.get("impact") in FAILING_IMPACTS]
        self._checked_navigation = self.navigations
        self.checked.append(self.page.url)
        if bad:
            summary = [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "targets": [n["target"] for n in v["nodes"]][:5],
                }
                for v in bad
            ]
            raise AccessibilityFailure(f"{self.page.url}: " + json.dumps(summary, indent=2))
        if self.problems:
            raise AssertionError(f"{self.page.url}: " + "; ".join(self.problems))

    def goto(self, path: str) -> None:
        self.check_if_needed()
        self.page.goto(self.base_url + path)
        self.check()

    def check_if_needed(self) -> None:
        if self.navigations and self._checked_navigation != self.navigations:
            self.check()

    def navigate_by(self, action: Callable[[], object]) -> None:
        """Do something that loads a new page (a click, a key press), wait for it, then check it."""
        self.check_if_needed()
        with self.page.expect_navigation():
            action()
        self.check()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (.ci/run does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def ui(browser: Browser, live_server: Any, transactional_db: None) -> Iterator[Ui]:
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    harness = Ui(page, live_server.url)
    yield harness
    try:
        harness.check_if_needed()
        assert not harness.unchecked, f"pages visited without an accessibility check: {harness.unchecked}"
    finally:
        context.close()


@pytest.fixture(autouse=True)
def _journey_events_match_the_records(transactional_db: None) -> Iterator[None]:
    """After every browser journey the stored journey events equal those rebuilt from the records
    (`openmash journey check` exits non-zero, naming the differences, when they do not)."""
    yield
    call_command("journey", "check", stdout=io.StringIO())
