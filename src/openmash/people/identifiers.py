"""Checks for the identifiers children carry: LA child ID, UPN and NHS number."""

from __future__ import annotations

import re

_LA_CHILD_ID = re.compile(r"^[A-Za-z0-9]{1,20}$")
_UPN = re.compile(r"^[A-Z][0-9]{12}$|^[A-Z][0-9]{11}[A-Z]$")
_UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def valid_la_child_id(value: str) -> bool:
    """CIN census rules 1570 and 1580: at most 20 characters, letters and digits only."""
    return bool(_LA_CHILD_ID.match(value))


def nhs_number_check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit for an NHS number, or None where no valid number exists."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def valid_nhs_number(value: str) -> bool:
    digits = value.replace(" ", "")
    # isdigit() alone lets through other scripts' digits and superscripts, which int() cannot read.
    if not (len(digits) == 10 and digits.isascii() and digits.isdigit()):
        return False
    return nhs_number_check_digit(digits[:9]) == int(digits[9])


def upn_check_letter(last_twelve: str) -> str:
    """DfE UPN check letter for the 12 characters after it (LA code, school, serial)."""
    total = 0
    for position, char in enumerate(last_twelve, start=2):
        value = int(char) if char.isdigit() else _UPN_CHECK_LETTERS.index(char)
        total += value * position
    return _UPN_CHECK_LETTERS[total % 23]


def valid_upn(value: str) -> bool:
    """CIN census rules 1510-1550: 13 characters with a correct check letter."""
    if not _UPN.match(value):
        return False
    return upn_check_letter(value[1:]) == value[0]
