"""What the partner API keeps beyond the front door's own records."""

from __future__ import annotations

from django.db import models

from openmash.front_door.models import Contact, PartnerApiToken


class IdempotencyKey(models.Model):
    """A partner's Idempotency-Key for a contact it sent: a retry with the same key and the same contact gets
    the first answer again instead of a second contact."""

    token = models.ForeignKey(PartnerApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 of the contact as sent, so reusing a key for a different contact is refused.
    fingerprint = models.CharField(max_length=64)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_once")]

    def __str__(self) -> str:
        return f"Idempotency key for token {self.token_id}"
