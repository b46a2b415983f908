"""`openmash demo-users`: create the demo accounts and list how to sign in as each.

Only with OPENMASH_DEMO switched on. `--format json` prints a list of
{"username", "agency", "roles", "password", "totp_secret", "description"} (and "api_key" for the account a
demo partner API key acts as); `--code USERNAME` prints
just the current 6-digit code for one demo account, for scripts. With a demo borough it then computes the
default scorecard's figures, which linking the accounts to staff made out of date.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.accounts import totp
from openmash.demo.accounts import DemoNotEnabled, demo_account, demo_code, demo_enabled, ensure_demo_users
from openmash.demo.generator import warm_scorecard
from openmash.demo.models import DemoDataset


class Command(BaseCommand):
    help = "Create (or refresh) the demo accounts and print how to sign in as each. Needs OPENMASH_DEMO."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--code",
            metavar="USERNAME",
            help="only print the current two-factor code for this demo account (changes nothing)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_enabled():
            raise CommandError("Demo accounts are only available with OPENMASH_DEMO switched on")
        if options["code"]:
            try:
                demo_account(options["code"])
            except KeyError as exc:
                raise CommandError(str(exc.args[0])) from exc
            self.stdout.write(demo_code(options["code"]))
            return
        try:
            sign_ins = ensure_demo_users()
        except DemoNotEnabled as exc:
            raise CommandError(str(exc)) from exc
        if DemoDataset.objects.exists():
            # Linking the accounts to staff changes the records the scorecard reads: its figures are computed
            # again now rather than on its first page.
            warm_scorecard()
        if options["format"] == "json":
            self.stdout.write(json.dumps([s.as_dict() for s in sign_ins], indent=2))
            return

        rows = [("Username", "Agency", "Roles", "Password", "Two-factor secret", "Code now")]
        for s in sign_ins:
            a = s.account
            rows.append(
                (
                    a.username,
                    a.agency.value,
                    ", ".join(r.value for r in a.roles),
                    a.password,
                    totp.group_in_fours(a.totp_secret),
                    totp.current_code(a.totp_key),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("Demo sign-ins (all data is synthetic)")
        self.stdout.write("Sign in with the username and password, then the 6-digit code from an authenticator app")
        self.stdout.write("holding the secret, or from `openmash demo-users --code USERNAME`. Codes change every 30 s.")
        self.stdout.write("")
        for i, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write("")
        name_width = max(len(s.account.username) for s in sign_ins)
        for s in sign_ins:
            self.stdout.write(f"{s.account.username.ljust(name_width)}  {s.description}")
        keys = [s for s in sign_ins if s.api_key]
        if keys:
            self.stdout.write("")
            self.stdout.write("Partner API keys (demo only): send one as 'Authorization: Bearer <key>'")
            for s in keys:
                self.stdout.write(f"  {s.account.agency.label}, acting as {s.account.username}: {s.api_key}")
