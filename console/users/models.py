"""Service users (利用者, Art. 1), their enrolments, and the versions of the terms (Art. 10)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from console.labels import Labelled
from console.modeltypes import code_field, utc_field


class RegistrationRoute(Labelled):
    """Art. 1 (3): registered online (ハローワークインターネットサービス) or at the office."""

    ONLINE = "online", _l("Online registration")
    OFFICE = "office", _l("Registered at the office")


class TermsVersion(SQLModel, table=True):
    """One version of the terms of use and the moment it took effect (Art. 10)."""

    __tablename__ = "terms_version"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=100)
    effective_from: datetime = utc_field(index=True, unique=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = utc_field(now=True)


class ServiceUser(SQLModel, table=True):
    """A person who agreed to the terms and uses the online services."""

    __tablename__ = "service_user"

    id: int | None = Field(default=None, primary_key=True)
    reference_no: str = Field(max_length=32, unique=True, index=True)
    name_kanji: str = Field(max_length=100)
    name_kana: str = Field(max_length=100)
    # Katakana, NFKC, no spaces: what searches compare against (users/search.py).
    name_kana_key: str = Field(max_length=100, index=True)
    birth_date: date | None = Field(default=None)
    registration_route: str = code_field(16)
    terms_version_id: int | None = Field(default=None, foreign_key="terms_version.id")
    terms_agreed_at: datetime | None = utc_field(nullable=True)
    counseling_eligible: bool = Field(default=False)  # Art. 1 (4)
    assigned_counselor_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    created_at: datetime = utc_field(now=True)
    updated_at: datetime = utc_field(now=True)


class Enrolment(SQLModel, table=True):
    """A service user takes part in one online service (Art. 1-2)."""

    __tablename__ = "enrolment"

    service_user_id: int = Field(foreign_key="service_user.id", primary_key=True)
    service: str = code_field(32, primary_key=True)
    enrolled_at: datetime = utc_field(now=True)
