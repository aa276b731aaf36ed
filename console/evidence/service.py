"""The rules about evidence: streamed storage, chain of custody, withdrawal, verification.

Evidence is never deleted or replaced; every view, download and withdrawal is in the
audit trail (Art. 6), and device identifiers inside it are masked when shown (Art. 4-2,
see console/masking.py).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from flask_babel import gettext as _
from sqlmodel import Session, col, func, insert, select

from console.audit import Actor, Subject, changes, record
from console.audit.canonical import chain_hash
from console.audit.models import AuditEntry
from console.evidence.filetypes import (
    SNIFF_BYTES,
    Sniffed,
    TextCheck,
    looks_binary_other,
    sniff_binary,
    text_kind,
)
from console.evidence.models import Evidence, EvidenceChunk, EvidenceKind
from console.incidents.models import Incident
from console.masking import mask_text
from console.timeutil import utcnow

CHUNK_SIZE = 1024 * 1024  # 1 MiB: the most a stored file ever holds in memory at once
PREVIEW_ROWS = 200
NOTE_MAX_CHARS = 20_000
SUMMARY_ITEMS = 5


class EvidenceError(ValueError):
    """A rule refused the action; the message tells staff what to do."""


def subject(evidence: Evidence) -> Subject:
    return Subject.of("evidence", evidence.id)


def _read_full(stream: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes (a stream may return fewer than asked before its end)."""
    parts: list[bytes] = []
    wanted = size
    while wanted > 0:
        piece = stream.read(wanted)
        if not piece:
            break
        parts.append(piece)
        wanted -= len(piece)
    return b"".join(parts)


def _refuse_type(head: bytes) -> None:
    other = looks_binary_other(head)
    named = f" ({other})" if other else ""
    raise EvidenceError(
        _(
            "This kind of file%(named)s cannot be attached. The console accepts images "
            "(PNG, JPEG, GIF, WebP), PDF, chat logs as plain text and access logs as CSV "
            "(UTF-8 or Shift_JIS). The type is read from the file's content, not its name.",
            named=named,
        )
    )


def _store_chunks(
    db: Session, evidence_id: int, first: bytes, stream: IO[bytes], text: TextCheck | None
) -> tuple[str, int, int]:
    """Write the file chunk by chunk; returns (sha256, size, chunk count). One chunk in memory."""
    digest = hashlib.sha256()
    size = 0
    index = 0
    chunk = first
    while chunk:
        digest.update(chunk)
        size += len(chunk)
        if text is not None:
            text.feed(chunk)
        db.exec(insert(EvidenceChunk).values(evidence_id=evidence_id, index=index, data=chunk))
        index += 1
        chunk = _read_full(stream, CHUNK_SIZE)
    if text is not None:
        text.feed(b"", final=True)
    return digest.hexdigest(), size, index


def _sniff(first: bytes) -> Sniffed | None:
    """The binary type, or None when the file must prove to be text while it is stored."""
    head = first[:SNIFF_BYTES]
    binary = sniff_binary(head)
    if binary is not None:
        return binary
    if looks_binary_other(head) is not None or b"\0" in head:
        _refuse_type(head)
    return None


def add_file(
    db: Session,
    *,
    actor: Actor,
    incident: Incident,
    stream: IO[bytes],
    filename: str,
    title: str = "",
) -> Evidence:
    """Store an uploaded file under a random id, hashing while reading (constant memory)."""
    filename = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    first = _read_full(stream, CHUNK_SIZE)
    if not first:
        raise EvidenceError(_("The file is empty. Choose the file again."))
    sniffed = _sniff(first)
    text = TextCheck() if sniffed is None else None
    evidence = Evidence(
        storage_id=uuid.uuid4().hex,
        incident_id=incident.id,  # type: ignore[arg-type]
        kind=(sniffed.kind if sniffed else text_kind(first[:SNIFF_BYTES], filename)).value,
        title=title.strip()[:200],
        original_name=filename or "evidence",
        media_type=sniffed.media_type if sniffed else "",
        sha256="",
        added_by_id=actor.id,  # type: ignore[arg-type]
    )
    try:
        _store(db, evidence, first, stream, text)
    except _NotTextError:
        _refuse_type(b"")
    _record_added(db, actor, evidence)
    return evidence


