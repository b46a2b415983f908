"""`openmash api-token issue|list|revoke`: keys for partner agencies' systems to use the partner API."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.accounts.models import Agency, User
from openmash.core.errors import ServiceError
from openmash.front_door.api import services
from openmash.front_door.models import PartnerApiToken

ISSUE_HELP = """\
Issue a key for a partner agency's system and print it once (only its hash is kept). The key acts as the
account given with --user, which must belong to the agency: the access policy and the audit trail treat the
system's calls as that account's. To send contacts the account's work must involve children (any partner
staff account that may refer). To read and answer the MASH's information requests it must hold the agency
researcher role. A dedicated account for the system, with only the roles it needs, keeps the audit trail clear.
"""


class Command(BaseCommand):
    help = "Partner API keys: `issue` a key for an agency's system, `list` them, `revoke` one by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help=ISSUE_HELP, description=ISSUE_HELP)
        issue.add_argument(
            "--agency", required=True, choices=[a.value for a in Agency if a != Agency.DEMOCRATIC_SERVICES]
        )
        issue.add_argument("--name", required=True, help='the system that will use the key, e.g. "Police case system"')
        issue.add_argument("--user", required=True, help="username of the agency's account the key acts as")
        actions.add_parser("list", help="every key: prefix, agency, system, account, issued, last used, revoked")
        revoke = actions.add_parser("revoke", help="stop a key working at once")
        revoke.add_argument("prefix", help="the 8 characters after om_ in the key, as `list` shows them")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ServiceError as error:
            raise CommandError(error.message) from error

    def _issue(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No account has the username {options['user']!r}")
        issued = services.api_token_issue(agency=options["agency"], name=options["name"], user=user)
        self.stdout.write(f"Issued token {issued.token.prefix} for {issued.token}, acting as {user.username}.")
        self.stdout.write("The key, shown only now (send it as 'Authorization: Bearer <key>'):")
        self.stdout.write(issued.key)

    def _list(self, options: dict[str, Any]) -> None:
        tokens = PartnerApiToken.objects.select_related("acting_user").order_by("agency", "created_at")
        for t in tokens:
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
            self.stdout.write(
                f"{t.prefix}  {t.agency:<13} {t.name}  as {t.acting_user.username}  "
                f"issued {t.created_at:%Y-%m-%d}  {used}  {state}"
            )
        if not tokens:
            self.stdout.write("No partner API tokens.")

    def _revoke(self, options: dict[str, Any]) -> None:
        token = services.api_token_revoke(prefix=options["prefix"])
        self.stdout.write(f"Revoked {token.prefix} ({token}): it no longer works.")
