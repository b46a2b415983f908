"""Shared model bases."""

from __future__ import annotations

from django.db import models


class TimeStamped(models.Model):
    """Every record says when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
