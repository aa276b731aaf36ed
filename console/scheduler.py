"""The one scheduler process: ``flask scheduler run`` ticks every 30 s and runs every sweep.

Run exactly one in production. Its job store lives in memory and is never shared: two
schedulers would not double-record anything (sweeps claim rows), but they would only
waste work. ``flask scheduler status`` and the dashboard read the heartbeat row below.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import JSON, Column
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

from console import db
from console.modeltypes import utc_field
from console.sweeps import registered_sweeps
from console.timeutil import JST, utcnow

log = logging.getLogger(__name__)

JOB_ID = "sweeps"
TICK_SECONDS = 30
MISFIRE_GRACE_SECONDS = 300  # a tick late by up to 5 minutes (a busy machine) still runs
STALE_AFTER = timedelta(minutes=5)  # the dashboard warns in red past this
HEARTBEAT_ID = 1


class SchedulerHeartbeat(SQLModel, table=True):
    """One row: when the last tick ran and what each sweep recorded."""

    __tablename__ = "scheduler_heartbeat"

    id: int = Field(default=HEARTBEAT_ID, primary_key=True)
    last_tick_at: datetime = utc_field()
    results: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


@dataclass(frozen=True)
class Health:
    last_tick_at: datetime | None
    age: timedelta | None

    @property
    def stale(self) -> bool:
        return self.age is None or self.age > STALE_AFTER


def record_heartbeat(session: Session, at: datetime, results: dict[str, Any]) -> None:
    """Write the tick time in the one heartbeat row (an upsert, safe if two ever race)."""
    values = {"id": HEARTBEAT_ID, "last_tick_at": at, "results": results}
    insert = (
        postgresql.insert if session.connection().dialect.name == "postgresql" else sqlite.insert
    )
    statement = insert(SchedulerHeartbeat).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "last_tick_at": statement.excluded.last_tick_at,
            "results": statement.excluded.results,
        },
    )
    session.execute(statement)


def health(session: Session, now: datetime | None = None) -> Health:
    """When the last sweep ran and how long ago (None if never)."""
    row = session.get(SchedulerHeartbeat, HEARTBEAT_ID)
    if row is None:
        return Health(None, None)
    return Health(row.last_tick_at, (now or utcnow()) - row.last_tick_at)


def run_sweeps(app: Flask) -> dict[str, Any]:
    """One tick: every registered sweep in its own transaction, then the heartbeat."""
    results: dict[str, Any] = {}
    with app.app_context():
        for sweep in registered_sweeps(app):
            try:
                with db.transaction() as session:
                    results[sweep.name] = sweep.run(session, utcnow())
            except Exception:  # one failing sweep must not stop the others, nor the clock
                log.exception("sweep %s failed; it will be retried on the next tick", sweep.name)
                results[sweep.name] = "error"
        with db.transaction() as session:
            record_heartbeat(session, utcnow(), results)
    return results


def build_scheduler(app: Flask) -> BlockingScheduler:
    """The scheduler with its single interval job, first run at once."""
    scheduler = BlockingScheduler(timezone=JST)
    scheduler.add_job(
        run_sweeps,
        "interval",
        seconds=TICK_SECONDS,
        args=[app],
        id=JOB_ID,
        name="record transitions (notices, suspensions, audit checkpoints)",
        next_run_time=datetime.now(JST),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        replace_existing=True,
    )
    return scheduler


scheduler_group = AppGroup("scheduler", help="The scheduler process (run exactly one).")


@scheduler_group.command("run")
def run_command() -> None:
    """Run the scheduler in the foreground until Ctrl-C or SIGTERM."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with db.transaction(write=False) as session:
        health(session)  # a database that cannot be used is one line now, not a log every tick
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    scheduler = build_scheduler(app)

    def stop(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    names = ", ".join(sweep.name for sweep in registered_sweeps(app)) or "none"
    click.echo(f"scheduler: every {TICK_SECONDS} s, sweeps: {names} (Ctrl-C stops)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        click.echo("scheduler stopped")


@scheduler_group.command("status")
def status_command() -> None:
    """When the last sweep ran; exit status 1 when it is more than 5 minutes ago."""
    with db.transaction(write=False) as session:
        state = health(session)
    if state.last_tick_at is None or state.age is None:
        click.echo("the scheduler has never run: start `flask scheduler run`")
        raise SystemExit(1)
    when = state.last_tick_at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST")
    seconds = int(state.age.total_seconds())
    click.echo(f"last sweep {when} ({seconds} s ago)")
    if state.stale:
        click.echo("WARNING: more than 5 minutes ago; is `flask scheduler run` running?")
        raise SystemExit(1)
