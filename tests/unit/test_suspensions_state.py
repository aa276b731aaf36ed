"""The time-derived state of a suspension (Art. 9-2): exact boundaries, month and year ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.online_services import OnlineService
from console.suspensions.state import State, Stop, may_use, restrictions_at, state_at
from tests.factories import jst

SECOND = timedelta(seconds=1)


def stop(start, end, *, ident=1, services=("seminar",), kind="stop", cut=None, decision="approved"):
    return Stop(ident, kind, decision, start, end, cut, frozenset(services))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0)),  # the example of the issue
        (jst(2026, 11, 24, 0, 0), jst(2026, 12, 1, 0, 0)),  # across a month end
        (jst(2026, 12, 25, 0, 0), jst(2027, 1, 1, 0, 0)),  # across a year end
    ],
)
def test_active_up_to_the_last_minute_and_not_at_the_end(start, end):
    item = stop(start, end)
    assert state_at(item, start - SECOND) is State.SCHEDULED
    assert state_at(item, start) is State.ACTIVE
    assert state_at(item, end - timedelta(minutes=1)) is State.ACTIVE  # e.g. 12/7 23:59 JST
    assert state_at(item, end - SECOND) is State.ACTIVE
    assert state_at(item, end) is State.ENDED  # e.g. 12/8 0:00 JST
    assert not may_use([item], OnlineService.SEMINAR, end - SECOND)
    assert may_use([item], OnlineService.SEMINAR, end)
    assert may_use([item], OnlineService.INTERVIEW_FAIR, start)  # not in scope


def test_issue_example_in_japan_time():
    item = stop(jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0))
    assert state_at(item, jst(2026, 12, 7, 23, 59)) is State.ACTIVE
    assert state_at(item, jst(2026, 12, 8, 0, 0)) is State.ENDED


def test_termination_is_active_until_reinstated():
    start = jst(2026, 12, 1, 9, 0)
    item = stop(start, None, kind="termination")
    assert state_at(item, start + timedelta(days=3650)) is State.ACTIVE
    reinstated = stop(start, None, kind="termination", cut=jst(2027, 2, 1, 10, 0))
    assert state_at(reinstated, jst(2027, 2, 1, 9, 59)) is State.ACTIVE
    assert state_at(reinstated, jst(2027, 2, 1, 10, 0)) is State.ENDED


def test_lifted_early_and_cancelled_before_start():
    start, end = jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0)
    lifted = stop(start, end, cut=jst(2026, 12, 3, 12, 0))
    assert state_at(lifted, jst(2026, 12, 3, 11, 59)) is State.ACTIVE
    assert state_at(lifted, jst(2026, 12, 3, 12, 0)) is State.ENDED
    cancelled = stop(start, end, cut=jst(2026, 11, 30, 12, 0))
    assert state_at(cancelled, start) is State.CANCELLED
    assert restrictions_at([cancelled], start) == []


@pytest.mark.parametrize("decision", ["pending", "rejected", "withdrawn"])
def test_undecided_suspensions_never_apply(decision):
    item = stop(jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0), decision=decision)
    assert state_at(item, jst(2026, 12, 2, 0, 0)) is State(decision)
    assert restrictions_at([item], jst(2026, 12, 2, 0, 0)) == []


def test_overlapping_stops_the_later_end_wins():
    first = stop(jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0), ident=1)
    second = stop(jst(2026, 12, 5, 0, 0), jst(2026, 12, 15, 0, 0), ident=2)
    (seminar,) = restrictions_at([first, second], jst(2026, 12, 6, 0, 0))
    assert seminar.until == jst(2026, 12, 15, 0, 0)
    assert seminar.suspension_ids == (1, 2)
    # Before the second starts, the user is still told the true first free moment.
    (early,) = restrictions_at([first, second], jst(2026, 12, 2, 0, 0))
    assert early.until == jst(2026, 12, 15, 0, 0)
    assert may_use([first, second], OnlineService.SEMINAR, jst(2026, 12, 15, 0, 0))


def test_a_stop_that_starts_exactly_when_another_ends_continues_it():
    first = stop(jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0), ident=1)
    second = stop(jst(2026, 12, 8, 0, 0), jst(2026, 12, 10, 0, 0), ident=2)
    (seminar,) = restrictions_at([first, second], jst(2026, 12, 7, 0, 0))
    assert seminar.until == jst(2026, 12, 10, 0, 0)
    gap = stop(jst(2026, 12, 9, 0, 0), jst(2026, 12, 10, 0, 0), ident=3)
    (alone,) = restrictions_at([first, gap], jst(2026, 12, 7, 0, 0))
    assert alone.until == jst(2026, 12, 8, 0, 0)


def test_a_termination_in_the_chain_has_no_end():
    first = stop(jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0), ident=1)
    termination = stop(jst(2026, 12, 5, 0, 0), None, ident=2, kind="termination")
    (seminar,) = restrictions_at([first, termination], jst(2026, 12, 2, 0, 0))
    assert seminar.until is None
    assert seminar.termination
