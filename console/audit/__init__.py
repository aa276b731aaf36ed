"""The audit trail: ``record(session, actor, action, subject, details)`` is its one entrance.

The names below are loaded on first use (PEP 562), so that the standalone verifier
(``python -m console.audit.verify_export``) imports neither Flask nor SQLAlchemy; for the
same reason the pages, commands and sweep are wired in ``console/audit/feature.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.audit.trail import COMMAND_LINE, SCHEDULER, Actor, Subject, changes, record

__all__ = ["COMMAND_LINE", "SCHEDULER", "Actor", "Subject", "changes", "record"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from console.audit import trail  # late: the standalone verifier needs no SQLAlchemy

        return getattr(trail, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
