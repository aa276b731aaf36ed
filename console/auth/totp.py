"""Second factor for supervisors and administrators (SECURITY.md 6): TOTP, once per code.

Supervisors decide suspensions and administrators change roles, so a stolen
password alone must not be enough. A lost authenticator is replaced with a
one-time recovery code, or reset by an administrator.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
import segno
from flask import current_app
from sqlmodel import Session, select

from console.audit import Actor, Subject, record
from console.auth.models import RecoveryCode, Staff, StaffTotp
from console.permissions import Role
from console.timeutil import utcnow

ISSUER = "Hello Work Shibuya console"
RECOVERY_CODES = 10
ROLES_NEEDING_TOTP = frozenset({Role.SUPERVISOR, Role.ADMIN})


def required_for(staff: Staff) -> bool:
    """Whether this staff member must give a second factor at sign-in."""
    return bool(current_app.config.get("REQUIRE_TOTP")) and staff.role_enum in ROLES_NEEDING_TOTP


def enrolment(db: Session, staff: Staff) -> StaffTotp | None:
    return db.get(StaffTotp, staff.id)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(staff: Staff, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=staff.login, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The provisioning URI as an SVG QR code in a data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _matching_step(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step - 1, now_step, now_step + 1):  # one step of clock drift either way
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(db: Session, staff: Staff, code: str) -> bool:
    """Accept a current code once: a code seen before (same or older step) is refused."""
    enrolled = enrolment(db, staff)
    code = code.strip().replace(" ", "")
    if enrolled is None or not code.isdigit():
        return False
    step = _matching_step(enrolled.secret, code)
    if step is None or step <= enrolled.last_step:
        return False
    enrolled.last_step = step
    db.add(enrolled)
    db.flush()
    return True


def confirm_enrolment(db: Session, staff: Staff, secret: str, code: str) -> list[str] | None:
    """Store the authenticator if ``code`` proves it works; returns fresh recovery codes."""
    step = _matching_step(secret, code.strip().replace(" ", ""))
    if step is None:
        return None
    existing = enrolment(db, staff)
    if existing is not None:
        db.delete(existing)
        db.flush()
    db.add(StaffTotp(staff_id=staff.id, secret=secret, last_step=step))
    codes = _replace_recovery_codes(db, staff)
    record(db, Actor.of_staff(staff), "auth.totp_enrolled", Subject.of("staff", staff.id), {})
    return codes


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


def _replace_recovery_codes(db: Session, staff: Staff) -> list[str]:
    for old in db.exec(select(RecoveryCode).where(RecoveryCode.staff_id == staff.id)):
        db.delete(old)
    db.flush()
    codes = [
        "-".join(secrets.token_hex(2).upper() for _ in range(3)) for _ in range(RECOVERY_CODES)
    ]
    for code in codes:
        db.add(RecoveryCode(staff_id=staff.id, code_hash=_digest(code)))
    db.flush()
    return codes


def use_recovery_code(db: Session, staff: Staff, code: str) -> bool:
    """Spend one recovery code; each works once."""
    row = db.exec(
        select(RecoveryCode).where(
            RecoveryCode.staff_id == staff.id,
            RecoveryCode.code_hash == _digest(code.strip()),
            RecoveryCode.used_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if row is None:
        return False
    row.used_at = utcnow()
    db.add(row)
    db.flush()
    record(db, Actor.of_staff(staff), "auth.recovery_code_used", Subject.of("staff", staff.id), {})
    return True


def reset(db: Session, *, actor: Actor, staff: Staff, reason: str) -> None:
    """An administrator removes a lost authenticator; the person enrols again at next sign-in."""
    existing = enrolment(db, staff)
    if existing is not None:
        db.delete(existing)
    for code in db.exec(select(RecoveryCode).where(RecoveryCode.staff_id == staff.id)):
        db.delete(code)
    db.flush()
    record(db, actor, "staff.totp_reset", Subject.of("staff", staff.id), {"reason": reason})
