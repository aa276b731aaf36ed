"""The audit trail table: append-only, hash-chained (DESIGN.md, "The audit trail")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Integer, Text
from sqlmodel import Field, SQLModel

from console.modeltypes import utc_field


class AuditEntry(SQLModel, table=True):
    """One recorded action. ``canonical`` holds the exact bytes that were hashed."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_subject_seq", "subject_type", "subject_id", "seq"),
        Index("ix_audit_entry_action_seq", "action", "seq"),
        Index("ix_audit_entry_actor_seq", "actor_login", "seq"),
    )

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


class AuditCheckpoint(SQLModel, table=True):
    """A signed statement "the trail had ``seq`` entries ending in ``head_hash`` at ``at``".

    From version 2 the statement also names the checkpoint written before it
    (``previous_seq``, ``previous_at``), so a removed checkpoint is noticed.
    """

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    log_id: str = Field(max_length=36)
    seq: int = Field(index=True)
    head_hash: str = Field(max_length=64)
    at: datetime = utc_field(index=True)
    signature: str = Field(max_length=128)
    key_fingerprint: str = Field(max_length=64)
    public_key: str = Field(max_length=64)
    version: int = Field(default=2, sa_column=Column(Integer, nullable=False, server_default="1"))
    previous_seq: int | None = Field(default=None)
    previous_at: datetime | None = utc_field(nullable=True)
