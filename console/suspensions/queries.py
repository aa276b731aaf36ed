"""Reading suspensions: what one cites and stops, a user's history, lists and the show page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from console.audit import Subject
from console.auth.service import staff_names
from console.incidents.models import Incident, IncidentCategory, Outcome
from console.suspensions.models import (
    Decision,
    Objection,
    Suspension,
    SuspensionArticle,
    SuspensionIncident,
    SuspensionService,
)
from console.suspensions.rules import ALL_SERVICE_VALUES
from console.suspensions.state import State, state_at
from console.terms import BY_CODE, Category
from console.users.models import ServiceUser


def subject(item: Suspension) -> Subject:
    """How the trail names a suspension."""
    return Subject.of("suspension", item.id)


def services_of(db: Session, suspension_id: int) -> list[str]:
    """The services a suspension stops, in the office's order."""
    rows = set(
        db.exec(
            select(SuspensionService.service).where(
                SuspensionService.suspension_id == suspension_id
            )
        )
    )
    return [value for value in ALL_SERVICE_VALUES if value in rows]


def articles_of(db: Session, suspension_id: int) -> list[str]:
    """The article codes a suspension cites, in the order of the terms."""
    rows = set(
        db.exec(
            select(SuspensionArticle.code).where(SuspensionArticle.suspension_id == suspension_id)
        )
    )
    return [code for code in BY_CODE if code in rows]


def incidents_of(db: Session, suspension_id: int) -> list[Incident]:
    """The incidents a suspension cites."""
    return list(
        db.exec(
            select(Incident)
            .join(SuspensionIncident, col(SuspensionIncident.incident_id) == Incident.id)
            .where(SuspensionIncident.suspension_id == suspension_id)
            .order_by(col(Incident.occurred_at))
        )
    )


def snapshot(db: Session, item: Suspension) -> dict[str, Any]:
    """What the trail records as before/after of a suspension."""
    return {
        "kind": item.kind,
        "decision": item.decision,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "all_services": item.all_services,
        "services": services_of(db, item.id),  # type: ignore[arg-type]
        "cut_short_at": item.cut_short_at,
        "cut_short_kind": item.cut_short_kind,
    }


def user_history(db: Session, service_user_id: int) -> list[Suspension]:
    """Every suspension of a user, newest proposal first."""
    return list(
        db.exec(
            select(Suspension)
            .where(Suspension.service_user_id == service_user_id)
            .order_by(col(Suspension.proposed_at).desc(), col(Suspension.id).desc())
        )
    )


def objections_of(db: Session, suspension_id: int) -> list[Objection]:
    """The objections against a suspension, oldest first."""
    return list(
        db.exec(
            select(Objection)
            .where(Objection.suspension_id == suspension_id)
            .order_by(col(Objection.id))
        )
    )


def user_incidents(db: Session, service_user_id: int) -> list[Incident]:
    """The incidents of a user that can be cited (not those logged in error)."""
    return list(
        db.exec(
            select(Incident)
            .where(
                Incident.service_user_id == service_user_id,
                or_(
                    col(Incident.outcome).is_(None),
                    Incident.outcome != Outcome.LOGGED_IN_ERROR.value,
                ),
            )
            .order_by(col(Incident.occurred_at).desc())
        )
    )


def incident_articles(db: Session, incident_ids: Iterable[int]) -> list[str]:
    """The article codes of the incidents' categories, in the order of the terms."""
    ids = list(incident_ids)
    if not ids:
        return []
    codes = set(
        db.exec(select(IncidentCategory.code).where(col(IncidentCategory.incident_id).in_(ids)))
    )
    return [code for code in BY_CODE if code in codes]


