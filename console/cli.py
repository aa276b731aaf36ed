"""``flask db …``, ``flask demo …`` and ``flask scheduler …``; each feature adds its own group
in its ``init_app``.

Every command of every group reports a database it cannot use, or a file it cannot
write, in one line naming the database and the reason (exit status 1), never a traceback.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import click
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

from console import PROJECT_ROOT, db
from console.demo import load_demo
from console.files import FileWriteError
from console.scheduler import scheduler_group

MISSING_TABLE = re.compile(r"no such table|relation .* does not exist")

db_group = AppGroup("db", help="Database migrations (Alembic).")
demo_group = AppGroup("demo", help="Demonstration data.")


def alembic_config() -> Config:
    """Alembic's configuration for the current app's database."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["engine"] = db.engine()
    return config


@db_group.command("upgrade")
@click.argument("revision", default="heads")
def upgrade_command(revision: str) -> None:
    """Migrate the database to the newest schema."""
    command.upgrade(alembic_config(), revision)
    click.echo(f"{db.describe(current_app.config['DATABASE_URL'])} is at {_current_revision()}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (scripts).")
def downgrade_command(revision: str, yes: bool) -> None:
    """Undo migrations down to REVISION (default: the last one only, ``-1``).

    What the undone migrations added is dropped with its data: make a backup first
    (``flask backup create FILE``).
    """
    config = alembic_config()
    url = current_app.config["DATABASE_URL"]
    if not yes:
        click.confirm(
            f"Undo migrations of the {db.describe(url)} down to {revision}? Tables and columns "
            "they added are dropped with their data (have you made a backup?)",
            abort=True,
        )
    try:
        command.downgrade(config, revision)
    except CommandError as error:
        raise click.ClickException(f"cannot downgrade to {revision}: {error}") from None
    click.echo(f"{db.describe(url)} is now at {_current_revision() or 'base (empty)'}")


def _current_revision() -> str | None:
    with db.engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@db_group.command("current")
def current_command() -> None:
    """Show the database's schema revision."""
    command.current(alembic_config())


@demo_group.command("load")
@click.option(
    "--logins-file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where the demo passwords are kept (default instance/demo-logins.txt).",
)
def demo_load_command(logins_file: str | None) -> None:
    """Create the demo staff and service users (idempotent) and print the demo logins."""
    for line in load_demo(logins_file):
        click.echo(line)


def database_problem(url: str, error: DBAPIError) -> str:
    """One line for an operator: which database, and what went wrong (never SQL or values)."""
    reason = db.reason(error)
    if MISSING_TABLE.search(reason):
        reason += " (has `flask db upgrade` been run on it?)"
    if db.is_unavailable(error):
        return f"cannot use the {db.describe(url)}: {reason}"
    return f"the {db.describe(url)} reported an error: {reason}"


def _one_line_errors(callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except DBAPIError as error:
            # The command's app context is still pushed: click closes it after this returns.
            url = current_app.config["DATABASE_URL"]
            raise click.ClickException(database_problem(url, error)) from None
        except FileWriteError as error:
            raise click.ClickException(str(error)) from None

    run.one_line_errors = True  # type: ignore[attr-defined]
    return run


def _wrap_commands(group: click.Group) -> None:
    """Wrap every command once (the groups are module objects, shared by every app made)."""
    for command_ in group.commands.values():
        if isinstance(command_, click.Group):
            _wrap_commands(command_)
        elif command_.callback is not None and not hasattr(command_.callback, "one_line_errors"):
            command_.callback = _one_line_errors(command_.callback)


def init_app(app: Flask) -> None:
    """Add the core groups, then make every command's errors one line (after the features')."""
    app.cli.add_command(db_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(scheduler_group)
    _wrap_commands(app.cli)
