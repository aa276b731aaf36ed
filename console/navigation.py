"""Where features plug into the shared layout: menu entries and dashboard panels.

Each feature registers its own entries when its ``init_app`` runs, so the base
template and the dashboard never need editing when a feature is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import LazyString
from sqlmodel import Session

from console.auth.permissions import Permission

NAV_KEY = "console.nav"
PANELS_KEY = "console.panels"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString
    permission: Permission
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A card on the dashboard: its template gets ``context(db, staff)`` as variables."""

    template: str
    permission: Permission
    context: Callable[[Session, Any], dict[str, Any]]
    order: int = 50


def add_nav(app: Flask, item: NavItem) -> None:
    items: list[NavItem] = app.extensions.setdefault(NAV_KEY, [])
    items.append(item)
    items.sort(key=lambda entry: entry.order)


def add_panel(app: Flask, panel: Panel) -> None:
    panels: list[Panel] = app.extensions.setdefault(PANELS_KEY, [])
    panels.append(panel)
    panels.sort(key=lambda entry: entry.order)


def nav_items(app: Flask) -> list[NavItem]:
    return list(app.extensions.get(NAV_KEY, []))


def panels(app: Flask) -> list[Panel]:
    return list(app.extensions.get(PANELS_KEY, []))


def init_app(app: Flask) -> None:
    """Give every template the menu entries the signed-in role may use."""
    from console.auth.permissions import can

    @app.context_processor
    def inject_nav() -> dict[str, Any]:
        return {"nav_items": [item for item in nav_items(app) if can(item.permission)]}
