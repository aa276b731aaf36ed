"""The rules of legal disclosure (開示請求). Art. 4-2: device identifiers and access records
are shown unmasked only when a public agency or investigative authority demands it under
law, through a request a supervisor other than the requester approved, for its scope only,
for a limited time, to the named staff only. Every step is in the audit trail.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from flask_babel import gettext as _
from sqlmodel import Session, col, select, update

from console.audit import Actor, Subject, changes, record
from console.auth.models import Staff
from console.disclosures.models import (
    DataKind,
    DisclosureRequest,
    DisclosureStatus,
    DisclosureSubject,
)
from console.evidence import service as evidence_service
from console.evidence.models import Evidence, EvidenceKind
from console.files import scratch_file, write_errors
from console.incidents.models import Incident
from console.timeutil import as_utc, jst_day_start, utcnow
from console.users.models import ServiceUser

DEFAULT_VALIDITY = timedelta(days=7)
PAGE_SIZE = 50
EXPORT_LABEL = "the disclosure ZIP"

# Which evidence kinds each kind of data covers.
KIND_EVIDENCE = {
    DataKind.NOTES: {EvidenceKind.NOTE},
    DataKind.ACCESS_LOGS: {EvidenceKind.CSV, EvidenceKind.TEXT},
    DataKind.FILES: {EvidenceKind.IMAGE, EvidenceKind.PDF},
}


class DisclosureError(ValueError):
    """The request cannot go on as asked; the message says why."""


class DisclosureForbiddenError(DisclosureError):
    """Art. 4-2: this person may not do this with this request (answered with 403)."""


def subject(request: DisclosureRequest) -> Subject:
    return Subject.of("disclosure", request.id)


def _scope_details(request: DisclosureRequest, users: Iterable[ServiceUser]) -> dict[str, Any]:
    return {
        "authority": request.authority,
        "legal_basis": request.legal_basis,
        "document_ref": request.document_ref,
        "document_date": request.document_date.isoformat(),
        "period": [request.period_from.isoformat(), request.period_to.isoformat()],
        "data_kinds": request.data_kinds.split(","),
        "service_users": sorted(user.reference_no for user in users),
    }


def create_request(
    db: Session,
    *,
    actor: Actor,
    authority: str,
    legal_basis: str,
    document_ref: str,
    document_date: date,
    period_from: date,
    period_to: date,
    data_kinds: list[DataKind],
    service_users: list[ServiceUser],
    purpose: str = "",
) -> DisclosureRequest:
    """Record a demand for disclosure (Art. 4-2); nothing is unmasked until it is approved."""
    if period_to < period_from:
        raise DisclosureError(_("The end of the period is before its start."))
    if not data_kinds:
        raise DisclosureError(_("Choose at least one kind of data."))
    if not service_users:
        raise DisclosureError(_("Name at least one service user by reference number."))
    request = DisclosureRequest(
        authority=authority.strip(),
        legal_basis=legal_basis.strip(),
        document_ref=document_ref.strip(),
        document_date=document_date,
        period_from=period_from,
        period_to=period_to,
        data_kinds=",".join(DataKind(kind).value for kind in dict.fromkeys(data_kinds)),
        purpose=purpose.strip(),
        requested_by_id=actor.id,  # type: ignore[arg-type]
    )
    db.add(request)
    db.flush()
    unique = {user.id: user for user in service_users}
    for user_id in unique:
        db.add(DisclosureSubject(request_id=request.id, service_user_id=user_id))  # type: ignore[arg-type]
    db.flush()
    record(
        db,
        actor,
        "disclosure.requested",
        subject(request),
        _scope_details(request, unique.values()),
    )
    return request


def decide(
    db: Session,
    *,
    actor: Actor,
    request: DisclosureRequest,
    approve: bool,
    reason: str,
    validity: timedelta = DEFAULT_VALIDITY,
) -> None:
    """Art. 4-2: a supervisor other than the requester approves or refuses, with a reason.

    The view also asks for a fresh password; this function refuses the requester even if
    the page is bypassed.
    """
    if actor.id is None or actor.id == request.requested_by_id:
        raise DisclosureForbiddenError(
            _("You cannot decide a disclosure request you made yourself.")
        )
    if request.status != DisclosureStatus.REQUESTED:
        raise DisclosureError(_("This request has already been decided."))
    reason = reason.strip()
    if not reason:
        raise DisclosureError(_("Give the reason for the decision."))
    before = {"status": request.status}
    now = utcnow()
    request.status = (DisclosureStatus.APPROVED if approve else DisclosureStatus.REFUSED).value
    request.decided_by_id = actor.id
    request.decided_at = now
    request.decision_reason = reason
    request.expires_at = now + validity if approve else None
    db.add(request)
    db.flush()
    details: dict[str, Any] = changes(before, {"status": request.status})
    details["reason"] = reason
    if approve:
        details["expires_at"] = request.expires_at
    action = "disclosure.approved" if approve else "disclosure.refused"
    record(db, actor, action, subject(request), details)


def is_open(request: DisclosureRequest, now: datetime | None = None) -> bool:
    """Approved and not yet expired."""
    if request.status != DisclosureStatus.APPROVED or request.expires_at is None:
        return False
    return (now or utcnow()) < as_utc(request.expires_at)


def state_label(request: DisclosureRequest, now: datetime | None = None) -> str:
    """Awaiting decision, approved (open), expired or refused."""
    if request.status == DisclosureStatus.APPROVED and not is_open(request, now):
        return _("Expired")
    return request.status_enum.label


def named_staff(request: DisclosureRequest) -> set[int]:
    """Art. 4-2: the only people an approved request opens the records to."""
    return {staff_id for staff_id in (request.requested_by_id, request.decided_by_id) if staff_id}


def require_unmasked_access(request: DisclosureRequest, actor: Actor) -> None:
    """Art. 4-2: unmasked records only to the named staff, only while the approval lasts."""
    if actor.id not in named_staff(request):
        raise DisclosureForbiddenError(
            _("Only the requester and the approver may see these records.")
        )
    if not is_open(request):
        raise DisclosureForbiddenError(_("This disclosure is not approved or has expired."))


def may_view(request: DisclosureRequest, staff: Staff, *, can_approve: bool) -> bool:
    """Who may see a request's details: its requester, and supervisors who may decide it."""
    return staff.id == request.requested_by_id or can_approve


