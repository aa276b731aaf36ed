"""Server-side sessions (SECURITY.md 7-11): revocable, idle and absolute timeouts, fresh login.

Flask's cookie only points at a ``StaffSession`` row by its token; logging out
revokes the row, so a copied cookie is worthless afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlmodel import Session, select

from console.auth.models import Staff, StaffSession
from console.timeutil import as_utc, utcnow

TOKEN_KEY = "sid"  # noqa: S105 - a session key name, not a secret
SEEN_KEY = "seen"
FRESH_KEY = "fresh"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address() -> str:
    """The caller's address as the WSGI server saw it (a proxy must be configured in front)."""
    return (request.remote_addr or "")[:45]


def begin(db: Session, staff: Staff) -> None:
    """Start a new server-side session for ``staff`` with a new identifier in a clean cookie."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    token = secrets.token_urlsafe(32)
    db.add(
        StaffSession(token_hash=_digest(token), staff_id=staff.id, client_address=client_address())
    )
    db.flush()
    session[TOKEN_KEY] = token
    session.permanent = True
    mark_fresh()
    touch()
    login_user(staff)


def end(db: Session) -> None:
    """Revoke the current session on the server and clear the cookie."""
    token = session.get(TOKEN_KEY)
    if token:
        row = db.get(StaffSession, _digest(token))
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            db.add(row)
    logout_user()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def revoke_all(db: Session, staff_id: int) -> None:
    """End every session of one staff member at once (account disabled)."""
    now = utcnow()
    open_sessions = db.exec(
        select(StaffSession).where(
            StaffSession.staff_id == staff_id,
            StaffSession.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    )
    for row in open_sessions:
        row.revoked_at = now
        db.add(row)


def load_staff(db: Session, staff_id: str) -> Staff | None:
    """Flask-Login's loader: the staff member, only while their session row is valid."""
    token = session.get(TOKEN_KEY)
    if not token or not staff_id.isdigit() or _idle_too_long():
        return None
    row = db.get(StaffSession, _digest(token))
    if row is None or row.revoked_at is not None or row.staff_id != int(staff_id):
        return None
    if utcnow() - as_utc(row.created_at) > current_app.config["PERMANENT_SESSION_LIFETIME"]:
        return None
    staff = db.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    touch()
    return staff


def touch() -> None:
    """Note activity now, for the idle timeout."""
    session[SEEN_KEY] = utcnow().timestamp()


def _idle_too_long() -> bool:
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, int | float):
        return True
    idle = current_app.config["IDLE_TIMEOUT"].total_seconds()
    return utcnow().timestamp() - seen > idle


def mark_fresh() -> None:
    """The password was just typed: sensitive actions are allowed for a while."""
    session[FRESH_KEY] = utcnow().timestamp()


def login_is_fresh(now: datetime | None = None) -> bool:
    """Whether the password was typed within the fresh-login window (10 minutes)."""
    typed = session.get(FRESH_KEY)
    if not isinstance(typed, int | float):
        return False
    window = current_app.config["FRESH_LOGIN_WINDOW"].total_seconds()
    return (now or utcnow()).timestamp() - typed <= window
