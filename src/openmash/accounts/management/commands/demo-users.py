"""`openmash demo-users`: create the demo accounts and list their sign-ins."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.accounts.demo import DemoNotEnabled, ensure_demo_users


class Command(BaseCommand):
    help = "Create (or refresh) the demo accounts and print how to sign in as each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            accounts = ensure_demo_users()
        except DemoNotEnabled as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps([a.as_dict() for a in accounts], indent=2))
            return
        self.stdout.write("Demo sign-ins (all data is synthetic):")
        for a in accounts:
            self.stdout.write(f"  {a.description:<24} username {a.username:<12} password {a.password}")
