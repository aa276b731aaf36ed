"""Legal-disclosure requests (開示請求, Art. 4-2): the only way to see identifiers unmasked."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from console.auth.permissions import Permission
    from console.disclosures import service, views
    from console.navigation import NavItem, add_nav
    from console.sweeps import register_sweep

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
    register_sweep(app, "disclosures.expire", service.expire_sweep)
