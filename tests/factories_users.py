"""Factories for service users, terms versions and incidents (tests of issue 5)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from console import db
from console.audit import COMMAND_LINE, Actor
from console.audit.models import AuditEntry
from console.incidents import service as incidents_service
from console.incidents.models import Incident, Severity
from console.online_services import OnlineService
from console.timeutil import from_jst, utcnow
from console.users import service as users_service
from console.users.models import RegistrationRoute, ServiceUser, TermsVersion

_numbers = itertools.count(1)
FIRST_TERMS = datetime(2022, 5, 1)


@pytest.fixture
def terms(app: Flask) -> TermsVersion:
    """The 2022-05-01 version of the terms."""
    with app.app_context(), db.transaction() as session:
        return users_service.add_terms_version(
            session,
            actor=COMMAND_LINE,
            label="令和4年5月1日施行",
            effective_from=from_jst(FIRST_TERMS),
            text="第1条 …",
        )


@pytest.fixture
def make_user(app: Flask, terms: TermsVersion) -> Callable[..., ServiceUser]:
    """``make_user(kanji="山田 太郎", kana="ヤマダ タロウ")``."""

    def factory(
        kanji: str = "山田 太郎",
        kana: str = "ヤマダ タロウ",
        *,
        reference_no: str | None = None,
        counselor_id: int | None = None,
    ) -> ServiceUser:
        with app.app_context(), db.transaction() as session:
            return users_service.create_service_user(
                session,
                actor=COMMAND_LINE,
                reference_no=reference_no or f"HW-2024-{next(_numbers):06d}",
                name_kanji=kanji,
                name_kana=kana,
                registration_route=RegistrationRoute.ONLINE,
                services=[OnlineService.SEMINAR],
                terms_version=terms,
                assigned_counselor_id=counselor_id,
            )

    return factory


@pytest.fixture
def make_incident(app: Flask) -> Callable[..., Incident]:
    """Log an incident as ``staff`` against ``user`` an hour ago."""

    def factory(user: ServiceUser, staff: Any, **overrides: Any) -> Incident:
        values: dict[str, Any] = {
            "service": OnlineService.SEMINAR,
            "occurred_at": utcnow() - timedelta(hours=1),
            "categories": ["art7.2"],
            "severity": Severity.MEDIUM,
            "description": "チャットで他の参加者を揶揄した。",
            **overrides,
        }
        with app.app_context(), db.transaction() as session:
            return incidents_service.log_incident(
                session, actor=Actor.of_staff(staff), service_user=user, **values
            )

    return factory


@pytest.fixture
def audit_entries(app: Flask) -> Callable[..., list[AuditEntry]]:
    """``audit_entries(action=None)``: every audit entry (of ``action``), in order."""

    def read(action: str | None = None) -> list[AuditEntry]:
        with app.app_context(), db.transaction(write=False) as session:
            statement = select(AuditEntry).order_by(AuditEntry.seq)
            if action:
                statement = statement.where(AuditEntry.action == action)
            return list(session.exec(statement).all())

    return read
