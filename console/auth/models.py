"""Staff accounts, their login sessions and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from console.modeltypes import code_field, utc_field
from console.permissions import Role


class Staff(SQLModel, table=True):
    """A member of staff who signs in to the console."""

    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=100)
    role: str = code_field(16)
    active: bool = Field(default=True)
    password_hash: str = Field(max_length=255)
    password_changed_at: datetime = utc_field(now=True)
    created_at: datetime = utc_field(now=True)

    # Flask-Login's user protocol.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class StaffSession(SQLModel, table=True):
    """One login: the cookie carries its token, logout revokes it on the server."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    created_at: datetime = utc_field(now=True)
    revoked_at: datetime | None = utc_field(nullable=True)
    client_address: str = Field(default="", max_length=45)


class LoginAttempt(SQLModel, table=True):
    """Every login try, counted per account and per address for throttling."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=64, index=True)
    client_address: str = Field(max_length=45, index=True)
    at: datetime = utc_field(now=True, index=True)
    succeeded: bool = Field(default=False)


class StaffTotp(SQLModel, table=True):
    """A staff member's TOTP authenticator (SECURITY.md 6); each time step is accepted once."""

    __tablename__ = "staff_totp"

    staff_id: int = Field(foreign_key="staff.id", primary_key=True)
    secret: str = Field(max_length=64)
    last_step: int = Field(default=0)
    confirmed_at: datetime = utc_field(now=True)


class RecoveryCode(SQLModel, table=True):
    """A one-time code for a lost authenticator, kept only as its SHA-256."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    used_at: datetime | None = utc_field(nullable=True)
