"""Engine, one session per request committed in one place, and SQLite's write locking.

Services only ``flush``. The request's session is committed once, after the view
returned a response; any exception or error page rolls it back. Outside requests
(CLI, scheduler) ``transaction()`` gives the same one-commit unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlmodel import Session

WRITE_OPTION = "console_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
CONNECT_TIMEOUT_SECONDS = 5  # an unreachable server is reported, not waited on for minutes


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite with WAL and BEGIN IMMEDIATE, or PostgreSQL via psycopg 3."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    timeout = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return create_engine(
        url, pool_pre_ping=True, isolation_level="READ COMMITTED", connect_args=timeout
    )


def describe(url: str) -> str:
    """The database as an operator names it: ``PostgreSQL database "console" on db:5432``."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite database {parsed.database or ':memory:'}"
    where = f"{parsed.host or 'the local socket'}:{parsed.port or 5432}"
    return f'PostgreSQL database "{parsed.database or parsed.username or ""}" on {where}'


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database cannot be reached or used right now (an outage,
    a restart, a lost connection, a locked or full SQLite file), rather than a bug."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def reason(error: BaseException) -> str:
    """The driver's first line about ``error``, never the SQL or its parameters."""
    original = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, below, emit BEGIN itself (pysqlite would not).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # Writers take the lock up front, so concurrent writers queue on busy_timeout
        # instead of failing later with "database is locked" when a reader upgrades.
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def init_app(app: Flask) -> None:
    """Bind the engine and the request session hooks to ``app``."""
    app.extensions["console.engine"] = make_engine(app.config["DATABASE_URL"])
    app.after_request(_commit_request_session)
    app.teardown_request(_close_request_session)


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["console.engine"]


def open_session(bind: Engine, *, write: bool) -> Session:
    """A new session whose transaction begins as a writer (``BEGIN IMMEDIATE``) or a reader."""
    session = Session(bind, expire_on_commit=False)
    session.connection(execution_options={WRITE_OPTION: write})
    return session


def _request_writes() -> bool:
    if request.method not in SAFE_METHODS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "audited_read", False))


def session() -> Session:
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = open_session(engine(), write=_request_writes())
    return g.db_session


def rollback_request() -> None:
    """Undo everything the current request wrote (called by the error handlers)."""
    db_session = g.get("db_session")
    if db_session is not None:
        # Kept open: the error page may still read (the signed-in staff member, the menu).
        db_session.rollback()


def discard_request_session() -> None:
    """Drop the request's session after its connection failed; nothing is committed."""
    db_session = g.pop("db_session", None)
    if db_session is not None:
        try:
            db_session.close()
        except SQLAlchemyError:
            db_session.invalidate()  # the connection is gone: give it up without a rollback


def _commit_request_session(response: Response) -> Response:
    db_session = g.get("db_session")
    if db_session is not None:
        db_session.commit()
    return response


def _close_request_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()  # rolls back whatever was not committed


@contextmanager
def transaction(*, write: bool = True, bind: Engine | None = None) -> Iterator[Session]:
    """One unit of work outside a request: committed at the end, rolled back on error."""
    db_session = open_session(bind or engine(), write=write)
    try:
        yield db_session
        db_session.commit()
    except BaseException:
        db_session.rollback()
        raise
    finally:
        db_session.close()
