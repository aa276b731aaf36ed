"""Art. 9-2: a suspension is proposed citing the user's incidents, or withdrawn by its proposer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlmodel import Session, col, select

from console.audit import Actor, changes, record
from console.incidents.models import Incident
from console.suspensions.models import (
    Decision,
    Kind,
    Suspension,
    SuspensionArticle,
    SuspensionIncident,
    SuspensionService,
)
from console.suspensions.queries import incident_articles, snapshot, subject
from console.suspensions.rules import (
    MIN_PROPOSAL_REASON,
    SuspensionError,
    check_period,
    check_reason,
    check_services,
    lock,
)
from console.terms import BY_CODE
from console.timeutil import utcnow
from console.users.models import ServiceUser


@dataclass(frozen=True)
class ProposalInput:
    """What a staff member proposes (``ProposalForm.proposal_input`` builds it)."""

    service_user: ServiceUser
    incident_ids: Sequence[int]
    kind: Kind
    starts_at: datetime
    ends_at: datetime | None
    reason: str
    all_services: bool = False
    services: Sequence[str] = ()
    article_codes: Sequence[str] = field(default=())  # empty: those of the incidents


def _cited_incidents(db: Session, data: ProposalInput) -> list[int]:
    """The incident ids cited, each of them this user's."""
    ids = sorted(set(data.incident_ids))
    if not ids:
        raise SuspensionError(_("Cite at least one incident of this user."))
    owned = set(
        db.exec(
            select(Incident.id).where(
                col(Incident.id).in_(ids), Incident.service_user_id == data.service_user.id
            )
        )
    )
    if owned != set(ids):
        raise SuspensionError(_("Only incidents of this service user can be cited."))
    return ids


def _cited_articles(db: Session, data: ProposalInput, incident_ids: list[int]) -> list[str]:
    """The article codes cited, in the order of the terms; by default the incidents' own."""
    chosen = set(data.article_codes)
    codes = [code for code in BY_CODE if code in chosen] or incident_articles(db, incident_ids)
    if chosen - set(BY_CODE):
        raise SuspensionError(_("An unknown article was cited."))
    if not codes:
        raise SuspensionError(_("Cite at least one article of the terms that was breached."))
    return codes


def propose(db: Session, *, actor: Actor, data: ProposalInput) -> Suspension:
    """Art. 9-2: propose a suspension citing incidents of THIS user and the articles breached."""
    kind = Kind(data.kind)
    check_period(kind, data.starts_at, data.ends_at)
    chosen = check_services(data.all_services, data.services)
    reason = check_reason(data.reason, MIN_PROPOSAL_REASON)
    ids = _cited_incidents(db, data)
    codes = _cited_articles(db, data, ids)
    item = Suspension(
        service_user_id=data.service_user.id,  # type: ignore[arg-type]
        kind=kind.value,
        all_services=data.all_services,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        reason=reason,
        proposed_by_id=actor.id,  # type: ignore[arg-type]
    )
    db.add(item)
    db.flush()
    db.add_all(SuspensionService(suspension_id=item.id, service=value) for value in chosen)
    db.add_all(SuspensionIncident(suspension_id=item.id, incident_id=ident) for ident in ids)
    db.add_all(SuspensionArticle(suspension_id=item.id, code=code) for code in codes)
    db.flush()
    record(
        db,
        actor,
        "suspension.proposed",
        subject(item),
        {
            "service_user_id": data.service_user.id,
            "incidents": ids,
            "articles": codes,
            "changes": changes({}, snapshot(db, item)),
            "reason": reason,
        },
    )
    return item


def withdraw(db: Session, *, actor: Actor, item: Suspension, reason: str = "") -> None:
    """Only the proposer withdraws, and only while the proposal awaits a decision."""
    lock(db, item)
    if item.decision != Decision.PENDING:
        raise SuspensionError(_("Only a proposal awaiting decision can be withdrawn."))
    if actor.id != item.proposed_by_id:
        raise SuspensionError(_("Only the person who proposed it can withdraw a proposal."))
    before = snapshot(db, item)
    item.decision = Decision.WITHDRAWN.value
    item.withdrawn_at = utcnow()
    item.updated_at = utcnow()
    db.add(item)
    db.flush()
    record(
        db,
        actor,
        "suspension.withdrawn",
        subject(item),
        {"changes": changes(before, snapshot(db, item)), "reason": reason},
    )
