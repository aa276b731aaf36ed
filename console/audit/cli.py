"""``flask audit checkpoint | verify | export``: the trail from the command line."""

from __future__ import annotations

import json
import os
import sys
from contextlib import nullcontext
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from console import db, files
from console.audit import checkpoints, keys, service
from console.audit import export as export_format
from console.audit.keys import SigningKeyError
from console.audit.trail import COMMAND_LINE, Subject, record
from console.audit.verify import Report
from console.timeutil import from_jst, jst_day_start, utcnow

audit_group = AppGroup("audit", help="The audit trail: checkpoints, verification, export.")


class JapanTime(click.ParamType):
    """``2026-12-01`` or ``2026-12-01T09:30`` in Japan time (an explicit offset is kept)."""

    name = "datetime"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return jst_day_start(day + timedelta(days=1 if self.end_of_day else 0))
            return from_jst(datetime.fromisoformat(text))
        except (ValueError, OverflowError):
            self.fail(
                f"{value!r} is not a date (2026-12-01) or a date and time (2026-12-01T09:30)",
                param,
                ctx,
            )


@audit_group.command("checkpoint")
@click.option("--export", "export_latest", is_flag=True, help="Print the latest one as JSON.")
def checkpoint_command(export_latest: bool) -> None:
    """Sign the head of the trail now (or print the latest checkpoint with --export)."""
    if export_latest:
        with db.transaction(write=False) as session:
            latest = checkpoints.latest_checkpoint(session)
            if latest is None:
                raise click.ClickException("no checkpoint yet: run `flask audit checkpoint`")
            click.echo(json.dumps(checkpoints.checkpoint_document(latest), indent=2))
        return
    try:
        with db.transaction() as session:
            written = checkpoints.write_checkpoint(
                session, utcnow(), actor=COMMAND_LINE, force=True
            )
    except SigningKeyError as error:
        raise click.ClickException(str(error)) from error
    if written is None:
        raise click.ClickException("the trail is empty: there is nothing to sign yet")
    click.echo(
        f"checkpoint at seq {written.seq}, head hash {written.head_hash}, "
        f"key fingerprint {written.key_fingerprint}"
    )


@audit_group.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--allow-stale",
    is_flag=True,
    help="Checking a copy (a restored backup): do not require a recent checkpoint.",
)
def verify_command(as_json: bool, allow_stale: bool) -> None:
    """Recompute the chain, check every checkpoint against the pinned keys; exit 1 on damage."""
    try:
        pins = keys.pinned_keys(current_app)
    except SigningKeyError as error:
        raise click.ClickException(str(error)) from error
    with db.transaction(write=False) as session:
        total = service.entry_count(session)
        show_bar = sys.stdout.isatty() and not as_json
        bar = (
            click.progressbar(length=total, label="verifying", file=sys.stdout)
            if show_bar
            else nullcontext()
        )
        with bar as progress:
            report = service.run_verification(
                session,
                progress=progress.update if progress is not None else None,
                pinned=pins,
                check_age=not allow_stale,
            )
    if as_json:
        click.echo(json.dumps({**report.as_dict(), "pinned_keys": pins.source}))
    else:
        click.echo(_verify_summary(report, pins))
    if not report.ok:
        sys.exit(1)


def _verify_summary(report: Report, pins: keys.PinnedKeys) -> str:
    if report.problem is not None:
        problem = report.problem
        return f"DAMAGED at seq {problem.seq}: {problem.kind}: {problem.detail}"
    lines = [
        f"OK: {report.count} entries, head seq {report.head_seq}, head hash "
        f"{report.head_hash}, {report.checkpoints} checkpoints verified",
        f"checkpoint keys trusted from: {pins.source}",
    ]
    if report.newest_checkpoint is not None:
        newest = report.newest_checkpoint
        lines.append(
            f"signed up to seq {newest.seq} at {newest.at} by key {newest.key_fingerprint}"
        )
    if report.covered_seq < report.head_seq:
        lines.append(
            f"entries {report.covered_seq + 1}..{report.head_seq} are not signed yet "
            "(the scheduler signs them within minutes)"
        )
    return "\n".join(lines)


