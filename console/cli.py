"""``flask db …``, ``flask demo …`` and ``flask scheduler …``; each feature adds its own group
in its ``init_app``."""

from __future__ import annotations

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup

from console import PROJECT_ROOT, db
from console.demo import load_demo
from console.scheduler import scheduler_group

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
    click.echo(f"database is at {revision}: {current_app.config['DATABASE_URL'].split('@')[-1]}")


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


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(scheduler_group)
