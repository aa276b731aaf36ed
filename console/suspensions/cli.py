"""``flask suspensions …``: status API tokens and a manual run of the transitions sweep."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from console import db
from console.audit import COMMAND_LINE
from console.auth.service import find_by_login
from console.suspensions import service
from console.timeutil import utcnow

suspensions_group = AppGroup("suspensions", help="Art. 9-2 suspensions.")
token_group = AppGroup("token", help="Tokens for GET /api/v1/service-users/<ref>/status.")
suspensions_group.add_command(token_group)


@token_group.command("create")
@click.argument("login")
@click.option("--label", default="", help="What the token is for, e.g. booking system")
def token_create(login: str, label: str) -> None:
    """Create a token for LOGIN; it is printed once and only its hash is kept."""
    with db.transaction() as session:
        staff = find_by_login(session, login)
        if staff is None:
            raise click.ClickException(f"no staff account with login id {login!r}")
        try:
            token = service.create_token(session, actor=COMMAND_LINE, staff=staff, label=label)
        except service.SuspensionError as error:
            raise click.ClickException(str(error)) from error
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke the token with TOKEN_ID at once."""
    with db.transaction() as session:
        try:
            service.revoke_token(session, actor=COMMAND_LINE, token_id=token_id)
        except service.SuspensionError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"revoked token {token_id}")


@suspensions_group.command("sweep")
def sweep_command() -> None:
    """Record the starts and ends that are due now (the scheduler does this every 30 s)."""
    with db.transaction() as session:
        count = service.sweep_transitions(session, utcnow())
    click.echo(f"recorded {count} transitions")
