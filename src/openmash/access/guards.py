"""The database guards that keep the audit tables append-only (migrations 0002 and 0003), and a check
that they are all still there and switched on: `openmash audit verify` fails if one is missing."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

# The audit trail, the change history, and the change history's hash chains (access.chain).
AUDIT_TABLES = ("access_auditevent", "auditlog_logentry", "access_changeseal")

TRIGGERS = {
    # Row triggers refuse UPDATE and DELETE; a statement trigger refuses TRUNCATE.
    "postgresql": ("append_only", "no_truncate"),
    # Refuse UPDATE, DELETE, and an INSERT that would replace a row.
    "sqlite": ("no_update", "no_delete", "no_replace"),
}


def missing(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What is missing or switched off, in words; empty when every guard is in force."""
    connection = connections[using]
    expected = TRIGGERS.get(connection.vendor)
    if expected is None:
        return [f"no append-only guards are known for {connection.vendor}"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace "
                "AND t.tgenabled IN ('O', 'A')",
                [list(AUDIT_TABLES)],
            )
        else:
            placeholders = ", ".join(["%s"] * len(AUDIT_TABLES))
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",  # noqa: S608
                list(AUDIT_TABLES),
            )
        present = {name for (name,) in cursor.fetchall()}
    return [
        f"the trigger {table}_{kind} is missing or disabled"
        for table in AUDIT_TABLES
        for kind in expected
        if f"{table}_{kind}" not in present
    ]
