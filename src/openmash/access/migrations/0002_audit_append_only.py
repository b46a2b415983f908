"""Make the audit trail append-only in the database itself.

PostgreSQL: row triggers refuse UPDATE and DELETE on the audit tables. SQLite: the same, except
that deleting is allowed while the one row of `openmash_audit_guard` says `enforced = 0`; only the
test suite's database flush between browser tests switches it off (see tests/conftest.py). The guard
table is not a Django model, so nothing in the application can reach it.
"""

from django.db import migrations

TABLES = ["access_auditevent", "auditlog_logentry"]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION openmash_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)  # its % are PL/pgSQL, not placeholders
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION openmash_audit_append_only()"
            )
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


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS openmash_audit_append_only()")
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        schema_editor.execute("DROP TABLE IF EXISTS openmash_audit_guard")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
