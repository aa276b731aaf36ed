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
from markupsafe import Markup
from sqlmodel import Session

from console.auth.permissions import Permission

NAV_KEY = "console.nav"
PANELS_KEY = "console.panels"
USER_PANELS_KEY = "console.user_panels"
INCIDENT_PANELS_KEY = "console.incident_panels"


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


@dataclass(frozen=True)
class UserPanel:
    """A section of a service user's page: its template gets ``ctx = context(db, user, staff)``."""

    template: str
    permission: Permission
    context: Callable[[Session, Any, Any], dict[str, Any]]
    order: int = 50


@dataclass(frozen=True)
class IncidentPanel:
    """A section of an incident's page: its template gets ``ctx = context(db, incident, staff)``."""

    template: str
    permission: Permission
    context: Callable[[Session, Any, Any], dict[str, Any]]
    order: int = 50


@dataclass(frozen=True)
class ShownPanel:
    """A panel ready for a template: ``{% with ctx = panel.ctx %}{% include panel.template %}``."""

    template: str
    ctx: dict[str, Any]


def add_nav(app: Flask, item: NavItem) -> None:
    items: list[NavItem] = app.extensions.setdefault(NAV_KEY, [])
    items.append(item)
    items.sort(key=lambda entry: entry.order)


def add_panel(app: Flask, panel: Panel) -> None:
    panels: list[Panel] = app.extensions.setdefault(PANELS_KEY, [])
    panels.append(panel)
    panels.sort(key=lambda entry: entry.order)


def add_user_panel(app: Flask, panel: UserPanel) -> None:
    """Plug a section into every service user's page (suspensions, evidence…)."""
    entries: list[UserPanel] = app.extensions.setdefault(USER_PANELS_KEY, [])
    entries.append(panel)
    entries.sort(key=lambda entry: entry.order)


def add_incident_panel(app: Flask, panel: IncidentPanel) -> None:
    """Plug a section into every incident's page (evidence, suspension proposals…)."""
    entries: list[IncidentPanel] = app.extensions.setdefault(INCIDENT_PANELS_KEY, [])
    entries.append(panel)
    entries.sort(key=lambda entry: entry.order)


def _shown(entries: list[Any], db: Session, subject: Any, staff: Any) -> list[ShownPanel]:
    from console.auth.permissions import role_may

    return [
        ShownPanel(entry.template, entry.context(db, subject, staff))
        for entry in entries
        if role_may(staff.role, entry.permission)
    ]


def user_panels(app: Flask, db: Session, service_user: Any, staff: Any) -> list[ShownPanel]:
    """The plugged-in sections of ``service_user``'s page that ``staff`` may see."""
    return _shown(app.extensions.get(USER_PANELS_KEY, []), db, service_user, staff)


def incident_panels(app: Flask, db: Session, incident: Any, staff: Any) -> list[ShownPanel]:
    """The plugged-in sections of ``incident``'s page that ``staff`` may see."""
    return _shown(app.extensions.get(INCIDENT_PANELS_KEY, []), db, incident, staff)


def render_panel(panel: ShownPanel, **page: Any) -> Markup:
    """A plugged-in section rendered on its own: it sees ``ctx``, each key of ``ctx`` as a
    variable, and what the page passes (``service_user``, ``incident``)."""
    from flask import render_template

    variables = {**page, **panel.ctx, "ctx": panel.ctx}
    return Markup(render_template(panel.template, **variables))  # noqa: S704 (an autoescaped template)


def nav_items(app: Flask) -> list[NavItem]:
    return list(app.extensions.get(NAV_KEY, []))


def panels(app: Flask) -> list[Panel]:
    return list(app.extensions.get(PANELS_KEY, []))


def init_app(app: Flask) -> None:
    """Give every template the menu entries the signed-in role may use."""
    from console.auth.permissions import can

    app.jinja_env.globals["render_panel"] = render_panel

    @app.context_processor
    def inject_nav() -> dict[str, Any]:
        return {"nav_items": [item for item in nav_items(app) if can(item.permission)]}
