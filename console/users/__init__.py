"""Service users (利用者, Art. 1) and terms versions (Art. 10)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from console.navigation import NavItem, Panel, add_nav, add_panel
from console.permissions import Permission
from console.users import cli, views
from console.users.service import recently_viewed
from console.users.timeline import (
    action_label,
    actor_label,
    service_label,
    timeline_changes,
)


def recently_viewed_panel(db: Session, staff: Any) -> dict[str, Any]:
    """The dashboard's "recently viewed service users", read from the audit trail."""
    return {"users": recently_viewed(db, staff_id=staff.id)}


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        action_label=action_label,
        actor_label=actor_label,
        service_label=service_label,
        timeline_changes=timeline_changes,
    )
    app.cli.add_command(cli.users_group)
    app.cli.add_command(cli.terms_group)
    add_nav(app, NavItem("users.index", _l("Service users"), Permission.USERS_VIEW, order=10))
    add_panel(
        app,
        Panel("users/_panel_recent.html", Permission.USERS_EDIT, recently_viewed_panel, order=30),
    )
