"""`openmash import <return>`: records loaded from a statutory return's file.

    openmash import cin-census FILE.xml [--user USERNAME] [--dry-run] [--progress]

Each return's arguments and work live in its own module (openmash.returns.import_cin); this command
only dispatches. A refused file ends with exit code 1, bad arguments with exit code 2.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openmash.returns import import_cin


class Command(BaseCommand):
    help = "Load records from a statutory return's file: the Children in Need census (cin-census)."

    def add_arguments(self, parser: CommandParser) -> None:
        returns = parser.add_subparsers(dest="return_name", required=True, metavar="RETURN")
        import_cin.add_arguments(returns.add_parser("cin-census", help="a Children in Need census XML file"))

    def handle(self, *args: Any, **options: Any) -> None:
        run = {"cin-census": import_cin.run}[options["return_name"]]
        run(self, options)
