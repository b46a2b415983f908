"""`openmash export`: Ofsted's Annex A lists (arguments and the command's work)."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", required=True, help="the file to write")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    raise CommandError("not available yet", returncode=2)
