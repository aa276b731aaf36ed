"""The home page every signed-in staff member lands on."""

from flask import Flask


def init_app(app: Flask) -> None:
    from console.dashboard.views import bp

    app.register_blueprint(bp)
