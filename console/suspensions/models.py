"""Art. 9-2 suspensions: the proposal, its decision, lifts and objections."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from console.modeltypes import code_field, utc_field


class Kind(StrEnum):
    STOP = "stop"  # 利用停止: a temporary stop with an end
    TERMINATION = "termination"  # 契約解除: no end, until reinstated

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    Kind.STOP: _l("Temporary stop"),
    Kind.TERMINATION: _l("Termination of the agreement"),
}


class Decision(StrEnum):
    """Where the proposal stands (the time-derived state is in ``state.py``)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Verdict(StrEnum):
    """What the deciding supervisor chooses; the stored ``Decision`` follows from it."""

    APPROVE = "approve"
    AMEND = "amend"
    REJECT = "reject"


class EndKind(StrEnum):
    """Why a decided suspension ended before its planned end."""

    LIFTED = "lifted"  # lifted early by a supervisor
    REINSTATED = "reinstated"  # a terminated user reinstated
    REVOKED = "revoked"  # revoked on reconsideration


class Suspension(SQLModel, table=True):
    """One proposed or decided suspension of one service user (Art. 9-2)."""

    __tablename__ = "suspension"

    id: int | None = Field(default=None, primary_key=True)
    service_user_id: int = Field(foreign_key="service_user.id", index=True)
    kind: str = code_field(16)
    all_services: bool = Field(default=False)
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime | None = utc_field(nullable=True, index=True)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    decision: str = code_field(16, default=Decision.PENDING.value, index=True)
    proposed_by_id: int = Field(foreign_key="staff.id", index=True)
    proposed_at: datetime = utc_field(now=True)
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = utc_field(nullable=True)
    decision_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    amended: bool = Field(default=False)
    withdrawn_at: datetime | None = utc_field(nullable=True)
    # An early end: lifted, reinstated or revoked (``EndKind``), by whom, when and why.
    cut_short_at: datetime | None = utc_field(nullable=True, index=True)
    cut_short_kind: str | None = code_field(16, default=None, nullable=True)
    cut_short_by_id: int | None = Field(default=None, foreign_key="staff.id")
    cut_short_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Claimed by the scheduler's sweep, so each transition is recorded exactly once.
    started_logged_at: datetime | None = utc_field(nullable=True)
    ended_logged_at: datetime | None = utc_field(nullable=True)
    updated_at: datetime = utc_field(now=True)


class SuspensionService(SQLModel, table=True):
    """One online service a suspension stops (every one when ``all_services``)."""

    __tablename__ = "suspension_service"

    suspension_id: int = Field(foreign_key="suspension.id", primary_key=True)
    service: str = code_field(32, primary_key=True)


class SuspensionIncident(SQLModel, table=True):
    """An incident of the same user the suspension cites."""

    __tablename__ = "suspension_incident"

    suspension_id: int = Field(foreign_key="suspension.id", primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", primary_key=True, index=True)


class SuspensionArticle(SQLModel, table=True):
    """An article of the terms the suspension says was breached (``console.terms`` code)."""

    __tablename__ = "suspension_article"

    suspension_id: int = Field(foreign_key="suspension.id", primary_key=True)
    code: str = code_field(16, primary_key=True)


class Channel(StrEnum):
    POST = "post"
    COUNTER = "counter"
    EMAIL = "email"
    PHONE = "phone"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(CHANNEL_LABELS[self])


CHANNEL_LABELS = {
    Channel.POST: _l("By post"),
    Channel.COUNTER: _l("At the counter"),
    Channel.EMAIL: _l("By e-mail"),
    Channel.PHONE: _l("By telephone"),
    Channel.OTHER: _l("Other"),
}


class Reconsideration(StrEnum):
    """What a reconsideration on an objection decides."""

    UPHOLD = "uphold"
    SHORTEN = "shorten"
    REVOKE = "revoke"

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self])


OUTCOME_LABELS = {
    Reconsideration.UPHOLD: _l("Uphold the decision"),
    Reconsideration.SHORTEN: _l("Shorten the stop"),
    Reconsideration.REVOKE: _l("Revoke the decision"),
}


class Objection(SQLModel, table=True):
    """An objection (異議申立て) received from the user, and its reconsideration."""

    __tablename__ = "suspension_objection"

    id: int | None = Field(default=None, primary_key=True)
    suspension_id: int = Field(foreign_key="suspension.id", index=True)
    received_on: date
    channel: str = code_field(16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by_id: int = Field(foreign_key="staff.id")
    recorded_at: datetime = utc_field(now=True)
    outcome: str | None = code_field(16, default=None, nullable=True)
    reconsidered_by_id: int | None = Field(default=None, foreign_key="staff.id")
    reconsidered_at: datetime | None = utc_field(nullable=True)
    reconsideration_reason: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="")
    )
