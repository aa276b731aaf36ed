"""Time rules: stored in UTC, entered and shown in Japan time (Asia/Tokyo)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def utcnow() -> datetime:
    """Now, timezone-aware UTC (the one clock every rule reads; tests move it with time-machine)."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive value is taken as already UTC (SQLite returns them so)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def from_jst(local: datetime) -> datetime:
    """A wall-clock time typed in Japan time, as aware UTC."""
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    return local.replace(tzinfo=JST).astimezone(UTC)


def to_jst(moment: datetime) -> datetime:
    """An instant as Japan wall-clock time."""
    return as_utc(moment).astimezone(JST)


def jst_day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in Japan, as aware UTC."""
    return datetime.combine(day, time.min, tzinfo=JST).astimezone(UTC)
