"""The rules of notices: Art. 9-1 stops (causes of Art. 8-6) and Art. 10 terms changes.

Every state change happens here, audited with before/after in the caller's transaction.
The state of a notice is never stored: ``state.notice_state`` derives it from the times on
every read; the scheduler's sweep (``sweep.py``) only records the transitions, exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from console.audit import Actor, Subject, changes, record
from console.notices.models import Notice, NoticeCause, NoticeKind, NoticeState
from console.notices.state import effective_end, is_public, public_payload, state_of
from console.online_services import OnlineService
from console.outbox import enqueue
from console.timeutil import as_utc, utcnow
from console.users.models import TermsVersion

PUBLIC_HISTORY = timedelta(days=90)
PAGE_SIZE = 25
# What is compared for "before/after" in the audit trail and shown publicly as 更新.
AUDITED_FIELDS = (
    "kind",
    "all_services",
    "services",
    "cause",
    "starts_at",
    "ends_at",
    "actual_end_at",
    "title_ja",
    "body_ja",
    "title_en",
    "body_en",
    "impact",
    "contact",
    "extension_possible",
    "terms_version_id",
    "publish_from",
)


class NoticeError(ValueError):
    """A request the rules refuse; the message says what to do instead."""


@dataclass
class NoticeInput:
    """What a supervisor types for a notice (forms.py builds it)."""

    kind: NoticeKind
    services: list[OnlineService]  # empty: every service
    cause: NoticeCause
    starts_at: datetime | None
    ends_at: datetime | None
    title_ja: str
    body_ja: str
    title_en: str = ""
    body_en: str = ""
    impact: str = ""
    contact: str = ""
    extension_possible: bool = False
    terms_version_id: int | None = None


# --- reading ---------------------------------------------------------------------------------


@dataclass
class NoticePage:
    notices: list[Notice]
    page: int
    has_next: bool


def list_notices(
    db: Session,
    *,
    state: NoticeState | None = None,
    kind: NoticeKind | None = None,
    text: str = "",
    page: int = 1,
    now: datetime | None = None,
) -> NoticePage:
    """Staff list, newest start first, filtered by state (computed), kind and title text."""
    now = now or utcnow()
    query = select(Notice)
    if kind is not None:
        query = query.where(Notice.kind == kind.value)
    if text:
        pattern = f"%{text.replace('%', '').replace('_', '')}%"
        query = query.where(
            or_(col(Notice.title_ja).ilike(pattern), col(Notice.title_en).ilike(pattern))
        )
    query = query.where(*_state_conditions(state, now)) if state else query
    query = query.order_by(col(Notice.starts_at).desc(), col(Notice.id).desc())
    rows = list(db.exec(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return NoticePage(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


def _state_conditions(state: NoticeState, now: datetime) -> list[Any]:
    """SQL for ``notice_state`` (the same rule, so filters and pages agree)."""
    end = func.coalesce(Notice.actual_end_at, Notice.ends_at)
    not_cancelled = col(Notice.cancelled_at).is_(None)
    published = col(Notice.published_at).is_not(None)
    hidden = and_(col(Notice.publish_from) > now, Notice.starts_at > now)
    ended = and_(end.is_not(None), end <= now)
    conditions: dict[NoticeState, list[Any]] = {
        NoticeState.CANCELLED: [col(Notice.cancelled_at).is_not(None)],
        NoticeState.DRAFT: [not_cancelled, col(Notice.published_at).is_(None)],
        NoticeState.SCHEDULED: [not_cancelled, published, hidden],
        NoticeState.ENDED: [not_cancelled, published, ~hidden, ended],
        NoticeState.IN_PROGRESS: [not_cancelled, published, Notice.starts_at <= now, ~ended],
        NoticeState.UPCOMING: [not_cancelled, published, ~hidden, Notice.starts_at > now],
    }
    return conditions[state]


def live_notices(db: Session, now: datetime | None = None) -> list[Notice]:
    """Stops in progress now (the banner and the dashboard)."""
    now = now or utcnow()
    rows = db.exec(
        select(Notice)
        .where(*_state_conditions(NoticeState.IN_PROGRESS, now))
        .where(Notice.kind != NoticeKind.TERMS_CHANGE.value)
        .order_by(col(Notice.starts_at))
    )
    return list(rows)


@dataclass
class PublicNotices:
    current: list[Notice]  # in progress and upcoming, soonest first
    recent: list[Notice]  # ended or cancelled in the last 90 days, newest first

    @property
    def all(self) -> list[Notice]:
        return self.current + self.recent


def public_notices(db: Session, now: datetime | None = None) -> PublicNotices:
    """What the public pages list: in progress and upcoming first, then the last 90 days."""
    now = now or utcnow()
    since = now - PUBLIC_HISTORY
    rows = db.exec(
        select(Notice)
        .where(col(Notice.published_at).is_not(None))
        .where(or_(col(Notice.publish_from) <= now, Notice.starts_at <= now))
        # A notice cancelled before anyone could see it stays unseen.
        .where(
            or_(
                col(Notice.cancelled_at).is_(None),
                col(Notice.cancelled_at) >= Notice.publish_from,
                col(Notice.cancelled_at) >= Notice.starts_at,
            )
        )
        .where(
            or_(
                col(Notice.cancelled_at) >= since,
                and_(
                    col(Notice.cancelled_at).is_(None),
                    or_(
                        func.coalesce(Notice.actual_end_at, Notice.ends_at).is_(None),
                        func.coalesce(Notice.actual_end_at, Notice.ends_at) >= since,
                        Notice.starts_at >= since,
                    ),
                ),
            )
        )
        .order_by(col(Notice.starts_at), col(Notice.id))
    )
    current: list[Notice] = []
    recent: list[Notice] = []
    for notice in rows:
        state = state_of(notice, now)
        if state in (NoticeState.IN_PROGRESS, NoticeState.UPCOMING):
            current.append(notice)
        else:
            recent.append(notice)
    current.sort(key=lambda item: (state_of(item, now) != NoticeState.IN_PROGRESS, item.starts_at))
    recent.sort(key=lambda item: item.cancelled_at or effective_end(item) or item.starts_at)
    recent.reverse()
    return PublicNotices(current, recent)


def terms_versions(db: Session) -> list[TermsVersion]:
    """Versions of the terms a terms-change notice may announce, newest first."""
    return list(db.exec(select(TermsVersion).order_by(col(TermsVersion.effective_from).desc())))


# --- changes by supervisors ------------------------------------------------------------------


def _snapshot(notice: Notice) -> dict[str, Any]:
    return {name: getattr(notice, name) for name in AUDITED_FIELDS}


def _check_input(db: Session, data: NoticeInput, now: datetime) -> tuple[datetime, datetime | None]:
    """The start and planned end the input means, or NoticeError saying what to fix."""
    if data.kind is NoticeKind.TERMS_CHANGE:
        # Art. 10: a terms change is announced with the date the new version takes effect.
        version = db.get(TermsVersion, data.terms_version_id) if data.terms_version_id else None
        if version is None:
            raise NoticeError(_("Choose the new version of the terms this notice announces."))
        return version.effective_from, None
    if data.starts_at is None:
        raise NoticeError(_("Enter when the stop starts."))
    starts_at, ends_at = as_utc(data.starts_at), data.ends_at and as_utc(data.ends_at)
    if ends_at is not None and ends_at <= starts_at:
        raise NoticeError(_("The end must be after the start."))
    if data.kind is NoticeKind.PLANNED:
        if ends_at is None:
            raise NoticeError(_("Enter when the planned stop ends."))
        if starts_at <= now:
            raise NoticeError(
                _(
                    "A planned stop must start in the future. Record a stop that already "
                    "began as an unannounced stop."
                )
            )
    elif starts_at > now:
        raise NoticeError(
            _(
                "An unannounced stop is recorded after it began: its start must not be in the future."
            )
        )
    return starts_at, ends_at


def _apply(
    notice: Notice, data: NoticeInput, starts_at: datetime, ends_at: datetime | None
) -> None:
    notice.kind = data.kind.value
    chosen = [service.value for service in data.services]
    notice.all_services = not chosen or len(set(chosen)) == len(OnlineService)
    notice.services = "" if notice.all_services else ",".join(sorted(set(chosen)))
    notice.cause = data.cause.value
    notice.starts_at, notice.ends_at = starts_at, ends_at
    notice.title_ja, notice.body_ja = data.title_ja.strip(), data.body_ja.strip()
    notice.title_en, notice.body_en = data.title_en.strip(), data.body_en.strip()
    notice.impact, notice.contact = data.impact.strip(), data.contact.strip()
    notice.extension_possible = data.extension_possible
    terms = data.kind is NoticeKind.TERMS_CHANGE
    notice.terms_version_id = data.terms_version_id if terms else None


def create_notice(db: Session, *, actor: Actor, data: NoticeInput) -> Notice:
    """Draft a notice (not public until published)."""
    now = utcnow()
    starts_at, ends_at = _check_input(db, data, now)
    notice = Notice(
        kind=data.kind.value, cause=data.cause.value, starts_at=starts_at, title_ja="", body_ja=""
    )
    _apply(notice, data, starts_at, ends_at)
    notice.created_by_id = actor.id
    db.add(notice)
    db.flush()
    record(
        db, actor, "notice.drafted", Subject.of("notice", notice.id), {"after": _snapshot(notice)}
    )
    return notice


def can_edit(notice: Notice, now: datetime | None = None) -> bool:
    """Drafts always; published notices only before their start (Art. 9-1 announced ahead)."""
    now = now or utcnow()
    if notice.cancelled_at is not None:
        return False
    return notice.published_at is None or now < notice.starts_at


def update_notice(db: Session, *, actor: Actor, notice: Notice, data: NoticeInput) -> Notice:
    """Change a notice before its start; after publication the public sees 更新 and its time."""
    now = utcnow()
    if not can_edit(notice, now):
        raise NoticeError(
            _("This notice can no longer be edited: it has started, ended or been cancelled.")
        )
    starts_at, ends_at = _check_input(db, data, now)
    before = _snapshot(notice)
    _apply(notice, data, starts_at, ends_at)
    diff = changes(before, _snapshot(notice))
    if not diff:
        return notice
    notice.updated_at = now
    if is_public(notice, now):
        notice.public_updated_at = now
    db.flush()
    record(db, actor, "notice.updated", Subject.of("notice", notice.id), {"changes": diff})
    return notice


def publish_notice(
    db: Session, *, actor: Actor, notice: Notice, publish_from: datetime | None
) -> Notice:
    """Publish a draft; the public sees it from ``publish_from`` (default now)."""
    now = utcnow()
    if notice.published_at is not None or notice.cancelled_at is not None:
        raise NoticeError(_("Only a draft can be published."))
    shown_from = as_utc(publish_from) if publish_from else now
    end = effective_end(notice)
    if end is not None and shown_from >= end and notice.kind != NoticeKind.TERMS_CHANGE:
        raise NoticeError(_("Show the notice before the stop ends."))
    if notice.kind == NoticeKind.TERMS_CHANGE and shown_from > notice.starts_at:
        raise NoticeError(_("Show a terms change before the new terms take effect (Art. 10)."))
    notice.published_at, notice.publish_from, notice.updated_at = now, shown_from, now
    db.flush()
    record(
        db,
        actor,
        "notice.published",
        Subject.of("notice", notice.id),
        {"changes": changes({"publish_from": None}, {"publish_from": shown_from})},
    )
    enqueue(db, "notice.published", f"notice.published:{notice.id}", public_payload(notice, now))
    return notice


def extend_notice(
    db: Session, *, actor: Actor, notice: Notice, new_end: datetime, reason: str
) -> Notice:
    """Move the end of a stop later; the planned end is kept beside it (Art. 9-1)."""
    now = utcnow()
    state = state_of(notice, now)
    if notice.kind == NoticeKind.TERMS_CHANGE or state not in (
        NoticeState.SCHEDULED,
        NoticeState.UPCOMING,
        NoticeState.IN_PROGRESS,
    ):
        raise NoticeError(_("Only a published stop that has not ended can be extended."))
    new_end = as_utc(new_end)
    current = effective_end(notice)
    if new_end <= now or new_end <= notice.starts_at:
        raise NoticeError(_("The new end must be in the future and after the start."))
    if current is not None and new_end <= current:
        raise NoticeError(_("The new end must be later than the current end."))
    before = {"actual_end_at": notice.actual_end_at}
    notice.actual_end_at = new_end
    _touch(notice, now)
    record(
        db,
        actor,
        "notice.extended",
        Subject.of("notice", notice.id),
        {"changes": changes(before, {"actual_end_at": new_end}), "reason": reason},
    )
    return notice


def end_notice_now(db: Session, *, actor: Actor, notice: Notice, reason: str = "") -> Notice:
    """End a stop in progress now; the actual end is recorded beside the planned one."""
    now = utcnow()
    if state_of(notice, now) != NoticeState.IN_PROGRESS:
        raise NoticeError(_("Only a stop in progress can be ended now."))
    before = {"actual_end_at": notice.actual_end_at}
    notice.actual_end_at = now
    _touch(notice, now)
    record(
        db,
        actor,
        "notice.ended",
        Subject.of("notice", notice.id),
        {"changes": changes(before, {"actual_end_at": now}), "reason": reason},
    )
    return notice


def cancel_notice(db: Session, *, actor: Actor, notice: Notice, reason: str) -> Notice:
    """Cancel a notice before its stop starts; the reason stays internal."""
    now = utcnow()
    if not reason.strip():
        raise NoticeError(_("Enter the reason for the cancellation."))
    if state_of(notice, now) not in (
        NoticeState.DRAFT,
        NoticeState.SCHEDULED,
        NoticeState.UPCOMING,
    ):
        raise NoticeError(
            _(
                "Only a notice whose stop has not started can be cancelled. End a stop in progress instead."
            )
        )
    notice.cancelled_at, notice.cancel_reason = now, reason.strip()
    _touch(notice, now)
    record(
        db,
        actor,
        "notice.cancelled",
        Subject.of("notice", notice.id),
        {"changes": changes({"cancelled_at": None}, {"cancelled_at": now}), "reason": reason},
    )
    return notice


def _touch(notice: Notice, now: datetime) -> None:
    notice.updated_at = now
    if is_public(notice, now):
        notice.public_updated_at = now
