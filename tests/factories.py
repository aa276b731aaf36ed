"""Things for tests, made through the services as staff would make them.

Every factory takes the app first, so the same call works for the ``app`` fixture and for a
browser test's ``live_server.app``; each runs in its own unit of work and returns the row::

    user = make_user(app, "山田 太郎", reference_no="HW-2024-000123")
    incident = make_incident(app, user, counselor, categories=["art7.2"])

When a service changes its signature, only this file changes. ``writing(app)`` and
``reading(app)`` are the unit of work for what a test does itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Flask
from sqlmodel import Session

from console import db
from console.audit import COMMAND_LINE, Actor
from console.auth import service as staff_service
from console.auth.models import Staff
from console.auth.tokens import create_token
from console.incidents import service as incidents_service
from console.incidents.models import Incident, Severity
from console.notices import service as notices_service
from console.notices.models import Notice, NoticeCause, NoticeKind
from console.online_services import USER_SERVICES, OnlineService
from console.permissions import Role
from console.suspensions.decisions import decide
from console.suspensions.models import Kind, Suspension
from console.suspensions.proposals import ProposalInput, propose
from console.timeutil import from_jst, utcnow
from console.users import service as users_service
from console.users.models import RegistrationRoute, ServiceUser, TermsVersion

PASSWORD = "correct horse battery staple"  # a test password, long enough for the rules
FIRST_TERMS = datetime(2022, 5, 1)  # the terms of use in force since 令和4年5月1日
REASON = "セミナー中に他の利用者へ繰り返し不快な発言を行い、注意後も改めなかったため。"
_numbers = itertools.count(1)
Row = TypeVar("Row")


# --- units of work ------------------------------------------------------------------------


@contextmanager
def writing(app: Flask) -> Iterator[Session]:
    """One committed unit of work in ``app``'s database (rolled back on error)."""
    with app.app_context(), db.transaction() as session:
        yield session


@contextmanager
def reading(app: Flask) -> Iterator[Session]:
    """A read-only look at ``app``'s database."""
    with app.app_context(), db.transaction(write=False) as session:
        yield session


