"""What the audit trail costs a write: the same insert with and without its audit entry."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.harness import Comparison, compare
from console import create_app, db
from console.audit import COMMAND_LINE, Subject, record
from console.auth.models import LoginAttempt
from console.cli import alembic_config

WRITES_PER_ROUND = 200


def _write(audited: bool) -> None:
    for number in range(WRITES_PER_ROUND):
        with db.transaction() as session:
            session.add(LoginAttempt(login=f"bench{number}", client_address="127.0.0.1"))
            session.flush()
            if audited:
                record(session, COMMAND_LINE, "auth.login_failed", Subject("login", "bench"), {})


def run() -> list[Comparison]:
    """Audited write vs plain write, one transaction each, on a scratch SQLite database."""
    from alembic import command

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app({"DATABASE_URL": url, "CONSOLE_ENV": "testing", "SECRET_KEY": "bench"})
        with app.app_context():
            command.upgrade(alembic_config(), "heads")
            result = compare(
                f"audited write ({WRITES_PER_ROUND} transactions)",
                ("plain insert", lambda: _write(False)),
                ("insert + audit entry", lambda: _write(True)),
            )
        app.extensions["console.engine"].dispose()
    return [result]
