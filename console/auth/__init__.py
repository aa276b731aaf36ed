"""Staff accounts, roles, sign-in, sessions and permissions."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from console import db
from console.auth import admin, cli, second_factor, sessions, tokens, views
from console.auth.permissions import enforce_route_permission
from console.extensions import login_manager
from console.navigation import NavItem, add_nav
from console.permissions import Permission, can


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to use this page.")
    login_manager.login_message_category = "warning"
    login_manager.user_loader(lambda staff_id: sessions.load_staff(db.session(), staff_id))
    login_manager.request_loader(tokens.staff_from_bearer)
    app.before_request(enforce_route_permission)
    app.jinja_env.globals["can"] = can
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(second_factor.bp)
    app.cli.add_command(cli.staff_group)
    add_nav(app, NavItem("staff.index", _l("Staff accounts"), Permission.STAFF_VIEW, order=90))
