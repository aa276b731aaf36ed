"""``flask demo load``: demo staff (one per role, two supervisors) and service users.

Passwords are generated on first load and kept in ``instance/demo-logins.txt``
(readable by the owner only), so every later ``make run`` can print them again.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlmodel import select

from console import db, files
from console.audit import COMMAND_LINE, Actor
from console.auth import service as staff_service
from console.incidents import service as incidents_service
from console.incidents.models import Incident, IncidentCategory, IncidentStatus, Outcome, Severity
from console.notices import service as notices_service
from console.notices.models import Notice, NoticeCause, NoticeKind
from console.online_services import OnlineService
from console.permissions import Role
from console.suspensions.models import Kind, Suspension
from console.suspensions.proposals import ProposalInput, propose
from console.timeutil import from_jst, to_jst, utcnow
from console.users import service as users_service
from console.users.models import RegistrationRoute, ServiceUser

TERMS_FILE = Path(__file__).parent / "data" / "terms-2022-05-01.ja.txt"


@dataclass(frozen=True)
class DemoStaff:
    login: str
    name: str
    role: Role


DEMO_STAFF = (
    DemoStaff("counselor", "山本 美咲", Role.COUNSELOR),
    DemoStaff("supervisor", "佐藤 健一", Role.SUPERVISOR),
    DemoStaff("supervisor2", "高橋 直子", Role.SUPERVISOR),
    DemoStaff("auditor", "伊藤 誠", Role.AUDITOR),
    DemoStaff("admin", "中村 翔", Role.ADMIN),
)


@dataclass(frozen=True)
class DemoUser:
    reference_no: str
    kanji: str
    kana: str
    route: RegistrationRoute
    services: tuple[OnlineService, ...]
    birth: date | None


DEMO_USERS = (
    DemoUser(
        "HW-2024-000123",
        "山田 太郎",
        "ヤマダ タロウ",
        RegistrationRoute.ONLINE,
        (OnlineService.INDIVIDUAL_COUNSELING, OnlineService.SEMINAR),
        date(1985, 4, 12),
    ),
    DemoUser(
        "HW-2024-000456",
        "鈴木 花子",
        "スズキ ハナコ",
        RegistrationRoute.OFFICE,
        (OnlineService.SEMINAR, OnlineService.INTERVIEW_FAIR),
        date(1992, 11, 3),
    ),
    DemoUser(
        "HW-2025-000789",
        "田中 一郎",
        "タナカ イチロウ",
        RegistrationRoute.ONLINE,
        (OnlineService.INTERVIEW_FAIR,),
        None,
    ),
    DemoUser(
        "HW-2025-001024",
        "渡辺 さくら",
        "ワタナベ サクラ",
        RegistrationRoute.OFFICE,
        (OnlineService.INDIVIDUAL_COUNSELING,),
        date(2001, 2, 28),
    ),
    DemoUser(
        "HW-2026-000007",
        "小林 大輔",
        "コバヤシ ダイスケ",
        RegistrationRoute.ONLINE,
        (OnlineService.SEMINAR,),
        date(1978, 7, 19),
    ),
)


def _read_logins(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("\t", 1) for line in path.read_text("utf-8").splitlines() if "\t" in line)
    return dict(pairs)


def _write_logins(path: Path, logins: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with files.atomic_write_text(path) as handle:
        handle.writelines(f"{login}\t{password}\n" for login, password in logins.items())


def _ensure_staff(passwords: dict[str, str]) -> None:
    with db.transaction() as session:
        for person in DEMO_STAFF:
            if staff_service.find_by_login(session, person.login) is None:
                password = passwords.setdefault(person.login, secrets.token_urlsafe(12))
                staff_service.create_staff(
                    session,
                    actor=COMMAND_LINE,
                    login=person.login,
                    display_name=person.name,
                    role=person.role,
                    password=password,
                )


def _ensure_terms_and_users() -> None:
    with db.transaction() as session:
        terms = users_service.terms_in_force(session)
        if terms is None:
            terms = users_service.add_terms_version(
                session,
                actor=COMMAND_LINE,
                label="令和4年5月1日施行",
                effective_from=from_jst(datetime(2022, 5, 1)),
                text=TERMS_FILE.read_text("utf-8"),
            )
        for person in DEMO_USERS:
            if users_service.find_by_reference(session, person.reference_no) is None:
                users_service.create_service_user(
                    session,
                    actor=COMMAND_LINE,
                    reference_no=person.reference_no,
                    name_kanji=person.kanji,
                    name_kana=person.kana,
                    registration_route=person.route,
                    services=list(person.services),
                    birth_date=person.birth,
                    terms_version=terms,
                    terms_agreed_at=from_jst(datetime(2024, 4, 1, 9, 0)),
                    counseling_eligible=OnlineService.INDIVIDUAL_COUNSELING in person.services,
                )


@dataclass(frozen=True)
class DemoIncident:
    reference_no: str
    service: OnlineService
    days_ago: int
    hour: int  # Japan time
    categories: tuple[str, ...]
    severity: str
    description: str
    state: str  # open / assigned / closed


DEMO_INCIDENTS = (
    DemoIncident(
        "HW-2024-000123",
        OnlineService.SEMINAR,
        12,
        14,
        ("art7.2", "art7.4"),
        "medium",
        "セミナー中にチャット欄へ他の参加者を揶揄する書き込みを繰り返し、講師の注意後も続けた。",
        "open",
    ),
    DemoIncident(
        "HW-2024-000456",
        OnlineService.INTERVIEW_FAIR,
        5,
        10,
        ("art4.3",),
        "high",
        "面接会の画面をスマートフォンで録画している様子がカメラに映っていた。本人は否定。",
        "assigned",
    ),
    DemoIncident(
        "HW-2025-001024",
        OnlineService.INDIVIDUAL_COUNSELING,
        3,
        16,
        ("art6.2",),
        "low",
        "個別相談中、事前の申出なく家族と思われる人物が同席し、発言していた。",
        "closed",
    ),
)


def _days_ago_jst(days: int, hour: int) -> datetime:
    day = to_jst(utcnow()).date() - timedelta(days=days)
    return from_jst(datetime(day.year, day.month, day.day, hour))


def _ensure_incidents() -> None:
    """A few incidents so the pages have content; only when there are none yet."""
    with db.transaction() as session:
        if session.exec(select(Incident.id).limit(1)).first() is not None:
            return
        counselor = staff_service.find_by_login(session, "counselor")
        supervisor = staff_service.find_by_login(session, "supervisor")
        if counselor is None or supervisor is None:
            return
        for item in DEMO_INCIDENTS:
            user = users_service.find_by_reference(session, item.reference_no)
            if user is None:
                continue
            incident = incidents_service.log_incident(
                session,
                actor=Actor.of_staff(counselor),
                service_user=user,
                service=item.service,
                occurred_at=_days_ago_jst(item.days_ago, item.hour),
                categories=list(item.categories),
                severity=Severity(item.severity),
                description=item.description,
            )
            boss = Actor.of_staff(supervisor)
            if item.state in ("assigned", "closed"):
                incidents_service.assign_reviewer(
                    session, actor=boss, incident=incident, reviewer=supervisor
                )
            if item.state == "closed":
                incidents_service.close_incident(
                    session,
                    actor=boss,
                    incident=incident,
                    outcome=Outcome.WARNING,
                    reason="本人に第6条(2)の趣旨を説明し、次回から事前に申し出るよう注意した。",
                )


def _next_jst(days: int, hour: int) -> datetime:
    """``days`` from today at ``hour`` o'clock, Japan time, as aware UTC."""
    day = to_jst(utcnow()).date() + timedelta(days=days)
    return from_jst(datetime(day.year, day.month, day.day, hour))


