"""The audit trail: ``record(session, actor, action, subject, details)`` is its one entrance."""

from console.audit.trail import COMMAND_LINE, SCHEDULER, Actor, Subject, changes, record

__all__ = ["COMMAND_LINE", "SCHEDULER", "Actor", "Subject", "changes", "record"]


def init_app(app: object) -> None:
    """The trail's pages and commands plug in here."""