class _NotTextError(Exception):
    """Raised inside the savepoint so the stored chunks are undone."""


def _store(
    db: Session, evidence: Evidence, first: bytes, stream: IO[bytes], text: TextCheck | None
) -> None:
    # A savepoint, so a file that turns out not to be text leaves no row and no chunk behind.
    with db.begin_nested():
        db.add(evidence)
        db.flush()
        sha256, size, count = _store_chunks(db, evidence.id, first, stream, text)  # type: ignore[arg-type]
        if text is not None:
            if text.encoding is None:
                raise _NotTextError
            bom = text.encoding == "utf-8" and first.startswith(codecs.BOM_UTF8)
            evidence.text_encoding = "utf-8-sig" if bom else text.encoding  # Excel's CSV
            evidence.media_type = "text/csv" if evidence.kind == EvidenceKind.CSV else "text/plain"
        evidence.sha256, evidence.size, evidence.chunk_count = sha256, size, count
        db.flush()


def add_note(db: Session, *, actor: Actor, incident: Incident, title: str, body: str) -> Evidence:
    """A typed note; its SHA-256 is over the UTF-8 text, so it is verified like a file."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise EvidenceError(_("Write the note before saving it."))
    if len(body) > NOTE_MAX_CHARS:
        raise EvidenceError(_("The note is too long."))
    encoded = body.encode("utf-8")
    evidence = Evidence(
        storage_id=uuid.uuid4().hex,
        incident_id=incident.id,  # type: ignore[arg-type]
        kind=EvidenceKind.NOTE.value,
        title=title.strip()[:200],
        media_type="text/plain",
        text_encoding="utf-8",
        body=body,
        size=len(encoded),
        sha256=hashlib.sha256(encoded).hexdigest(),
        added_by_id=actor.id,  # type: ignore[arg-type]
    )
    db.add(evidence)
    db.flush()
    _record_added(db, actor, evidence)
    return evidence


def _record_added(db: Session, actor: Actor, evidence: Evidence) -> None:
    record(
        db,
        actor,
        "evidence.added",
        subject(evidence),
        {
            "incident_id": evidence.incident_id,
            "kind": evidence.kind,
            "original_name": evidence.original_name,
            "media_type": evidence.media_type,
            "size": evidence.size,
            "sha256": evidence.sha256,
            "storage_id": evidence.storage_id,
        },
    )


def record_view(db: Session, *, actor: Actor, evidence: Evidence, mode: str) -> None:
    """Art. 6: each look at an item is in the trail (page, preview, image)."""
    record(db, actor, "evidence.viewed", subject(evidence), {"mode": mode})


def record_download(db: Session, *, actor: Actor, evidence: Evidence, masked: bool) -> None:
    """Art. 6: each download is in the trail, saying whether the copy was masked."""
    record(
        db,
        actor,
        "evidence.downloaded",
        subject(evidence),
        {"sha256": evidence.sha256, "masked": masked},
    )


def withdraw(db: Session, *, actor: Actor, evidence: Evidence, reason: str) -> None:
    """Withdraw a wrong item: kept, hidden from the default list, never deleted or replaced."""
    if evidence.is_withdrawn:
        raise EvidenceError(_("This item has already been withdrawn."))
    reason = reason.strip()
    if not reason:
        raise EvidenceError(_("Give the reason for withdrawing the item."))
    before = {"withdrawn": False}
    evidence.withdrawn_at = utcnow()
    evidence.withdrawn_by_id = actor.id
    evidence.withdrawal_reason = reason[:500]
    db.add(evidence)
    db.flush()
    details: dict[str, Any] = changes(before, {"withdrawn": True})
    details["reason"] = evidence.withdrawal_reason
    record(db, actor, "evidence.withdrawn", subject(evidence), details)


def list_for_incident(
    db: Session, incident_id: int, *, include_withdrawn: bool = False
) -> list[Evidence]:
    """The incident's items, oldest first; withdrawn ones only when asked for."""
    query = select(Evidence).where(Evidence.incident_id == incident_id)
    if not include_withdrawn:
        query = query.where(col(Evidence.withdrawn_at).is_(None))
    return list(db.exec(query.order_by(col(Evidence.id))).all())


