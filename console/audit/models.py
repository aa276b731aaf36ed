"""The audit trail table: append-only, hash-chained (DESIGN.md, "The audit trail")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Integer, Text
from sqlmodel import Field, SQLModel

from console.modeltypes import utc_field


class AuditEntry(SQLModel, table=True):
    """One recorded action. ``canonical`` holds the exact bytes that were hashed."""

    __tablename__ = "audit_entry"

    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    at: datetime = utc_field(index=True)
    actor_kind: str = Field(max_length=16)
    actor_id: int | None = Field(default=None, index=True)
    actor_login: str = Field(max_length=64, index=True)
    action: str = Field(max_length=64, index=True)
    subject_type: str = Field(max_length=32, index=True)
    subject_id: str = Field(max_length=64, index=True)
    request_id: str = Field(default="", max_length=32)
    client_address: str = Field(default="", max_length=45)
    canonical: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)
