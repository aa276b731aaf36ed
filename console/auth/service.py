"""Staff accounts and sign-in: every change is audited here, views and CLI call these."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlmodel import Session, col, select

from console.audit import Actor, Subject, changes, record
from console.auth import sessions
from console.auth.models import LoginAttempt, Staff
from console.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from console.permissions import Role
from console.timeutil import utcnow

THROTTLE_AFTER = 10  # failures before the wait starts to grow (SECURITY.md 4)
HOURLY_CAP = 100  # never more failures than this in an hour for one account
MAX_WAIT = timedelta(minutes=15)
LOGIN_MIN, LOGIN_MAX = 3, 64
LOGIN_PATTERN = re.compile(r"^[a-z0-9._-]+$")  # lower-case ASCII: typed the same on any keyboard
NAME_MAX = 100


class StaffError(ValueError):
    """A staff change the rules refuse; the message is shown to the user."""


def _staff_subject(staff: Staff) -> Subject:
    return Subject.of("staff", staff.id)


def _check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise StaffError(problem)


def login_problem(login: str) -> str | None:
    """Why ``login`` cannot be a login ID, or None (the admin form and the CLI share this)."""
    if not LOGIN_MIN <= len(login) <= LOGIN_MAX:
        return _(
            "Use %(min)d to %(max)d characters for the login ID.", min=LOGIN_MIN, max=LOGIN_MAX
        )
    if not LOGIN_PATTERN.match(login):
        return _("Use lower-case letters, digits, . _ and -.")
    return None


def display_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a staff member's display name, or None."""
    if not name.strip():
        return _("Enter the name.")
    if len(name) > NAME_MAX:
        return _("Use at most %(n)d characters.", n=NAME_MAX)
    if any(unicodedata.category(char) == "Cc" for char in name):
        return _("Remove control characters (such as NUL) from this field.")
    return None


def _check_new_account(login: str, display_name: str, password: str) -> None:
    for problem in (login_problem(login), display_name_problem(display_name)):
        if problem:
            raise StaffError(problem)
    _check_password(password)


def find_by_login(db: Session, login: str) -> Staff | None:
    """The account whose login id is ``login`` (case-insensitive)."""
    return db.exec(select(Staff).where(Staff.login == login.strip().lower())).first()


