"""The trail's pages, commands, menu entry, dashboard panel and checkpoint sweep."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from console.audit import checkpoints, cli, keys, views
from console.navigation import NavItem, Panel, add_nav, add_panel
from console.permissions import Permission
from console.sweeps import register_sweep

CHECKPOINT_SWEEP = "audit.checkpoint"


def init_app(app: Flask) -> None:
    """Plug the audit trail into the console."""
    keys.check_configuration(app)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.audit_group)
    add_nav(app, NavItem("audit.search", _l("Audit trail"), Permission.AUDIT_READ, order=80))
    add_panel(app, Panel("audit/_panel.html", Permission.AUDIT_READ, views.panel_context, 20))
    register_sweep(app, CHECKPOINT_SWEEP, checkpoints.checkpoint_sweep)
