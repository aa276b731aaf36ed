"""Art. 9-2 four eyes: another supervisor approves, amends or rejects; a supervisor lifts early."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session, select

from console.audit import Actor, changes, record
from console.auth.models import Staff
from console.suspensions.models import (
    Decision,
    EndKind,
    Kind,
    Suspension,
    SuspensionService,
    Verdict,
)
from console.suspensions.queries import services_of, snapshot, subject
from console.suspensions.rules import (
    MIN_DECISION_REASON,
    SuspensionError,
    check_may_decide,
    check_period,
    check_reason,
    check_services,
    lock,
)
from console.suspensions.state import State, state_at
from console.timeutil import as_utc, utcnow


@dataclass(frozen=True)
class Amendment:
    """The shorter or narrower period and services an amending supervisor sets."""

    starts_at: datetime
    ends_at: datetime | None
    kind: Kind
    all_services: bool
    services: Sequence[str]


def decide(
    db: Session,
    *,
    actor: Actor,
    item: Suspension,
    decision: Verdict | str,
    reason: str,
    amendment: Amendment | None = None,
) -> None:
    """Approve, amend or reject (Art. 9-2); refused to the proposer even if the page is bypassed."""
    lock(db, item)
    check_may_decide(db.get(Staff, actor.id) if actor.id is not None else None, item)
    try:
        verdict = Verdict(decision)
    except ValueError:
        raise SuspensionError(_("Choose approve, amend or reject.")) from None
    if verdict is not Verdict.APPROVE:
        reason = check_reason(
            reason,
            MIN_DECISION_REASON,
            _(
                "Write the reason for this decision in at least %(count)d characters.",
                count=MIN_DECISION_REASON,
            ),
        )
    now = utcnow()
    before = snapshot(db, item)
    if verdict is Verdict.REJECT:
        item.decision = Decision.REJECTED.value
    else:
        if verdict is Verdict.AMEND:
            if amendment is None:
                raise SuspensionError(_("Enter the amended period or services."))
            _apply_amendment(db, item, amendment)
        item.decision = Decision.APPROVED.value
        _start_no_earlier_than(item, now)
    item.decided_by_id = actor.id
    item.decided_at = now
    item.decision_reason = reason.strip()
    item.updated_at = now
    db.add(item)
    db.flush()
    record(
        db,
        actor,
        VERDICT_ACTIONS[verdict],
        subject(item),
        {"changes": changes(before, snapshot(db, item)), "reason": reason.strip()},
    )


VERDICT_ACTIONS = {
    Verdict.APPROVE: "suspension.approved",
    Verdict.AMEND: "suspension.amended",
    Verdict.REJECT: "suspension.rejected",
}


def _start_no_earlier_than(item: Suspension, now: datetime) -> None:
    """A suspension never takes effect before it is decided."""
    if as_utc(item.starts_at) >= now:
        return
    item.starts_at = now
    if item.ends_at is not None and as_utc(item.ends_at) <= now:
        raise SuspensionError(
            _("The end has already passed: amend the period or reject the proposal.")
        )


def _check_amendment(db: Session, item: Suspension, amendment: Amendment) -> list[str]:
    """Art. 9-2: an amendment may only make the suspension shorter or narrower."""
    check_period(amendment.kind, amendment.starts_at, amendment.ends_at)
    chosen = check_services(amendment.all_services, amendment.services)
    if not set(chosen) <= set(services_of(db, item.id)):  # type: ignore[arg-type]
        raise SuspensionError(_("An amendment may only remove services, not add them."))
    if item.kind == Kind.STOP and amendment.kind is Kind.TERMINATION:
        raise SuspensionError(_("An amendment cannot turn a temporary stop into a termination."))
    if as_utc(amendment.starts_at) < as_utc(item.starts_at):
        raise SuspensionError(_("An amendment may start later, not earlier."))
    if (
        item.ends_at is not None
        and amendment.ends_at is not None
        and as_utc(amendment.ends_at) > as_utc(item.ends_at)
    ):
        raise SuspensionError(_("An amendment may end earlier, not later."))
    return chosen


def _apply_amendment(db: Session, item: Suspension, amendment: Amendment) -> None:
    chosen = _check_amendment(db, item, amendment)
    unchanged = (
        as_utc(amendment.starts_at) == as_utc(item.starts_at)
        and (amendment.ends_at and as_utc(amendment.ends_at))
        == (item.ends_at and as_utc(item.ends_at))
        and amendment.kind.value == item.kind
        and chosen == services_of(db, item.id)  # type: ignore[arg-type]
    )
    if unchanged:
        raise SuspensionError(_("Nothing was changed: choose approve, or change the proposal."))
    item.starts_at = amendment.starts_at
    item.ends_at = amendment.ends_at
    item.kind = amendment.kind.value
    item.all_services = amendment.all_services
    item.amended = True
    for row in db.exec(select(SuspensionService).where(SuspensionService.suspension_id == item.id)):
        if row.service not in chosen:
            db.delete(row)
    db.flush()


# --- Early end: lift and reinstate -----------------------------------------------------


def cut_short(db: Session, *, actor: Actor, item: Suspension, reason: str) -> None:
    """Art. 9-2: a supervisor lifts a stop early or reinstates a terminated user, with a reason."""
    lock(db, item)
    now = utcnow()
    if state_at(item, now) not in (State.ACTIVE, State.SCHEDULED):
        raise SuspensionError(_("Only a suspension in force or scheduled can be lifted."))
    reason = check_reason(reason, MIN_DECISION_REASON)
    before = snapshot(db, item)
    kind = EndKind.REINSTATED if item.kind == Kind.TERMINATION else EndKind.LIFTED
    end_now(item, actor, kind, reason, now)
    db.add(item)
    db.flush()
    record(
        db,
        actor,
        "suspension.reinstated" if kind is EndKind.REINSTATED else "suspension.lifted",
        subject(item),
        {"changes": changes(before, snapshot(db, item)), "reason": reason},
    )


def end_now(item: Suspension, actor: Actor, kind: EndKind, reason: str, now: datetime) -> None:
    """Record an early end (lift, reinstatement, revocation) at ``now``."""
    item.cut_short_at = now
    item.cut_short_kind = kind.value
    item.cut_short_by_id = actor.id
    item.cut_short_reason = reason
    item.updated_at = now
