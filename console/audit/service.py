"""Checkpoints, verification and the queries behind the auditor's pages and commands.

Every function takes the caller's session and only flushes; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import String, func, select, type_coerce
from sqlalchemy.orm import Session

from console.audit.canonical import format_time
from console.audit.checkpoints import key_announcements, latest_checkpoint, staleness
from console.audit.export import render
from console.audit.keys import PinnedKeys, pinned_keys
from console.audit.models import AuditCheckpoint, AuditEntry
from console.audit.queries import SearchFilter, apply_filter
from console.audit.trail import (
    Actor,
    Subject,
    record,
)
from console.audit.verify import (
    Checkpoint,
    Problem,
    Report,
    Row,
    trusted_keys,
    verify,
)
from console.timeutil import utcnow

STREAM_BATCH = 2000

E = AuditEntry.__table__.c  # type: ignore[attr-defined]
C = AuditCheckpoint.__table__.c  # type: ignore[attr-defined]


# --- verification ------------------------------------------------------------------------


def entry_count(db: Session) -> int:
    """The trail's size: its last seq (seq has no gaps)."""
    return db.execute(select(func.coalesce(func.max(E.seq), 0))).scalar_one()


def stream_rows(
    db: Session,
    *,
    since_seq: int = 0,
    until_seq: int | None = None,
    search: SearchFilter | None = None,
) -> Iterator[Row]:
    """Entries by ascending seq (those ``search`` matches), in batches (flat memory)."""
    sqlite = db.get_bind().dialect.name == "sqlite"
    # SQLite keeps times as text 'YYYY-MM-DD HH:MM:SS.ffffff': read it as text, which is
    # far cheaper than parsing a datetime per row; PostgreSQL's driver parses natively.
    at_column = type_coerce(E.at, String) if sqlite else E.at
    query = (
        select(E.seq, E.canonical, E.prev_hash, E.hash, at_column, *(E[name] for name in _PLAIN))
        .where(E.seq > since_seq)
        .order_by(E.seq)
    )
    if until_seq is not None:
        query = query.where(E.seq <= until_seq)
    if search is not None:
        query = apply_filter(query, search)
    result = db.execute(query, execution_options={"yield_per": STREAM_BATCH})
    at_text = _sqlite_time if sqlite else format_time
    try:
        for seq, canonical, prev_hash, digest, at, *plain in result:
            columns = dict(zip(_PLAIN, plain, strict=True))
            columns["at"] = at_text(at)
            yield Row(seq, canonical, prev_hash, digest, columns)
    finally:
        result.close()  # a server-side cursor on PostgreSQL, when verification stops early


_PLAIN = (
    "actor_kind",
    "actor_id",
    "actor_login",
    "action",
    "subject_type",
    "subject_id",
    "request_id",
    "client_address",
)


def _sqlite_time(stored: str) -> str:
    """SQLAlchemy's SQLite text ``2026-12-01 13:00:00.000000`` in the canonical form."""
    if len(stored) == 26 and stored[10] == " ":
        return f"{stored[:10]}T{stored[11:]}Z"
    return format_time(datetime.fromisoformat(stored))


def stream_checkpoints(
    db: Session, *, since_seq: int = 0, until_seq: int | None = None
) -> Iterator[Checkpoint]:
    """Checkpoints by ascending seq, fetched by keyset in batches (flat memory)."""
    last: tuple[int, int] | None = None
    while True:
        after = (
            C.seq > since_seq
            if last is None
            else (C.seq > last[0]) | ((C.seq == last[0]) & (C.id > last[1]))
        )
        query = (
            select(C.id, C.log_id, C.seq, C.head_hash, C.at, C.signature)
            .add_columns(C.key_fingerprint, C.public_key, C.version)
            .add_columns(C.previous_seq, C.previous_at)
            .where(after)
            .order_by(C.seq, C.id)
            .limit(STREAM_BATCH)
        )
        if until_seq is not None:
            query = query.where(C.seq <= until_seq)
        batch = db.execute(query).all()
        if not batch:
            return
        for point in batch:
            yield to_checkpoint(point)
        last = (batch[-1].seq, batch[-1].id)


