"""``flask staff …``: the first administrator of a real installation, accounts, API tokens."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from console import db
from console.audit import COMMAND_LINE
from console.auth import service, tokens
from console.permissions import Role

staff_group = AppGroup("staff", help="Manage staff accounts.")
token_group = AppGroup("token", help="Tokens for GET /api/v1/service-users/<ref>/status.")
staff_group.add_command(token_group)


@staff_group.command("create")
@click.argument("login")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--name", "display_name", required=True, help="Display name, e.g. 山田 花子")
def create_command(login: str, role: str, display_name: str) -> None:
    """Create an account; the password comes from a prompt or CONSOLE_NEW_PASSWORD."""
    password = os.environ.get("CONSOLE_NEW_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        with db.transaction() as session:
            staff = service.create_staff(
                session,
                actor=COMMAND_LINE,
                login=login,
                display_name=display_name,
                role=Role(role),
                password=password,
            )
            click.echo(f"created {staff.login} ({staff.role})")
    except service.StaffError as error:
        raise click.ClickException(str(error)) from error


@staff_group.command("list")
def list_command() -> None:
    """Every account with its role and state."""
    with db.transaction(write=False) as session:
        for staff in service.list_staff(session):
            state = "active" if staff.active else "disabled"
            click.echo(f"{staff.login}\t{staff.role}\t{state}\t{staff.display_name}")


@staff_group.command("disable")
@click.argument("login")
@click.option("--reason", default="disabled from the command line", show_default=True)
def disable_command(login: str, reason: str) -> None:
    """Disable an account; its sessions end at once."""
    with db.transaction() as session:
        staff = service.find_by_login(session, login)
        if staff is None:
            raise click.ClickException(f"no staff account with login id {login!r}")
        service.set_active(session, actor=COMMAND_LINE, staff=staff, active=False, reason=reason)
        click.echo(f"disabled {staff.login}")


@token_group.command("create")
@click.argument("login")
@click.option("--label", default="", help="What the token is for, e.g. booking system")
def token_create_command(login: str, label: str) -> None:
    """Create a token for LOGIN; it is printed once and only its hash is kept."""
    with db.transaction() as session:
        staff = service.find_by_login(session, login)
        if staff is None:
            raise click.ClickException(f"no staff account with login id {login!r}")
        try:
            token = tokens.create_token(session, actor=COMMAND_LINE, staff=staff, label=label)
        except tokens.TokenError as error:
            raise click.ClickException(str(error)) from error
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke_command(token_id: int) -> None:
    """Revoke the token with TOKEN_ID at once."""
    with db.transaction() as session:
        try:
            tokens.revoke_token(session, actor=COMMAND_LINE, token_id=token_id)
        except tokens.TokenError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"revoked token {token_id}")
