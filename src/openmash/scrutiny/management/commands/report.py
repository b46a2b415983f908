"""`openmash report`: a committee report written to a file.

    openmash report scrutiny --list
    openmash report scrutiny --review ID --format pdf|docx|html -o FILE [--kind interim|final|update] [--user USERNAME]
    openmash report performance-pack --period 2025-Q4 --format pdf|docx|html -o FILE [--user USERNAME]

Reports hold aggregates only (small numbers suppressed) and the names of the adults who gave evidence. --user
names the person making it, checked by the access policy; without it the report is made as the server's
operator. Either way it is recorded in the audit trail. Bad arguments end with a one-line message and exit
code 2; the file is written only when the whole report is made.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openmash.accounts.models import User
from openmash.core.errors import ServiceError
from openmash.performance.models import Snapshot
from openmash.performance.periods import Period
from openmash.scrutiny.models import CommitteeReport, Review
from openmash.scrutiny.reports.services import make_document

USAGE = 2
FORMATS = CommitteeReport.Format.values
KINDS = [k.value for k in CommitteeReport.REVIEW_KINDS]


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE)


class Command(BaseCommand):
    help = "Write a committee report to a file: a scrutiny review's report, or the quarterly performance pack."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        review = reports.add_parser("scrutiny", help="a scrutiny review's interim, final or update report")
        review.add_argument("--list", action="store_true", help="list the reviews with their IDs")
        review.add_argument("--review", help="the review's ID (see --list)")
        review.add_argument("--kind", default="final", help=f"one of {', '.join(KINDS)} (default final)")
        pack = reports.add_parser("performance-pack", help="the quarterly performance pack of a frozen quarter")
        pack.add_argument("--period", required=True, help="a frozen quarter, like 2025-Q4")
        for sub in (review, pack):
            sub.add_argument("--format", default="pdf", help=f"one of {', '.join(FORMATS)} (default pdf)")
            sub.add_argument("-o", "--output", help="the file to write")
            sub.add_argument("--user", help="the username of the person making the report")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] == "scrutiny" and options["list"]:
            self._list()
            return
        if not options.get("output"):
            raise _fail("Give the file to write with -o FILE")
        fmt = options["format"]
        if fmt not in FORMATS:
            raise _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        user = self._user(options.get("user"))
        review = snapshot = None
        if options["report"] == "scrutiny":
            kind = options["kind"]
            if kind not in KINDS:
                raise _fail(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
            review = self._review(options.get("review"))
        else:
            kind = CommitteeReport.Kind.PERFORMANCE_PACK
            snapshot = self._snapshot(options["period"])
        try:
            made = make_document(
                kind=kind, format=fmt, acting_user=user, review=review, snapshot=snapshot, progress=self._progress
            )
        except PermissionError as error:
            raise _fail(str(error)) from error
        except ServiceError as error:
            raise _fail(error.message) from error
        path = Path(options["output"])
        try:
            path.write_bytes(made.rendered.content)
        except OSError as error:
            raise _fail(f"Could not write {path}: {error.strerror}") from error
        pages = f", {made.rendered.pages} pages" if made.rendered.pages else ""
        self.stdout.write(f"Wrote {path} ({len(made.rendered.content):,} bytes{pages}): {made.document.title}")

    def _progress(self, stage: str, percent: int) -> None:
        sys.stderr.write(f"{percent:3d}% {stage}\n")

    def _list(self) -> None:
        reviews = Review.objects.order_by("pk")
        if not reviews:
            self.stdout.write("No reviews are recorded.")
            return
        self.stdout.write(f"{'ID':>4}  {'Status':<34}  Topic")
        for r in reviews:
            self.stdout.write(f"{r.pk:>4}  {r.get_status_display():<34}  {r.topic}")

    def _user(self, username: str | None) -> User | None:
        if username is None:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise _fail(f"There is no active user {username!r}")
        return user

    def _review(self, value: str | None) -> Review:
        if not value:
            raise _fail("Give the review with --review ID (see: openmash report scrutiny --list)")
        try:
            review_id = int(value)
        except ValueError:
            raise _fail(f"--review must be a review's ID (a number), not {value!r}") from None
        review = Review.objects.filter(pk=review_id).first() if 0 < review_id < 2**63 else None
        if review is None:
            raise _fail(f"There is no review {value} (see: openmash report scrutiny --list)")
        return review

    def _snapshot(self, value: str) -> Snapshot:
        try:
            period = Period.parse(value)
        except (ValueError, KeyError):
            raise _fail(f"--period must be a quarter like 2025-Q4, not {value!r}") from None
        snapshot = Snapshot.objects.filter(period_key=period.key).first()
        if snapshot is None:
            frozen = ", ".join(Snapshot.objects.order_by("-period_key").values_list("period_key", flat=True)[:8])
            raise _fail(f"{period.key} is not frozen; frozen quarters: {frozen or 'none'}")
        return snapshot
