"""The disclosure ZIP (Art. 4-2): the scope of an approved request, unmasked, with a manifest
of SHA-256 sums; building it is recorded in the audit trail.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from sqlmodel import Session

from console.audit import Actor, record
from console.auth.models import Staff
from console.disclosures.models import (
    DataKind,
    DisclosureRequest,
)
from console.disclosures.service import (
    named_staff,
    require_unmasked_access,
    scope_evidence,
    scope_incidents,
    scope_users,
    subject,
)
from console.evidence import service as evidence_service
from console.evidence.models import Evidence
from console.files import scratch_file, write_errors
from console.incidents.models import Incident
from console.timeutil import as_utc, utcnow
from console.users.models import ServiceUser

EXPORT_LABEL = "the disclosure ZIP"


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
