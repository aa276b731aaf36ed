"""The rules of legal disclosure (開示請求). Art. 4-2: device identifiers and access records
are shown unmasked only when a public agency or investigative authority demands it under
law, through a request a supervisor other than the requester approved, for its scope only,
for a limited time, to the named staff only. Every step is in the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlmodel import Session, col, select, update

from console.audit import SCHEDULER, Actor, Subject, changes, record
from console.audit.models import AuditEntry
from console.auth.models import Staff
from console.disclosures.models import (
    DataKind,
    DisclosureRequest,
    DisclosureStatus,
    DisclosureSubject,
)
from console.evidence import service as evidence_service
from console.evidence.models import Evidence, EvidenceKind
from console.incidents.models import Incident
from console.timeutil import as_utc, jst_day_start, utcnow
from console.users.models import ServiceUser

DEFAULT_VALIDITY = timedelta(days=7)
PAGE_SIZE = 50

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
