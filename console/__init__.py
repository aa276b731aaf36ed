"""The moderation and suspension console of Hello Work Shibuya's online services."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Flask is imported when an app is made, so that console.audit.verify_export needs none.
if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Each feature package has ``init_app(app)``: blueprints, commands, menu entries, panels.
FEATURES = (
    "console.auth",
    "console.dashboard",
    "console.audit",
    "console.users",
    "console.incidents",
    "console.notices",
    "console.suspensions",
    "console.evidence",
    "console.disclosures",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the console; ``config`` overrides the environment (tests use it)."""
    from flask import Flask

    from console.config import load_settings

    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_settings(app.instance_path))
    if config:
        app.config.from_mapping(config)
    register_extensions(app)
    register_features(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from console import db, errors, i18n, masking, navigation, security
    from console.audit.trail import install_session_hooks
    from console.extensions import bootstrap, csrf

    security.init_app(app)
    db.init_app(app)
    install_session_hooks()
    i18n.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    errors.init_app(app)
    navigation.init_app(app)
    masking.init_app(app)


def register_features(app: Flask) -> None:
    for name in FEATURES:
        importlib.import_module(name).init_app(app)  # type: ignore[attr-defined]


def register_commands(app: Flask) -> None:
    from console import cli

    cli.init_app(app)
