"""The PostgreSQL role the application runs as: it owns nothing, so it cannot switch the audit trail's
guards off, and it may only read and add to the audit tables. See docs/deploy.md, "Database roles"."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from .guards import AUDIT_TABLES


class RoleError(Exception):
    """The role cannot be made the application's role; the message says why and what to do."""


def grant_app_role(role: str, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Replace whatever the role held on this schema by the application's privileges; return the
    number of tables granted. Refuses a role that could get round the audit trail's guards."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RoleError("database roles are a PostgreSQL matter: SQLite has no roles")
    quote = connection.ops.quote_name
    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls, pg_has_role(%s, current_user, 'MEMBER'), %s = current_user "
            "FROM pg_roles WHERE rolname = %s",
            [role, role, role],
        )
        found = cursor.fetchone()
        if found is None:
            raise RoleError(f"there is no role {role}: create it first (CREATE ROLE {role} LOGIN PASSWORD ...)")
        superuser, bypass_rls, member_of_owner, is_owner = found
        if superuser or bypass_rls or member_of_owner or is_owner:
            raise RoleError(
                f"{role} is a superuser, or the owner, or a member of the owner role: it could switch the audit "
                "trail's guards off. The application needs a role of its own that owns nothing."
            )
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND pg_has_role(%s, c.relowner, 'MEMBER')",
            [role],
        )
        owned = [name for (name,) in cursor.fetchall()]
        if owned:
            raise RoleError(f"{role} owns {', '.join(owned[:5])}: the application's role must own no table")
        schema = quote(_current_schema(cursor))
        who = quote(role)
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {who}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA {schema} FROM {who}")
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {who}")
        for table in tables:
            privileges = "SELECT, INSERT" if table in AUDIT_TABLES else "SELECT, INSERT, UPDATE, DELETE"
            cursor.execute(f"GRANT {privileges} ON {quote(table)} TO {who}")
        # Django reads which migrations have run (runserver warns on unapplied ones); only the owner migrates.
        cursor.execute(f"GRANT SELECT ON django_migrations TO {who}")
        cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {who}")
        # Moving a key sequence on (setval, after rows loaded with their keys, as the demo loader does) on
        # tables the role may already change anyway; never on the audit tables'.
        for table in tables:
            if table in AUDIT_TABLES:
                continue
            for sequence in connection.introspection.get_sequences(cursor, table):
                cursor.execute(f"GRANT UPDATE ON SEQUENCE {quote(sequence['name'])} TO {who}")
        cursor.execute("SELECT has_schema_privilege(%s, current_schema(), 'CREATE')", [role])
        (can_create,) = cursor.fetchone()
        if can_create:
            raise RoleError(
                f"{role} may still create tables in schema {schema} (granted to PUBLIC?): "
                f"run REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC"
            )
    return len(tables)


def _current_schema(cursor: Any) -> str:
    cursor.execute("SELECT current_schema()")
    (schema,) = cursor.fetchone()
    return str(schema)