key_group = AppGroup("key", help="The key that signs checkpoints: show it, rotate it.")
audit_group.add_command(key_group)


@key_group.command("show")
def key_show_command() -> None:
    """Print the checkpoint key's fingerprint and the line to put in the pinned-keys file."""
    try:
        key = keys.signing_key(current_app)
    except SigningKeyError as error:
        raise click.ClickException(str(error)) from error
    with db.transaction(write=False) as session:
        current = checkpoints.announced_fingerprint(session)
    click.echo(f"fingerprint: {key.fingerprint}")
    click.echo(f"public key:  {key.public_key}")
    if current is None:
        click.echo("the trail has not announced a key yet")
    elif current != key.fingerprint:
        click.echo(f"WARNING: the trail's current key is another one: {current}")
    click.echo("line for the pinned-keys file (CONSOLE_AUDIT_PINNED_KEYS):")
    click.echo(key.verifier(keys.origin(current_app)).vkey())


@key_group.command("rotate")
@click.argument("new_key", type=click.Path(dir_okay=False, exists=True))
def key_rotate_command(new_key: str) -> None:
    """Hand the trail over to the key in NEW_KEY (a PEM file): both keys sign the handover."""
    try:
        new = keys.load(Path(new_key))
        with db.transaction() as session:
            point = checkpoints.rotate_key(session, new, utcnow(), actor=COMMAND_LINE)
    except SigningKeyError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"rotated at seq {point.seq}: the new key {new.fingerprint} signed it.")
    click.echo("Now, in this order:")
    click.echo(
        f"  1. add this line to the pinned-keys file ({keys.pinned_keys_path(current_app)}):"
    )
    click.echo(f"     {new.verifier(keys.origin(current_app)).vkey()}")
    click.echo(f"  2. set CONSOLE_AUDIT_SIGNING_KEY={new_key} for the scheduler and restart it")
    click.echo("  3. keep the old key file offline: it may be needed to prove the old checkpoints")


def _sign_head_for_export() -> None:
    """Sign the head first, so that an export up to now ends at a signed checkpoint."""
    try:
        with db.transaction() as session:
            checkpoints.sign_head(session, utcnow(), actor=COMMAND_LINE)
    except SigningKeyError as error:
        click.echo(
            f"warning: the head could not be signed ({error}); entries after the last "
            "checkpoint will not be proven by the export",
            err=True,
        )


def _check_writable_folder(output: str) -> None:
    folder = Path(output).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise click.BadParameter(
            f"cannot write {output}: {folder} is not a folder this account can write to",
            param_hint="--output",
        )


@audit_group.command("export")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(export_format.FORMATS),
    required=True,
    help="csv (entries) or jsonl (entries and checkpoints)",
)
@click.option("--since", type=JapanTime(), help="From this time, Japan time (2026-12-01).")
@click.option(
    "--until",
    type=JapanTime(end_of_day=True),
    help="Before this time, Japan time; a date includes that whole day.",
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File to write.")
def export_command(
    file_format: str, since: datetime | None, until: datetime | None, output: str | None
) -> None:
    """Write the entries (with their hashes) for checking away from the console."""
    if since is not None and until is not None and since >= until:
        raise click.BadParameter("--since must be before --until", param_hint="--since")
    if output:
        _check_writable_folder(output)
    if file_format == "jsonl" and until is None:
        _sign_head_for_export()
    with (
        files.atomic_write_text(output) if output else nullcontext(sys.stdout) as handle,
        db.transaction(write=False) as session,
    ):
        span = service.seq_span(session, since=since, until=until)
        for chunk in service.export_chunks(session, file_format, span):
            handle.write(chunk)
    count = 0 if span is None else span[1] - span[0] + 1
    with db.transaction() as session:
        record(
            session,
            COMMAND_LINE,
            "audit.exported",
            Subject("audit_log", checkpoints.trail_log_id(session) or ""),
            service.export_details(file_format, since, until, span),
        )
    if output:
        click.echo(f"wrote {count} entries to {output}", err=True)
