"""The state of a suspension derived from its stored times on every read (Art. 9-2).

Nothing here reads the clock or the database: callers pass ``now``. A stop is
active in ``[starts_at, end)`` where ``end`` is the earlier of its planned end
and an early end (lift, reinstatement, revocation); a termination has no planned
end. So a stop ends the very second its end passes, whether or not any
scheduler has run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask_babel import lazy_gettext as _l

from console.labels import Labelled
from console.online_services import USER_SERVICES, OnlineService
from console.suspensions.models import Decision, Kind
from console.timeutil import as_utc


class State(Labelled):
    PENDING = "pending", _l("Awaiting decision"), "warning"
    WITHDRAWN = "withdrawn", _l("Withdrawn"), "secondary"
    REJECTED = "rejected", _l("Rejected"), "secondary"
    SCHEDULED = "scheduled", _l("Scheduled"), "info"
    ACTIVE = "active", _l("In force"), "danger"
    ENDED = "ended", _l("Ended"), "success"
    CANCELLED = (
        "cancelled",
        _l("Cancelled before start"),
        "secondary",
    )  # ended early before it ever started


class Timed(Protocol):
    kind: str
    decision: str
    starts_at: datetime
    ends_at: datetime | None
    cut_short_at: datetime | None


def effective_end(item: Timed) -> datetime | None:
    """When it stops applying: the planned end or an earlier early end; None = open-ended."""
    ends = [as_utc(moment) for moment in (item.ends_at, item.cut_short_at) if moment is not None]
    return min(ends) if ends else None


def state_at(item: Timed, now: datetime) -> State:
    """The one function that says where a suspension stands at ``now``."""
    if item.decision != Decision.APPROVED:
        return State(item.decision)
    start = as_utc(item.starts_at)
    end = effective_end(item)
    if end is not None and end <= start:
        return State.CANCELLED
    if now < start:
        return State.SCHEDULED
    if end is None or now < end:
        return State.ACTIVE
    return State.ENDED


@dataclass(frozen=True)
class Restriction:
    """A service the user may not use now, until when (None: until reinstated), and why."""

    service: OnlineService
    until: datetime | None
    termination: bool
    suspension_ids: tuple[int, ...]

    @property
    def label(self) -> str:
        return self.service.label


@dataclass(frozen=True)
class Stop:
    """A decided suspension reduced to what the status rule needs."""

    id: int
    kind: str
    decision: str
    starts_at: datetime
    ends_at: datetime | None
    cut_short_at: datetime | None
    services: frozenset[str]


def restrictions_at(stops: Iterable[Stop], now: datetime) -> list[Restriction]:
    """Per service: blocked now? Overlapping stops chain: the later end wins (Art. 9-2)."""
    stops = [stop for stop in stops if stop.decision == Decision.APPROVED]
    result = []
    for service in USER_SERVICES:
        mine = [stop for stop in stops if service.value in stop.services]
        active = [stop for stop in mine if state_at(stop, now) is State.ACTIVE]
        if not active:
            continue
        until, applying = _blocked_until(mine, active, now)
        result.append(
            Restriction(
                service=service,
                until=until,
                termination=any(stop.kind == Kind.TERMINATION for stop in applying),
                suspension_ids=tuple(sorted(stop.id for stop in applying)),
            )
        )
    return result


def _blocked_until(
    mine: list[Stop], active: list[Stop], now: datetime
) -> tuple[datetime | None, list[Stop]]:
    """The first moment no stop applies, following stops that begin before the last one ends."""
    applying = list(active)
    ends = [effective_end(stop) for stop in active]
    if None in ends:
        return None, applying
    until = max(end for end in ends if end is not None)
    while True:
        following = [
            stop
            for stop in mine
            if stop not in applying
            and state_at(stop, now) is State.SCHEDULED
            and as_utc(stop.starts_at) <= until
        ]
        if not following:
            return until, applying
        applying.extend(following)
        later = [effective_end(stop) for stop in following]
        if None in later:
            return None, applying
        until = max(until, *(end for end in later if end is not None))


def may_use(stops: Iterable[Stop], service: OnlineService, now: datetime) -> bool:
    """Whether the user may use ``service`` at ``now``."""
    return all(item.service != service for item in restrictions_at(stops, now))