def load(app: Flask, model: type[Row], row_id: Any) -> Row:
    """The row ``model`` #``row_id`` as stored now."""
    with reading(app) as session:
        row = session.get(model, row_id)
    assert row is not None, f"no {model.__name__} #{row_id}"
    return row


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Japan wall-clock time as aware UTC: ``jst(2026, 12, 1, 22)``."""
    return from_jst(datetime(year, month, day, hour, minute))


# --- staff and service users ---------------------------------------------------------------


def make_staff(
    app: Flask,
    role: Role = Role.COUNSELOR,
    *,
    login: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
) -> Staff:
    """A staff account (the ``make_staff`` fixture binds the test's app)."""
    login = login or f"{Role(role).value}-{next(_numbers)}"
    with writing(app) as session:
        return staff_service.create_staff(
            session,
            actor=COMMAND_LINE,
            login=login,
            display_name=name or f"職員 {login}",
            role=Role(role),
            password=password,
        )


def make_terms(
    app: Flask,
    *,
    label: str = "令和4年5月1日施行",
    effective_from: datetime | None = None,
    text: str = "第1条 …",
) -> TermsVersion:
    """A version of the terms of use, by default the one in force since 2022-05-01."""
    with writing(app) as session:
        return _add_terms(session, label, effective_from or from_jst(FIRST_TERMS), text)


def _add_terms(session: Session, label: str, effective_from: datetime, text: str) -> TermsVersion:
    return users_service.add_terms_version(
        session, actor=COMMAND_LINE, label=label, effective_from=effective_from, text=text
    )


def _first_terms(session: Session) -> TermsVersion:
    """The oldest terms version, added when there is none yet (incidents need one in force)."""
    found = users_service.terms_in_force(session, from_jst(FIRST_TERMS))
    return found or _add_terms(session, "令和4年5月1日施行", from_jst(FIRST_TERMS), "第1条 …")


def make_user(
    app: Flask,
    name: str = "山田 太郎",
    kana: str = "ヤマダ タロウ",
    *,
    reference_no: str | None = None,
    services: Sequence[OnlineService] = USER_SERVICES,
    counselor: Staff | None = None,
) -> ServiceUser:
    """A service user who agreed to the 2022 terms, enrolled in every online service."""
    with writing(app) as session:
        return users_service.create_service_user(
            session,
            actor=COMMAND_LINE,
            reference_no=reference_no or f"HW-2000-{next(_numbers):06d}",
            name_kanji=name,
            name_kana=kana,
            registration_route=RegistrationRoute.ONLINE,
            services=list(services),
            terms_version=_first_terms(session),
            assigned_counselor_id=counselor.id if counselor else None,
        )


# --- incidents and suspensions -------------------------------------------------------------


def make_incident(
    app: Flask, user: ServiceUser | None = None, by: Staff | None = None, **fields: Any
) -> Incident:
    """An incident logged an hour ago by ``by`` (a new counselor) against ``user`` (a new
    user); ``fields`` are those of the incidents service: ``categories=["art7.4"]``…"""
    user = user or make_user(app)
    by = by or make_staff(app, Role.COUNSELOR)
    values: dict[str, Any] = {
        "service": OnlineService.SEMINAR,
        "occurred_at": utcnow() - timedelta(hours=1),
        "categories": ["art7.2"],
        "severity": Severity.MEDIUM,
        "description": "セミナーのチャットで他の参加者を繰り返し揶揄した。",
        **fields,
    }
    with writing(app) as session:
        _first_terms(session)
        return incidents_service.log_incident(
            session, actor=Actor.of_staff(by), service_user=user, **values
        )


def propose_suspension(
    app: Flask,
    proposer: Staff,
    user: ServiceUser,
    incident: Incident,
    *,
    starts_at: datetime,
    ends_at: datetime | None,
    kind: Kind = Kind.STOP,
    services: Sequence[str] = ("seminar",),
    all_services: bool = False,
    reason: str = REASON,
) -> Suspension:
    """An Art. 9-2 proposal citing ``incident``, pending a supervisor's decision."""
    data = ProposalInput(
        service_user=user,
        incident_ids=[incident.id],  # type: ignore[list-item]
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        all_services=all_services,
        services=list(services),
    )
    with writing(app) as session:
        return propose(session, actor=Actor.of_staff(proposer), data=data)


def approve_suspension(app: Flask, decider: Staff, item: Suspension) -> Suspension:
    """``item`` approved as proposed by ``decider`` (not its proposer)."""
    with writing(app) as session:
        fresh = session.get(Suspension, item.id)
        assert fresh is not None
        decide(session, actor=Actor.of_staff(decider), item=fresh, decision="approve", reason="")
        return fresh


def make_suspension(
    app: Flask,
    *,
    starts_at: datetime,
    ends_at: datetime | None,
    user: ServiceUser | None = None,
    proposer: Staff | None = None,
    approved_by: Staff | None = None,
    **proposal: Any,
) -> Suspension:
    """A suspension of ``user`` (a new user) proposed by ``proposer`` (a new counselor) citing
    a new incident; approved by ``approved_by`` when given, else pending."""
    user = user or make_user(app)
    proposer = proposer or make_staff(app, Role.COUNSELOR)
    incident = make_incident(app, user, proposer)
    item = propose_suspension(
        app, proposer, user, incident, starts_at=starts_at, ends_at=ends_at, **proposal
    )
    return approve_suspension(app, approved_by, item) if approved_by else item


def make_api_token(app: Flask, staff: Staff) -> str:
    """A status-API bearer token of ``staff``."""
    with writing(app) as session:
        return create_token(session, actor=COMMAND_LINE, staff=staff)


# --- notices (Art. 9-1) --------------------------------------------------------------------


def notice_input(**overrides: Any) -> notices_service.NoticeInput:
    """A planned seminar stop starting in an hour, lasting two."""
    start = overrides.pop("starts_at", utcnow() + timedelta(hours=1))
    values: dict[str, Any] = {
        "kind": NoticeKind.PLANNED,
        "services": [OnlineService.SEMINAR],
        "cause": NoticeCause.MAINTENANCE,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "title_ja": "セミナー配信システムの保守作業",
        "body_ja": "保守作業のため、オンラインセミナーを停止します。",
        "title_en": "Maintenance of the seminar system",
        "body_en": "The online seminars stop for maintenance.",
        "impact": "オンラインセミナーに参加できません。",
        "contact": "ハローワーク渋谷 職業相談部門 03-0000-0000",
        "extension_possible": True,
        **overrides,
    }
    return notices_service.NoticeInput(**values)


def make_notice(
    app: Flask,
    *,
    actor: Actor = COMMAND_LINE,
    publish: bool = True,
    publish_from: datetime | None = None,
    **overrides: Any,
) -> Notice:
    """A notice drafted and (by default) published; ``overrides`` as in ``notice_input``."""
    with writing(app) as session:
        notice = notices_service.create_notice(session, actor=actor, data=notice_input(**overrides))
        if publish:
            notices_service.publish_notice(
                session, actor=actor, notice=notice, publish_from=publish_from
            )
        return notice
