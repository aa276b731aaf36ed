"""Reading the trail: search with keyset pagination, and one subject's timeline.

Pages go backwards from the newest entry with ``WHERE seq < :cursor ORDER BY seq DESC
LIMIT :n`` on the primary key, so the millionth entry costs what the first does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from console.audit.models import AuditEntry

E = AuditEntry.__table__.c  # type: ignore[attr-defined]
PAGE_SIZE = 50


@dataclass(frozen=True)
class SearchFilter:
    """What the auditor asked for; empty fields do not filter."""

    since: datetime | None = None
    until: datetime | None = None
    actor: str = ""
    action: str = ""
    subject_type: str = ""
    subject_id: str = ""
    text: str = ""

    @property
    def only_time(self) -> bool:
        """Whether only the time range filters (the result is then an unbroken run of seq)."""
        return not (self.actor or self.action or self.subject_type or self.subject_id or self.text)


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    next_cursor: int | None  # pass as ``before`` for the next (older) page


def apply_filter(query: Select[Any], search: SearchFilter) -> Select[Any]:
    if search.since is not None:
        query = query.where(E.at >= search.since)
    if search.until is not None:
        query = query.where(E.at < search.until)
    if search.actor:
        query = query.where(E.actor_login == search.actor)
    if search.action:
        query = query.where(E.action == search.action)
    if search.subject_type:
        query = query.where(E.subject_type == search.subject_type)
    if search.subject_id:
        query = query.where(E.subject_id == search.subject_id)
    if search.text:
        query = query.where(E.canonical.icontains(search.text, autoescape=True))
    return query


def search(
    db: Session, search: SearchFilter, *, before: int | None = None, limit: int = PAGE_SIZE
) -> Page:
    """One page of matching entries, newest first, older than ``before``."""
    query = apply_filter(select(AuditEntry), search)
    if before is not None:
        query = query.where(E.seq < before)
    found = list(db.execute(query.order_by(E.seq.desc()).limit(limit + 1)).scalars())
    more = len(found) > limit
    entries = found[:limit]
    return Page(entries, entries[-1].seq if more else None)


def entries_for_subject(
    db: Session,
    subject_type: str,
    subject_id: Any,
    limit: int = PAGE_SIZE,
    *,
    before: int | None = None,
) -> list[AuditEntry]:
    """Everything that happened to one subject (a service user, an incident…), newest first.

    Other features show this on their own pages: ``entries_for_subject(db,
    "service_user", user.id, 20)``.
    """
    query = select(AuditEntry).where(
        E.subject_type == subject_type, E.subject_id == str(subject_id)
    )
    if before is not None:
        query = query.where(E.seq < before)
    return list(db.execute(query.order_by(E.seq.desc()).limit(limit)).scalars())


def entry(db: Session, seq: int) -> AuditEntry | None:
    return db.get(AuditEntry, seq)
