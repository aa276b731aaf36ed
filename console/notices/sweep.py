"""The scheduler's sweep: Art. 9-1 stops going live and finishing, each recorded once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from console.audit import SCHEDULER, Subject, record
from console.notices.models import Notice, NoticeKind
from console.notices.state import public_payload
from console.outbox import enqueue
from console.timeutil import as_utc


def _claim(db: Session, column: Any, moment: Any, now: datetime) -> list[tuple[int, datetime]]:
    """Set ``column`` to now on every unclaimed row whose ``moment`` passed; return what we got.

    One UPDATE … WHERE column IS NULL … RETURNING: a second sweep running at the same time
    waits for our row locks (PostgreSQL) or the database lock (SQLite, BEGIN IMMEDIATE) and
    then finds nothing left, so each transition is claimed by exactly one transaction.
    """
    conditions = (
        column.is_(None),
        col(Notice.published_at).is_not(None),
        col(Notice.cancelled_at).is_(None),
        Notice.kind != NoticeKind.TERMS_CHANGE.value,
        moment.is_not(None),
        moment <= now,
    )
    if db.connection().dialect.update_returning:
        statement = update(Notice).where(*conditions).values({column.key: now})
        rows = db.execute(statement.returning(Notice.id, moment)).all()
        return [(row[0], as_utc(row[1])) for row in rows]
    # Without RETURNING (SQLite before 3.35): claim row by row, keeping only rows we changed.
    claimed = []
    for notice_id, at in db.execute(select(Notice.id, moment).where(*conditions)).all():
        result = db.execute(
            update(Notice).where(Notice.id == notice_id, column.is_(None)).values({column.key: now})
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append((notice_id, as_utc(at)))
    return claimed


def sweep_notices(db: Session, now: datetime) -> int:
    """Record each stop that went live or finished since the last sweep, once, with its time."""
    started = _claim(db, col(Notice.live_logged_at), col(Notice.starts_at), now)
    end = func.coalesce(Notice.actual_end_at, Notice.ends_at)
    finished = _claim(db, col(Notice.finished_logged_at), end, now)
    events = [(at, 0, "notice.went_live", ident) for ident, at in started]
    events += [(at, 1, "notice.finished", ident) for ident, at in finished]
    for at, _order, action, ident in sorted(events):
        notice = db.get(Notice, ident)
        assert notice is not None
        details = {"happened_at": at, "recorded_at": now, "title_ja": notice.title_ja}
        record(db, SCHEDULER, action, Subject.of("notice", ident), details)
        enqueue(db, action, f"{action}:{ident}", {**public_payload(notice, now), "happened_at": at})
    db.flush()
    return len(events)
