"""Art. 9-2 suspensions: proposed by one, decided by another, ending on time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from console import db
from console.auth.models import Staff
from console.i18n import current_language, jst
from console.navigation import (
    NavItem,
    Panel,
    UserPanel,
    add_nav,
    add_panel,
    add_user_panel,
    add_user_records,
)
from console.online_services import OnlineService
from console.permissions import Permission, can
from console.suspensions import cli, queries, status, views
from console.suspensions.state import Restriction, effective_end, state_at
from console.suspensions.sweep import sweep_transitions
from console.sweeps import register_sweep
from console.timeutil import as_utc, to_jst, utcnow

SHORT_PATTERNS = {"ja": "M月d日(E) H:mm", "en": "EEE d MMM HH:mm"}


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    app.cli.add_command(cli.suspensions_group)
    add_nav(app, NavItem("suspensions.index", _l("Suspensions"), Permission.SUSPENSIONS_VIEW, 40))
    add_panel(
        app, Panel("suspensions/_dashboard_panel.html", Permission.SUSPENSIONS_DECIDE, _panel, 20)
    )
    # The service user's page (console/users) shows the status and history from here.
    add_user_panel(
        app,
        UserPanel("suspensions/_user_panel.html", Permission.SUSPENSIONS_VIEW, _no_context, 10),
    )
    add_user_records(app, "suspension", _user_suspension_ids)
    register_sweep(app, "suspensions.transitions", sweep_transitions)
    app.jinja_env.filters["jst_short"] = jst_short
    app.jinja_env.globals["online_service"] = OnlineService
    app.context_processor(_template_helpers)


def _panel(session: Session, staff: Staff) -> dict[str, Any]:
    """The supervisors' dashboard: proposals awaiting decision."""
    return {
        "pending": queries.pending_proposals(session),
        "pending_total": queries.count_pending(session),
        "staff_id": staff.id,
    }


def _user_suspension_ids(session: Session, service_user: Any) -> list[int]:
    """The suspensions whose history belongs on the service user's timeline."""
    return [item.id for item in queries.user_history(session, service_user.id) if item.id]


def _no_context(_db: Any, _service_user: Any, _staff: Any) -> dict[str, Any]:
    # The panel reads through the template helpers below; it needs only ``service_user``.
    return {}


def jst_short(moment: datetime | None) -> str:
    """``12月8日(火) 0:00``: Japan time without the year (the year is added if not this one)."""
    if moment is None:
        return ""
    if to_jst(moment).year != to_jst(utcnow()).year:
        return jst(moment)
    return format_datetime(as_utc(moment), SHORT_PATTERNS[current_language()])


def suspension_restrictions(service_user_id: int) -> list[Restriction]:
    """For templates: what the user may not use now (``suspensions/_badge.html``)."""
    return status.current_restrictions(db.session(), service_user_id, utcnow())


def suspension_history(service_user_id: int) -> list[dict[str, Any]]:
    """For templates: every suspension of the user with its state now and its services."""
    now = utcnow()
    session = db.session()
    return [
        {
            "item": item,
            "state": state_at(item, now),
            "services": queries.services_of(session, item.id),  # type: ignore[arg-type]
            "end": effective_end(item),
        }
        for item in queries.user_history(session, service_user_id)
    ]


def _template_helpers() -> dict[str, Any]:
    if not can(Permission.SUSPENSIONS_VIEW):
        return {"suspension_restrictions": lambda _id: [], "suspension_history": lambda _id: []}
    return {
        "suspension_restrictions": suspension_restrictions,
        "suspension_history": suspension_history,
    }
