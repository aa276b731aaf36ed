"""Shared fixtures: a fresh, migrated database per test (SQLite or PostgreSQL), the app,
clients, ``make_staff``, sign-in helpers and ``trail`` (the audit entries, in order).

Factories for everything else are plain functions in ``tests/factories.py``.

The database is chosen by ``CONSOLE_DATABASE_URL``: empty for SQLite, a PostgreSQL URL
for PostgreSQL (``make test`` runs both).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import SQLModel

import console.models  # noqa: F401 - every table on SQLModel.metadata
from console import PROJECT_ROOT, create_app, db
from console.auth import passwords
from console.auth.models import Staff
from console.permissions import Role
from tests import factories
from tests.factories import PASSWORD
from tests.trail import Trail

POSTGRES_URL = os.environ.get("CONSOLE_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgres")


def migrate(url: str) -> None:
    """Run every Alembic migration on the database at ``url``."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    engine = db.make_engine(url)
    config.attributes["engine"] = engine
    command.upgrade(config, "heads")
    engine.dispose()


def _pg_admin(statement: str, url: str = POSTGRES_URL) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def _pg_url(name: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def _pg_new_database() -> str:
    name = f"console_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    migrate(_pg_url(name))
    return name


def _pg_empty(url: str) -> None:
    """Remove every row, the audit trail included (its triggers are off for this superuser
    session only), and restart the ids: as clean as a new database, in milliseconds."""
    tables = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        connection.execute("SET session_replication_role = replica")
        connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")  # type: ignore[arg-type]
        for table in SQLModel.metadata.sorted_tables:  # a test may have switched some off
            connection.execute(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER')  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This run's migrated database: a file copied per test on SQLite; on PostgreSQL one
    database emptied before each test (creating one per test costs seconds there)."""
    if ON_POSTGRES:
        name = _pg_new_database()
        yield name
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        migrate(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> str:
    """An empty database for one test, with every migration applied."""
    if ON_POSTGRES:
        url = _pg_url(template_database)
        _pg_empty(url)
        return url
    path = tmp_path / "console.sqlite3"
    shutil.copy(template_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def fresh_database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, for tests that change the schema (drop a trigger…)."""
    if ON_POSTGRES:
        name = _pg_new_database()
        yield _pg_url(name)
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "fresh.sqlite3"
        shutil.copy(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """argon2id with small parameters: the same code path, a fraction of the time."""
    real = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = real


def make_app(database_url: str, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "CONSOLE_ENV": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        **overrides,
    }
    return create_app(config)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    application = make_app(database_url)
    yield application
    application.extensions["console.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_staff(app: Flask) -> Callable[..., Staff]:
    """Create a staff member: ``make_staff(Role.COUNSELOR, login="yamamoto")``."""

    def factory(role: Role = Role.COUNSELOR, **kwargs: Any) -> Staff:
        return factories.make_staff(app, role, **kwargs)

    return factory


@pytest.fixture
def trail(app: Flask) -> Trail:
    """The audit trail: ``trail("suspension.")``, ``trail.actions()`` (see tests/trail.py)."""
    return Trail(app)


@dataclass
class AuthActions:
    client: FlaskClient

    def login(self, login: str, password: str = PASSWORD) -> Any:
        return self.client.post("/auth/login", data={"login": login, "password": password})

    def logout(self) -> Any:
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(make_staff: Callable[..., Staff], auth: AuthActions) -> Callable[[Role], Staff]:
    """Create a staff member of ``role`` and sign the test client in as them."""

    def sign_in(role: Role, **kwargs: Any) -> Staff:
        staff = make_staff(role, **kwargs)
        response = auth.login(staff.login)
        assert response.status_code == 302, response.get_data(as_text=True)
        return staff

    return sign_in
