"""What a service user's record must be, whichever way it comes in: the web form or the
office's register (``flask users import``). Both check through these functions."""

from __future__ import annotations

import re
from datetime import date

# The office's reference numbers: letters, digits and hyphens, e.g. HW-2024-000123.
REFERENCE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
NAME_MAX = 100
EARLIEST_BIRTH = date(1900, 1, 1)
EARLIEST_RECORD = date(2000, 1, 1)  # nothing the office records is older than this
# Unicode's control characters (category Cc) but tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def is_reference(key: str) -> bool:
    """Whether ``key`` (already folded by ``search.reference_key``) is a reference number."""
    return bool(REFERENCE_PATTERN.match(key))


def birth_date_is_plausible(day: date, today: date) -> bool:
    """A date of birth from 1900 up to today (Japan time)."""
    return EARLIEST_BIRTH <= day <= today


def agreement_date_is_plausible(day: date, today: date) -> bool:
    """A day the terms were agreed to: from the year 2000, never in the future."""
    return EARLIEST_RECORD <= day <= today


def has_control_characters(text: str) -> bool:
    """NUL and other control characters (tabs and line breaks aside) belong in no record."""
    return CONTROL_CHARACTERS.search(text) is not None
