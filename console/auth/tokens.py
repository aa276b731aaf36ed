"""API tokens: a staff member's bearer token for the status API (``/api/v1/…``).

Only the token's SHA-256 is stored; the token itself is shown once when it is created
(``flask staff token create LOGIN``). A request under ``API_PREFIX`` with an
``Authorization: Bearer`` header is signed in as the token's staff member, or refused
with a 401 at once when the token is wrong, revoked or belongs to a disabled account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import Request, abort, jsonify
from flask_babel import gettext as _
from sqlmodel import Field, Session, SQLModel, select

from console import db
from console.audit import Actor, Subject, record
from console.auth.models import Staff
from console.modeltypes import utc_field
from console.permissions import Permission, role_may
from console.rules import RuleError
from console.timeutil import utcnow

API_PREFIX = "/api/v1/"
TOKEN_PREFIX = "hwsc_"  # noqa: S105 (a recognisable prefix, not a secret)
MAX_TOKEN_LENGTH = 200
MAX_LABEL_LENGTH = 100
# The status API answers what suspensions apply, so only a role that may see them holds one.
API_PERMISSION = Permission.SUSPENSIONS_VIEW


class TokenError(RuleError):
    """A token change the rules refuse."""


class ApiToken(SQLModel, table=True):
    """A staff member's token for the status API; only its SHA-256 is kept."""

    __tablename__ = "suspension_api_token"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    label: str = Field(default="", max_length=MAX_LABEL_LENGTH)
    created_at: datetime = utc_field(now=True)
    revoked_at: datetime | None = utc_field(nullable=True)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Session, *, actor: Actor, staff: Staff, label: str = "") -> str:
    """A new token for the status API; only its hash is stored, the token is shown once."""
    if not role_may(staff.role, API_PERMISSION):
        raise TokenError(_("This staff member's role may not check suspensions."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        staff_id=staff.id,  # type: ignore[arg-type]
        token_hash=_digest(token),
        label=label[:MAX_LABEL_LENGTH],
    )
    db.add(row)
    db.flush()
    record(
        db,
        actor,
        "staff.api_token_created",
        Subject.of("staff", staff.id),
        {"token_id": row.id, "label": row.label},
    )
    return token


def revoke_token(db: Session, *, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token at once."""
    row = db.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        raise TokenError(_("No such active token."))
    row.revoked_at = utcnow()
    db.add(row)
    db.flush()
    record(
        db,
        actor,
        "staff.api_token_revoked",
        Subject.of("staff", row.staff_id),
        {"token_id": row.id},
    )
    return row


def staff_for_token(db: Session, token: str) -> Staff | None:
    """The active staff member a valid, unrevoked token belongs to."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    staff = db.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    return staff


def staff_from_bearer(request: Request) -> Staff | None:
    """Flask-Login's request loader: ``Authorization: Bearer <token>`` on the API only."""
    if not request.path.startswith(API_PREFIX):
        return None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _sep, token = header.partition(" ")
    staff = staff_for_token(db.session(), token.strip()) if scheme.lower() == "bearer" else None
    if staff is None:
        response = jsonify(error="invalid or revoked API token")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = "Bearer"
        abort(response)
    return staff
