"""Incidents of conduct under the terms (Art. 7, and Art. 3, 4-3, 6-2)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from console.modeltypes import code_field, utc_field


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class IncidentStatus(StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"


class Outcome(StrEnum):
    NO_ACTION = "no_action"
    WARNING = "warning"
    REFERRED_FOR_SUSPENSION = "referred_for_suspension"
    OTHER = "other"
    LOGGED_IN_ERROR = "logged_in_error"


class Incident(SQLModel, table=True):
    """What a service user did in one session, under which articles, and how it ended."""

    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    service_user_id: int = Field(foreign_key="service_user.id", index=True)
    service: str = code_field(32, index=True)
    occurred_at: datetime = utc_field(index=True)
    meeting_id: str = Field(default="", max_length=100)
    # The version in force when the conduct happened (Art. 10), chosen by the service.
    terms_version_id: int | None = Field(default=None, foreign_key="terms_version.id")
    description: str = Field(sa_column=Column(Text, nullable=False))
    severity: str = code_field(16, index=True)
    damage: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # Art. 11
    status: str = code_field(16, default=IncidentStatus.OPEN.value, index=True)
    outcome: str | None = code_field(32, default=None, nullable=True)
    outcome_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    reviewer_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    logged_by_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = utc_field(now=True, index=True)
    updated_at: datetime = utc_field(now=True)
    closed_at: datetime | None = utc_field(nullable=True)


class IncidentCategory(SQLModel, table=True):
    """One article an incident falls under, by code (``art7.2``, ``art3.5``…; incidents/terms.py)."""

    __tablename__ = "incident_category"

    incident_id: int = Field(foreign_key="incident.id", primary_key=True)
    code: str = code_field(16, primary_key=True)


class IncidentComment(SQLModel, table=True):
    """A comment; never edited. A correction is a new comment naming the one it corrects."""

    __tablename__ = "incident_comment"

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    author_id: int = Field(foreign_key="staff.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    corrects_id: int | None = Field(default=None, foreign_key="incident_comment.id")
    created_at: datetime = utc_field(now=True)
