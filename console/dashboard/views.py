"""The dashboard: the panels of every feature the signed-in role may use."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from console import db
from console.navigation import panels
from console.permissions import Permission, public, requires, role_may

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@public
def root() -> Response:
    """The site root: the dashboard when signed in, else the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@requires(Permission.SIGNED_IN)
def index() -> str:
    """Role-specific panels, each filled by its own feature."""
    staff = current_user._get_current_object()
    shown = [
        (panel.template, panel.context(db.session(), staff))
        for panel in panels(current_app)
        if role_may(staff.role, panel.permission)
    ]
    return render_template("dashboard/index.html", panels=shown)
