"""Two people editing one record: the second save is refused and shown what changed."""

from __future__ import annotations

import datetime as dt

import pytest

from openmash.casework.models import CaseNote
from openmash.core.locking import EditConflict, ensure_current, next_version


def _note(**values: object) -> CaseNote:
    return CaseNote(
        note_type="note", occurred_on=dt.date(2025, 1, 6), subject="Home visit", body="Seen in her room", **values
    )


def test_a_save_from_the_current_version_goes_ahead_and_moves_it_on() -> None:
    note = _note(version=4)
    ensure_current(note, 4, {"body": "Something else"})
    ensure_current(note, None, {"body": "Something else"})  # a service called from code, not a form
    assert next_version(note) == ["version"]
    assert note.version == 5


def test_a_save_from_an_older_version_is_refused_with_each_difference() -> None:
    note = _note(version=5)
    with pytest.raises(EditConflict) as refused:
        ensure_current(note, 4, {"subject": "Home visit", "body": "Seen with her brother\r\n"}, what="this case note")
    conflict = refused.value
    assert "Someone else saved this case note" in conflict.message
    assert conflict.current_version == 5
    [difference] = conflict.differences
    assert (difference.field, difference.label) == ("body", "Body")
    assert (difference.saved, difference.yours) == ("Seen in her room", "Seen with her brother\r\n")
