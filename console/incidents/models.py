"""Incidents of conduct under the terms (Art. 7, and Art. 3, 4-3, 6-2)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from console.labels import Labelled
from console.modeltypes import code_field, utc_field


class Severity(Labelled):
    LOW = "low", _l("Low"), "secondary"
    MEDIUM = "medium", _l("Medium"), "warning"
    HIGH = "high", _l("High"), "danger"


class IncidentStatus(Labelled):
    OPEN = "open", _l("Open"), "primary"
    UNDER_REVIEW = "under_review", _l("Under review"), "info"
    CLOSED = "closed", _l("Closed"), "secondary"


class Outcome(Labelled):
    NO_ACTION = "no_action", _l("No action")
    WARNING = "warning", _l("Warning given")
    REFERRED_FOR_SUSPENSION = "referred_for_suspension", _l("Referred for suspension (Art. 9-2)")
    OTHER = "other", _l("Other")
    LOGGED_IN_ERROR = "logged_in_error", _l("Logged in error")


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

    @property
    def status_enum(self) -> IncidentStatus:
        return IncidentStatus(self.status)

    @property
    def severity_enum(self) -> Severity:
        return Severity(self.severity)

    @property
    def outcome_enum(self) -> Outcome | None:
        return Outcome(self.outcome) if self.outcome else None


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
