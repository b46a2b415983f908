"""Close the ways round the append-only audit trail, and chain its rows.

0002 refused UPDATE and DELETE row by row. That left ways round: on PostgreSQL, TRUNCATE (no row
triggers fire); on SQLite, `REPLACE INTO` (its implicit delete fires no delete trigger) and the
`openmash_audit_guard` row that switched the delete trigger off. Now, for access_auditevent and
auditlog_logentry:

- PostgreSQL: the 0002 row triggers stay (they refuse UPDATE, DELETE, and the UPDATE of an upsert or
  MERGE) and a statement trigger refuses TRUNCATE. Only the tables' owner can disable triggers; the
  application runs as a role that owns nothing (docs/deploy.md, "Database roles").
- SQLite: triggers refuse UPDATE and DELETE unconditionally, and an INSERT that would meet an existing
  row (which REPLACE or `INSERT OR REPLACE` would delete first). The guard table is gone: nothing in the
  database can switch the triggers off. The test suite empties tables between browser tests by dropping
  and recreating these triggers itself (tests/conftest.py), a path only the tests take.

Existing audit rows are linked, in id order, into chain 0 (access.chain) with the guards lifted for
the length of this migration, which runs as the tables' owner.
"""

import django.utils.timezone
from django.db import migrations, models

from openmash.access import chain

TABLES = ["access_auditevent", "auditlog_logentry"]
# What an INSERT must not meet on each table: its primary key and any other unique key.
UNIQUE_KEYS = {
    "access_auditevent": "id = NEW.id OR (chain = NEW.chain AND seq = NEW.seq)",
    "auditlog_logentry": "id = NEW.id",
}

POSTGRES_TRUNCATE_FUNCTION = """
CREATE OR REPLACE FUNCTION openmash_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE on % refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: DELETE refused'); END",
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {UNIQUE_KEYS[table]}) "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an insert may not replace a row'); END",
    ]


def lift_old_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE access_auditevent DISABLE TRIGGER access_auditevent_append_only")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        schema_editor.execute("DROP TABLE IF EXISTS openmash_audit_guard")


def restore_old_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE access_auditevent ENABLE TRIGGER access_auditevent_append_only")
    elif vendor == "sqlite":
        schema_editor.execute("CREATE TABLE openmash_audit_guard (enforced INTEGER NOT NULL)")
        schema_editor.execute("INSERT INTO openmash_audit_guard (enforced) VALUES (1)")
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "WHEN (SELECT enforced FROM openmash_audit_guard) = 1 "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("access", "AuditEvent")
    db = schema_editor.connection.alias
    prev_hash = chain.GENESIS
    for seq, event in enumerate(AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2000), start=1):
        content = {name: getattr(event, name) for name in chain.HASHED_FIELDS}
        row_hash = chain.row_hash(chain=0, seq=seq, prev_hash=prev_hash, content=content)
        AuditEvent.objects.using(db).filter(pk=event.pk).update(chain=0, seq=seq, prev_hash=prev_hash, hash=row_hash)
        prev_hash = row_hash


def install_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE access_auditevent ENABLE TRIGGER access_auditevent_append_only")
        schema_editor.execute(POSTGRES_TRUNCATE_FUNCTION, params=None)  # its % is PL/pgSQL, not a placeholder
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION openmash_audit_no_truncate()"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for statement in sqlite_triggers(table):
                schema_editor.execute(statement)


def remove_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS openmash_audit_no_truncate()")
        schema_editor.execute("ALTER TABLE access_auditevent DISABLE TRIGGER access_auditevent_append_only")
    elif vendor == "sqlite":
        for table in TABLES:
            for kind in ("no_update", "no_delete", "no_replace"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_{kind}")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_audit_append_only"),
    ]

    operations = [
        migrations.RunPython(lift_old_guards, restore_old_guards),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="access_auditevent_chain_seq"),
        ),
        migrations.RunPython(install_guards, remove_guards),
    ]
