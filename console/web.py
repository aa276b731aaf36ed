"""Small helpers every blueprint's views share."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm

from console import db
from console.audit import Actor

Row = TypeVar("Row")
MAX_ID = 2**31 - 1


def render_form(template: str, form: FlaskForm, **context: Any) -> tuple[str, int]:
    """Render a form page: 200 when first shown, 422 when a submission had errors."""
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(template, form=form, **context), status


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site (SECURITY.md 17), else ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(char) < 32 for char in target):
        return default
    return target


def next_from_request(default: str) -> str:
    """The ``next`` parameter of this request, if safe."""
    return safe_next(request.values.get("next"), default)


def current_actor() -> Actor:
    """The signed-in staff member, as the audit trail names them."""
    return Actor.of_staff(current_user)


def get_or_404(model: type[Row], ident: int) -> Row:
    """The row of ``model`` with primary key ``ident``, or a 404 page (also for an id no
    row can have: PostgreSQL's integer ends at 2**31 - 1)."""
    found = db.session().get(model, ident) if 0 < ident <= MAX_ID else None
    if found is None:
        abort(404)
    return found
