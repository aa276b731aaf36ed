"""Evidence attached to incidents: files stored in chunks in the database, and typed notes."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, Text
from sqlmodel import Field, SQLModel

from console.labels import Labelled
from console.modeltypes import code_field, utc_field


class EvidenceKind(Labelled):
    """What the item holds; files by the type read from their content, never their name."""

    IMAGE = "image", _l("Image")
    PDF = "pdf", _l("PDF")
    TEXT = "text", _l("Chat log (text)")
    CSV = "csv", _l("Access log (CSV)")
    NOTE = "note", _l("Typed note")


class Evidence(SQLModel, table=True):
    """One item; never deleted or replaced (a wrong one is withdrawn with a reason)."""

    __tablename__ = "evidence"

    id: int | None = Field(default=None, primary_key=True)
    # The random id a file is stored under; the given name is only kept for download.
    storage_id: str = Field(max_length=32, unique=True, index=True)
    incident_id: int = Field(foreign_key="incident.id", index=True)
    kind: str = code_field(16)
    title: str = Field(default="", max_length=200)
    original_name: str = Field(default="", max_length=255)
    media_type: str = Field(default="", max_length=100)
    text_encoding: str = Field(default="", max_length=16)  # utf-8 or cp932 for text and CSV
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # notes
    size: int = Field(default=0)
    chunk_count: int = Field(default=0)
    sha256: str = Field(max_length=64)
    added_by_id: int = Field(foreign_key="staff.id", index=True)
    added_at: datetime = utc_field(now=True, index=True)
    withdrawn_at: datetime | None = utc_field(nullable=True)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="staff.id")
    withdrawal_reason: str = Field(default="", max_length=500)

    @property
    def kind_enum(self) -> EvidenceKind:
        return EvidenceKind(self.kind)

    @property
    def is_file(self) -> bool:
        return self.kind != EvidenceKind.NOTE

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class EvidenceChunk(SQLModel, table=True):
    """One piece (at most 1 MiB) of a stored file, in order."""

    __tablename__ = "evidence_chunk"

    evidence_id: int = Field(
        sa_column=Column(Integer, ForeignKey("evidence.id"), primary_key=True, autoincrement=False)
    )
    index: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
