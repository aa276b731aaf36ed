"""Helpers for the audit trail's tests: fill the trail, damage it with raw SQL, verify it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import text

from console import db
from console.audit import COMMAND_LINE, Actor, Subject, record
from console.audit import service as audit_service
from console.audit.verify import Report
from console.timeutil import utcnow

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


def fill(
    app: Flask, count: int, *, actor: Actor = COMMAND_LINE, action: str = "auth.login"
) -> None:
    """Append ``count`` entries, each in its own unit of work, as real callers do."""
    with app.app_context():
        for number in range(count):
            with db.transaction() as session:
                record(
                    session,
                    actor,
                    action,
                    Subject.of("staff", 100 + number),
                    {"note": f"entry {number}"},
                )


def size(app: Flask) -> int:
    with app.app_context(), db.transaction(write=False) as session:
        return audit_service.entry_count(session)


def checkpoint(app: Flask, *, force: bool = True) -> Any:
    with app.app_context(), db.transaction() as session:
        return audit_service.write_checkpoint(session, utcnow(), actor=COMMAND_LINE, force=force)


def verify(app: Flask) -> Report:
    with app.app_context(), db.transaction(write=False) as session:
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
    with app.app_context(), db.engine().connect() as connection:
        row = connection.execute(
            text("SELECT * FROM audit_entry WHERE seq = :seq"), {"seq": seq}
        ).one()
    return dict(row._mapping)
