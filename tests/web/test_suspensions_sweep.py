"""The scheduler's sweep records each start and end exactly once, at the time it happened."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from console.outbox import OutboxMessage
from console.permissions import Role
from console.suspensions.models import Suspension
from console.suspensions.sweep import sweep_transitions
from console.sweeps import registered_sweeps
from tests.concurrency import at_once
from tests.factories import jst, make_suspension, reading, writing
from tests.trail import Trail, details

START, END = jst(2026, 12, 1, 0, 0), jst(2026, 12, 8, 0, 0)


def _sweep(app, now):
    with writing(app) as session:
        return sweep_transitions(session, now)


def _transitions(app):
    return [
        (entry.action, entry.subject_id, entry.actor_login, details(entry))
        for entry in Trail(app)("suspension.")
        if entry.action in ("suspension.started", "suspension.ended")
    ]


def _decided(app, make_staff):
    """A stop from 1 to 8 December, approved."""
    return make_suspension(
        app, starts_at=START, ends_at=END, approved_by=make_staff(Role.SUPERVISOR)
    )


def test_the_sweep_is_registered(app):
    assert "suspensions.transitions" in [sweep.name for sweep in registered_sweeps(app)]


def test_start_and_end_recorded_once_with_the_real_times(app, make_staff):
    item = _decided(app, make_staff)
    assert _sweep(app, START - timedelta(seconds=1)) == 0
    assert _sweep(app, START + timedelta(minutes=3)) == 1
    assert _sweep(app, START + timedelta(minutes=4)) == 0
    assert _sweep(app, END + timedelta(seconds=30)) == 1
    assert _sweep(app, END + timedelta(minutes=1)) == 0
    (started, ended) = _transitions(app)
    assert started[:3] == ("suspension.started", str(item.id), "system:scheduler")
    assert started[3]["happened_at"] == "2026-11-30T15:00:00.000000Z"
    assert ended[:3] == ("suspension.ended", str(item.id), "system:scheduler")
    assert ended[3]["happened_at"] == "2026-12-07T15:00:00.000000Z"


def test_a_sweep_that_missed_both_records_both(app, make_staff):
    _decided(app, make_staff)
    assert _sweep(app, END + timedelta(days=3)) == 2
    assert [action for action, *_ in _transitions(app)] == [
        "suspension.started",
        "suspension.ended",
    ]


def test_pending_and_cancelled_suspensions_record_nothing(app, make_staff):
    make_suspension(app, starts_at=START, ends_at=END)  # stays pending
    assert _sweep(app, END + timedelta(days=1)) == 0
    item = _decided(app, make_staff)
    with writing(app) as session:
        row = session.get(Suspension, item.id)
        row.cut_short_at = START - timedelta(hours=1)  # lifted before it began
        row.cut_short_kind = "lifted"
        session.add(row)
    assert _sweep(app, END + timedelta(days=1)) == 0
    assert _transitions(app) == []


def test_two_sweeps_in_parallel_record_each_transition_once(app, make_staff):
    items = [_decided(app, make_staff) for _ in range(4)]
    counts = at_once(lambda _number: _sweep(app, END + timedelta(minutes=1)), 2)
    assert sum(counts) == 8
    recorded = _transitions(app)
    assert len(recorded) == 8
    assert sorted((action, subject) for action, subject, *_ in recorded) == sorted(
        (action, str(item.id))
        for item in items
        for action in ("suspension.started", "suspension.ended")
    )


def test_each_start_and_end_leaves_one_outbox_message_for_the_booking_system(app, make_staff):
    item = _decided(app, make_staff)
    for moment in (START + timedelta(minutes=1), START + timedelta(minutes=2), END, END):
        _sweep(app, moment)
    with reading(app) as session:
        messages = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.kind, m.key) for m in messages] == [
        ("suspension.started", f"suspension.started:{item.id}"),
        ("suspension.ended", f"suspension.ended:{item.id}"),
    ]
    assert messages[0].payload["happened_at"] == "2026-11-30T15:00:00.000000Z"
    assert messages[0].payload["reference_no"].startswith("HW-")
