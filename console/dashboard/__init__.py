"""The home page every signed-in staff member lands on, and the system administrator's
panel of the scheduler's health (supervisors see it in the notices panel)."""

from typing import Any

from flask import Flask

from console import scheduler
from console.dashboard.views import bp
from console.navigation import Panel, add_panel
from console.permissions import Permission


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_panel(
        app, Panel("dashboard/scheduler_panel.html", Permission.STAFF_MANAGE, _health, order=90)
    )


def _health(db: Any, _staff: Any) -> dict[str, Any]:
    return {"health": scheduler.health(db)}
