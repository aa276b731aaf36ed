"""``flask evidence verify``: re-hash every stored item and report any mismatch."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from console import db
from console.audit import COMMAND_LINE
from console.evidence import service

evidence_group = AppGroup("evidence", help="Evidence attached to incidents.")


@evidence_group.command("verify")
@click.option("--incident", "incident_id", type=int, default=None, help="Only this incident.")
def verify_command(incident_id: int | None) -> None:
    """Re-hash every stored item; exit status 1 when any differs from the SHA-256 that the
    audit trail recorded when it was added (the trail, not the item's editable column)."""
    with db.transaction() as session:
        checks = []
        for check in service.check_all(session, incident_id):
            checks.append(check)
            if not check.ok:
                item = check.evidence
                click.echo(
                    f"MISMATCH evidence {item.id} (incident {item.incident_id}, "
                    f"{item.original_name or item.title}): {'; '.join(check.problems)}"
                )
        service.record_verification(
            session, actor=COMMAND_LINE, checks=checks, incident_id=incident_id
        )
    bad = sum(1 for check in checks if not check.ok)
    click.echo(f"checked {len(checks)} items: {bad} mismatched")
    if bad:
        raise SystemExit(1)
