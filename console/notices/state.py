"""The state of a notice, derived from its stored times on every read (DESIGN.md "Time"),
and what the public sees of it.

Nothing here writes; ``now`` defaults to the clock so pages and feeds agree on one moment.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.notices.models import Notice, NoticeKind, NoticeState
from console.online_services import OnlineService
from console.timeutil import utcnow


def notice_state(
    *,
    published: bool,
    publish_from: datetime | None,
    starts_at: datetime,
    end: datetime | None,
    cancelled_at: datetime | None,
    now: datetime,
) -> NoticeState:
    """The one rule for a notice's state at ``now``; ``end`` is the actual end, else the planned.

    Art. 9-1: a stop is in progress from its start until its end (an open end means until a
    supervisor ends it); the public sees a published notice from ``publish_from``.
    """
    if cancelled_at is not None:
        return NoticeState.CANCELLED
    if not published:
        return NoticeState.DRAFT
    if publish_from is not None and now < publish_from and now < starts_at:
        return NoticeState.SCHEDULED
    if end is not None and now >= end:
        return NoticeState.ENDED
    if now >= starts_at:
        return NoticeState.IN_PROGRESS
    return NoticeState.UPCOMING


def effective_end(notice: Notice) -> datetime | None:
    """The end that counts: the actual one (extended or ended early), else the planned one."""
    return notice.actual_end_at or notice.ends_at


def state_of(notice: Notice, now: datetime | None = None) -> NoticeState:
    """``notice_state`` for a stored notice."""
    return notice_state(
        published=notice.published_at is not None,
        publish_from=notice.publish_from,
        starts_at=notice.starts_at,
        end=effective_end(notice),
        cancelled_at=notice.cancelled_at,
        now=now or utcnow(),
    )


def is_public(notice: Notice, now: datetime | None = None) -> bool:
    """Shown to the public: published and its ``publish_from`` reached (or its stop began)."""
    now = now or utcnow()
    if notice.published_at is None or notice.publish_from is None:
        return False
    return now >= notice.publish_from or now >= notice.starts_at


def public_updated_at(notice: Notice, now: datetime | None = None) -> datetime:
    """When the public view of the notice last changed (Atom ``updated``): edits and transitions."""
    now = now or utcnow()
    moments = [notice.publish_from or notice.created_at]
    if notice.public_updated_at is not None:
        moments.append(notice.public_updated_at)
    if notice.kind != NoticeKind.TERMS_CHANGE and notice.starts_at <= now:
        moments.append(notice.starts_at)
    end = effective_end(notice)
    if end is not None and end <= now:
        moments.append(end)
    past = [moment for moment in moments if moment <= now]
    return max(past) if past else min(moments)


def services_of(notice: Notice) -> list[OnlineService]:
    """The services a notice stops; every service when ``all_services``."""
    if notice.all_services:
        return list(OnlineService)
    return [OnlineService(code) for code in notice.services.split(",") if code]


def public_payload(notice: Notice, now: datetime | None = None) -> dict[str, Any]:
    """A notice as the public JSON shows it: no staff, no internal reasons."""
    now = now or utcnow()
    return {
        "id": notice.id,
        "kind": notice.kind,
        "state": state_of(notice, now).value,
        "services": [service.value for service in services_of(notice)],
        "all_services": notice.all_services,
        "cause": notice.cause,
        "starts_at": notice.starts_at,
        "planned_end_at": notice.ends_at,
        "actual_end_at": notice.actual_end_at,
        "extension_possible": notice.extension_possible,
        "title": {"ja": notice.title_ja, "en": notice.title_en or None},
        "body": {"ja": notice.body_ja, "en": notice.body_en or None},
        "impact": notice.impact,
        "contact": notice.contact,
        "terms_version_id": notice.terms_version_id,
        "published_at": notice.publish_from,
        "updated_at": public_updated_at(notice, now),
        "cancelled": notice.cancelled_at is not None,
    }
