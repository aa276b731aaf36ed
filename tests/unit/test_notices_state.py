"""The one rule for a notice's state, at its boundaries, across midnight JST and a month end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.notices.models import NoticeState
from console.notices.state import notice_state
from tests.factories import jst

SECOND = timedelta(seconds=1)
# 2026-11-30 (Mon) 23:30 JST → 2026-12-01 (Tue) 01:00 JST: across midnight and the month end.
START = jst(2026, 11, 30, 23, 30)
END = jst(2026, 12, 1, 1, 0)
SHOWN = jst(2026, 11, 23, 9, 0)


def state(now, *, published=True, publish_from=SHOWN, end=END, cancelled_at=None):
    return notice_state(
        published=published,
        publish_from=publish_from,
        starts_at=START,
        end=end,
        cancelled_at=cancelled_at,
        now=now,
    )


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (SHOWN - SECOND, NoticeState.SCHEDULED),
        (SHOWN, NoticeState.UPCOMING),
        (START - SECOND, NoticeState.UPCOMING),
        (START, NoticeState.IN_PROGRESS),
        (jst(2026, 12, 1, 0, 0) - SECOND, NoticeState.IN_PROGRESS),
        (jst(2026, 12, 1, 0, 0), NoticeState.IN_PROGRESS),
        (END - SECOND, NoticeState.IN_PROGRESS),
        (END, NoticeState.ENDED),
        (END + timedelta(days=40), NoticeState.ENDED),
    ],
)
def test_state_at_each_boundary(now, expected):
    assert state(now) is expected


def test_midnight_jst_is_not_midnight_utc():
    # 00:00 JST on 1 December is 15:00 UTC on 30 November: still the same stop in progress.
    midnight = jst(2026, 12, 1)
    assert (midnight.month, midnight.day, midnight.hour) == (11, 30, 15)
    assert state(midnight) is NoticeState.IN_PROGRESS


def test_a_draft_stays_a_draft_whatever_the_time():
    for now in (START - SECOND, START, END):
        assert state(now, published=False) is NoticeState.DRAFT


def test_cancelled_wins_over_every_time():
    for now in (SHOWN - SECOND, START, END):
        assert state(now, cancelled_at=SHOWN) is NoticeState.CANCELLED


def test_an_open_end_lasts_until_someone_ends_it():
    assert state(END + timedelta(days=3), end=None) is NoticeState.IN_PROGRESS


def test_the_actual_end_decides_the_end():
    extended = END + timedelta(minutes=75)
    assert state(END, end=extended) is NoticeState.IN_PROGRESS
    assert state(extended, end=extended) is NoticeState.ENDED
    early = START + timedelta(minutes=10)
    assert state(early, end=early) is NoticeState.ENDED


def test_a_stop_that_began_before_its_publication_time_is_shown_in_progress():
    assert state(START, publish_from=END + SECOND) is NoticeState.IN_PROGRESS
