"""`flush` empties every table, the audit trail included: refused outside the test suite.

The audit trail is append-only, and the database refuses to empty it anyway; this says so plainly
before anything is tried. Django's test machinery flushes between tests that commit (browser tests),
so the test suite sets OPENMASH_ALLOW_FLUSH (tests/conftest.py) and lifts the audit guards itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush


class Command(flush.Command):
    help = "Removes all data from the database. Only the test suite may: OpenMASH keeps its audit trail."

    def handle(self, **options: Any) -> None:
        if not getattr(settings, "OPENMASH_ALLOW_FLUSH", False):
            raise CommandError(
                "flush would empty the audit trail, which OpenMASH never deletes; it runs only inside the "
                "test suite. To start a demo again, remove var/openmash.sqlite3 and run `make run` "
                "(or `openmash generate --replace` to rebuild only the synthetic borough)."
            )
        super().handle(**options)
