"""What the public report's rate limit counts: one row per report accepted from a client address.

Kept in the database so that every gunicorn process (and every app server behind a load balancer) counts
the same reports. The address itself is not kept: only a keyed hash of it (see services.client_key).
"""

from __future__ import annotations

from django.db import models


class PublicReportAttempt(models.Model):
    """A report sent through the public form (a real one or one a bot sent into the honeypot)."""

    client = models.CharField(max_length=64, help_text="Keyed hash of the client's address.")
    at = models.DateTimeField()

    class Meta:
        app_label = "front_door"
        indexes = [models.Index(fields=["client", "at"], name="report_attempt_client_at")]

    def __str__(self) -> str:
        return f"Public report attempt at {self.at:%d/%m/%Y %H:%M}"
