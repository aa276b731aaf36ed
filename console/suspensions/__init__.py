"""Art. 9-2 suspensions: proposed by one, decided by another, ending on time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, abort, jsonify
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

API_PREFIX = "/api/v1/"
SHORT_PATTERNS = {"ja": "M月d日(E) H:mm", "en": "EEE d MMM HH:mm"}


def init_app(app: Flask) -> None:
    from console.auth.permissions import Permission
    from console.extensions import login_manager
    from console.navigation import NavItem, Panel, UserPanel, add_nav, add_panel, add_user_panel
    from console.online_services import OnlineService
    from console.suspensions import cli, service, views
    from console.sweeps import register_sweep

    app.register_blueprint(views.bp)
    app.register_blueprint(views.api)
    app.cli.add_command(cli.suspensions_group)
    add_nav(app, NavItem("suspensions.index", _l("Suspensions"), Permission.SUSPENSIONS_VIEW, 40))
    add_panel(
        app,
        Panel(
            "suspensions/_dashboard_panel.html",
            Permission.SUSPENSIONS_DECIDE,
            lambda db, staff: {
                "pending": service.pending_proposals(db),
                "pending_total": service.count_pending(db),
                "staff_id": staff.id,
            },
            order=20,
        ),
    )
    # The service user's page (console/users) shows the status and history from here.
    add_user_panel(
        app,
        UserPanel("suspensions/_user_panel.html", Permission.SUSPENSIONS_VIEW, _no_context, 10),
    )
    register_sweep(app, "suspensions.transitions", service.sweep_transitions)
    login_manager.request_loader(_staff_from_token)
    app.jinja_env.filters["jst_short"] = jst_short
    app.jinja_env.globals["online_service"] = OnlineService
    app.context_processor(_template_helpers)


def _no_context(_db: Any, _service_user: Any, _staff: Any) -> dict[str, Any]:
    # The panel reads through the template helpers below; it needs only ``service_user``.
    return {}


def _staff_from_token(req: Any) -> Any:
    """``Authorization: Bearer <token>`` on the API only; a wrong token is a 401 at once."""
    from console import db
    from console.suspensions.service import staff_for_token

    if not req.path.startswith(API_PREFIX):
        return None
    header = req.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, token = header.partition(" ")
    staff = staff_for_token(db.session(), token.strip()) if scheme.lower() == "bearer" else None
    if staff is None:
        response = jsonify(error="invalid or revoked API token")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        abort(response)
    return staff


def jst_short(moment: datetime | None) -> str:
    """``12月8日(火) 0:00``: Japan time without the year (the year is added if not this one)."""
    from console.i18n import current_language, jst
    from console.timeutil import as_utc, to_jst, utcnow

    if moment is None:
        return ""
    if to_jst(moment).year != to_jst(utcnow()).year:
        return jst(moment)
    return format_datetime(as_utc(moment), SHORT_PATTERNS[current_language()])


def suspension_restrictions(service_user_id: int) -> list[Any]:
    """For templates: what the user may not use now (``suspensions/_badge.html``)."""
    from console import db
    from console.suspensions.service import current_restrictions
    from console.timeutil import utcnow

    return current_restrictions(db.session(), service_user_id, utcnow())


def suspension_history(service_user_id: int) -> list[dict[str, Any]]:
    """For templates: every suspension of the user with its state now and its services."""
    from console import db
    from console.suspensions.service import services_of, user_history
    from console.suspensions.state import effective_end, state_at
    from console.timeutil import utcnow

    now = utcnow()
    session = db.session()
    return [
        {
            "item": item,
            "state": state_at(item, now),
            "services": services_of(session, item.id),  # type: ignore[arg-type]
            "end": effective_end(item),
        }
        for item in user_history(session, service_user_id)
    ]


def _template_helpers() -> dict[str, Any]:
    from console.auth.permissions import can

    helpers: dict[str, Any] = {}
    if not can("suspensions.view"):
        helpers.update(suspension_restrictions=lambda _id: [], suspension_history=lambda _id: [])
    else:
        helpers.update(
            suspension_restrictions=suspension_restrictions,
            suspension_history=suspension_history,
        )
    return helpers
