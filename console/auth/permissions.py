"""Every request is checked against the permission its view declares (``console.permissions``)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from console.auth.sessions import login_is_fresh
from console.permissions import UNDECLARED_ENDPOINTS, Permission, declared_permission, role_may


def enforce_route_permission() -> Any:
    """``before_request``: 404 for unknown routes, 403 for undeclared ones, login, then role."""
    if request.endpoint is None or request.endpoint in UNDECLARED_ENDPOINTS:
        return None
    permission = declared_permission(request.endpoint)
    if permission is None:
        abort(403)
    if permission is Permission.PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not role_may(current_user.role, permission):
        abort(403)
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "requires_fresh_login", False) and not login_is_fresh():
        return redirect(url_for("auth.reauthenticate", next=request.full_path))
    return None
