"""Outage notices (Art. 9-1, causes of Art. 8-6) and terms-change notices (Art. 10)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from console.modeltypes import code_field, utc_field


class NoticeKind(StrEnum):
    PLANNED = "planned"  # a stop announced ahead (Art. 9-1)
    UNPLANNED = "unplanned"  # a stop recorded after the fact, "even without notice" (Art. 9-1)
    TERMS_CHANGE = "terms_change"  # changed terms and when they take effect (Art. 10)

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])

    @property
    def public_label(self) -> str:
        return str(PUBLIC_KIND_LABELS[self])


# What the public reads: "recorded afterwards" is the office's bookkeeping, not theirs.
PUBLIC_KIND_LABELS = {
    NoticeKind.PLANNED: _l("Planned stop"),
    NoticeKind.UNPLANNED: _l("Unscheduled stop"),
    NoticeKind.TERMS_CHANGE: _l("Change of the terms of use"),
}

KIND_LABELS = {
    NoticeKind.PLANNED: _l("Planned stop"),
    NoticeKind.UNPLANNED: _l("Unannounced stop (recorded afterwards)"),
    NoticeKind.TERMS_CHANGE: _l("Change of the terms of use"),
}


class NoticeCause(StrEnum):
    """Art. 8-6: why a stop happens."""

    MAINTENANCE = "maintenance"
    NETWORK_FAILURE = "network_failure"
    ATTACK = "attack"
    DISASTER = "disaster"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(CAUSE_LABELS[self])


CAUSE_LABELS = {
    NoticeCause.MAINTENANCE: _l("Planned maintenance"),
    NoticeCause.NETWORK_FAILURE: _l("Network failure"),
    NoticeCause.ATTACK: _l("Attack on the systems"),
    NoticeCause.DISASTER: _l("Disaster"),
    NoticeCause.OTHER: _l("Other"),
}


class NoticeState(StrEnum):
    """Derived from the times on every read (state.notice_state), never stored."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"  # published, but shown to the public only from ``publish_from``
    UPCOMING = "upcoming"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    NoticeState.DRAFT: _l("Draft"),
    NoticeState.SCHEDULED: _l("Waiting to be shown"),
    NoticeState.UPCOMING: _l("Upcoming"),
    NoticeState.IN_PROGRESS: _l("In progress"),
    NoticeState.ENDED: _l("Ended"),
    NoticeState.CANCELLED: _l("Cancelled"),
}


class Notice(SQLModel, table=True):
    """One notice to the public; its state comes from its times and ``now``."""

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = code_field(16, index=True)
    all_services: bool = Field(default=True)
    services: str = Field(default="", max_length=200)  # comma-separated OnlineService values
    cause: str = code_field(32)
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime | None = utc_field(nullable=True)  # planned end; open for an unplanned stop
    actual_end_at: datetime | None = utc_field(nullable=True)  # extended or ended early
    title_ja: str = Field(max_length=200)
    body_ja: str = Field(sa_column=Column(Text, nullable=False))
    title_en: str = Field(default="", max_length=200)
    body_en: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    impact: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    contact: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    extension_possible: bool = Field(default=False)
    terms_version_id: int | None = Field(default=None, foreign_key="terms_version.id")
    published_at: datetime | None = utc_field(nullable=True)  # when a supervisor published it
    publish_from: datetime | None = utc_field(nullable=True, index=True)  # public from then
    public_updated_at: datetime | None = utc_field(nullable=True)  # last change seen publicly
    cancelled_at: datetime | None = utc_field(nullable=True)
    cancel_reason: str = Field(default="", max_length=1000)  # internal, never public
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field(now=True)
    updated_at: datetime = utc_field(now=True)
    # Claimed by the scheduler's sweep, exactly once each (scheduler.py, sweep.sweep_notices).
    live_logged_at: datetime | None = utc_field(nullable=True)
    finished_logged_at: datetime | None = utc_field(nullable=True)

    @property
    def kind_enum(self) -> NoticeKind:
        return NoticeKind(self.kind)

    @property
    def cause_enum(self) -> NoticeCause:
        return NoticeCause(self.cause)
