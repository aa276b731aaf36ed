"""The moderation and suspension console of Hello Work Shibuya's online services."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the console (``console/app.py``); ``config`` overrides the environment."""
    from console.app import create_app as build  # late: the standalone verifier needs no Flask

    return build(config)
