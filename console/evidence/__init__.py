"""Evidence attached to incidents (files and typed notes), its chain of custody, and the
masking of device identifiers (Art. 4-1, 4-2)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session


def evidence_summary(db: Session, incident_id: int) -> dict[str, Any]:
    """For the incident page's panel (templates/evidence/_incident_panel.html)."""
    from console.evidence.service import evidence_summary as summary

    return summary(db, incident_id)


def init_app(app: Flask) -> None:
    from console.evidence import cli, views
    from console.evidence.masking import mask_html

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.evidence_group)
    # {{ incident.description|mask }}: escaped first, identifiers masked (Art. 4-2).
    app.jinja_env.filters["mask"] = mask_html
    app.jinja_env.filters["evidence_size"] = views.human_size
    app.jinja_env.globals.update(
        evidence_action_label=views.action_label, view_mode_label=views.view_mode_label
    )
