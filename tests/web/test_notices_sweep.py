"""The scheduler and the notice sweep: exactly once, in parallel, and after downtime."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import time_machine
from sqlmodel import select

from console import db, scheduler
from console.audit import COMMAND_LINE
from console.audit.canonical import format_time
from console.notices import service
from console.notices.models import Notice, NoticeKind, NoticeState
from console.notices.state import state_of
from console.notices.sweep import sweep_notices
from console.online_services import OnlineService
from console.outbox import OutboxMessage, enqueue
from console.sweeps import register_sweep
from tests.concurrency import at_once
from tests.factories import jst, load, make_notice, make_terms, reading, writing
from tests.trail import Trail, details

T0 = jst(2026, 11, 30, 21, 0)  # Monday evening; stops run across midnight into December


def _sweep(app, now):
    with writing(app) as session:
        return sweep_notices(session, now)


def _transitions(app):
    return [
        (entry.action, entry.subject_id, details(entry))
        for entry in Trail(app)("notice.")
        if entry.action in ("notice.went_live", "notice.finished")
    ]


def _outbox(app):
    with reading(app) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def _three_stops(app):
    with time_machine.travel(T0, tick=False):
        first = make_notice(app, starts_at=jst(2026, 11, 30, 22), ends_at=jst(2026, 12, 1, 1))
        second = make_notice(
            app, starts_at=jst(2026, 11, 30, 23), ends_at=jst(2026, 11, 30, 23, 30)
        )
        third = make_notice(app, starts_at=jst(2026, 12, 1, 2), ends_at=jst(2026, 12, 1, 6))
        cancelled = make_notice(app, starts_at=jst(2026, 11, 30, 22), ends_at=jst(2026, 11, 30, 23))
        draft = make_notice(app, publish=False, starts_at=jst(2026, 11, 30, 22))
    with writing(app) as session, time_machine.travel(T0, tick=False):
        notice = session.get(service.Notice, cancelled.id)
        service.cancel_notice(session, actor=COMMAND_LINE, notice=notice, reason="業者都合")
    return first, second, third, draft


def test_each_transition_is_recorded_once_with_the_time_it_happened(app, trail):
    first, second, third, draft = _three_stops(app)
    assert _sweep(app, T0) == 0
    assert _sweep(app, jst(2026, 11, 30, 22, 1)) == 1
    assert _sweep(app, jst(2026, 11, 30, 22, 2)) == 0
    # The machine was off from 22:02 until 07:00 the next day: four transitions were missed.
    assert _sweep(app, jst(2026, 12, 1, 7)) == 5
    assert _sweep(app, jst(2026, 12, 1, 7, 1)) == 0
    recorded = _transitions(app)
    happened = [(action, int(ident), details["happened_at"]) for action, ident, details in recorded]
    assert happened == [
        ("notice.went_live", first.id, format_time(jst(2026, 11, 30, 22))),
        ("notice.went_live", second.id, format_time(jst(2026, 11, 30, 23))),
        ("notice.finished", second.id, format_time(jst(2026, 11, 30, 23, 30))),
        ("notice.finished", first.id, format_time(jst(2026, 12, 1, 1))),
        ("notice.went_live", third.id, format_time(jst(2026, 12, 1, 2))),
        ("notice.finished", third.id, format_time(jst(2026, 12, 1, 6))),
    ]
    assert all(d["recorded_at"] for _a, _i, d in recorded)
    actors = {
        entry.actor_login
        for entry in trail("notice.")
        if entry.action.endswith(("went_live", "finished"))
    }
    assert actors == {"system:scheduler"}
    assert str(draft.id) not in {ident for _a, ident, _d in recorded}
    kinds = [message.kind for message in _outbox(app)]
    assert kinds.count("notice.went_live") == 3
    assert kinds.count("notice.finished") == 3
    assert load(app, Notice, third.id).finished_logged_at == jst(2026, 12, 1, 7)


def test_two_sweeps_at_once_record_each_transition_once(app):
    _first, _second, _third, _draft = _three_stops(app)
    now = jst(2026, 12, 1, 7)
    counts = at_once(lambda _number: _sweep(app, now), 4)
    assert sorted(counts) == [0, 0, 0, 6]
    recorded = [(action, ident) for action, ident, _d in _transitions(app)]
    assert len(recorded) == len(set(recorded)) == 6
    assert len(_outbox(app)) == len({m.key for m in _outbox(app)})


def test_the_scheduler_stopped_over_several_transitions_records_all_once_on_restart(app):
    _first, _second, _third, _draft = _three_stops(app)
    with time_machine.travel(jst(2026, 11, 30, 22, 1), tick=False):
        scheduler.run_sweeps(app)
    assert len(_transitions(app)) == 1
    # Stopped for nine hours; restarted at 07:00, it ticks twice.
    with time_machine.travel(jst(2026, 12, 1, 7), tick=False):
        results = scheduler.run_sweeps(app)
        scheduler.run_sweeps(app)
    assert results["notices"] == 5
    recorded = _transitions(app)
    assert len(recorded) == 6
    assert {details["happened_at"] for _a, _i, details in recorded} == {
        format_time(moment)
        for moment in (
            jst(2026, 11, 30, 22),
            jst(2026, 11, 30, 23),
            jst(2026, 11, 30, 23, 30),
            jst(2026, 12, 1, 1),
            jst(2026, 12, 1, 2),
            jst(2026, 12, 1, 6),
        )
    }
    with reading(app) as session:
        health = scheduler.health(session, jst(2026, 12, 1, 7, 1))
    assert health.last_tick_at == jst(2026, 12, 1, 7)
    assert not health.stale


def test_an_extended_stop_finishes_at_its_new_end_and_an_early_end_at_its_actual_end(app):
    with time_machine.travel(T0, tick=False):
        extended = make_notice(app, starts_at=jst(2026, 11, 30, 22), ends_at=jst(2026, 11, 30, 23))
        early = make_notice(app, starts_at=jst(2026, 11, 30, 22), ends_at=jst(2026, 12, 1, 6))
    with time_machine.travel(jst(2026, 11, 30, 22, 30), tick=False), writing(app) as session:
        notice = session.get(service.Notice, extended.id)
        service.extend_notice(
            session,
            actor=COMMAND_LINE,
            notice=notice,
            new_end=jst(2026, 12, 1, 0, 15),
            reason="作業の遅れ",
        )
        notice = session.get(service.Notice, early.id)
        service.end_notice_now(session, actor=COMMAND_LINE, notice=notice)
    assert _sweep(app, jst(2026, 11, 30, 23, 30)) == 3  # two went live, one ended early
    assert load(app, Notice, extended.id).finished_logged_at is None
    assert _sweep(app, jst(2026, 12, 1, 1)) == 1
    finished = {
        ident: d["happened_at"] for a, ident, d in _transitions(app) if a == "notice.finished"
    }
    assert finished == {
        str(early.id): format_time(jst(2026, 11, 30, 22, 30)),
        str(extended.id): format_time(jst(2026, 12, 1, 0, 15)),
    }


def test_terms_changes_are_not_outages(app):
    version = make_terms(
        app, label="令和9年4月改定", effective_from=jst(2027, 4, 1), text="新しい規約"
    )
    with time_machine.travel(T0, tick=False):
        notice = make_notice(
            app,
            kind=NoticeKind.TERMS_CHANGE,
            terms_version_id=version.id,
            services=[],
            ends_at=None,
        )
    assert notice.starts_at == jst(2027, 4, 1)
    assert _sweep(app, jst(2027, 4, 2)) == 0
    assert state_of(load(app, Notice, notice.id), jst(2027, 3, 31)) is NoticeState.UPCOMING


def test_outbox_enqueue_is_idempotent_on_its_key(app):
    with writing(app) as session:
        assert enqueue(session, "suspension.started", "suspension.started:7", {"at": T0}) is True
        assert enqueue(session, "suspension.started", "suspension.started:7", {"at": T0}) is False
    messages = _outbox(app)
    assert [(m.kind, m.key, m.payload, m.delivered_at) for m in messages] == [
        ("suspension.started", "suspension.started:7", {"at": format_time(T0)}, None)
    ]


def test_publishing_enqueues_one_message(app):
    with time_machine.travel(T0, tick=False):
        notice = make_notice(app, starts_at=jst(2026, 12, 1, 22), services=[OnlineService.SEMINAR])
    messages = _outbox(app)
    assert [(m.kind, m.key) for m in messages] == [
        ("notice.published", f"notice.published:{notice.id}")
    ]
    assert messages[0].payload["services"] == ["seminar"]


def test_the_scheduler_job_is_configured_as_the_design_says(app):
    sched = scheduler.build_scheduler(app)
    assert str(sched.timezone) == "Asia/Tokyo"
    jobs = sched.get_jobs()
    assert len(jobs) == 1
    job = jobs[0]
    assert job.trigger.interval == timedelta(seconds=30)
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time == 300
    assert job.next_run_time is not None
    assert job.next_run_time.tzinfo is not None
    assert str(job.trigger.timezone) == "Asia/Tokyo"
    assert "notices" in [sweep.name for sweep in scheduler.registered_sweeps(app)]


def test_status_command_reports_the_last_sweep_and_fails_when_stale(app, runner):
    result = runner.invoke(args=["scheduler", "status"])
    assert result.exit_code == 1
    assert "never run" in result.output
    with time_machine.travel(jst(2026, 12, 1, 7), tick=False):
        scheduler.run_sweeps(app)
    with time_machine.travel(jst(2026, 12, 1, 7, 2), tick=False):
        result = runner.invoke(args=["scheduler", "status"])
    assert result.exit_code == 0, result.output
    assert "2026-12-01 07:00:00 JST (120 s ago)" in result.output
    with time_machine.travel(jst(2026, 12, 1, 7, 6), tick=False):
        result = runner.invoke(args=["scheduler", "status"])
    assert result.exit_code == 1
    assert "WARNING" in result.output


def test_a_failing_sweep_does_not_stop_the_others_nor_the_heartbeat(app):
    def broken(_session, _now):
        raise RuntimeError("boom")

    register_sweep(app, "broken", broken)
    results = scheduler.run_sweeps(app)
    assert results["notices"] == 0
    assert results["broken"] == "error"
    with reading(app) as session:
        assert scheduler.health(session).last_tick_at is not None


def test_the_claim_without_returning_is_still_exactly_once(app, monkeypatch):
    """SQLite before 3.35 has no RETURNING: the row-by-row claim must give the same result."""
    _three_stops(app)
    with app.app_context():
        dialect = db.engine().dialect
    monkeypatch.setattr(dialect, "update_returning", False)
    assert _sweep(app, jst(2026, 12, 1, 7)) == 6
    assert _sweep(app, jst(2026, 12, 1, 7, 1)) == 0
    assert len(_transitions(app)) == 6


def test_the_sql_filters_agree_with_the_state_rule(app):
    """``list_notices(state=…)`` (SQL) and ``notice_state`` (Python) never disagree."""
    _three_stops(app)
    with time_machine.travel(T0, tick=False):
        make_notice(
            app,
            starts_at=jst(2026, 12, 1, 3),
            ends_at=jst(2026, 12, 1, 4),
            publish_from=jst(2026, 11, 30, 23, 30),
        )
    moments = [
        T0,
        jst(2026, 11, 30, 22),
        jst(2026, 11, 30, 23, 15),
        jst(2026, 11, 30, 23, 30),
        jst(2026, 12, 1, 1),
        jst(2026, 12, 1, 3, 30),
        jst(2026, 12, 1, 7),
    ]
    with reading(app) as session:
        everything = service.list_notices(session, now=T0).notices
        for now in moments:
            for state in NoticeState:
                listed = {n.id for n in service.list_notices(session, state=state, now=now).notices}
                expected = {n.id for n in everything if state_of(n, now) is state}
                assert listed == expected, (now, state)


def test_the_real_scheduler_runs_the_sweeps_at_once_on_start(app):
    """First run at start (next_run_time=now): the heartbeat appears within seconds."""
    with time_machine.travel(T0, tick=False):
        make_notice(app, starts_at=jst(2026, 11, 30, 21, 30), ends_at=jst(2026, 11, 30, 23))
    traveller = time_machine.travel(jst(2026, 12, 1, 7), tick=True)  # restarted the next morning
    traveller.start()
    sched = scheduler.build_scheduler(app)
    thread = threading.Thread(target=sched.start, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with reading(app) as session:
                if scheduler.health(session).last_tick_at is not None:
                    break
            time.sleep(0.2)
    finally:
        sched.shutdown(wait=True)
        thread.join(timeout=10)
        traveller.stop()
    with reading(app) as session:
        row = session.get(scheduler.SchedulerHeartbeat, scheduler.HEARTBEAT_ID)
    assert row is not None
    assert row.results["notices"] == 2  # went live at 21:30 and finished at 23:00, once each
    assert [details["happened_at"] for _a, _i, details in _transitions(app)] == [
        format_time(jst(2026, 11, 30, 21, 30)),
        format_time(jst(2026, 11, 30, 23)),
    ]
