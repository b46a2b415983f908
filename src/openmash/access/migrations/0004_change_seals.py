"""Hash-chain the change history too: one seal a django-auditlog entry, in access_changeseal.

django-auditlog's table is not ours to add columns to, so each entry's place in the change chains
(access.chain.CHANGES) is kept beside it. Entries already there are sealed, in id order, into chain 0.
The seal table is append-only like the audit tables (the guards of migration 0003).
"""

import django.db.models.deletion
from django.db import migrations, models

from openmash.access import chain

TABLE = "access_changeseal"
SQLITE_UNIQUE = "id = NEW.id OR entry_id = NEW.entry_id OR (chain = NEW.chain AND seq = NEW.seq)"


def seal_existing_entries(apps, schema_editor):
    LogEntry = apps.get_model("auditlog", "LogEntry")
    ChangeSeal = apps.get_model("access", "ChangeSeal")
    db = schema_editor.connection.alias
    prev_hash = chain.GENESIS
    entries = LogEntry.objects.using(db).order_by("id").values_list("id", *chain.CHANGE_FIELDS)
    for seq, (entry_id, *values) in enumerate(entries.iterator(chunk_size=2000), start=1):
        content = dict(zip(chain.CHANGE_FIELDS, values, strict=True))
        digest = chain.row_hash(chain=0, seq=seq, prev_hash=prev_hash, content=content, fields=chain.CHANGE_FIELDS)
        ChangeSeal.objects.using(db).create(entry_id=entry_id, chain=0, seq=seq, prev_hash=prev_hash, hash=digest)
        prev_hash = digest


def install_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The functions of migrations 0002 and 0003.
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION openmash_audit_append_only()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION openmash_audit_no_truncate()"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
            f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE {SQLITE_UNIQUE}) "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an insert may not replace a row'); END"
        )


def remove_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
    elif vendor == "sqlite":
        for kind in ("no_update", "no_delete", "no_replace"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{kind}")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_audit_chain_and_guards"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("chain", models.PositiveSmallIntegerField(editable=False)),
                ("seq", models.BigIntegerField(editable=False)),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("hash", models.CharField(editable=False, max_length=64)),
                (
                    "entry",
                    models.OneToOneField(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="auditlog.logentry",
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("chain", "seq"), name="access_changeseal_chain_seq")],
            },
        ),
        migrations.RunPython(seal_existing_entries, migrations.RunPython.noop),
        migrations.RunPython(install_guards, remove_guards),
    ]
