"""Messages other systems should receive, kept until delivered (delivering is out of scope).

Each message has a unique key, so a sweep or a retry that enqueues the same event twice
keeps one row: ``enqueue`` is idempotent on the key, and safe between concurrent writers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from console.audit.canonical import normalise
from console.modeltypes import code_field, utc_field
from console.timeutil import utcnow

KINDS = frozenset(
    {
        "notice.published",
        "notice.went_live",
        "notice.finished",
        "suspension.started",
        "suspension.ended",
    }
)


class OutboxMessage(SQLModel, table=True):
    """One message for the outside world; ``delivered_at`` is set by whoever delivers it."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = code_field(32, index=True)
    key: str = Field(max_length=200, unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = utc_field(now=True)
    delivered_at: datetime | None = utc_field(nullable=True, index=True)


def enqueue(db: Session, kind: str, key: str, payload: dict[str, Any]) -> bool:
    """Keep a message unless one with ``key`` exists; True when this call added it."""
    if kind not in KINDS:
        raise ValueError(f"unknown outbox message kind {kind!r}: add it to console/outbox.py")
    values = {"kind": kind, "key": key, "payload": normalise(payload), "created_at": utcnow()}
    dialect = db.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )
    if db.connection().dialect.insert_returning:
        return db.execute(statement.returning(OutboxMessage.id)).first() is not None
    return bool(db.execute(statement).rowcount)  # type: ignore[attr-defined]


def undelivered(db: Session, limit: int = 100) -> list[OutboxMessage]:
    """The oldest messages not yet delivered."""
    return list(
        db.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.delivered_at).is_(None))
            .order_by(col(OutboxMessage.id))
            .limit(limit)
        )
    )
