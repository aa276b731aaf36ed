"""Incidents of conduct under Art. 7 (and Art. 3, 4-3, 6-2)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from console.incidents import views
from console.incidents.forms import OUTCOME_LABELS, SEVERITY_LABELS, STATUS_LABELS
from console.incidents.service import awaiting_action, incidents_of, my_open_incidents, unassigned
from console.navigation import (
    NavItem,
    Panel,
    UserPanel,
    add_nav,
    add_panel,
    add_user_panel,
    add_user_records,
    add_value_labels,
)
from console.permissions import Permission


def my_open_panel(db: Session, staff: Any) -> dict[str, Any]:
    return {"page": my_open_incidents(db, staff_id=staff.id)}


def awaiting_panel(db: Session, staff: Any) -> dict[str, Any]:
    return {"page": awaiting_action(db, staff_id=staff.id)}


def unassigned_panel(db: Session, _staff: Any) -> dict[str, Any]:
    return {"page": unassigned(db)}


def user_panel(db: Session, service_user: Any, _staff: Any) -> dict[str, Any]:
    """The service user's page: their incidents, newest conduct first."""
    return {"incidents": incidents_of(db, user=service_user)}


def user_incident_ids(db: Session, service_user: Any) -> list[int]:
    """The incidents whose history belongs on the service user's timeline."""
    return [incident.id for incident in incidents_of(db, user=service_user) if incident.id]


def init_app(app: Flask) -> None:
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
    add_user_panel(
        app, UserPanel("incidents/_user_panel.html", Permission.INCIDENTS_VIEW, user_panel, 5)
    )
    add_user_records(app, "incident", user_incident_ids)
    for labels in (STATUS_LABELS, OUTCOME_LABELS, SEVERITY_LABELS):
        add_value_labels(app, labels)
