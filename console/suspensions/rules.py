"""The rules of Art. 9-2 suspensions that need no database: limits, periods, four eyes.

Art. 9-2: "if the office judges that a user breached these terms, it may terminate the
agreement with that user and stop their use of the services". The console adds what a
public office owes the person: four eyes, reasons, citations, exact times, a written
notice and a reconsideration by someone who took no part.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlmodel import Session

from console.online_services import USER_SERVICES
from console.permissions import Permission, role_may
from console.rules import RuleError
from console.suspensions.models import Decision, Kind, Suspension
from console.timeutil import as_utc

# Art. 9-2: the proposal says in the staff's own words what happened and why.
MIN_PROPOSAL_REASON = 20
# Art. 9-2: an amendment, a rejection, a lift and a reconsideration each give their reason.
MIN_DECISION_REASON = 10
# Art. 9-2 (異議申立て): what the user objected to, in a few words at least.
MIN_OBJECTION_TEXT = 5
MAX_REASON = 4000
ALL_SERVICE_VALUES = tuple(service.value for service in USER_SERVICES)


class SuspensionError(RuleError):
    """A change of a suspension the rules refuse."""


class AlreadyDecidedError(SuspensionError):
    """The proposal is no longer awaiting a decision."""


class Decider(Protocol):
    id: int | None
    role: str


def check_may_decide(staff: Decider | None, item: Suspension) -> None:
    """Art. 9-2 four eyes: a supervisor, never the proposer, decides a pending proposal."""
    if staff is None or staff.id is None or staff.id == item.proposed_by_id:
        raise SuspensionError(_("You proposed this suspension: another supervisor must decide it."))
    if item.decision != Decision.PENDING:
        raise AlreadyDecidedError(_("This proposal has already been decided or withdrawn."))
    if not role_may(staff.role, Permission.SUSPENSIONS_DECIDE):
        raise SuspensionError(_("Only a supervisor can decide a suspension."))


def may_decide(staff: Decider | None, item: Suspension) -> bool:
    """Whether ``staff`` may decide ``item`` now (the four-eyes rule of ``check_may_decide``)."""
    try:
        check_may_decide(staff, item)
    except SuspensionError:
        return False
    return True


def may_reconsider(staff_id: int | None, item: Suspension) -> bool:
    """Reconsideration is by someone who took no part: neither proposer nor decider."""
    return staff_id is not None and staff_id not in (item.proposed_by_id, item.decided_by_id)


def check_reason(reason: str, minimum: int, message: str | None = None) -> str:
    """The reason without surrounding spaces, or SuspensionError if it is too short."""
    reason = reason.strip()
    if len(reason) < minimum:
        raise SuspensionError(
            message or _("Write the reason in at least %(count)d characters.", count=minimum)
        )
    return reason


def check_period(kind: Kind, starts_at: datetime, ends_at: datetime | None) -> None:
    """A stop ends after it starts; a termination has no end."""
    if kind is Kind.STOP:
        if ends_at is None:
            raise SuspensionError(_("A temporary stop needs an end date and time."))
        if as_utc(ends_at) <= as_utc(starts_at):
            raise SuspensionError(_("The end must be after the start."))
    elif ends_at is not None:
        raise SuspensionError(_("A termination has no end: leave the end empty."))


def check_services(all_services: bool, services: Sequence[str]) -> list[str]:
    """The services chosen, in the office's order: all of them, or at least one known one."""
    if all_services:
        return list(ALL_SERVICE_VALUES)
    chosen = [value for value in ALL_SERVICE_VALUES if value in set(services)]
    unknown = set(services) - set(ALL_SERVICE_VALUES)
    if unknown or not chosen:
        raise SuspensionError(_("Choose all services or at least one service."))
    return chosen


def lock(db: Session, row: Any) -> None:
    """Re-read ``row`` under a row lock, so two staff acting at once cannot both change it."""
    db.refresh(row, with_for_update=True)
