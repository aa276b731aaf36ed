"""The decision notice (通知書) sent to the user: printed, and its print recorded with a hash."""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from sqlmodel import Session

from console.audit import Actor, record
from console.suspensions.models import Decision, Suspension
from console.suspensions.queries import subject
from console.suspensions.rules import SuspensionError


def notice_digest(html: str) -> str:
    """SHA-256 of the rendered notice, as recorded in the trail."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def record_notice_printed(db: Session, *, actor: Actor, item: Suspension, html: str) -> str:
    """Record that the decision notice was printed, with the hash of exactly what was printed."""
    if item.decision != Decision.APPROVED:
        raise SuspensionError(_("A notice can only be printed for a decided suspension."))
    digest = notice_digest(html)
    record(
        db,
        actor,
        "suspension.notice_printed",
        subject(item),
        {"sha256": digest, "service_user_id": item.service_user_id, "changes": {}},
    )
    return digest