# --- scope ---------------------------------------------------------------------------


def scope_users(db: Session, request: DisclosureRequest) -> list[ServiceUser]:
    return list(
        db.exec(
            select(ServiceUser)
            .join(DisclosureSubject, col(DisclosureSubject.service_user_id) == col(ServiceUser.id))
            .where(DisclosureSubject.request_id == request.id)
            .order_by(col(ServiceUser.reference_no))
        ).all()
    )


def _window(request: DisclosureRequest) -> tuple[datetime, datetime]:
    """The period in Japan days, as UTC instants [start, end)."""
    return jst_day_start(request.period_from), jst_day_start(request.period_to + timedelta(days=1))


def scope_incidents(db: Session, request: DisclosureRequest) -> list[Incident]:
    """The incidents of the named service users that happened within the period."""
    start, end = _window(request)
    user_ids = select(DisclosureSubject.service_user_id).where(
        DisclosureSubject.request_id == request.id
    )
    return list(
        db.exec(
            select(Incident)
            .where(
                col(Incident.service_user_id).in_(user_ids),
                Incident.occurred_at >= start,
                Incident.occurred_at < end,
            )
            .order_by(col(Incident.occurred_at))
        ).all()
    )


def allowed_evidence_kinds(request: DisclosureRequest) -> set[EvidenceKind]:
    kinds: set[EvidenceKind] = set()
    for kind in request.kinds:
        kinds |= KIND_EVIDENCE.get(kind, set())
    return kinds


def scope_evidence(
    db: Session, request: DisclosureRequest, incidents: list[Incident]
) -> list[Evidence]:
    """Evidence of those incidents of the kinds the request names (withdrawn ones too)."""
    kinds = allowed_evidence_kinds(request)
    if not kinds or not incidents:
        return []
    return list(
        db.exec(
            select(Evidence)
            .where(
                col(Evidence.incident_id).in_([incident.id for incident in incidents]),
                col(Evidence.kind).in_([kind.value for kind in kinds]),
            )
            .order_by(col(Evidence.id))
        ).all()
    )