# --- The show page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Detail:
    """Everything the pages of one suspension show (show, decide, reconsider, notice)."""

    item: Suspension
    service_user: ServiceUser | None
    state: State
    services: list[str]
    articles: list[Category]
    incidents: list[Incident]
    objections: list[Objection]
    names: dict[int, str]  # staff id → display name, for everyone named on the page

    def as_context(self) -> dict[str, Any]:
        """The detail as template variables."""
        return {field: getattr(self, field) for field in self.__dataclass_fields__}


def detail(db: Session, item: Suspension, now: datetime) -> Detail:
    """One suspension with its state at ``now``, citations, objections and the staff named."""
    ident: int = item.id  # type: ignore[assignment]
    objections = objections_of(db, ident)
    return Detail(
        item=item,
        service_user=db.get(ServiceUser, item.service_user_id),
        state=state_at(item, now),
        services=services_of(db, ident),
        articles=[BY_CODE[code] for code in articles_of(db, ident)],
        incidents=incidents_of(db, ident),
        objections=objections,
        names=staff_names(
            db,
            [
                item.proposed_by_id,
                item.decided_by_id,
                item.cut_short_by_id,
                *(o.recorded_by_id for o in objections),
                *(o.reconsidered_by_id for o in objections),
            ],
        ),
    )


# --- Lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    state: str = "current"  # current | active | scheduled | pending | ended | all
    service: str = ""
    kind: str = ""
    reference: str = ""


def _state_condition(state: str, now: datetime) -> Any:
    approved = Suspension.decision == Decision.APPROVED.value
    not_cut = or_(
        col(Suspension.cut_short_at).is_(None),
        col(Suspension.cut_short_at) > Suspension.starts_at,
    )
    live_end = and_(
        or_(col(Suspension.ends_at).is_(None), col(Suspension.ends_at) > now),
        or_(col(Suspension.cut_short_at).is_(None), col(Suspension.cut_short_at) > now),
    )
    if state == "active":
        return and_(approved, not_cut, Suspension.starts_at <= now, live_end)
    if state == "scheduled":
        return and_(approved, not_cut, Suspension.starts_at > now)
    if state == "current":
        return and_(approved, not_cut, live_end)
    if state == "pending":
        return Suspension.decision == Decision.PENDING.value
    if state == "ended":
        return and_(approved, ~live_end)
    return None


def search(
    db: Session, *, filters: Filters, now: datetime, page: int = 1, per_page: int = 25
) -> tuple[list[tuple[Suspension, ServiceUser]], int]:
    """Suspensions matching the filters, newest start first, and how many there are."""
    query = select(Suspension, ServiceUser).join(
        ServiceUser, col(ServiceUser.id) == Suspension.service_user_id
    )
    condition = _state_condition(filters.state, now)
    if condition is not None:
        query = query.where(condition)
    if filters.service:
        query = query.where(
            col(Suspension.id).in_(
                select(SuspensionService.suspension_id).where(
                    SuspensionService.service == filters.service
                )
            )
        )
    if filters.kind:
        query = query.where(Suspension.kind == filters.kind)
    if filters.reference:
        query = query.where(
            col(ServiceUser.reference_no).contains(filters.reference, autoescape=True)
        )
    total = db.exec(select(func.count()).select_from(query.subquery())).one()
    rows = db.exec(
        query.order_by(col(Suspension.starts_at).desc(), col(Suspension.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return [(item, user) for item, user in rows], total


def pending_proposals(db: Session, limit: int = 10) -> list[tuple[Suspension, ServiceUser]]:
    """Proposals awaiting decision, oldest first (the supervisors' dashboard panel)."""
    rows = db.exec(
        select(Suspension, ServiceUser)
        .join(ServiceUser, col(ServiceUser.id) == Suspension.service_user_id)
        .where(Suspension.decision == Decision.PENDING.value)
        .order_by(col(Suspension.proposed_at))
        .limit(limit)
    )
    return [(item, user) for item, user in rows]


def count_pending(db: Session) -> int:
    """How many proposals await a decision."""
    return db.exec(select(func.count()).where(Suspension.decision == Decision.PENDING.value)).one()
