"""Sound-alike keys for names, stored on each child so matching can find a name however it is spelt.

A key is the Metaphone code of the name's letters (Katherine and Catherine are both K0RN, Smith and
Smyth both SM0). First and last names use the same key, so a probe whose names were written the wrong
way round finds the child by looking the keys up swapped. The keys depend on the spelling alone, not
on the nickname table, so changing that table needs no re-keying of the register.
"""

from __future__ import annotations

import unicodedata

import jellyfish

KEY_LENGTH = 40


def normalise(name: str) -> str:
    """Upper case, letters only, accents dropped: "O'Brien" and "o brien" are both OBRIEN, "Zoë" is ZOE."""
    decomposed = unicodedata.normalize("NFKD", name.upper())
    return "".join(ch for ch in decomposed if ch.isalpha() and not unicodedata.combining(ch))


def name_key(name: str) -> str:
    """The sound-alike key of a name (empty for a name with no letters)."""
    letters = normalise(name)
    if not letters:
        return ""
    return jellyfish.metaphone(letters)[:KEY_LENGTH]
