"""Column types shared by every feature's tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field

from console.timeutil import as_utc, utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which keeps no zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the console stores only timezone-aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def utc_field(*, nullable: bool = False, now: bool = False, **kwargs: Any) -> Any:
    """A UTC timestamp column; ``now=True`` stamps the creation time."""
    if now:
        kwargs["default_factory"] = utcnow
    elif nullable:
        kwargs.setdefault("default", None)
    return Field(sa_type=UTCDateTime, nullable=nullable, **kwargs)


def code_field(length: int = 32, **kwargs: Any) -> Any:
    """An enum value stored as plain text (no database ENUM type to migrate)."""
    return Field(sa_type=String(length), max_length=length, **kwargs)
