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

from console.audit.canonical import checkpoint_message, format_time, rotation_message
from console.audit.export import render
from console.audit.keys import PinnedKeys, SigningKey, SigningKeyError, pinned_keys, signing_key
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
from console.audit.verify import (
    KEY_ACTIONS,
    STALE,
    Checkpoint,
    Problem,
    Report,
    Row,
    announced_key,
    trusted_keys,
    verify,
)
from console.timeutil import utcnow

# The scheduler signs new entries within CHECKPOINT_INTERVAL, and signs the head again at
# least every CHECKPOINT_HEARTBEAT even when nothing was added, so that a newest checkpoint
# older than that (plus STALE_GRACE for a late tick) means the scheduler stopped, or
# someone removed the newest entries together with the checkpoints that covered them.
CHECKPOINT_INTERVAL = timedelta(minutes=5)
CHECKPOINT_HEARTBEAT = timedelta(minutes=60)
STALE_GRACE = timedelta(minutes=10)
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


class KeyRotationError(SigningKeyError):
    """A key rotation the console refuses; the message says why."""


def key_announcements(db: Session) -> list[tuple[int, dict[str, Any]]]:
    """``(seq, details)`` of the genesis entry and every key rotation, oldest first."""
    rows = db.execute(
        select(E.seq, E.canonical).where(E.action.in_(sorted(KEY_ACTIONS))).order_by(E.seq)
    ).all()
    return [(seq, _details_of(canonical)) for seq, canonical in rows]


def announced_fingerprint(db: Session) -> str | None:
    """The fingerprint of the key the chain last announced (genesis or key rotation)."""
    keys = [announced_key(details) for _seq, details in key_announcements(db)]
    named = [key for key in keys if key is not None]
    return named[-1][0] if named else None


def checkpoint_due(last: AuditCheckpoint | None, size: int, now: datetime) -> bool:
    """The scheduler's rule: new entries after five minutes, the same head after an hour."""
    if last is None:
        return True
    age = now - last.at
    return (size > last.seq and age >= CHECKPOINT_INTERVAL) or age >= CHECKPOINT_HEARTBEAT


def write_checkpoint(
    db: Session,
    now: datetime,
    *,
    actor: Actor = SCHEDULER,
    force: bool = False,
    key: SigningKey | None = None,
) -> AuditCheckpoint | None:
    """Sign the head of the chain; None when there was nothing to sign.

    Without ``force`` (the scheduler's sweep) this follows ``checkpoint_due``. A key the
    trail has not announced yet is first announced by an ``audit.key_rotated`` entry,
    which the checkpoint covers; a key the trail has already replaced is refused.
    """
    lock_chain(db)
    size = chain_head(db)[0]
    last = latest_checkpoint(db)
    if size == 0 or not (force or checkpoint_due(last, size, now)):
        return None
    key = key or signing_key(current_app)
    log_id = trail_log_id(db) or ""
    _announce_if_new(db, key, log_id, actor)
    seq, head_hash = chain_head(db)
    previous = None if last is None else (last.seq, format_time(last.at))
    message = checkpoint_message(
        log_id=log_id,
        seq=seq,
        head_hash=head_hash,
        at=format_time(now),
        key_fingerprint=key.fingerprint,
        previous=previous,
    )
    values = {
        "log_id": log_id,
        "seq": seq,
        "head_hash": head_hash,
        "at": now,
        "signature": key.sign(message),
        "key_fingerprint": key.fingerprint,
        "public_key": key.public_key,
        "version": 2,
        "previous_seq": None if last is None else last.seq,
        "previous_at": None if last is None else last.at,
    }
    db.execute(insert(AuditCheckpoint).values(**values))
    db.flush()
    return AuditCheckpoint(**values)


def _announce_if_new(db: Session, key: SigningKey, log_id: str, actor: Actor) -> None:
    """Announce ``key`` in the chain unless it is the current one; refuse a retired key.

    Without the old key at hand (it was lost, or leaked), only the new key signs the
    rotation: verification then trusts the new key only if it is pinned.
    """
    announced = [
        (seq, found)
        for seq, details in key_announcements(db)
        if (found := announced_key(details)) is not None
    ]
    if announced and announced[-1][1][0] == key.fingerprint:
        return
    retired = [seq for seq, (fingerprint, _public) in announced if fingerprint == key.fingerprint]
    if retired:
        raise KeyRotationError(
            f"the checkpoint key {key.fingerprint} was replaced after seq {retired[-1]}: "
            "point CONSOLE_AUDIT_SIGNING_KEY at the current key and restart the scheduler"
        )
    previous = announced[-1][1] if announced else None
    _record_rotation(db, actor, log_id, previous, new=key)


