"""Loading the office's register of service users in bulk (``flask users import``).

Two passes over the parsed file, so that a register of 100,000 people takes seconds and
never locks sign-ins out:

1. **Check** every line in one read transaction: the file's own rules (register.py), then
   this database's (already registered, unknown counselor, no terms version that day),
   with the references preloaded or looked up 1,000 at a time. Every bad line is reported
   at once; nothing is written.
2. **Insert** the good lines in batches of ~1,000, each batch one short write transaction
   with its audit entries (one ``service_user.imported`` per person), so other staff's
   writes (a sign-in) wait for one batch at most, never for the whole file.

A batch is all or nothing. If the import stops half-way (a crash, a person registered
through the web form in the meantime), the batches before stay imported and running the
same file again with ``--skip-bad`` imports the rest (the imported lines are then reported
as already registered).
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from console import db
from console.audit import Actor, Subject, record
from console.timeutil import as_utc, jst_day_start, utcnow
from console.users import service
from console.users.models import Enrolment, ServiceUser, TermsVersion
from console.users.register import RegisterRow, RowProblem
from console.users.search import kana_key, to_katakana

BATCH_SIZE = 1000
# After each batch on SQLite, let writers that queued behind it (a sign-in) take the lock:
# SQLite's busy handler polls at most every 100 ms, so a shorter pause could starve them.
SQLITE_YIELD_SECONDS = 0.1


class ImportStoppedError(RuntimeError):
    """A batch could not be written; the batches before it stay imported."""


@dataclass(frozen=True)
class References:
    """What the rows point at, read once: counselors by login, terms versions by date."""

    counselors: dict[str, int]
    terms_starts: list[datetime]  # effective_from, ascending
    terms_ids: list[int]

    def terms_for_day(self, day: date) -> int | None:
        """Art. 10: the version in force on ``day`` (one taking effect that day counts)."""
        end_of_day = jst_day_start(day + timedelta(days=1))
        index = bisect.bisect_left(self.terms_starts, end_of_day)
        return self.terms_ids[index - 1] if index else None

    def problem(self, row: RegisterRow) -> str | None:
        """Why ``row`` cannot point where it does, or None."""
        if row.assigned_counselor and row.assigned_counselor not in self.counselors:
            return f"assigned_counselor {row.assigned_counselor!r} is no active counselor"
        if row.terms_agreed_on is not None and self.terms_for_day(row.terms_agreed_on) is None:
            return "no terms version was in force on terms_agreed_on"
        return None


def load_references(session: Session) -> References:
    """Counselors and terms versions, for checking and importing every row without a query."""
    counselors = {
        staff.login: staff.id for staff in service.counselors(session) if staff.id is not None
    }
    versions = session.execute(
        select(TermsVersion.effective_from, TermsVersion.id).order_by(
            col(TermsVersion.effective_from)
        )
    ).all()
    return References(
        counselors,
        [as_utc(effective) for effective, _id in versions],
        [ident for _effective, ident in versions],
    )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def registered_among(session: Session, references: list[str]) -> set[str]:
    """Which of ``references`` are already registered (one query)."""
    found = session.execute(
        select(ServiceUser.reference_no).where(col(ServiceUser.reference_no).in_(references))
    ).scalars()
    return set(found)


@dataclass
class Checked:
    """The outcome of the check: every bad line, and how many lines are good."""

    problems: list[RowProblem]
    good: int


def check(
    session: Session, items: Iterable[RegisterRow | RowProblem], references: References
) -> Checked:
    """Every problem of every line, the file's and this database's, sorted by line."""
    problems: list[RowProblem] = []
    good = 0
    for chunk in _chunks(items, BATCH_SIZE):
        rows = [item for item in chunk if isinstance(item, RegisterRow)]
        problems += [item for item in chunk if isinstance(item, RowProblem)]
        taken = registered_among(session, [row.reference_no for row in rows])
        for row in rows:
            reason = (
                f"{row.reference_no} is already registered"
                if row.reference_no in taken
                else references.problem(row)
            )
            if reason is None:
                good += 1
            else:
                problems.append(RowProblem(row.line, reason))
    return Checked(sorted(problems, key=lambda problem: problem.line), good)


def _user_values(row: RegisterRow, references: References, now: datetime) -> dict[str, Any]:
    agreed = row.terms_agreed_on
    return {
        "reference_no": row.reference_no,
        "name_kanji": row.name_kanji,
        "name_kana": to_katakana(row.name_kana),
        "name_kana_key": kana_key(row.name_kana),
        "birth_date": row.birth_date,
        "registration_route": row.registration_route.value,
        "terms_version_id": references.terms_for_day(agreed) if agreed else None,
        "terms_agreed_at": jst_day_start(agreed) if agreed else None,
        "counseling_eligible": row.counseling_eligible,
        "assigned_counselor_id": references.counselors.get(row.assigned_counselor),
        "created_at": now,
        "updated_at": now,
    }


def _insert_batch(
    session: Session,
    rows: list[RegisterRow],
    *,
    actor: Actor,
    references: References,
    file_name: str,
) -> None:
    """One batch: the users, their enrolments and one audit entry each."""
    taken = registered_among(session, [row.reference_no for row in rows])
    if taken:
        line = next(row.line for row in rows if row.reference_no in taken)
        raise ImportStoppedError(f"line {line}: {min(taken)} was registered meanwhile")
    now = utcnow()
    values = [_user_values(row, references, now) for row in rows]
    ids = session.execute(
        insert(ServiceUser).returning(col(ServiceUser.id), sort_by_parameter_order=True), values
    ).scalars()
    enrolments = []
    for user_id, row, user in zip(ids, rows, values, strict=True):
        codes = sorted(service_.value for service_ in row.services)
        enrolments += [
            {"service_user_id": user_id, "service": code, "enrolled_at": now} for code in codes
        ]
        after = service.snapshot_values(user, codes)
        record(
            session,
            actor,
            "service_user.imported",
            Subject.of("service_user", user_id),
            {"after": after, "source": {"file": file_name, "line": row.line}},
        )
    if enrolments:
        session.execute(insert(Enrolment), enrolments)


def import_rows(
    rows: Iterable[RegisterRow],
    *,
    actor: Actor,
    references: References,
    file_name: str,
    progress: Callable[[int], None] = lambda _count: None,
) -> int:
    """Insert ``rows`` (already checked) in batches; returns how many were imported."""
    imported = 0
    for batch in _chunks(rows, BATCH_SIZE):
        try:
            with db.transaction() as session:
                _insert_batch(
                    session, batch, actor=actor, references=references, file_name=file_name
                )
                sqlite = session.connection().dialect.name == "sqlite"
        except ImportStoppedError as stopped:
            raise ImportStoppedError(
                f"{stopped}; {imported} user(s) were imported before it"
            ) from None
        imported += len(batch)
        progress(len(batch))
        if sqlite:
            time.sleep(SQLITE_YIELD_SECONDS)
    return imported
