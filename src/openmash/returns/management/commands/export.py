"""`openmash export <return>`: a statutory return written to a file.

    openmash export cin-census --year 2025 --user USERNAME -o FILE.xml [--no-rules]
    openmash export annex-a --as-of YYYY-MM-DD --user USERNAME -o FILE.xlsx

Each return's arguments and work live in its own module (openmash.returns.export_cin, .export_annex_a);
this command only dispatches. Bad arguments end with a one-line message and exit code 2.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openmash.returns import export_annex_a, export_cin


class Command(BaseCommand):
    help = "Write a statutory return to a file: the Children in Need census (cin-census) or Ofsted's Annex A (annex-a)."

    def add_arguments(self, parser: CommandParser) -> None:
        returns = parser.add_subparsers(dest="return_name", required=True, metavar="RETURN")
        export_cin.add_arguments(returns.add_parser("cin-census", help="the Children in Need census XML"))
        export_annex_a.add_arguments(returns.add_parser("annex-a", help="Ofsted's Annex A lists as XLSX"))

    def handle(self, *args: Any, **options: Any) -> None:
        run = {"cin-census": export_cin.run, "annex-a": export_annex_a.run}[options["return_name"]]
        run(self, options)
