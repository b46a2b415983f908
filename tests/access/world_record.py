"""The access world's additions for the child's record: the printable chronology, and a visit and case notes on
the allocated child's record so that the record and its PDF have them to show (or leave out).

Who may print a child's chronology: those who read its casework on their normal access (policy.
can_print_chronology), that is every role that sees the child except the partner agencies' researchers, who
read only their own agency's information and what was shared with them. Break glass gives sight, not a copy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openmash.casework.models import CaseNote, Visit

from .world import CHILD_VISIBLE_TO, World

PARTNER_RESEARCHERS = {"health", "education", "police_researcher"}
PRINTERS: dict[str, set[str]] = {key: who - PARTNER_RESEARCHERS for key, who in CHILD_VISIBLE_TO.items()}


def build(world: World) -> None:
    # Written with the ORM: the record reads visits and notes, and how they are recorded is not at issue here.
    child = world.children["allocated"]
    sw = world.users["sw"]
    Visit.objects.create(
        child=child, visit_date=dt.date(2025, 1, 6), purpose=Visit.Purpose.ASSESSMENT, seen=True, seen_alone=True,
        visited_by=sw.staff, recorded_by=sw, notes="Seen at school",  # type: ignore[attr-defined]
    )  # fmt: skip
    CaseNote.objects.create(
        child=child, note_type=CaseNote.NoteType.PHONE_CALL, occurred_on=dt.date(2025, 1, 7),
        subject="Call with the school nurse", body="Nurse has no concerns about weight", author=sw,
    )  # fmt: skip
    world.objects["record_restricted_note"] = CaseNote.objects.create(
        child=child, note_type=CaseNote.NoteType.CASE_NOTE, occurred_on=dt.date(2025, 1, 8),
        subject="Family history", body="Told in confidence", author=sw, restricted=True,
    )  # fmt: skip


def _printers(role: str, kwargs: dict[str, Any]) -> str:
    return "allow" if role in PRINTERS[kwargs["_child_key"]] else "deny"


RULES = {"journey:chronology_pdf": _printers}
