"""``flask suspensions sweep``: a manual run of the transitions sweep."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from console import db
from console.suspensions.sweep import sweep_transitions
from console.timeutil import utcnow

suspensions_group = AppGroup("suspensions", help="Art. 9-2 suspensions.")


@suspensions_group.command("sweep")
def sweep_command() -> None:
    """Record the starts and ends that are due now (the scheduler does this every 30 s)."""
    with db.transaction() as session:
        count = sweep_transitions(session, utcnow())
    click.echo(f"recorded {count} transitions")
