"""A review holds aggregates only: no relation from any scrutiny model leads, however far it is followed,
to a child or to a model that holds a child's personal data."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from openmash.people.models import Child


def _holds_child_data(model: type[models.Model]) -> bool:
    """A child itself, or a record with a direct relation to a child (a referral, a plan, a contact...)."""
    if model is Child:
        return True
    return any(f.related_model is Child for f in _forward(model))


def _forward(model: type[models.Model]) -> list[models.Field]:
    """The model's own relations (not the reverse side of another model's)."""
    return [f for f in model._meta.get_fields() if isinstance(f, models.Field) and f.is_relation]


def _reachable(start: type[models.Model]) -> dict[type[models.Model], list[str]]:
    """Every model reached through forward relations (foreign keys, one-to-ones, many-to-manys), with a path."""
    seen: dict[type[models.Model], list[str]] = {start: [start._meta.label]}
    todo = [start]
    while todo:
        model = todo.pop()
        for f in _forward(model):
            target = f.related_model
            assert isinstance(target, type)
            if target not in seen:
                seen[target] = [*seen[model], f"{f.name} -> {target._meta.label}"]
                todo.append(target)
    return seen


def test_no_scrutiny_model_reaches_a_child() -> None:
    scrutiny_models = list(apps.get_app_config("scrutiny").get_models())
    assert len(scrutiny_models) >= 9
    problems = []
    for model in scrutiny_models:
        for target, path in _reachable(model).items():
            if _holds_child_data(target):
                problems.append(" ".join(path))
    assert not problems, problems


def test_the_walk_would_catch_a_relation_to_a_child() -> None:
    """The same walk finds the child behind a casework record, so the test above can fail."""
    referral = apps.get_model("casework", "Referral")
    assert any(_holds_child_data(target) for target in _reachable(referral))
