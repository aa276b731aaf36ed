"""The rules about service users and terms versions; every change is audited here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from console.audit import Actor, Subject, changes, record
from console.audit.models import AuditEntry
from console.auth.models import Staff
from console.online_services import OnlineService
from console.permissions import Role
from console.timeutil import utcnow
from console.users.models import Enrolment, RegistrationRoute, ServiceUser, TermsVersion
from console.users.rules import is_reference
from console.users.search import kana_key, name_key, reference_key, to_katakana

PAGE_SIZE = 25
RECENT_LIMIT = 8
TIMELINE_LIMIT = 200


class UserError(ValueError):
    """A change to a service user the rules refuse; the message is shown to staff."""


def terms_in_force(db: Session, at: datetime | None = None) -> TermsVersion | None:
    """Art. 10: the version with the latest effective date not after ``at`` (default now)."""
    moment = at or utcnow()
    return db.exec(
        select(TermsVersion)
        .where(TermsVersion.effective_from <= moment)
        .order_by(col(TermsVersion.effective_from).desc())
        .limit(1)
    ).first()


def add_terms_version(
    db: Session, *, actor: Actor, label: str, effective_from: datetime, text: str
) -> TermsVersion:
    """Record a version of the terms and when it takes effect."""
    version = TermsVersion(label=label, effective_from=effective_from, text=text)
    db.add(version)
    db.flush()
    record(
        db,
        actor,
        "terms.version_added",
        Subject.of("terms_version", version.id),
        {"label": label, "effective_from": effective_from, "characters": len(text)},
    )
    return version


def find_by_reference(db: Session, reference_no: str) -> ServiceUser | None:
    """The service user with this reference number, however it was typed."""
    key = reference_key(reference_no)
    if not is_reference(key):
        return None  # never a stored number; also keeps NUL away from PostgreSQL
    return db.exec(select(ServiceUser).where(ServiceUser.reference_no == key)).first()


def create_service_user(
    db: Session,
    *,
    actor: Actor,
    reference_no: str,
    name_kanji: str,
    name_kana: str,
    registration_route: RegistrationRoute,
    services: list[OnlineService],
    birth_date: date | None = None,
    terms_version: TermsVersion | None = None,
    terms_agreed_at: datetime | None = None,
    counseling_eligible: bool = False,
    assigned_counselor_id: int | None = None,
    source: dict[str, Any] | None = None,
) -> ServiceUser:
    """Register a service user (Art. 1) with the services they are enrolled in.

    ``source`` (file and line) marks a user loaded from the office's register: the entry
    is then ``service_user.imported`` (the bulk import, users/importer.py, writes the same).
    """
    _check_reference(db, reference_key(reference_no), None)
    user = ServiceUser(
        reference_no=reference_key(reference_no),
        name_kanji=name_kanji.strip(),
        name_kana=to_katakana(name_kana),
        name_kana_key=kana_key(name_kana),
        birth_date=birth_date,
        registration_route=RegistrationRoute(registration_route).value,
        terms_version_id=terms_version.id if terms_version else None,
        terms_agreed_at=terms_agreed_at,
        counseling_eligible=counseling_eligible,
        assigned_counselor_id=assigned_counselor_id,
    )
    db.add(user)
    db.flush()
    for service in services:
        db.add(Enrolment(service_user_id=user.id, service=OnlineService(service).value))
    db.flush()
    details: dict[str, Any] = {"after": snapshot(db, user)}
    if source is not None:
        details["source"] = source
    action = "service_user.imported" if source is not None else "service_user.created"
    record(db, actor, action, Subject.of("service_user", user.id), details)
    return user


def _check_reference(db: Session, reference_no: str, user_id: int | None) -> None:
    if not is_reference(reference_no):
        raise UserError(
            _("Use letters, digits and hyphens for the reference number, e.g. HW-2024-000123.")
        )
    existing = find_by_reference(db, reference_no)
    if existing is not None and existing.id != user_id:
        raise UserError(
            _("The reference number %(number)s is already registered.", number=reference_no)
        )


def enrolled_services(db: Session, user: ServiceUser) -> list[OnlineService]:
    """The services ``user`` is enrolled in, in the office's usual order."""
    codes = set(
        db.exec(select(Enrolment.service).where(Enrolment.service_user_id == user.id)).all()
    )
    return [service for service in OnlineService if service.value in codes]


