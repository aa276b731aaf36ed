"""Legal-disclosure requests (開示請求, Art. 4-2) and the service users each one covers."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from console.labels import Labelled
from console.modeltypes import code_field, utc_field


class DisclosureStatus(Labelled):
    REQUESTED = "requested", _l("Awaiting approval"), "warning"
    APPROVED = "approved", _l("Approved"), "success"
    REFUSED = "refused", _l("Refused"), "secondary"


class Verdict(Labelled):
    """What the approving supervisor decides on a request."""

    APPROVE = "approve", _l("Approve")
    REFUSE = "refuse", _l("Refuse")


class DataKind(Labelled):
    """Which kinds of records a request covers."""

    INCIDENTS = "incidents", _l("Incident records (descriptions)")
    NOTES = "notes", _l("Typed evidence notes")
    ACCESS_LOGS = "access_logs", _l("Access logs and chat logs (CSV, text)")
    FILES = "files", _l("Other evidence files (images, PDF)")


class DisclosureRequest(SQLModel, table=True):
    """A demand under law to see device identifiers and access records unmasked."""

    __tablename__ = "disclosure_request"

    id: int | None = Field(default=None, primary_key=True)
    authority: str = Field(max_length=200)
    legal_basis: str = Field(max_length=300)
    document_ref: str = Field(max_length=100)
    document_date: date
    period_from: date
    period_to: date
    data_kinds: str = Field(max_length=200)  # comma-separated DataKind values
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = code_field(16, default=DisclosureStatus.REQUESTED.value, index=True)
    requested_by_id: int = Field(foreign_key="staff.id", index=True)
    requested_at: datetime = utc_field(now=True, index=True)
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = utc_field(nullable=True)
    decision_reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    expires_at: datetime | None = utc_field(nullable=True, index=True)
    expiry_logged_at: datetime | None = utc_field(nullable=True)

    @property
    def status_enum(self) -> DisclosureStatus:
        return DisclosureStatus(self.status)

    @property
    def kinds(self) -> list[DataKind]:
        return [DataKind(code) for code in self.data_kinds.split(",") if code]


class DisclosureSubject(SQLModel, table=True):
    """One service user a request covers."""

    __tablename__ = "disclosure_subject"

    request_id: int = Field(foreign_key="disclosure_request.id", primary_key=True)
    service_user_id: int = Field(foreign_key="service_user.id", primary_key=True)
