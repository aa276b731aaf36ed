"""One base for the codes the console stores with the words staff read for them.

A member is declared with its code, its label and, for a state shown as a badge, its
Bootstrap colour: ``ACTIVE = "active", _l("In force"), "danger"``. The label is translated
when read, so one enum serves Japanese and English pages; templates colour a state with
``state.colour`` instead of a mapping of their own.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class Labelled(StrEnum):
    """A stored code (a ``str``) with ``label`` and ``colour``."""

    _label: Any
    colour: str

    def __new__(cls, value: str, label: Any = "", colour: str = "secondary") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        member.colour = colour
        return member

    @property
    def label(self) -> str:
        """The words for this code in the current language."""
        return str(self._label)

    @classmethod
    def choices(cls) -> dict[str, str]:
        """Code → label of every member, in order: the choices of a form field."""
        return {member.value: member.label for member in cls}

    @classmethod
    def label_of(cls, code: str | None) -> str:
        """The label of a stored code; the code itself when it is not (or no longer) known."""
        try:
            return cls(code).label
        except ValueError:
            return code or ""
