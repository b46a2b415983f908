"""`openmash front-door-purge`: delete expired drafts of the referral form and spent rate-limit rows.

Drafts hold personal data typed by a professional; they go once not saved for OPENMASH_DRAFT_DAYS (30 by
default). The public report's rate-limit rows go once past their window. Run it daily (cron, a systemd
timer or the council's scheduler); it prints what it deleted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openmash.front_door.public.services import ways_in_purge


class Command(BaseCommand):
    help = "Delete drafts of the referral form not saved for OPENMASH_DRAFT_DAYS, and spent rate-limit rows."

    def handle(self, *args: Any, **options: Any) -> None:
        drafts, attempts = ways_in_purge()
        self.stdout.write(f"front-door-purge: {drafts} expired drafts, {attempts} spent rate-limit rows deleted")
