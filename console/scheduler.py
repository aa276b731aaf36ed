"""The one scheduler process: ``flask scheduler run`` ticks every 30 s and runs every sweep.

Run exactly one in production. Its job store lives in memory and is never shared: two
schedulers would not double-record anything (sweeps claim rows), but they would only
waste work, so a scheduler that sees another one's ticks logs a warning.
``flask scheduler status`` and the dashboard read the heartbeat row and the last run of
each sweep below: a sweep that failed on its last run is as alarming as a stopped clock.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import JSON, Column
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

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
ERROR_MAX = 300


class SchedulerHeartbeat(SQLModel, table=True):
    """One row: when the last tick ran, which process ran it and what each sweep recorded."""

    __tablename__ = "scheduler_heartbeat"

    id: int = Field(default=HEARTBEAT_ID, primary_key=True)
    last_tick_at: datetime = utc_field()
    results: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    owner: str = Field(default="", max_length=100)  # host:pid of the scheduler that ticked


class SweepRun(SQLModel, table=True):
    """One row per sweep: when it last ran, when it last succeeded, why it last failed."""

    __tablename__ = "scheduler_sweep"

    name: str = Field(primary_key=True, max_length=64)
    last_run_at: datetime = utc_field()
    last_success_at: datetime | None = utc_field(nullable=True)
    last_error: str = Field(default="", max_length=ERROR_MAX)  # empty: the last run succeeded


@dataclass(frozen=True)
class Health:
    last_tick_at: datetime | None
    age: timedelta | None
    sweeps: tuple[SweepRun, ...] = ()

    @property
    def stale(self) -> bool:
        return self.age is None or self.age > STALE_AFTER

    @property
    def failing(self) -> list[SweepRun]:
        """Sweeps whose last run failed (sweeps that no longer run at all are left out)."""
        if self.last_tick_at is None:
            return []
        recent = self.last_tick_at - STALE_AFTER
        return [run for run in self.sweeps if run.last_error and run.last_run_at >= recent]

    @property
    def healthy(self) -> bool:
        return not self.stale and not self.failing


@dataclass(frozen=True)
class Runner:
    """The scheduler process that is ticking: to notice a second one."""

    identity: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    started_at: datetime = field(default_factory=utcnow)


def _upsert(
    session: Session, model: Any, values: dict[str, Any], key: str, update: list[str]
) -> None:
    """INSERT … ON CONFLICT DO UPDATE: safe if two schedulers ever race."""
    insert = (
        postgresql.insert if session.connection().dialect.name == "postgresql" else sqlite.insert
    )
    statement = insert(model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[key], set_={name: statement.excluded[name] for name in update}
    )
    session.execute(statement)


def record_heartbeat(
    session: Session, at: datetime, results: dict[str, Any], owner: str = ""
) -> None:
    """Write the tick time in the one heartbeat row."""
    values = {"id": HEARTBEAT_ID, "last_tick_at": at, "results": results, "owner": owner}
    _upsert(session, SchedulerHeartbeat, values, "id", ["last_tick_at", "results", "owner"])


def record_sweep_success(session: Session, name: str, at: datetime) -> None:
    """In the sweep's own transaction: it succeeded exactly when its work is committed."""
    values = {"name": name, "last_run_at": at, "last_success_at": at, "last_error": ""}
    _upsert(session, SweepRun, values, "name", ["last_run_at", "last_success_at", "last_error"])


def record_sweep_failure(session: Session, name: str, at: datetime, error: BaseException) -> None:
    """The sweep's work was rolled back; keep its last success, note why this run failed."""
    values = {"name": name, "last_run_at": at, "last_error": error_summary(error)}
    _upsert(session, SweepRun, values, "name", ["last_run_at", "last_error"])


def error_summary(error: BaseException) -> str:
    """One line for operators: the kind of error and its first line (never SQL or values)."""
    text = db.reason(error) if hasattr(error, "orig") else str(error)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return f"{type(error).__name__}: {first}"[:ERROR_MAX] if first else type(error).__name__


def health(session: Session, now: datetime | None = None) -> Health:
    """When the last tick ran, how long ago (None if never), and each sweep's last run."""
    row = session.get(SchedulerHeartbeat, HEARTBEAT_ID)
    sweeps = tuple(session.exec(select(SweepRun).order_by(col(SweepRun.name))).all())
    if row is None:
        return Health(None, None, sweeps)
    return Health(row.last_tick_at, (now or utcnow()) - row.last_tick_at, sweeps)