def _record_rotation(
    db: Session,
    actor: Actor,
    log_id: str,
    previous: tuple[str, str] | None,
    *,
    new: SigningKey,
    old: SigningKey | None = None,
) -> None:
    """Append ``audit.key_rotated``, signed by the new key and (when at hand) the old one."""
    details: dict[str, Any] = {
        "log_id": log_id,
        "previous_fingerprint": None if previous is None else previous[0],
        "previous_public_key": None if previous is None else previous[1],
        "key_fingerprint": new.fingerprint,
        "public_key": new.public_key,
    }
    if previous is not None:
        message = rotation_message(
            log_id=log_id, previous_fingerprint=previous[0], key_fingerprint=new.fingerprint
        )
        details["key_signature"] = new.sign(message)
        if old is not None:
            details["previous_key_signature"] = old.sign(message)
    record(db, actor, "audit.key_rotated", Subject("audit_log", log_id), details)
    append_pending(db)


def rotate_key(db: Session, new: SigningKey, now: datetime, *, actor: Actor) -> AuditCheckpoint:
    """Hand the trail from the configured key to ``new``: the old key signs the head,
    both keys sign the rotation entry, and the new key signs a checkpoint covering it."""
    lock_chain(db)
    old = signing_key(current_app)
    log_id = trail_log_id(db)
    current = announced_fingerprint(db)
    if log_id is None:
        raise KeyRotationError("the trail is empty: there is no key to rotate yet")
    if new.fingerprint == old.fingerprint:
        raise KeyRotationError("the new key is the key already in use")
    if current != old.fingerprint:
        raise KeyRotationError(
            "CONSOLE_AUDIT_SIGNING_KEY is not the key the trail uses now "
            f"({current}): rotate from the current key"
        )
    if any(
        (found := announced_key(details)) is not None and found[0] == new.fingerprint
        for _seq, details in key_announcements(db)
    ):
        raise KeyRotationError("the new key signed this trail before: use a key never used")
    write_checkpoint(db, now, actor=actor, force=True, key=old)
    _record_rotation(db, actor, log_id, (old.fingerprint, old.public_key), new=new, old=old)
    sealed = write_checkpoint(db, now, actor=actor, force=True, key=new)
    assert sealed is not None
    return sealed


def sign_head(db: Session, now: datetime, *, actor: Actor) -> AuditCheckpoint | None:
    """A checkpoint of the head unless the newest one already covers it."""
    lock_chain(db)
    last = latest_checkpoint(db)
    if last is not None and last.seq == chain_head(db)[0]:
        return None
    return write_checkpoint(db, now, actor=actor, force=True)


def checkpoint_sweep(db: Session, now: datetime) -> int:
    """The scheduler's sweep: a checkpoint when ``checkpoint_due`` says so.

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


def staleness(db: Session, now: datetime) -> Problem | None:
    """A problem when the newest checkpoint is older than the scheduler would leave it."""
    last = latest_checkpoint(db)
    signed = last.seq if last is not None else 0
    waiting = db.execute(select(E.at).where(E.seq == signed + 1)).scalar_one_or_none()
    reason = overdue_reason(last, waiting, now)
    return None if reason is None else Problem(signed + 1, STALE, reason)


def overdue_reason(
    last: AuditCheckpoint | None, first_unsigned_at: datetime | None, now: datetime
) -> str | None:
    """Why the checkpoints are overdue, or None when the scheduler keeps up."""
    if first_unsigned_at is not None and now - first_unsigned_at > (
        CHECKPOINT_INTERVAL + STALE_GRACE
    ):
        minutes = int((now - first_unsigned_at).total_seconds() // 60)
        return (
            f"entries have waited {minutes} minutes for a checkpoint; the scheduler signs new "
            f"entries within {int(CHECKPOINT_INTERVAL.total_seconds() // 60)} minutes: is "
            "`flask scheduler run` running?"
        )
    if last is not None and now - last.at > CHECKPOINT_HEARTBEAT + STALE_GRACE:
        minutes = int((now - last.at).total_seconds() // 60)
        return (
            f"the newest checkpoint (seq {last.seq}) is {minutes} minutes old; the scheduler "
            f"signs one at least every {int(CHECKPOINT_HEARTBEAT.total_seconds() // 60)} "
            "minutes: entries after it may have been removed with their checkpoints, or the "
            "scheduler is not running"
        )
    return None


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