def require_in_scope(db: Session, request: DisclosureRequest, evidence: Evidence) -> None:
    """Art. 4-2: an item outside the approved scope stays masked (refused)."""
    in_scope = {item.id for item in scope_evidence(db, request, scope_incidents(db, request))}
    if evidence.id not in in_scope:
        raise DisclosureForbiddenError(_("This item is outside the scope of the approved request."))


def record_unmasked_view(
    db: Session,
    *,
    actor: Actor,
    request: DisclosureRequest,
    what: str,
    evidence_id: int | None = None,
) -> None:
    """Each unmasked look is in the trail."""
    details: dict[str, Any] = {"what": what}
    if evidence_id is not None:
        details["evidence_id"] = evidence_id
    record(db, actor, "disclosure.unmasked_viewed", subject(request), details)


# --- export ----------------------------------------------------------------------------


@dataclass
class Export:
    file: IO[bytes]
    sha256: str
    size: int
    filename: str
    files: int


def _zip_write(archive: zipfile.ZipFile, name: str, chunks: Iterable[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name, "w", force_zip64=True) as out:
        for chunk in chunks:
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _incidents_csv(incidents: list[Incident], users: dict[int, ServiceUser]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["incident_id", "service_user", "service", "occurred_at_utc", "severity", "description"]
    )
    for incident in incidents:
        user = users.get(incident.service_user_id)
        writer.writerow(
            [
                incident.id,
                user.reference_no if user else incident.service_user_id,
                incident.service,
                as_utc(incident.occurred_at).isoformat(),
                incident.severity,
                incident.description,
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _safe_member_name(evidence: Evidence) -> str:
    name = evidence.original_name or f"{evidence.title or 'note'}.txt"
    cleaned = "".join("_" if char in '/\\:*?"<>|' or ord(char) < 32 else char for char in name)
    return f"evidence/{evidence.id}_{cleaned.strip('. ') or 'item'}"


def _manifest(
    request: DisclosureRequest,
    actor: Actor,
    staff: dict[int, Staff],
    users: list[ServiceUser],
    files: list[dict[str, Any]],
) -> dict[str, Any]:
    def who(staff_id: int | None) -> dict[str, Any] | None:
        person = staff.get(staff_id) if staff_id else None
        return {"login": person.login, "name": person.display_name} if person else None

    return {
        "what": {
            "disclosure_request": request.id,
            "service_users": [user.reference_no for user in users],
            "period_jst": [request.period_from.isoformat(), request.period_to.isoformat()],
            "data_kinds": request.data_kinds.split(","),
            "note": "Records unmasked under Art. 4-2 of the terms of use.",
        },
        "why": {
            "authority": request.authority,
            "legal_basis": request.legal_basis,
            "document_ref": request.document_ref,
            "document_date": request.document_date.isoformat(),
            "purpose": request.purpose,
        },
        "requested_by": who(request.requested_by_id),
        "requested_at": as_utc(request.requested_at).isoformat(),
        "approved_by": who(request.decided_by_id),
        "approved_at": as_utc(request.decided_at).isoformat() if request.decided_at else None,
        "approval_reason": request.decision_reason,
        "expires_at": as_utc(request.expires_at).isoformat() if request.expires_at else None,
        "exported_by": actor.login,
        "exported_at": utcnow().isoformat(),
        "files": files,
    }


def _write_zip(
    db: Session,
    output: IO[bytes],
    actor: Actor,
    request: DisclosureRequest,
    users: list[ServiceUser],
    incidents: list[Incident],
    items: list[Evidence],
) -> list[dict[str, Any]]:
    """The archive's members, the manifest and SHA256SUMS.txt; returns the files' entries."""
    files: list[dict[str, Any]] = []
    by_id = {user.id: user for user in users}
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if DataKind.INCIDENTS in request.kinds:
            sha, size = _zip_write(archive, "incidents.csv", [_incidents_csv(incidents, by_id)])
            files.append({"path": "incidents.csv", "sha256": sha, "size": size})
        for item in items:
            path = _safe_member_name(item)
            sha, size = _zip_write(archive, path, evidence_service.iter_content(db, item))
            files.append(
                {
                    "path": path,
                    "sha256": sha,
                    "size": size,
                    "evidence_id": item.id,
                    "incident_id": item.incident_id,
                    "recorded_sha256": item.sha256,
                }
            )
        staff = {
            person.id: person
            for person in (db.get(Staff, staff_id) for staff_id in named_staff(request))
            if person is not None
        }
        manifest = json.dumps(
            _manifest(request, actor, staff, users, files), ensure_ascii=False, indent=2
        ).encode("utf-8")
        archive.writestr("manifest.json", manifest)
        sums = "".join(f"{entry['sha256']}  {entry['path']}\n" for entry in files)
        sums += f"{hashlib.sha256(manifest).hexdigest()}  manifest.json\n"
        archive.writestr("SHA256SUMS.txt", sums.encode("utf-8"))
    return files


def build_export(db: Session, *, actor: Actor, request: DisclosureRequest) -> Export:
    """The ZIP for the approved scope, unmasked, with a manifest and every file's SHA-256.

    Written to a temporary file one chunk at a time; its own SHA-256 goes into the trail.
    """
    require_unmasked_access(request, actor)
    users = scope_users(db, request)
    incidents = scope_incidents(db, request)
    items = scope_evidence(db, request, incidents)
    output = scratch_file(EXPORT_LABEL)
    try:
        with write_errors(EXPORT_LABEL):
            files = _write_zip(db, output, actor, request, users, incidents, items)
    except BaseException:
        output.close()
        raise
    output.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := output.read(evidence_service.CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    output.seek(0)
    filename = f"disclosure-{request.id}-{utcnow():%Y%m%d%H%M%S}.zip"
    record(
        db,
        actor,
        "disclosure.exported",
        subject(request),
        {"sha256": digest.hexdigest(), "size": size, "filename": filename, "files": len(files)},
    )
    return Export(output, digest.hexdigest(), size, filename, len(files))


# --- expiry and lists ----------------------------------------------------------------------


def expire_sweep(db: Session, now: datetime) -> int:
    """Record, exactly once, each approval that ran out (claiming rows; access already ends
    on time because ``is_open`` compares with now on every read)."""
    due = db.exec(
        select(DisclosureRequest.id).where(
            DisclosureRequest.status == DisclosureStatus.APPROVED.value,
            col(DisclosureRequest.expires_at) <= now,
            col(DisclosureRequest.expiry_logged_at).is_(None),
        )
    ).all()
    claimed = 0
    for request_id in due:
        result = db.exec(
            update(DisclosureRequest)
            .where(
                col(DisclosureRequest.id) == request_id,
                col(DisclosureRequest.expiry_logged_at).is_(None),
            )
            .values(expiry_logged_at=now)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            from console.audit import SCHEDULER

            record(db, SCHEDULER, "disclosure.expired", Subject.of("disclosure", request_id), {})
            claimed += 1
    return claimed


def list_requests(
    db: Session,
    *,
    requested_by: int | None = None,
    status: str | None = None,
    before: int | None = None,
    limit: int = PAGE_SIZE,
) -> list[DisclosureRequest]:
    """Newest first, by keyset (``before`` = the last id of the previous page)."""
    query = select(DisclosureRequest)
    if requested_by is not None:
        query = query.where(DisclosureRequest.requested_by_id == requested_by)
    if status:
        query = query.where(DisclosureRequest.status == status)
    if before:
        query = query.where(col(DisclosureRequest.id) < before)
    return list(db.exec(query.order_by(col(DisclosureRequest.id).desc()).limit(limit)).all())


def trail(db: Session, request: DisclosureRequest) -> list[evidence_service.CustodyEvent]:
    """Every audit entry about the request, oldest first."""
    from console.audit.models import AuditEntry

    entries = db.exec(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "disclosure", AuditEntry.subject_id == str(request.id))
        .order_by(col(AuditEntry.seq))
    ).all()
    return [
        evidence_service.CustodyEvent(
            entry.at,
            entry.action,
            entry.actor_login,
            json.loads(entry.canonical).get("details", {}),
        )
        for entry in entries
    ]
