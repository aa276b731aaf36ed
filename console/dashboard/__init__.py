"""The home page every signed-in staff member lands on."""

from flask import Flask

from console.dashboard.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
