"""The audit trail: ``record(session, actor, action, subject, details)`` is its one entrance.

The names below are loaded on first use (PEP 562), so that the standalone verifier
(``python -m console.audit.verify_export``) imports neither Flask nor SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from console.audit.trail import COMMAND_LINE, SCHEDULER, Actor, Subject, changes, record

__all__ = ["COMMAND_LINE", "SCHEDULER", "Actor", "Subject", "changes", "record"]

CHECKPOINT_SWEEP = "audit.checkpoint"


def __getattr__(name: str) -> Any:
    if name in __all__:
        from console.audit import trail

        return getattr(trail, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def init_app(app: Flask) -> None:
    """The trail's pages, commands, menu entry, dashboard panel and checkpoint sweep."""
    from flask_babel import lazy_gettext as _l

    from console.audit import cli, keys, service, views
    from console.auth.permissions import Permission
    from console.navigation import NavItem, Panel, add_nav, add_panel
    from console.sweeps import register_sweep

    keys.check_configuration(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.audit_group)
    add_nav(app, NavItem("audit.search", _l("Audit trail"), Permission.AUDIT_READ, order=80))
    add_panel(app, Panel("audit/_panel.html", Permission.AUDIT_READ, views.panel_context, 20))
    register_sweep(app, CHECKPOINT_SWEEP, service.checkpoint_sweep)
