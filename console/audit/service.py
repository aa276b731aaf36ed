"""Checkpoints, verification and the queries behind the auditor's pages and commands.

Every function takes the caller's session and only flushes; the caller commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import String, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from console.audit.canonical import checkpoint_message, format_time
from console.audit.export import render
from console.audit.keys import signing_key
from console.audit.models import AuditCheckpoint, AuditEntry
from console.audit.queries import SearchFilter, apply_filter
from console.audit.trail import (
    SCHEDULER,
    Actor,
    Subject,
    append_pending,
    chain_head,
    lock_chain,
    record,
)
from console.audit.verify import KEY_ACTIONS, Checkpoint, Report, Row, verify
from console.timeutil import utcnow

CHECKPOINT_INTERVAL = timedelta(minutes=5)
STREAM_BATCH = 2000

E = AuditEntry.__table__.c  # type: ignore[attr-defined]
C = AuditCheckpoint.__table__.c  # type: ignore[attr-defined]


# --- checkpoints -------------------------------------------------------------------------


def latest_checkpoint(db: Session) -> AuditCheckpoint | None:
    return db.execute(
        select(AuditCheckpoint).order_by(C.seq.desc(), C.id.desc()).limit(1)
    ).scalar_one_or_none()


def _details_of(canonical: str) -> dict[str, Any]:
    return json.loads(canonical).get("details") or {}


def trail_log_id(db: Session) -> str | None:
    """The log id the genesis entry announced."""
    canonical = db.execute(select(E.canonical).where(E.seq == 1)).scalar_one_or_none()
    return None if canonical is None else _details_of(canonical).get("log_id")


def announced_fingerprint(db: Session) -> str | None:
    """The fingerprint of the key the chain last announced (genesis or key rotation)."""
    canonical = db.execute(
        select(E.canonical).where(E.action.in_(sorted(KEY_ACTIONS))).order_by(E.seq.desc()).limit(1)
    ).scalar_one_or_none()
    return None if canonical is None else _details_of(canonical).get("key_fingerprint")


def write_checkpoint(
    db: Session, now: datetime, *, actor: Actor = SCHEDULER, force: bool = False
) -> AuditCheckpoint | None:
    """Sign the head of the chain; None when there was nothing to sign.

    Without ``force`` (the scheduler's sweep) at most one checkpoint is written every
    five minutes, and none while the trail has not grown. A new signing key is first
    announced in the chain by an ``audit.key_rotated`` entry, which the checkpoint covers.
    """
    lock_chain(db)
    if not force:
        last = latest_checkpoint(db)
        if last is not None and (
            now - last.at < CHECKPOINT_INTERVAL or chain_head(db)[0] == last.seq
        ):
            return None
    if chain_head(db)[0] == 0:
        return None
    key = signing_key(current_app)
    log_id = trail_log_id(db) or ""
    previous = announced_fingerprint(db)
    if previous != key.fingerprint:
        record(
            db,
            actor,
            "audit.key_rotated",
            Subject("audit_log", log_id),
            {
                "previous_fingerprint": previous,
                "key_fingerprint": key.fingerprint,
                "public_key": key.public_key,
            },
        )
        append_pending(db)
    seq, head_hash = chain_head(db)
    at = now
    message = checkpoint_message(
        log_id=log_id,
        seq=seq,
        head_hash=head_hash,
        at=format_time(at),
        key_fingerprint=key.fingerprint,
    )
    values = {
        "log_id": log_id,
        "seq": seq,
        "head_hash": head_hash,
        "at": at,
        "signature": key.sign(message),
        "key_fingerprint": key.fingerprint,
        "public_key": key.public_key,
    }
    db.execute(insert(AuditCheckpoint).values(**values))
    db.flush()
    return AuditCheckpoint(**values)


def checkpoint_sweep(db: Session, now: datetime) -> int:
    """The scheduler's sweep: at most one checkpoint every five minutes.

    ``db`` must be a writer's transaction (``db.transaction()``): announcing a new key
    appends an entry, and the checkpoint row is written under the chain lock.
    """
    return 1 if write_checkpoint(db, now) is not None else 0


def checkpoint_document(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as plain JSON, with everything needed to check its signature."""
    return {
        "log_id": checkpoint.log_id,
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "at": format_time(checkpoint.at),
        "key_fingerprint": checkpoint.key_fingerprint,
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
        "algorithm": "Ed25519",
    }


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
            .add_columns(C.key_fingerprint, C.public_key)
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
    )


def run_verification(db: Session, progress: Callable[[int], None] | None = None) -> Report:
    """Verify the whole chain and every checkpoint, streaming."""
    rows = stream_rows(db)
    try:
        return verify(rows, stream_checkpoints(db), progress=progress)
    finally:
        rows.close()


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


STALE_CHECKPOINT = timedelta(minutes=15)


@dataclass(frozen=True)
class TrailSummary:
    size: int
    last_checkpoint: AuditCheckpoint | None
    last_verified: AuditEntry | None
    now: datetime

    @property
    def unsigned(self) -> int:
        """Entries after the last checkpoint (a cut there would go unnoticed)."""
        return self.size - (self.last_checkpoint.seq if self.last_checkpoint else 0)

    @property
    def checkpoint_overdue(self) -> bool:
        """New entries have waited for a checkpoint longer than the scheduler ever should."""
        if self.unsigned == 0:
            return False
        if self.last_checkpoint is None:
            return True
        return self.now - self.last_checkpoint.at > STALE_CHECKPOINT


def summary(db: Session) -> TrailSummary:
    last_verified = db.execute(
        select(AuditEntry).where(E.action == "audit.verified").order_by(E.seq.desc()).limit(1)
    ).scalar_one_or_none()
    return TrailSummary(entry_count(db), latest_checkpoint(db), last_verified, utcnow())


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
