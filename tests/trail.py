"""The audit trail in tests: read it (the ``trail`` fixture), fill it, and damage it with raw
SQL as someone with database access could, to see that ``verify`` names the damage."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import insert, text
from sqlmodel import select

from console import db
from console.audit import COMMAND_LINE, Actor, Subject, record
from console.audit import checkpoints as audit_checkpoints
from console.audit import service as audit_service
from console.audit.canonical import (
    GENESIS_PREV_HASH,
    canonical_bytes,
    chain_hash,
    checkpoint_message,
    format_time,
)
from console.audit.keys import SigningKey
from console.audit.models import AuditCheckpoint, AuditEntry
from console.audit.verify import Report, document_columns
from console.timeutil import utcnow
from tests.factories import reading, writing

SQLITE_TRIGGERS = (
    "DROP TRIGGER audit_entry_no_update",
    "DROP TRIGGER audit_entry_no_delete",
    "DROP TRIGGER audit_checkpoint_no_update",
    "DROP TRIGGER audit_checkpoint_no_delete",
)
# On PostgreSQL the run shares one database (emptied before each test, which also turns
# the triggers back on: tests/conftest.py), so the damage is done with the triggers off.
POSTGRES_TRIGGERS = (
    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update_delete",
    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_truncate",
    "ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_no_update_delete",
    "ALTER TABLE audit_checkpoint DISABLE TRIGGER audit_checkpoint_no_truncate",
)


@dataclass(frozen=True)
class Trail:
    """The audit entries of one app, oldest first.

    ``trail()`` is every entry; ``trail("incident.logged")`` those of one action;
    ``trail("suspension.")`` (ending in a dot) those of a family of actions;
    ``subject_id=`` keeps one subject's. ``trail.actions(...)`` gives only the action names.
    """

    app: Flask

    def __call__(self, action: str = "", *, subject_id: object = None) -> list[AuditEntry]:
        with reading(self.app) as session:
            entries = session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all()
        return [
            entry
            for entry in entries
            if _is_action(entry.action, action)
            and (subject_id is None or entry.subject_id == str(subject_id))
        ]

    def actions(self, action: str = "", *, subject_id: object = None) -> list[str]:
        return [entry.action for entry in self(action, subject_id=subject_id)]


def _is_action(name: str, wanted: str) -> bool:
    return name.startswith(wanted) if wanted.endswith(".") or not wanted else name == wanted


def details(entry: AuditEntry) -> dict[str, Any]:
    """What the entry records beyond who, what and when (``before``/``after``, reasons…)."""
    return json.loads(entry.canonical)["details"]


def fill(
    app: Flask, count: int, *, actor: Actor = COMMAND_LINE, action: str = "auth.login"
) -> None:
    """Append ``count`` entries, each in its own unit of work, as real callers do."""
    for number in range(count):
        with writing(app) as session:
            record(
                session,
                actor,
                action,
                Subject.of("staff", 100 + number),
                {"note": f"entry {number}"},
            )


def size(app: Flask) -> int:
    with reading(app) as session:
        return audit_service.entry_count(session)


def checkpoint(app: Flask, *, force: bool = True) -> Any:
    with writing(app) as session:
        return audit_checkpoints.write_checkpoint(
            session, utcnow(), actor=COMMAND_LINE, force=force
        )


def verify(app: Flask) -> Report:
    with reading(app) as session:
        return audit_service.run_verification(session)


def raw(app: Flask, statements: Iterable[str], **params: Any) -> None:
    """Run SQL straight on the database, as someone with access to it could."""
    with app.app_context(), db.engine().begin() as connection:
        for statement in statements:
            connection.execute(text(statement), params)


def drop_triggers(app: Flask) -> None:
    """Take away the database's refusal, to do the damage the chain must still reveal."""
    with app.app_context():
        dialect = db.engine().dialect.name
    raw(app, POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS)


def stored(app: Flask, seq: int) -> dict[str, Any]:
    """The stored columns of entry ``seq``, as the database holds them."""
    with app.app_context(), db.engine().connect() as connection:
        row = connection.execute(
            text("SELECT * FROM audit_entry WHERE seq = :seq"), {"seq": seq}
        ).one()
    return dict(row._mapping)


def documents(app: Flask) -> list[dict[str, Any]]:
    """Every entry's canonical document, by seq."""
    with app.app_context(), db.engine().connect() as connection:
        rows = connection.execute(text("SELECT canonical FROM audit_entry ORDER BY seq")).all()
    return [json.loads(canonical) for (canonical,) in rows]


def rewrite_trail(
    app: Flask,
    docs: list[dict[str, Any]],
    *,
    key: SigningKey | None,
    signed_seqs: Iterable[int] = (),
    at: datetime | None = None,
) -> None:
    """Do what someone with the database (and perhaps a key) can: replace the whole trail
    by ``docs``, with a freshly computed chain, and checkpoints at ``signed_seqs`` signed
    by ``key`` in the console's own format."""
    drop_triggers(app)
    raw(app, ["DELETE FROM audit_checkpoint", "DELETE FROM audit_entry"])
    prev, hashes = GENESIS_PREV_HASH, {}
    with app.app_context(), db.engine().begin() as connection:
        for doc in docs:
            canonical = canonical_bytes(doc)
            digest = chain_hash(prev, canonical)
            connection.execute(
                insert(AuditEntry.__table__),  # type: ignore[attr-defined]
                {
                    **document_columns(doc),
                    "at": datetime.fromisoformat(doc["at"].replace("Z", "+00:00")),
                    "seq": doc["seq"],
                    "canonical": canonical.decode(),
                    "prev_hash": prev,
                    "hash": digest,
                },
            )
            hashes[doc["seq"]] = digest
            prev = digest
        log_id = docs[0]["details"]["log_id"]
        previous = None
        for seq in signed_seqs:
            assert key is not None
            moment = at or utcnow()
            link = None if previous is None else (previous[0], format_time(previous[1]))
            message = checkpoint_message(
                log_id=log_id,
                seq=seq,
                head_hash=hashes[seq],
                at=format_time(moment),
                key_fingerprint=key.fingerprint,
                previous=link,
            )
            connection.execute(
                insert(AuditCheckpoint.__table__),  # type: ignore[attr-defined]
                {
                    "log_id": log_id,
                    "seq": seq,
                    "head_hash": hashes[seq],
                    "at": moment,
                    "signature": key.sign(message),
                    "key_fingerprint": key.fingerprint,
                    "public_key": key.public_key,
                    "version": 2,
                    "previous_seq": None if previous is None else previous[0],
                    "previous_at": None if previous is None else previous[1],
                },
            )
            previous = (seq, moment)
