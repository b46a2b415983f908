"""Shared model bases."""

from __future__ import annotations

from django.db import models


class TimeStamped(models.Model):
    """Every record says when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def one_of(field: str, choices: type[models.Choices], *, blank: bool = False) -> models.Q:
    """A condition for a CHECK constraint: `field` holds a code from `choices` (or is empty, if
    `blank`). The database then refuses a bad code from any path, not only from the services. When a
    code list changes, `makemigrations` writes the new constraint."""
    values = [*choices.values, *([""] if blank else [])]
    # Equalities joined by OR rather than IN: SQLite evaluates an IN list in a CHECK constraint about
    # seven times more slowly, which the bulk load of the demo borough feels; PostgreSQL plans both alike.
    return models.Q(*[(field, value) for value in values], _connector=models.Q.OR)
