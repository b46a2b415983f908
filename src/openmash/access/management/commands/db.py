"""`openmash db grant-app-role ROLE`: give the role the application runs as exactly what it needs.

Run by the role that owns the schema, after every `openmash migrate` (new tables need their grants).
PostgreSQL only. See docs/deploy.md, "Database roles".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from openmash.access.roles import RoleError, grant_app_role


class Command(BaseCommand):
    help = "Database administration: `grant-app-role ROLE` sets the application role's privileges."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        grant = actions.add_parser(
            "grant-app-role",
            help="grant ROLE read and write on the application's tables, read and insert only on the audit trail",
        )
        grant.add_argument("role")
        grant.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        role = options["role"]
        try:
            count = grant_app_role(role, using=using)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"db: {role} may read and write {count} tables; the audit trail it may only read and add to")
