"""Recording entries: ``record`` queues, the commit appends to the chain under a lock.

Entries are queued on the session and written in ``before_commit``, the last
moment of the unit of work, so the chain lock is held only briefly; a rollback
drops the queue with everything else, and a commit always carries its entries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app, g, has_app_context, has_request_context, request
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session as OrmSession

from console.audit.actions import ACTIONS
from console.audit.canonical import GENESIS_PREV_HASH, canonical_bytes, chain_hash, format_time
from console.audit.keys import SigningKeyError, signing_key
from console.audit.models import AuditEntry
from console.db import WRITE_OPTION
from console.timeutil import utcnow

PENDING_KEY = "audit_pending"
# Any fixed 64-bit number: the one PostgreSQL advisory lock that serialises appends.
POSTGRES_CHAIN_LOCK = 0x48575F4155444954  # "HW_AUDIT"


@dataclass(frozen=True)
class Actor:
    """Who did it: a staff member (id and login at the time), the system, or nobody signed in."""

    kind: str
    login: str
    id: int | None = None

    @classmethod
    def of_staff(cls, staff: Any) -> Actor:
        return cls("staff", staff.login, staff.id)

    @classmethod
    def anonymous(cls, typed_login: str = "") -> Actor:
        return cls("anonymous", typed_login[:64])

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "login": self.login, "id": self.id}


SCHEDULER = Actor("system", "system:scheduler")
COMMAND_LINE = Actor("system", "system:cli")


class Subject(NamedTuple):
    """What it was done to: a type (``staff``, ``service_user``, ``incident``…) and an id."""

    type: str
    id: str

    @classmethod
    def of(cls, kind: str, ident: Any) -> Subject:
        return cls(kind, str(ident))


@dataclass
class PendingEntry:
    actor: Actor
    action: str
    subject: Subject
    details: dict[str, Any]
    request_id: str = ""
    client_address: str = ""


def record(
    session: OrmSession,
    actor: Actor,
    action: str,
    subject: Subject,
    details: dict[str, Any] | None = None,
) -> None:
    """Add one entry to the trail in the caller's transaction (written when it commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to console/audit/actions.py")
    _refuse_read_only(session)
    canonical_bytes(details or {})  # fail now, at the caller, on a value JSON cannot hold
    entry = PendingEntry(actor, action, subject, dict(details or {}))
    if has_request_context():
        entry.request_id = g.get("request_id", "")
        entry.client_address = (request.remote_addr or "")[:45]
    session.info.setdefault(PENDING_KEY, []).append(entry)


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields whose value differs, as ``{field: {"before": old, "after": new}}``."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _refuse_read_only(session: OrmSession) -> None:
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.get_execution_options().get(
        WRITE_OPTION
    ):
        raise RuntimeError(
            "audit.record in a read transaction: mark the GET view with @audited_read"
        )


def lock_chain(session: OrmSession) -> None:
    # SQLite writers already hold the database lock since BEGIN IMMEDIATE.
    if session.connection().dialect.name == "postgresql":
        session.execute(select(text(f"pg_advisory_xact_lock({POSTGRES_CHAIN_LOCK})")))


def chain_head(session: OrmSession) -> tuple[int, str]:
    """The last ``(seq, hash)``; ``(0, zeros)`` for an empty trail."""
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)  # type: ignore[attr-defined]
    ).first()
    return (row[0], row[1]) if row else (0, GENESIS_PREV_HASH)


def entry_document(seq: int, at: datetime, entry: PendingEntry) -> dict[str, Any]:
    """What is hashed for one entry (docs/audit-format.md)."""
    return {
        "v": 1,
        "seq": seq,
        "at": format_time(at),
        "actor": entry.actor.as_dict(),
        "action": entry.action,
        "subject": {"type": entry.subject.type, "id": entry.subject.id},
        "details": entry.details,
        "request_id": entry.request_id,
        "client_address": entry.client_address,
    }


# One Core statement on the table, built once: no ORM bulk path, a cached compilation.
_INSERT_ENTRY = insert(AuditEntry.__table__)  # type: ignore[attr-defined]


def _row(seq: int, at: datetime, prev_hash: str, entry: PendingEntry) -> dict[str, Any]:
    canonical = canonical_bytes(entry_document(seq, at, entry))
    return {
        "seq": seq,
        "at": at,
        "actor_kind": entry.actor.kind,
        "actor_id": entry.actor.id,
        "actor_login": entry.actor.login,
        "action": entry.action,
        "subject_type": entry.subject.type,
        "subject_id": entry.subject.id,
        "request_id": entry.request_id,
        "client_address": entry.client_address,
        "canonical": canonical.decode("utf-8"),
        "prev_hash": prev_hash,
        "hash": chain_hash(prev_hash, canonical),
    }


def signing_identity() -> tuple[str, str] | None:
    """``(fingerprint, public key)`` of the checkpoint key, or None where it cannot be read.

    A trail started without it (no app, or a web worker that may not read the private
    key) gets the key announced by ``audit.key_rotated`` before the first checkpoint.
    """
    if not has_app_context():
        return None

    try:
        key = signing_key(current_app)
    except SigningKeyError as error:
        current_app.logger.warning("audit genesis without the signing key: %s", error)
        return None
    return key.fingerprint, key.public_key


def genesis_entry(identity: tuple[str, str] | None = None) -> PendingEntry:
    """The first entry of a new trail: its log id and the checkpoint key's fingerprint."""
    details: dict[str, Any] = {"log_id": str(uuid.uuid4())}
    if identity is not None:
        details["key_fingerprint"], details["public_key"] = identity
    return PendingEntry(
        Actor("system", "system:audit"), "audit.genesis", Subject("audit_log", "genesis"), details
    )


def append_pending(session: OrmSession) -> None:
    """Write the queued entries at the head of the chain (runs just before commit)."""
    pending: list[PendingEntry] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    lock_chain(session)
    seq, head = chain_head(session)
    if seq == 0:
        pending.insert(0, genesis_entry(signing_identity()))
    at = utcnow()  # stamped under the lock, so times never run backwards along the chain
    rows = []
    for entry in pending:
        seq += 1
        rows.append(_row(seq, at, head, entry))
        head = rows[-1]["hash"]
    session.execute(_INSERT_ENTRY, rows)


def _drop_pending(session: OrmSession, *_args: Any) -> None:
    session.info.pop(PENDING_KEY, None)


def install_session_hooks() -> None:
    """Append on commit and forget on rollback, for every session."""
    if not event.contains(OrmSession, "before_commit", append_pending):
        event.listen(OrmSession, "before_commit", append_pending)
        event.listen(OrmSession, "after_rollback", _drop_pending)
