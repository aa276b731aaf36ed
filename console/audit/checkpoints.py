"""Checkpoints: when the scheduler signs the head, key announcements and rotation, and
whether the newest checkpoint is as recent as the scheduler leaves it.

Every function takes the caller's session and only flushes; the caller commits.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from console.audit.canonical import checkpoint_message, format_time, rotation_message
from console.audit.keys import SigningKey, SigningKeyError, signing_key
from console.audit.models import AuditCheckpoint, AuditEntry
from console.audit.trail import (
    SCHEDULER,
    Actor,
    Subject,
    append_pending,
    chain_head,
    lock_chain,
    record,
)
from console.audit.verify import KEY_ACTIONS, STALE, Problem, announced_key

# The scheduler signs new entries within CHECKPOINT_INTERVAL, and signs the head again at
# least every CHECKPOINT_HEARTBEAT even when nothing was added, so that a newest checkpoint
# older than that (plus STALE_GRACE for a late tick) means the scheduler stopped, or
# someone removed the newest entries together with the checkpoints that covered them.
CHECKPOINT_INTERVAL = timedelta(minutes=5)
CHECKPOINT_HEARTBEAT = timedelta(minutes=60)
STALE_GRACE = timedelta(minutes=10)

E = AuditEntry.__table__.c  # type: ignore[attr-defined]
C = AuditCheckpoint.__table__.c  # type: ignore[attr-defined]


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
