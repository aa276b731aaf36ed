"""The one base class of the errors a rule raises when it refuses a change, and the one rule
every typed or imported text shares: no control characters.

Every service raises a subclass (``SuspensionError``, ``NoticeError``…) whose message says
what to do; views show it beside the form and the CLI prints it as a one-line error.
"""

from __future__ import annotations

import unicodedata

LINE_CONTROLS = frozenset({"\t", "\n", "\r"})


def has_control_characters(text: str, allowed: frozenset[str] = LINE_CONTROLS) -> bool:
    """NUL and the other control characters (a tab or a line break aside) belong in no record:
    PostgreSQL refuses NUL, and the rest only hide what a text says."""
    return any(unicodedata.category(char) == "Cc" and char not in allowed for char in text)


class RuleError(ValueError):
    """A change the rules refuse; the message says what to do and is shown to staff."""
