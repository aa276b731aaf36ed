"""The one base class of the errors a rule raises when it refuses a change.

Every service raises a subclass (``SuspensionError``, ``NoticeError``…) whose message says
what to do; views show it beside the form and the CLI prints it as a one-line error.
"""

from __future__ import annotations


class RuleError(ValueError):
    """A change the rules refuse; the message says what to do and is shown to staff."""
