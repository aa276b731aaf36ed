"""Legal-disclosure requests (開示請求, Art. 4-2): the only way to see identifiers unmasked."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from console.disclosures import service, views
from console.disclosures.models import DisclosureStatus
from console.disclosures.service import list_requests
from console.navigation import NavItem, Panel, add_nav, add_panel
from console.permissions import Permission
from console.sweeps import register_sweep


def pending_for(db: Session, staff: Any) -> dict[str, Any]:
    """Dashboard: requests others made that this supervisor may decide."""
    pending = list_requests(db, status=DisclosureStatus.REQUESTED.value)
    return {"pending": [found for found in pending if found.requested_by_id != staff.id]}


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    add_nav(
        app,
        NavItem(
            "disclosures.index", _l("Disclosure requests"), Permission.DISCLOSURES_REQUEST, order=60
        ),
    )
    add_nav(
        app,
        NavItem(
            "disclosures.review", _l("Disclosure review"), Permission.DISCLOSURES_REVIEW, order=61
        ),
    )
    add_panel(
        app,
        Panel("disclosures/_dashboard_panel.html", Permission.DISCLOSURES_APPROVE, pending_for, 40),
    )
    register_sweep(app, "disclosures.expire", service.expire_sweep)
