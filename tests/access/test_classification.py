"""Every field of every model has a personal-data class, so nothing new slips in unclassified."""

from django.apps import apps

from openmash.access.classification import EXPORT_CLASSES, FIELD_CLASSES, DataClass, fields_of_class
from openmash.people.models import Child


def _project_models() -> list[type]:
    return [m for m in apps.get_models() if m.__module__.startswith("openmash.")]


def test_every_field_of_every_model_is_classified() -> None:
    missing = []
    for model in _project_models():
        classes = FIELD_CLASSES.get(model._meta.label, {})
        names = [f.name for f in model._meta.concrete_fields] + [f.name for f in model._meta.many_to_many]
        missing += [f"{model._meta.label}.{name}" for name in names if name not in classes]
    assert not missing, f"give these fields a class in access/classification.py: {missing}"


def test_no_class_names_a_field_that_does_not_exist() -> None:
    labels = {m._meta.label: m for m in _project_models()}
    assert set(FIELD_CLASSES) <= set(labels)
    for label, classes in FIELD_CLASSES.items():
        model = labels[label]
        names = {f.name for f in model._meta.concrete_fields} | {f.name for f in model._meta.many_to_many}
        assert set(classes) <= names, label


def test_aggregate_exports_carry_no_identifying_or_sensitive_field() -> None:
    aggregate = fields_of_class(Child, EXPORT_CLASSES["aggregate"])
    assert aggregate == ["sex"]
    pseudonymised = fields_of_class(Child, EXPORT_CLASSES["pseudonymised"])
    assert not {"first_name", "last_name", "la_child_id", "nhs_number", "postcode", "ethnicity"} & set(pseudonymised)
    assert all(c in DataClass for c in EXPORT_CLASSES["child_level"])