def withdrawn_count(db: Session, incident_id: int) -> int:
    return db.exec(
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.incident_id == incident_id, col(Evidence.withdrawn_at).is_not(None))
    ).one()


def evidence_summary(db: Session, incident_id: int) -> dict[str, Any]:
    """For the incident page's panel: counts and the latest items (no contents, no audit)."""
    items = list_for_incident(db, incident_id)
    return {
        "incident_id": incident_id,
        "count": len(items),
        "withdrawn": withdrawn_count(db, incident_id),
        "items": items[-SUMMARY_ITEMS:][::-1],
    }


# --- reading stored content -----------------------------------------------------------


def iter_chunks(db: Session, evidence: Evidence) -> Iterator[bytes]:
    """The stored file, one chunk at a time, in order."""
    for index in range(evidence.chunk_count):
        data = db.exec(
            select(EvidenceChunk.data).where(
                EvidenceChunk.evidence_id == evidence.id, EvidenceChunk.index == index
            )
        ).first()
        if data is None:
            return
        yield bytes(data)


def iter_content(db: Session, evidence: Evidence) -> Iterator[bytes]:
    """The item's bytes: a note's UTF-8 text, or the stored file's chunks."""
    if evidence.kind == EvidenceKind.NOTE:
        yield evidence.body.encode("utf-8")
        return
    yield from iter_chunks(db, evidence)


LONGEST_LINE = CHUNK_SIZE  # characters; a longer line is cut at a separator (see below)
_SEPARATORS = re.compile(r"[,\t;\s](?=[^,\t;\s]*$)")


def _cut_long_line(pending: str) -> tuple[str, str]:
    """Split a line too long to hold at its last separator, so the identifiers masking looks
    for (which contain no comma, tab or semicolon) are not cut in two."""
    match = _SEPARATORS.search(pending, len(pending) - LONGEST_LINE // 4)
    cut = match.end() if match else len(pending)
    return pending[:cut], pending[cut:]


def iter_text_lines(db: Session, evidence: Evidence) -> Iterator[str]:
    """A text or CSV item as decoded lines (each with its line end), one chunk in memory."""
    decoder = codecs.getincrementaldecoder(evidence.text_encoding or "utf-8")(errors="replace")
    pending = ""
    for chunk in iter_content(db, evidence):
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
        if len(pending) > LONGEST_LINE:
            head, pending = _cut_long_line(pending)
            yield head
    pending += decoder.decode(b"", True)
    if pending:
        yield pending


def preview_lines(
    db: Session, evidence: Evidence, limit: int = PREVIEW_ROWS
) -> tuple[list[str], bool]:
    """The first ``limit`` lines and whether there are more."""
    lines: list[str] = []
    for line in iter_text_lines(db, evidence):
        if len(lines) == limit:
            return lines, True
        lines.append(line.rstrip("\r\n"))
    return lines, False


def preview_rows(
    db: Session, evidence: Evidence, limit: int = PREVIEW_ROWS
) -> tuple[list[list[str]], bool]:
    """The first ``limit`` CSV rows (cells unmasked: the template masks them)."""
    lines, more = preview_lines(db, evidence, limit)
    try:
        return list(csv.reader(lines)), more
    except csv.Error:
        return [[line] for line in lines], more


def masked_download(db: Session, evidence: Evidence, key: str) -> Iterator[bytes]:
    """A text or CSV item as UTF-8 with identifiers masked (Art. 4-2), in batches."""
    batch: list[str] = []
    size = 0
    for line in iter_text_lines(db, evidence):
        masked = mask_text(line, key)
        batch.append(masked)
        size += len(masked)
        if size >= 64 * 1024:
            yield "".join(batch).encode("utf-8")
            batch, size = [], 0
    if batch:
        yield "".join(batch).encode("utf-8")


# --- chain of custody and verification ---------------------------------------------------


@dataclass
class CustodyEvent:
    at: Any
    action: str
    actor_login: str
    details: dict[str, Any] = field(default_factory=dict)


def custody(db: Session, evidence: Evidence) -> list[CustodyEvent]:
    """Every audit entry about the item, oldest first: added, viewed, downloaded, withdrawn."""
    entries = db.exec(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "evidence", AuditEntry.subject_id == str(evidence.id))
        .order_by(col(AuditEntry.seq))
    ).all()
    return [
        CustodyEvent(
            entry.at,
            entry.action,
            entry.actor_login,
            json.loads(entry.canonical).get("details", {}),
        )
        for entry in entries
    ]