def _ensure_notice() -> None:
    """A published maintenance stop next week, so the public page has something to show."""
    with db.transaction() as session:
        supervisor = staff_service.find_by_login(session, "supervisor")
        if supervisor is None or session.exec(select(Notice.id).limit(1)).first() is not None:
            return
        actor = Actor.of_staff(supervisor)
        notice = notices_service.create_notice(
            session,
            actor=actor,
            data=notices_service.NoticeInput(
                kind=NoticeKind.PLANNED,
                services=[OnlineService.SEMINAR, OnlineService.BOOKING_PAGE],
                cause=NoticeCause.MAINTENANCE,
                starts_at=_next_jst(7, 22),
                ends_at=_next_jst(8, 6),
                title_ja="システム保守のためオンラインセミナーと予約ページを停止します",
                body_ja="定期保守のため、下記の時間帯はオンラインセミナーの受講とオンライン予約ができません。",
                impact="オンラインセミナー、オンライン予約ページ",
                contact="ハローワーク渋谷 職業相談部門（代表電話）",
                extension_possible=True,
            ),
        )
        notices_service.publish_notice(session, actor=actor, notice=notice, publish_from=None)


def _ensure_proposal() -> None:
    """A counselor's suspension proposal awaiting a supervisor's decision (Art. 9-2)."""
    with db.transaction() as session:
        counselor = staff_service.find_by_login(session, "counselor")
        incident = session.exec(
            select(Incident)
            .where(Incident.status == IncidentStatus.OPEN.value)
            .order_by(Incident.id)
        ).first()
        if counselor is None or incident is None:
            return
        if session.exec(select(Suspension.id).limit(1)).first() is not None:
            return
        codes = session.exec(
            select(IncidentCategory.code).where(IncidentCategory.incident_id == incident.id)
        ).all()
        service_user = session.get(ServiceUser, incident.service_user_id)
        assert service_user is not None  # the incident's foreign key
        proposal = ProposalInput(
            service_user=service_user,
            incident_ids=[incident.id],  # type: ignore[list-item]
            article_codes=list(codes),
            kind=Kind.STOP,
            starts_at=_next_jst(1, 0),
            ends_at=_next_jst(15, 0),
            services=[incident.service],
            reason="講師の注意後もチャットで他の参加者を揶揄する書き込みを続けたため、2週間の利用停止を提案します。",
        )
        propose(session, actor=Actor.of_staff(counselor), data=proposal)


def load_demo(logins_file: str | None = None) -> list[str]:
    """Create what is missing and return the lines to print: one login per role."""
    path = Path(logins_file or Path(current_app.instance_path) / "demo-logins.txt")
    passwords = _read_logins(path)
    _ensure_staff(passwords)
    _write_logins(path, passwords)
    _ensure_terms_and_users()
    _ensure_incidents()
    _ensure_notice()
    _ensure_proposal()
    lines = ["Demo logins (login id / password / role):"]
    for person in DEMO_STAFF:
        shown = passwords.get(person.login, "(set before this file was kept)")
        lines.append(f"  {person.login:<12} {shown:<20} {person.role.label}")
    return lines