def enrolments(db: Session, user: ServiceUser) -> list[Enrolment]:
    """``user``'s enrolments with the time each began."""
    return list(
        db.exec(
            select(Enrolment)
            .where(Enrolment.service_user_id == user.id)
            .order_by(col(Enrolment.enrolled_at))
        ).all()
    )


def snapshot(db: Session, user: ServiceUser) -> dict[str, Any]:
    """The audited fields of ``user``: what a before/after compares."""
    services = sorted(service.value for service in enrolled_services(db, user))
    return snapshot_values(user.model_dump(), services)


def snapshot_values(user: dict[str, Any], services: list[str]) -> dict[str, Any]:
    """The audited fields from a user's column values and service codes (the bulk import
    has no objects to read them from)."""
    fields = (
        "reference_no",
        "name_kanji",
        "name_kana",
        "birth_date",
        "registration_route",
        "terms_version_id",
        "terms_agreed_at",
        "counseling_eligible",
        "assigned_counselor_id",
    )
    return {**{name: user[name] for name in fields}, "services": sorted(services)}


def update_service_user(
    db: Session,
    *,
    actor: Actor,
    user: ServiceUser,
    reference_no: str,
    name_kanji: str,
    name_kana: str,
    registration_route: RegistrationRoute,
    services: list[OnlineService],
    birth_date: date | None = None,
    terms_version_id: int | None = None,
    terms_agreed_at: datetime | None = None,
    counseling_eligible: bool = False,
    assigned_counselor_id: int | None = None,
) -> bool:
    """Change ``user``'s record; one audit entry with before/after. False when nothing changed."""
    reference = reference_key(reference_no)
    _check_reference(db, reference, user.id)
    before = snapshot(db, user)
    user.reference_no = reference
    user.name_kanji = name_kanji.strip()
    user.name_kana = to_katakana(name_kana)
    user.name_kana_key = kana_key(name_kana)
    user.birth_date = birth_date
    user.registration_route = RegistrationRoute(registration_route).value
    user.terms_version_id = terms_version_id
    user.terms_agreed_at = terms_agreed_at
    user.counseling_eligible = counseling_eligible
    user.assigned_counselor_id = assigned_counselor_id
    _set_services(db, user, services)
    after = snapshot(db, user)
    changed = changes(before, after)
    if not changed:
        return False
    user.updated_at = utcnow()
    db.add(user)
    db.flush()
    record(db, actor, "service_user.updated", Subject.of("service_user", user.id), changed)
    return True


def _set_services(db: Session, user: ServiceUser, services: list[OnlineService]) -> None:
    wanted = {OnlineService(service).value for service in services}
    current = {
        enrolment.service: enrolment
        for enrolment in db.exec(select(Enrolment).where(Enrolment.service_user_id == user.id))
    }
    for code, enrolment in current.items():
        if code not in wanted:
            db.delete(enrolment)
    for code in sorted(wanted - set(current)):
        db.add(Enrolment(service_user_id=user.id, service=code))
    db.flush()


@dataclass(frozen=True)
class UserPage:
    """One page of a service-user list and the cursor of the next page (None: last page)."""

    users: list[ServiceUser]
    next_after: int | None


def _search_condition(query: str) -> Any:
    """Reference number, kana (hiragana/katakana/half-width alike) or kanji name."""
    conditions = []
    reference = reference_key(query)
    if reference:
        conditions.append(col(ServiceUser.reference_no).contains(reference, autoescape=True))
    kana = kana_key(query)
    if kana:
        conditions.append(col(ServiceUser.name_kana_key).contains(kana, autoescape=True))
    name = name_key(query)
    if name:
        stripped = func.replace(func.replace(ServiceUser.name_kanji, " ", ""), "\u3000", "")
        conditions.append(stripped.contains(name, autoescape=True))
    return or_(*conditions)


