"""Objections (異議申立て) against a decided suspension and their reconsideration (Art. 9-2)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlmodel import Session

from console.audit import Actor, changes, record
from console.suspensions.decisions import end_now
from console.suspensions.models import (
    Channel,
    Decision,
    EndKind,
    Kind,
    Objection,
    Reconsideration,
    Suspension,
)
from console.suspensions.queries import snapshot, subject
from console.suspensions.rules import (
    MIN_DECISION_REASON,
    MIN_OBJECTION_TEXT,
    SuspensionError,
    check_reason,
    lock,
    may_reconsider,
)
from console.suspensions.state import State, state_at
from console.timeutil import as_utc, to_jst, utcnow


def record_objection(
    db: Session,
    *,
    actor: Actor,
    item: Suspension,
    received_on: date,
    channel: Channel,
    text: str,
) -> Objection:
    """Record an objection received from the user against a decided suspension."""
    if item.decision != Decision.APPROVED:
        raise SuspensionError(_("An objection can only be recorded against a decided suspension."))
    today = to_jst(utcnow()).date()
    if received_on > today:
        raise SuspensionError(_("The date received cannot be in the future."))
    if item.decided_at is not None and received_on < to_jst(item.decided_at).date():
        raise SuspensionError(_("The date received cannot be before the decision."))
    text = check_reason(text, MIN_OBJECTION_TEXT, _("Write what the user objected to."))
    objection = Objection(
        suspension_id=item.id,  # type: ignore[arg-type]
        received_on=received_on,
        channel=Channel(channel).value,
        text=text,
        recorded_by_id=actor.id,  # type: ignore[arg-type]
    )
    db.add(objection)
    db.flush()
    record(
        db,
        actor,
        "suspension.objection_recorded",
        subject(item),
        {
            "objection_id": objection.id,
            "changes": changes(
                {},
                {"received_on": received_on, "channel": objection.channel, "open": True},
            ),
        },
    )
    return objection


def reconsider(
    db: Session,
    *,
    actor: Actor,
    objection: Objection,
    outcome: Reconsideration,
    reason: str,
    new_end: datetime | None = None,
) -> None:
    """Uphold, shorten or revoke on an objection; only by a supervisor who took no part."""
    item = db.get(Suspension, objection.suspension_id)
    assert item is not None
    lock(db, item)
    lock(db, objection)
    if objection.outcome is not None:
        raise SuspensionError(_("This objection has already been reconsidered."))
    if not may_reconsider(actor.id, item):
        raise SuspensionError(
            _("You took part in this decision: a supervisor who did not must reconsider it.")
        )
    reason = check_reason(reason, MIN_DECISION_REASON)
    now = utcnow()
    before = snapshot(db, item)
    outcome = Reconsideration(outcome)
    if outcome is Reconsideration.SHORTEN:
        _shorten(item, new_end, now)
    elif outcome is Reconsideration.REVOKE:
        if state_at(item, now) not in (State.ACTIVE, State.SCHEDULED):
            raise SuspensionError(
                _("The suspension is no longer in force: uphold it, with the reason, instead.")
            )
        end_now(item, actor, EndKind.REVOKED, reason, now)
    objection.outcome = outcome.value
    objection.reconsidered_by_id = actor.id
    objection.reconsidered_at = now
    objection.reconsideration_reason = reason
    item.updated_at = now
    db.add(objection)
    db.add(item)
    db.flush()
    record(
        db,
        actor,
        "suspension.reconsidered",
        subject(item),
        {
            "objection_id": objection.id,
            "outcome": outcome.value,
            "changes": changes(before, snapshot(db, item)),
            "reason": reason,
        },
    )


def _shorten(item: Suspension, new_end: datetime | None, now: datetime) -> None:
    if item.kind != Kind.STOP or item.ends_at is None:
        raise SuspensionError(
            _("A termination cannot be shortened: revoke it or uphold it instead.")
        )
    if new_end is None:
        raise SuspensionError(_("Enter the new end date and time."))
    if state_at(item, now) not in (State.ACTIVE, State.SCHEDULED):
        raise SuspensionError(_("The stop has already ended: it cannot be shortened."))
    if as_utc(new_end) >= as_utc(item.ends_at):
        raise SuspensionError(_("The new end must be earlier than the current end."))
    if as_utc(new_end) <= max(as_utc(item.starts_at), now):
        raise SuspensionError(
            _("The new end must be after the start and in the future; to end it now, revoke it.")
        )
    item.ends_at = new_end