def to_checkpoint(point: Any) -> Checkpoint:
    """A checkpoint row (ORM object or Core row) for the verifier."""
    return Checkpoint(
        point.log_id,
        point.seq,
        point.head_hash,
        format_time(point.at),
        point.signature,
        point.key_fingerprint,
        point.public_key,
        point.version,
        point.previous_seq,
        None if point.previous_at is None else format_time(point.previous_at),
    )


def run_verification(
    db: Session,
    progress: Callable[[int], None] | None = None,
    *,
    pinned: PinnedKeys | None = None,
    now: datetime | None = None,
    check_age: bool = True,
) -> Report:
    """Verify the whole chain and every checkpoint against the pinned keys, streaming;
    then (``check_age``) that the newest checkpoint is as recent as the scheduler keeps it."""
    pins = pinned if pinned is not None else pinned_keys(current_app)
    trusted = trusted_keys(pins.keys, (details for _seq, details in key_announcements(db)))
    rows = stream_rows(db)
    try:
        report = verify(rows, stream_checkpoints(db), trusted_keys=trusted, progress=progress)
    finally:
        rows.close()
    if report.ok and check_age:
        report.problem = staleness(db, now or utcnow())
    return report


def record_verification(db: Session, actor: Actor, report: Report) -> None:
    """Put the outcome of a verification in the trail (``audit.verified``)."""
    outcome = report.as_dict()
    record(
        db,
        actor,
        "audit.verified",
        Subject("audit_log", report.log_id or ""),
        {key: outcome[key] for key in ("ok", "count", "head_seq", "head_hash", "problem")},
    )


@dataclass(frozen=True)
class TrailSummary:
    size: int
    last_checkpoint: AuditCheckpoint | None
    last_verified: AuditEntry | None
    now: datetime
    overdue: Problem | None = None

    @property
    def unsigned(self) -> int:
        """Entries after the last checkpoint (a cut there would go unnoticed)."""
        return self.size - (self.last_checkpoint.seq if self.last_checkpoint else 0)

    @property
    def checkpoint_overdue(self) -> bool:
        """The newest checkpoint is older than the scheduler ever leaves it."""
        return self.overdue is not None


def summary(db: Session) -> TrailSummary:
    last_verified = db.execute(
        select(AuditEntry).where(E.action == "audit.verified").order_by(E.seq.desc()).limit(1)
    ).scalar_one_or_none()
    now = utcnow()
    return TrailSummary(
        entry_count(db), latest_checkpoint(db), last_verified, now, staleness(db, now)
    )


# --- export ------------------------------------------------------------------------------


def seq_span(
    db: Session, *, since: datetime | None = None, until: datetime | None = None
) -> tuple[int, int] | None:
    """The first and last seq written in ``[since, until)``; None when there is none.

    Times only grow along the chain (they are stamped under the chain lock), so the
    entries of a time range are one unbroken run of seq.
    """
    query = select(func.min(E.seq), func.max(E.seq))
    if since is not None:
        query = query.where(E.at >= since)
    if until is not None:
        query = query.where(E.at < until)
    first, last = db.execute(query).one()
    return None if first is None else (first, last)


def export_chunks(db: Session, file_format: str, span: tuple[int, int] | None) -> Iterator[str]:
    """The export of the entries in ``span`` (and, for jsonl, the checkpoints inside it)."""

    if span is None:
        yield from render(file_format, [], [])
        return
    since_seq, until_seq = span[0] - 1, span[1]
    rows = stream_rows(db, since_seq=since_seq, until_seq=until_seq)
    points = (
        stream_checkpoints(db, since_seq=since_seq, until_seq=until_seq)
        if file_format == "jsonl"
        else iter(())
    )
    yield from render(file_format, rows, points)


def export_details(
    file_format: str,
    since: datetime | None,
    until: datetime | None,
    span: tuple[int, int] | None,
    **extra: Any,
) -> dict[str, Any]:
    """What an ``audit.exported`` entry says about the export."""
    return {
        "format": file_format,
        "since": since,
        "until": until,
        "first_seq": None if span is None else span[0],
        "last_seq": None if span is None else span[1],
        "count": 0 if span is None else span[1] - span[0] + 1,
        **extra,
    }