@dataclass(frozen=True)
class Recorded:
    """What the item's ``evidence.added`` entry says about the file it stored."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Check:
    evidence: Evidence
    actual_sha256: str
    actual_size: int
    chunks_found: int
    # None when the trail holds no intact evidence.added entry for the item.
    recorded: Recorded | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[str]:
        """Why the item fails custody, in plain words (empty when it is intact)."""
        item, found = self.evidence, []
        if self.recorded is None:
            found.append("the audit trail holds no intact evidence.added entry for it")
        elif (self.recorded.sha256, self.recorded.size) != (self.actual_sha256, self.actual_size):
            found.append(
                f"its content (sha256 {self.actual_sha256}, {self.actual_size} bytes) differs "
                f"from the trail's record (sha256 {self.recorded.sha256}, "
                f"{self.recorded.size} bytes)"
            )
        if self.recorded is not None and (item.sha256, item.size) != (
            self.recorded.sha256,
            self.recorded.size,
        ):
            found.append(f"its stored sha256 column ({item.sha256}) was changed after it was added")
        if item.kind != EvidenceKind.NOTE and self.chunks_found != item.chunk_count:
            found.append(f"{self.chunks_found} chunks stored where {item.chunk_count} were written")
        return found


def recorded_at_addition(db: Session, evidence: Evidence) -> Recorded | None:
    """The SHA-256 and size in the item's ``evidence.added`` entry, if the entry is intact.

    This, not the item's own ``sha256`` column, is the reference: the column is an ordinary
    field, while the entry is protected by the hash chain (``flask audit verify``).
    """
    entry = db.exec(
        select(AuditEntry)
        .where(
            AuditEntry.subject_type == "evidence",
            AuditEntry.subject_id == str(evidence.id),
            AuditEntry.action == "evidence.added",
        )
        .order_by(col(AuditEntry.seq))
        .limit(1)
    ).first()
    if entry is None or chain_hash(entry.prev_hash, entry.canonical.encode("utf-8")) != entry.hash:
        return None
    details = json.loads(entry.canonical).get("details", {})
    return Recorded(str(details.get("sha256", "")), int(details.get("size", -1)))


def check_item(db: Session, evidence: Evidence) -> Check:
    """Re-hash one stored item and compare it with what the trail recorded when it was added."""
    digest = hashlib.sha256()
    size = 0
    chunks = 0
    for chunk in iter_content(db, evidence):
        digest.update(chunk)
        size += len(chunk)
        chunks += 1
    return Check(evidence, digest.hexdigest(), size, chunks, recorded_at_addition(db, evidence))


def check_all(db: Session, incident_id: int | None = None) -> Iterator[Check]:
    """Re-hash every item (or one incident's), withdrawn ones included."""
    query = select(Evidence.id)
    if incident_id is not None:
        query = query.where(Evidence.incident_id == incident_id)
    for evidence_id in db.exec(query.order_by(col(Evidence.id))).all():
        evidence = db.get(Evidence, evidence_id)
        if evidence is not None:
            yield check_item(db, evidence)
            db.expunge(evidence)


def record_verification(
    db: Session, *, actor: Actor, checks: list[Check], incident_id: int | None
) -> None:
    """The result of a custody check goes into the trail."""
    bad = [check.evidence.id for check in checks if not check.ok]
    target = Subject.of("incident", incident_id) if incident_id else Subject("evidence", "all")
    record(
        db,
        actor,
        "evidence.verified",
        target,
        {"checked": len(checks), "mismatched": bad},
    )
