"""Request ids and the security headers every response carries (SECURITY.md 25-27)."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, abort, current_app, g, request

from console.permissions import Permission, declared_permission

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,32}$")


def assign_request_id() -> None:
    """Take a well-formed ``X-Request-ID`` from the proxy, or make one."""
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def refuse_nul_bytes() -> None:
    """A NUL character is never valid input here (PostgreSQL cannot even store it): 400.

    Multipart bodies are left to their forms, so evidence uploads stay streamed.
    """
    values = list(request.args.values())
    if request.mimetype == "application/x-www-form-urlencoded":
        values += list(request.form.values())
    if any("\x00" in value for value in values):
        abort(400)


def add_security_headers(response: Response) -> Response:
    """Headers for every response; pages behind a login are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers["X-Request-ID"] = g.get("request_id", "")
    if current_app.config.get("HSTS"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if _is_private(response):
        headers["Cache-Control"] = "no-store"
    return response


def _is_private(response: Response) -> bool:
    if request.endpoint in ("static", "bootstrap.static"):
        return False
    public = declared_permission(request.endpoint) is Permission.PUBLIC
    return not (public and "Cache-Control" in response.headers)


def init_app(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.before_request(refuse_nul_bytes)
    app.after_request(add_security_headers)
