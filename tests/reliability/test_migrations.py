"""Migrations: empty → head → base → head, then with data one step down and back to head,
on the database of this run; the append-only triggers are there after; the models and the
migrated schema agree (autogenerate finds nothing to do); ``flask db downgrade`` asks first."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel, func, select

import console.models  # noqa: F401 - every table on the metadata
from console import db
from console.audit.models import AuditEntry
from console.auth.models import Staff
from console.cli import alembic_config
from tests.conftest import ON_POSTGRES, PASSWORD, _pg_admin, _pg_url, make_app
from tests.trail import fill

SQLITE_TRIGGERS = {
    "audit_entry_no_update",
    "audit_entry_no_delete",
    "audit_checkpoint_no_update",
    "audit_checkpoint_no_delete",
}
POSTGRES_TRIGGERS = {
    "audit_entry_no_update_delete",
    "audit_entry_no_truncate",
    "audit_checkpoint_no_update_delete",
    "audit_checkpoint_no_truncate",
}


@pytest.fixture
def empty_app(tmp_path):
    """The console on a database with no tables at all."""
    if ON_POSTGRES:
        name = f"console_empty_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    else:
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    application = make_app(url)
    yield application
    application.extensions["console.engine"].dispose()
    if ON_POSTGRES:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def current(app) -> str | None:
    with app.app_context(), db.engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def triggers(app) -> set[str]:
    with app.app_context(), db.engine().connect() as connection:
        if ON_POSTGRES:
            rows = connection.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
        else:
            rows = connection.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
        return {row[0] for row in rows}


def schema_drift(app) -> list:
    with app.app_context(), db.engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def entry_count(app) -> int:
    with app.app_context(), db.transaction(write=False) as session:
        return session.exec(select(func.count()).select_from(AuditEntry)).one()


def invoke(app, *args: str, **kwargs):
    result = app.test_cli_runner().invoke(args=list(args), **kwargs)
    assert result.exit_code == 0, result.output
    return result


def test_the_whole_chain_round_trips_and_keeps_data(empty_app, monkeypatch):
    app = empty_app
    with app.app_context():
        script = ScriptDirectory.from_config(alembic_config())
    (head,) = script.get_heads()
    previous = script.get_revision(head).down_revision
    assert current(app) is None

    invoke(app, "db", "upgrade")
    invoke(app, "db", "downgrade", "base", "--yes")
    assert current(app) is None
    with app.app_context(), db.engine().connect() as connection:
        assert inspect(connection).get_table_names() in ([], ["alembic_version"])
    invoke(app, "db", "upgrade")
    assert current(app) == head

    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", PASSWORD)
    invoke(app, "staff", "create", "kanri", "--role", "admin", "--name", "管理 花子")
    fill(app, 20)
    entries_before = entry_count(app)

    refused = app.test_cli_runner().invoke(args=["db", "downgrade"], input="n\n")
    assert refused.exit_code == 1
    assert current(app) == head
    stepped = invoke(app, "db", "downgrade", "--yes")
    assert current(app) == previous
    assert f"is now at {previous}" in stepped.output
    invoke(app, "db", "upgrade")
    assert current(app) == head

    with app.app_context(), db.transaction(write=False) as session:
        assert session.exec(select(Staff.login)).all() == ["kanri"]
    assert entry_count(app) == entries_before
    assert triggers(app) >= (POSTGRES_TRIGGERS if ON_POSTGRES else SQLITE_TRIGGERS)
    assert schema_drift(app) == []
    verified = invoke(app, "audit", "verify")
    assert verified.output.startswith(f"OK: {entries_before} entries")


def test_the_chain_has_one_head(app):
    with app.app_context():
        assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1
