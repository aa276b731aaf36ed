"""Evidence attached to incidents (files and typed notes) and its chain of custody."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session

from console.audit.actions import label as action_label
from console.evidence import cli, views
from console.evidence.service import evidence_summary as summary
from console.evidence.service import list_for_incident
from console.incidents.service import incidents_of
from console.navigation import IncidentPanel, UserPanel, add_incident_panel, add_user_panel
from console.permissions import Permission


def evidence_summary(db: Session, incident_id: int) -> dict[str, Any]:
    """For the incident page's panel (templates/evidence/_incident_panel.html)."""
    return summary(db, incident_id)


def incident_panel(db: Session, incident: Any, _staff: Any) -> dict[str, Any]:
    """The incident page's evidence section (plugged in through console.navigation)."""
    return evidence_summary(db, incident.id)


def user_panel(db: Session, service_user: Any, _staff: Any) -> dict[str, Any]:
    """The service user's page: how much evidence their incidents hold."""
    incidents = incidents_of(db, user=service_user)
    counts = {incident.id: len(list_for_incident(db, incident.id)) for incident in incidents}
    return {"evidence_counts": counts, "evidence_total": sum(counts.values())}


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.evidence_group)
    app.jinja_env.filters["evidence_size"] = views.human_size
    app.jinja_env.globals.update(
        evidence_action_label=action_label, view_mode_label=views.view_mode_label
    )
    add_incident_panel(
        app,
        IncidentPanel("evidence/_incident_panel.html", Permission.INCIDENTS_VIEW, incident_panel),
    )
    add_user_panel(
        app, UserPanel("evidence/_user_panel.html", Permission.INCIDENTS_VIEW, user_panel, 20)
    )