def staff_names(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Staff id → display name for the ids given (None and unknown ids are left out)."""
    wanted = {ident for ident in ids if ident is not None}
    if not wanted:
        return {}
    rows = db.exec(select(Staff).where(col(Staff.id).in_(wanted)))
    return {staff.id: staff.display_name for staff in rows if staff.id is not None}


def create_staff(
    db: Session, *, actor: Actor, login: str, display_name: str, role: Role, password: str
) -> Staff:
    """Create an account; login ids are unique and lower-case."""
    login, display_name = login.strip().lower(), display_name.strip()
    _check_new_account(login, display_name, password)
    if find_by_login(db, login) is not None:
        raise StaffError(_("The login ID %(login)s is already taken.", login=login))
    staff = Staff(
        login=login,
        display_name=display_name,
        role=Role(role).value,
        password_hash=hash_password(password),
    )
    db.add(staff)
    db.flush()
    record(
        db,
        actor,
        "staff.created",
        _staff_subject(staff),
        {"login": login, "display_name": display_name, "role": staff.role},
    )
    return staff


def change_role(db: Session, *, actor: Actor, staff: Staff, role: Role) -> None:
    """Give ``staff`` another role."""
    before = staff.role
    if before == Role(role).value:
        return
    staff.role = Role(role).value
    db.add(staff)
    db.flush()
    record(
        db,
        actor,
        "staff.role_changed",
        _staff_subject(staff),
        {"changes": changes({"role": before}, {"role": staff.role})},
    )


def set_active(db: Session, *, actor: Actor, staff: Staff, active: bool, reason: str = "") -> None:
    """Disable (ending every session at once) or re-enable an account."""
    if staff.active == active:
        return
    if not active and actor.kind == "staff" and actor.id == staff.id:
        raise StaffError(_("You cannot disable your own account."))
    staff.active = active
    db.add(staff)
    if not active:
        sessions.revoke_all(db, staff.id)  # type: ignore[arg-type]
    db.flush()
    record(
        db,
        actor,
        "staff.enabled" if active else "staff.disabled",
        _staff_subject(staff),
        {"changes": changes({"active": not active}, {"active": active}), "reason": reason},
    )


def change_password(db: Session, *, staff: Staff, current: str, new: str) -> None:
    """Change one's own password, which needs the current one."""
    if not verify_password(staff.password_hash, current):
        raise StaffError(_("The current password is wrong."))
    set_password(db, actor=Actor.of_staff(staff), staff=staff, new=new)


def set_password(db: Session, *, actor: Actor, staff: Staff, new: str) -> None:
    """Store a new password hash (the password itself is never recorded)."""
    _check_password(new)
    staff.password_hash = hash_password(new)
    staff.password_changed_at = utcnow()
    db.add(staff)
    db.flush()
    record(db, actor, "staff.password_changed", _staff_subject(staff), {})


@dataclass(frozen=True)
class LoginResult:
    staff: Staff | None
    retry_after: timedelta | None = None


def _recent_failures(db: Session, column: object, value: str, since: timedelta) -> int:
    return db.exec(
        select(func.count()).where(
            column == value,  # type: ignore[arg-type]
            LoginAttempt.succeeded == False,  # noqa: E712
            LoginAttempt.at > utcnow() - since,
        )
    ).one()


def throttle_wait(db: Session, *, login: str, address: str) -> timedelta | None:
    """How long this account or address must wait before trying again, or None."""
    last_hour = timedelta(hours=1)
    by_account = _recent_failures(db, LoginAttempt.login, login, last_hour)
    by_address = _recent_failures(db, LoginAttempt.client_address, address, last_hour)
    if by_account >= HOURLY_CAP:
        return last_hour
    failures = max(by_account, by_address)
    if failures < THROTTLE_AFTER:
        return None
    wait = min(timedelta(seconds=2 ** (failures - THROTTLE_AFTER)), MAX_WAIT)
    last = db.exec(
        select(func.max(LoginAttempt.at)).where(
            (LoginAttempt.login == login) | (LoginAttempt.client_address == address),
            LoginAttempt.succeeded == False,  # noqa: E712
        )
    ).one()
    remaining = (last + wait - utcnow()) if last else None
    return remaining if remaining and remaining > timedelta(0) else None


def authenticate(db: Session, *, login: str, password: str, address: str) -> LoginResult:
    """Check a sign-in, counting it for throttling; the caller shows one message for any failure."""
    login = login.strip().lower()[:64]
    wait = throttle_wait(db, login=login, address=address)
    if wait is not None:
        return LoginResult(None, wait)
    staff = find_by_login(db, login)
    ok = verify_password(staff.password_hash if staff else None, password)
    ok = ok and staff is not None and staff.active
    db.add(LoginAttempt(login=login, client_address=address, succeeded=ok))
    if not ok or staff is None:
        db.flush()
        record(db, Actor.anonymous(login), "auth.login_failed", Subject("login", login), {})
        return LoginResult(None)
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
        db.add(staff)
    db.flush()
    return LoginResult(staff)


def second_factor_failed(db: Session, *, staff: Staff, address: str) -> None:
    """A wrong authenticator code counts towards the same throttle as a wrong password."""
    db.add(LoginAttempt(login=staff.login, client_address=address, succeeded=False))
    db.flush()
    record(
        db,
        Actor.anonymous(staff.login),
        "auth.login_failed",
        Subject("login", staff.login),
        {"stage": "second_factor"},
    )


def record_login(db: Session, *, staff: Staff, second_factor: str | None) -> None:
    """The sign-in is complete (after the second factor where one is required)."""
    record(
        db,
        Actor.of_staff(staff),
        "auth.login",
        _staff_subject(staff),
        {"second_factor": second_factor},
    )


def reauthenticate(db: Session, *, staff: Staff, password: str) -> bool:
    """Check the password again before a sensitive action (SECURITY.md 11)."""
    ok = verify_password(staff.password_hash, password)
    if ok:
        record(db, Actor.of_staff(staff), "auth.reauthenticated", _staff_subject(staff), {})
    return ok


def list_staff(db: Session) -> list[Staff]:
    """Every account, by role then login id."""
    return list(db.exec(select(Staff).order_by(Staff.role, Staff.login)))
