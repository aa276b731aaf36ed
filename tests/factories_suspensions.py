"""Factories for the suspension tests: service users, incidents, decided suspensions."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime

from flask import Flask

from console import db
from console.audit import COMMAND_LINE, Actor
from console.auth.models import Staff
from console.incidents.models import Incident, IncidentCategory, Severity
from console.online_services import USER_SERVICES, OnlineService
from console.suspensions.decisions import decide
from console.suspensions.models import Kind, Suspension
from console.suspensions.proposals import ProposalInput
from console.suspensions.proposals import propose as propose_suspension
from console.timeutil import from_jst, utcnow
from console.users import service as users_service
from console.users.models import RegistrationRoute, ServiceUser

_numbers = itertools.count(1)
REASON = "セミナー中に他の利用者へ繰り返し不快な発言を行い、注意後も改めなかったため。"


def jst(*parts: int) -> datetime:
    """A Japan wall-clock time as aware UTC: ``jst(2026, 12, 1, 0, 0)``."""
    return from_jst(datetime(*parts))  # type: ignore[arg-type]


def make_user(app: Flask, *, name: str = "山田 太郎", reference: str | None = None) -> ServiceUser:
    """A service user enrolled in every service."""
    with app.app_context(), db.transaction() as session:
        return users_service.create_service_user(
            session,
            actor=COMMAND_LINE,
            reference_no=reference or f"HW-2026-{next(_numbers):06d}",
            name_kanji=name,
            name_kana="ヤマダ タロウ",
            registration_route=RegistrationRoute.ONLINE,
            services=list(USER_SERVICES),
        )


def make_incident(
    app: Flask,
    user: ServiceUser,
    logged_by: Staff,
    *,
    service_name: OnlineService = OnlineService.SEMINAR,
    codes: Sequence[str] = ("art7.2",),
    description: str = "セミナーのチャットで他の参加者を繰り返し中傷した。",
) -> Incident:
    """An incident of ``user`` under the articles ``codes``, written through the models."""
    with app.app_context(), db.transaction() as session:
        incident = Incident(
            service_user_id=user.id,  # type: ignore[arg-type]
            service=service_name.value,
            occurred_at=utcnow(),
            description=description,
            severity=Severity.HIGH.value,
            logged_by_id=logged_by.id,  # type: ignore[arg-type]
        )
        session.add(incident)
        session.flush()
        session.add_all(IncidentCategory(incident_id=incident.id, code=code) for code in codes)
        return incident


def propose(
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
) -> Suspension:
    """A pending proposal made through the service."""
    with app.app_context(), db.transaction() as session:
        data = ProposalInput(
            service_user=user,
            incident_ids=[incident.id],  # type: ignore[list-item]
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            all_services=all_services,
            services=list(services),
            reason=REASON,
        )
        return propose_suspension(session, actor=Actor.of_staff(proposer), data=data)


def approve(app: Flask, decider: Staff, item: Suspension) -> Suspension:
    """Approve ``item`` as proposed."""
    with app.app_context(), db.transaction() as session:
        fresh = session.get(Suspension, item.id)
        assert fresh is not None
        decide(session, actor=Actor.of_staff(decider), item=fresh, decision="approve", reason="")
        return fresh
