"""The rules about service users and terms versions; every change is audited here."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from console.audit import Actor, Subject, record
from console.online_services import OnlineService
from console.timeutil import utcnow
from console.users.models import Enrolment, RegistrationRoute, ServiceUser, TermsVersion
from console.users.search import kana_key, reference_key


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
    return db.exec(
        select(ServiceUser).where(ServiceUser.reference_no == reference_key(reference_no))
    ).first()


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
) -> ServiceUser:
    """Register a service user (Art. 1) with the services they are enrolled in."""
    user = ServiceUser(
        reference_no=reference_key(reference_no),
        name_kanji=name_kanji.strip(),
        name_kana=name_kana.strip(),
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
    record(
        db,
        actor,
        "service_user.created",
        Subject.of("service_user", user.id),
        {
            "reference_no": user.reference_no,
            "registration_route": user.registration_route,
            "services": sorted(OnlineService(service).value for service in services),
            "terms_version_id": user.terms_version_id,
            "counseling_eligible": counseling_eligible,
        },
    )
    return user
