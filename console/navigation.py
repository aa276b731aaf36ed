"""Where features plug into the shared layout: menu entries, dashboard panels, the sections
of a service user's and an incident's page, and the records on a service user's timeline.

Each feature registers its own entries when its ``init_app`` runs, so the base template,
the dashboard and the pages of ``console/users`` never import a feature above them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, render_template
from flask_babel import LazyString
from markupsafe import Markup
from sqlmodel import Session

from console.permissions import Permission, can, role_may

NAV_KEY = "console.nav"
PANELS_KEY = "console.panels"
USER_PANELS_KEY = "console.user_panels"
INCIDENT_PANELS_KEY = "console.incident_panels"
USER_RECORDS_KEY = "console.user_records"
VALUE_LABELS_KEY = "console.value_labels"


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


UserRecords = Callable[[Session, Any], list[int]]


@dataclass(frozen=True)
class PagePanel:
    """A section of a record's page: its template gets ``ctx = context(db, record, staff)``."""

    template: str
    permission: Permission
    context: Callable[[Session, Any, Any], dict[str, Any]]
    order: int = 50


# A section of a service user's page, and of an incident's page.
UserPanel = IncidentPanel = PagePanel


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


def add_user_records(app: Flask, subject_type: str, ids_of: UserRecords) -> None:
    """Put a feature's records of a service user (``ids_of(db, user)``) on their timeline."""
    app.extensions.setdefault(USER_RECORDS_KEY, {})[subject_type] = ids_of


def user_records(app: Flask, db: Session, service_user: Any) -> dict[str, list[int]]:
    """Subject type → ids of every plugged-in record of ``service_user``."""
    sources: dict[str, UserRecords] = app.extensions.get(USER_RECORDS_KEY, {})
    return {kind: ids_of(db, service_user) for kind, ids_of in sources.items()}


def add_value_labels(app: Flask, labels: Mapping[str, Any]) -> None:
    """Words for the stored codes of a feature (``"closed"`` → 終了), for timelines."""
    app.extensions.setdefault(VALUE_LABELS_KEY, []).append(labels)


def value_label(app: Flask, value: str) -> str | None:
    """The words for a stored code, from the first feature that knows it, or None."""
    for labels in app.extensions.get(VALUE_LABELS_KEY, []):
        if value in labels:
            return str(labels[value])
    return None


def _shown(entries: list[Any], db: Session, subject: Any, staff: Any) -> list[ShownPanel]:
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

    variables = {**page, **panel.ctx, "ctx": panel.ctx}
    return Markup(render_template(panel.template, **variables))  # noqa: S704 (an autoescaped template)


def nav_items(app: Flask) -> list[NavItem]:
    return list(app.extensions.get(NAV_KEY, []))


def panels(app: Flask) -> list[Panel]:
    return list(app.extensions.get(PANELS_KEY, []))


def init_app(app: Flask) -> None:
    """Give every template the menu entries the signed-in role may use."""
    app.jinja_env.globals["render_panel"] = render_panel

    @app.context_processor
    def inject_nav() -> dict[str, Any]:
        return {"nav_items": [item for item in nav_items(app) if can(item.permission)]}
