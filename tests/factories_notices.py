"""Notices for tests, made through the service as a supervisor would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlmodel import select

from console import db
from console.audit import COMMAND_LINE, Actor
from console.audit.models import AuditEntry
from console.notices import service
from console.notices.models import Notice, NoticeCause, NoticeKind
from console.online_services import OnlineService
from console.timeutil import utcnow


def notice_input(**overrides: Any) -> service.NoticeInput:
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
    }
    values.update(overrides)
    return service.NoticeInput(**values)


def make_notice(
    app: Flask,
    *,
    actor: Actor = COMMAND_LINE,
    publish: bool = True,
    publish_from: datetime | None = None,
    **overrides: Any,
) -> Notice:
    """Create (and by default publish) a notice in the app's database."""
    with app.app_context(), db.transaction() as session:
        notice = service.create_notice(session, actor=actor, data=notice_input(**overrides))
        if publish:
            service.publish_notice(session, actor=actor, notice=notice, publish_from=publish_from)
        return notice


def load_notice(app: Flask, notice_id: int) -> Notice:
    with app.app_context(), db.transaction(write=False) as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        return notice


def audit_entries(app: Flask, action_prefix: str = "notice.") -> list[AuditEntry]:
    with app.app_context(), db.transaction(write=False) as session:
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.seq))  # type: ignore[arg-type]
        return [row for row in rows if row.action.startswith(action_prefix)]


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Japan wall-clock time as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=9)