def _warn_if_another_scheduler(session: Session, runner: Runner) -> None:
    row = session.get(SchedulerHeartbeat, HEARTBEAT_ID)
    if (
        row is not None
        and row.owner
        and row.owner != runner.identity
        and row.last_tick_at > runner.started_at
    ):
        log.warning(
            "another scheduler (%s) also ticked at %s: run exactly one `flask scheduler run` "
            "per installation; nothing is recorded twice, but stop one of them",
            row.owner,
            row.last_tick_at.astimezone(JST).strftime("%H:%M:%S"),
        )


def _run_one(sweep: Any) -> Any:
    started = utcnow()
    try:
        with db.transaction() as session:
            result = sweep.run(session, started)
            record_sweep_success(session, sweep.name, started)
        return result
    except Exception as error:  # one failing sweep must not stop the others, nor the clock
        log.exception("sweep %s failed; it will be retried on the next tick", sweep.name)
        try:
            with db.transaction() as session:
                record_sweep_failure(session, sweep.name, started, error)
        except Exception:  # the database itself may be what failed
            log.exception("could not record the failure of sweep %s", sweep.name)
        return "error"


def run_sweeps(app: Flask, runner: Runner | None = None) -> dict[str, Any]:
    """One tick: every registered sweep in its own transaction, then the heartbeat."""
    results: dict[str, Any] = {}
    with app.app_context():
        for sweep in registered_sweeps(app):
            results[sweep.name] = _run_one(sweep)
        with db.transaction() as session:
            if runner is not None:
                _warn_if_another_scheduler(session, runner)
            record_heartbeat(session, utcnow(), results, runner.identity if runner else "")
    return results


def build_scheduler(
    app: Flask, *, every: float = TICK_SECONDS, runner: Runner | None = None
) -> BlockingScheduler:
    """The scheduler with its single interval job, first run at once."""
    scheduler = BlockingScheduler(timezone=JST)
    scheduler.add_job(
        run_sweeps,
        "interval",
        seconds=every,
        args=[app, runner or Runner()],
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
@click.option(
    "--every",
    type=click.FloatRange(min=0.2),
    default=TICK_SECONDS,
    show_default=True,
    help="Seconds between ticks (keep the default in production; drills and tests go faster).",
)
def run_command(every: float) -> None:
    """Run the scheduler in the foreground until Ctrl-C or SIGTERM."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with db.transaction(write=False) as session:
        health(session)  # a database that cannot be used is one line now, not a log every tick
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    runner = Runner()
    scheduler = build_scheduler(app, every=every, runner=runner)

    def stop(_signum: int, _frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    names = ", ".join(sweep.name for sweep in registered_sweeps(app)) or "none"
    click.echo(f"scheduler {runner.identity}: every {every:g} s, sweeps: {names} (Ctrl-C stops)")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        click.echo("scheduler stopped")


def _jst(moment: datetime | None) -> str:
    return moment.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S JST") if moment else "never"


def _sweep_line(run: SweepRun, failing: bool) -> str:
    if failing:
        return (
            f"  {run.name}: FAILED at {_jst(run.last_run_at)}: {run.last_error} "
            f"(last success: {_jst(run.last_success_at)})"
        )
    return f"  {run.name}: ok, last success {_jst(run.last_success_at)}"


@scheduler_group.command("status")
def status_command() -> None:
    """The last tick and each sweep's last run; exit status 1 when the last tick is more
    than 5 minutes old or any sweep failed on its last run (for monitoring)."""
    with db.transaction(write=False) as session:
        state = health(session)
    if state.last_tick_at is None or state.age is None:
        click.echo("the scheduler has never run: start `flask scheduler run`")
        raise SystemExit(1)
    seconds = int(state.age.total_seconds())
    click.echo(f"last tick {_jst(state.last_tick_at)} ({seconds} s ago)")
    failing = {run.name for run in state.failing}
    for run in state.sweeps:
        click.echo(_sweep_line(run, run.name in failing))
    if state.stale:
        click.echo("WARNING: more than 5 minutes ago; is `flask scheduler run` running?")
    if failing:
        click.echo(f"WARNING: {len(failing)} sweep(s) failed on their last run: see the log")
    if not state.healthy:
        raise SystemExit(1)
