"""Incidents of conduct under Art. 7 (and Art. 3, 4-3, 6-2)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlmodel import Session


def my_open_panel(db: Session, staff: Any) -> dict[str, Any]:
    from console.incidents.service import my_open_incidents

    return {"page": my_open_incidents(db, staff_id=staff.id)}


def awaiting_panel(db: Session, staff: Any) -> dict[str, Any]:
    from console.incidents.service import awaiting_action

    return {"page": awaiting_action(db, staff_id=staff.id)}


def unassigned_panel(db: Session, _staff: Any) -> dict[str, Any]:
    from console.incidents.service import unassigned

    return {"page": unassigned(db)}


def init_app(app: Flask) -> None:
    from console.auth.permissions import Permission
    from console.incidents import views
    from console.incidents.forms import OUTCOME_LABELS, SEVERITY_LABELS, STATUS_LABELS
    from console.navigation import NavItem, Panel, add_nav, add_panel

    app.register_blueprint(views.bp)
    app.jinja_env.globals.update(
        INCIDENT_STATUS_LABELS=STATUS_LABELS,
        INCIDENT_SEVERITY_LABELS=SEVERITY_LABELS,
        INCIDENT_OUTCOME_LABELS=OUTCOME_LABELS,
    )
    add_nav(app, NavItem("incidents.index", _l("Incidents"), Permission.INCIDENTS_VIEW, order=20))
    add_panel(
        app,
        Panel(
            "incidents/_panel_unassigned.html",
            Permission.INCIDENTS_TRIAGE,
            unassigned_panel,
            order=10,
        ),
    )
    add_panel(
        app,
        Panel("incidents/_panel_awaiting.html", Permission.INCIDENTS_LOG, awaiting_panel, order=15),
    )
    add_panel(
        app, Panel("incidents/_panel_mine.html", Permission.INCIDENTS_LOG, my_open_panel, order=20)
    )
