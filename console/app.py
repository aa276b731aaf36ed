"""The app factory: settings, shared extensions, each feature by name, then the commands."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from flask import Flask

from console import (
    PROJECT_ROOT,
    auth,
    cli,
    dashboard,
    db,
    disclosures,
    errors,
    evidence,
    i18n,
    incidents,
    masking,
    navigation,
    notices,
    security,
    suspensions,
    users,
)
from console.audit import feature as audit
from console.audit.trail import install_session_hooks
from console.config import load_settings
from console.extensions import bootstrap, csrf


class Feature(Protocol):
    """A feature package: ``init_app`` adds its blueprints, commands, menu entries, panels."""

    def init_app(self, app: Flask) -> None: ...


# In this order: a feature's menu entries and panels sort by their own ``order`` numbers.
FEATURES: tuple[Feature, ...] = (
    auth,
    dashboard,
    audit,
    users,
    incidents,
    notices,
    suspensions,
    evidence,
    disclosures,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the console; ``config`` overrides the environment (tests use it)."""
    app = Flask(
        "console",
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_settings(app.instance_path))
    if config:
        app.config.from_mapping(config)
    register_extensions(app)
    register_features(app)
    cli.init_app(app)
    return app


def register_extensions(app: Flask) -> None:
    """What every page relies on: security headers, the database, words, CSRF, layout."""
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
    """Each feature plugs itself in (``console/navigation.py`` and ``console/sweeps.py``)."""
    for feature in FEATURES:
        feature.init_app(app)
