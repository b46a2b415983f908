"""A record of the synthetic dataset in the database, so the demo can say what it is showing."""

from __future__ import annotations

from django.db import models


class DemoDataset(models.Model):
    """One run of `openmash generate` loaded into this database, with the summary it printed."""

    size = models.CharField(max_length=20)
    seed = models.BigIntegerField()
    as_of = models.DateField("as-of date")
    summary = models.JSONField()
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = "demo dataset"

    def __str__(self) -> str:
        return f"Synthetic {self.size} borough, seed {self.seed}, as of {self.as_of:%d/%m/%Y}"