def search_service_users(
    db: Session, *, query: str = "", after: int | None = None, limit: int = PAGE_SIZE
) -> UserPage:
    """Service users in kana order (五十音順), filtered by ``query``, ``limit`` after ``after``.

    Keyset pagination: ``after`` is the id of the last user of the previous page.
    """
    statement = select(ServiceUser)
    if query.strip():
        statement = statement.where(_search_condition(query.strip()))
    cursor = db.get(ServiceUser, after) if after else None
    if cursor is not None:
        statement = statement.where(
            or_(
                col(ServiceUser.name_kana_key) > cursor.name_kana_key,
                (col(ServiceUser.name_kana_key) == cursor.name_kana_key)
                & (col(ServiceUser.id) > cursor.id),
            )
        )
    statement = statement.order_by(col(ServiceUser.name_kana_key), col(ServiceUser.id))
    rows = list(db.exec(statement.limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return UserPage(rows, rows[-1].id if more and rows else None)


def record_view(db: Session, *, actor: Actor, user: ServiceUser) -> None:
    """Art. 6: every look at a service user's record is logged for the auditors."""
    record(
        db,
        actor,
        "service_user.viewed",
        Subject.of("service_user", user.id),
        {"reference_no": user.reference_no},
    )


def recently_viewed(db: Session, *, staff_id: int, limit: int = RECENT_LIMIT) -> list[ServiceUser]:
    """The service users ``staff_id`` last opened, newest first, from the audit trail."""
    subject_ids: list[int] = []
    rows = db.exec(
        select(AuditEntry.subject_id)
        .where(AuditEntry.action == "service_user.viewed", AuditEntry.actor_id == staff_id)
        .order_by(col(AuditEntry.seq).desc())
        .limit(limit * 20)
    ).all()
    for subject_id in rows:
        if subject_id.isdigit() and int(subject_id) not in subject_ids:
            subject_ids.append(int(subject_id))
        if len(subject_ids) == limit:
            break
    if not subject_ids:
        return []
    users = {
        user.id: user
        for user in db.exec(select(ServiceUser).where(col(ServiceUser.id).in_(subject_ids)))
    }
    return [users[ident] for ident in subject_ids if ident in users]


@dataclass(frozen=True)
class TimelineEntry:
    """One audited event about a service user or one of their incidents."""

    seq: int
    at: datetime
    action: str
    actor_login: str
    actor_id: int | None
    subject_type: str
    subject_id: str
    details: dict[str, Any]


def timeline(
    db: Session,
    *,
    user: ServiceUser,
    related: dict[str, list[int]] | None = None,
    limit: int = TIMELINE_LIMIT,
) -> list[TimelineEntry]:
    """Everything the trail holds about ``user`` and the records about them (their incidents,
    suspensions…: ``related`` maps a subject type to ids), newest first.

    Views (``service_user.viewed``) are left out: auditors see them in the trail itself.
    """
    condition = (AuditEntry.subject_type == "service_user") & (
        AuditEntry.subject_id == str(user.id)
    )
    for subject_type, ids in (related or {}).items():
        if ids:
            condition = or_(
                condition,
                (AuditEntry.subject_type == subject_type)
                & col(AuditEntry.subject_id).in_([str(ident) for ident in ids]),
            )
    rows = db.exec(
        select(AuditEntry)
        .where(condition, AuditEntry.action != "service_user.viewed")
        .order_by(col(AuditEntry.seq).desc())
        .limit(limit)
    ).all()
    return [
        TimelineEntry(
            row.seq,
            row.at,
            row.action,
            row.actor_login,
            row.actor_id,
            row.subject_type,
            row.subject_id,
            json.loads(row.canonical).get("details", {}),
        )
        for row in rows
    ]


def counselors(db: Session) -> list[Staff]:
    """Active staff who can be a service user's assigned counselor."""
    return list(
        db.exec(
            select(Staff)
            .where(
                Staff.active == True,  # noqa: E712
                col(Staff.role).in_([Role.COUNSELOR.value, Role.SUPERVISOR.value]),
            )
            .order_by(col(Staff.display_name))
        ).all()
    )


def terms_versions(db: Session) -> list[TermsVersion]:
    """Every version of the terms, newest first."""
    return list(
        db.exec(select(TermsVersion).order_by(col(TermsVersion.effective_from).desc())).all()
    )


def terms_version_at(db: Session, effective_from: datetime) -> TermsVersion | None:
    """The version taking effect exactly at ``effective_from`` (each moment has one)."""
    return db.exec(
        select(TermsVersion).where(TermsVersion.effective_from == effective_from)
    ).first()
