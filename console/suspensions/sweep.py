"""The scheduler's sweep: record each start and end of a suspension exactly once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from console import outbox
from console.audit import SCHEDULER, record
from console.suspensions.models import Decision, Suspension
from console.suspensions.queries import services_of, subject
from console.suspensions.state import State, effective_end, state_at
from console.users.models import ServiceUser


def sweep_transitions(db: Session, now: datetime) -> int:
    """Claim each start and end once (``UPDATE … WHERE …_logged_at IS NULL``) and record it.

    The claim is one UPDATE, so two sweeps running at once never both record a row:
    the second waits on the first's row locks (or SQLite's write lock) and then finds
    the column already set. Entries are written as ``system:scheduler`` with the time
    each transition really happened, not the time the sweep noticed it.
    """
    approved = Suspension.decision == Decision.APPROVED.value
    started = _claim(
        db,
        "started_logged_at",
        now,
        approved,
        col(Suspension.started_logged_at).is_(None),
        Suspension.starts_at <= now,
    )
    ended = _claim(
        db,
        "ended_logged_at",
        now,
        approved,
        col(Suspension.ended_logged_at).is_(None),
        or_(col(Suspension.ends_at) <= now, col(Suspension.cut_short_at) <= now),
    )
    recorded = 0
    for item in started:
        if state_at(item, now) is not State.CANCELLED:
            _record_transition(db, item, "suspension.started", item.starts_at)
            recorded += 1
    for item in ended:
        end = effective_end(item)
        if state_at(item, now) is not State.CANCELLED and end is not None:
            _record_transition(db, item, "suspension.ended", end)
            recorded += 1
    return recorded


def _claim(db: Session, column: str, now: datetime, *conditions: Any) -> list[Suspension]:
    claimed = db.execute(
        update(Suspension)
        .where(*conditions)
        .values({column: now})
        .returning(col(Suspension.id))
        .execution_options(synchronize_session=False)
    )
    ids = sorted(row[0] for row in claimed)
    if not ids:
        return []
    return list(
        db.exec(select(Suspension).where(col(Suspension.id).in_(ids)).order_by(col(Suspension.id)))
    )


def _record_transition(db: Session, item: Suspension, action: str, happened_at: datetime) -> None:
    """The trail entry, and the outbox message the booking system will receive."""
    details = {
        "happened_at": happened_at,
        "service_user_id": item.service_user_id,
        "services": services_of(db, item.id),  # type: ignore[arg-type]
        "cut_short_kind": item.cut_short_kind,
    }
    record(db, SCHEDULER, action, subject(item), details)
    user = db.get(ServiceUser, item.service_user_id)
    payload = {
        **details,
        "suspension_id": item.id,
        "reference_no": user.reference_no if user else None,
    }
    outbox.enqueue(db, action, f"{action}:{item.id}", payload)
