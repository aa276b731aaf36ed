"""Art. 9-1 outage notices and Art. 10 terms-change notices, their public pages and sweep."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from console import scheduler
from console.navigation import NavItem, Panel, add_nav, add_panel
from console.notices import display, public, service, views
from console.notices.sweep import sweep_notices
from console.permissions import Permission
from console.sweeps import register_sweep
from console.timeutil import utcnow


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    app.jinja_env.globals.update(display.template_helpers())
    app.jinja_env.filters["atom_time"] = display.atom_time
    add_nav(app, NavItem("notice_admin.index", _l("Notices"), Permission.NOTICES_VIEW, order=60))
    add_panel(app, Panel("notices/panel.html", Permission.NOTICES_VIEW, _panel_context, order=20))
    register_sweep(app, "notices", sweep_notices)


def _panel_context(db: Any, _staff: Any) -> dict[str, Any]:
    now = utcnow()
    return {
        "live": service.live_notices(db, now),
        "upcoming": service.list_notices(db, state=service.NoticeState.UPCOMING, now=now).notices,
        "health": scheduler.health(db, now),
    }
