"""Sound-alike name keys on each child, and the indexes matching looks candidates up by.

The keys are filled for children already recorded, in batches (new children get them when saved).
On SQLite, indexes on the upper-cased LA child ID and UPN too, which 0003 made on PostgreSQL only, so
that matching looks an identifier up exactly, ignoring case, without reading every child.
"""

from django.db import migrations, models

BATCH = 5_000


def fill_keys(apps, schema_editor):
    from openmash.people.name_keys import name_key

    Child = apps.get_model("people", "Child")
    last_id = 0
    while True:
        batch = list(Child.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            return
        for child in batch:
            child.first_name_key = name_key(child.first_name)
            child.last_name_key = name_key(child.last_name)
        Child.objects.bulk_update(batch, ["first_name_key", "last_name_key"])
        last_id = batch[-1].id


SQLITE_INDEXES = {
    "people_child_la_child_id_upper": "(UPPER(la_child_id))",
    "people_child_upn_upper": "(UPPER(upn))",
}


def create_sqlite_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, definition in SQLITE_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON people_child {definition}")


def drop_sqlite_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in SQLITE_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_child_search_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="child",
            name="first_name_key",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="child",
            name="last_name_key",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["last_name_key", "first_name_key"], name="people_child_name_keys"),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["date_of_birth"], name="people_child_birth"),
        ),
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["postcode"], name="people_child_postcode"),
        ),
        migrations.RunPython(create_sqlite_indexes, drop_sqlite_indexes, elidable=False),
    ]
