"""The rules about incidents (Art. 7, and Art. 3, 4-3, 6-2): logging, comments, triage.

Every change writes one audit entry with before/after. Incidents are never deleted: a
mistaken one is closed with the outcome "logged in error" and a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, exists, or_
from sqlmodel import Session, col, select

from console.audit import Actor, Subject, changes, record
from console.auth.models import Staff
from console.incidents.models import (
    Incident,
    IncidentCategory,
    IncidentComment,
    IncidentStatus,
    Outcome,
    Severity,
)
from console.online_services import USER_SERVICES, OnlineService
from console.permissions import Role
from console.terms import BY_CODE
from console.timeutil import jst_day_start, utcnow
from console.users.models import ServiceUser
from console.users.service import terms_in_force

DESCRIPTION_MAX = 4000
DAMAGE_MAX = 2000
COMMENT_MAX = 4000
REASON_MAX = 2000
BULK_LIMIT = 100
QUEUE_PAGE = 25


class IncidentError(ValueError):
    """A change the rules refuse; the message is shown to staff."""


def _subject(incident: Incident) -> Subject:
    return Subject.of("incident", incident.id)


def categories_of(db: Session, incident: Incident) -> list[str]:
    """The category codes of ``incident``, in the order of the terms."""
    codes = set(
        db.exec(
            select(IncidentCategory.code).where(IncidentCategory.incident_id == incident.id)
        ).all()
    )
    return [code for code in BY_CODE if code in codes]


def snapshot(incident: Incident) -> dict[str, Any]:
    """The audited fields of ``incident``."""
    return {
        "status": incident.status,
        "reviewer_id": incident.reviewer_id,
        "outcome": incident.outcome,
        "outcome_reason": incident.outcome_reason,
    }


def terms_for_conduct(db: Session, occurred_at: datetime) -> Any:
    """Art. 10: the version of the terms in force when the conduct happened."""
    version = terms_in_force(db, occurred_at)
    if version is None:
        raise IncidentError(_("No version of the terms was in force at that time."))
    return version


def log_incident(
    db: Session,
    *,
    actor: Actor,
    service_user: ServiceUser,
    service: OnlineService,
    occurred_at: datetime,
    categories: list[str],
    severity: Severity,
    description: str,
    meeting_id: str = "",
    damage: str = "",
) -> Incident:
    """Log conduct under Art. 7 (and 3, 4-3, 6-2) against one service user.

    The conduct must be in the past; the terms version in force at that moment is
    recorded (Art. 10); damage caused is optional (Art. 11).
    """
    if occurred_at > utcnow():
        raise IncidentError(_("The time of the conduct cannot be in the future."))
    chosen = sorted(set(categories))
    if not chosen or any(code not in BY_CODE for code in chosen):
        raise IncidentError(_("Choose one or more articles from the list."))
    if OnlineService(service) not in USER_SERVICES:
        raise IncidentError(_("Choose one of the services."))
    description = description.strip()
    if not description or len(description) > DESCRIPTION_MAX:
        raise IncidentError(_("Describe what happened (up to 4000 characters)."))
    terms = terms_for_conduct(db, occurred_at)
    incident = Incident(
        service_user_id=service_user.id,
        service=OnlineService(service).value,
        occurred_at=occurred_at,
        meeting_id=meeting_id.strip(),
        terms_version_id=terms.id,
        description=description,
        severity=Severity(severity).value,
        damage=damage.strip()[:DAMAGE_MAX],
        logged_by_id=actor.id,
    )
    db.add(incident)
    db.flush()
    for code in chosen:
        db.add(IncidentCategory(incident_id=incident.id, code=code))
    db.flush()
    record(
        db,
        actor,
        "incident.logged",
        _subject(incident),
        {
            "after": {
                **snapshot(incident),
                "service_user_id": service_user.id,
                "service": incident.service,
                "occurred_at": occurred_at,
                "categories": chosen,
                "severity": incident.severity,
                "terms_version_id": terms.id,
                "meeting_id": incident.meeting_id,
                "description_length": len(description),
                "damage_recorded": bool(incident.damage),
            }
        },
    )
    return incident


def add_comment(
    db: Session,
    *,
    actor: Actor,
    incident: Incident,
    body: str,
    corrects: IncidentComment | None = None,
) -> IncidentComment:
    """Add a comment; comments are never edited, a correction names the comment it corrects."""
    body = body.strip()
    if not body or len(body) > COMMENT_MAX:
        raise IncidentError(_("Write a comment of up to 4000 characters."))
    if corrects is not None and corrects.incident_id != incident.id:
        raise IncidentError(_("A correction must refer to a comment on this incident."))
    comment = IncidentComment(
        incident_id=incident.id,
        author_id=actor.id,
        body=body,
        corrects_id=corrects.id if corrects else None,
    )
    db.add(comment)
    db.flush()
    record(
        db,
        actor,
        "incident.commented",
        _subject(incident),
        {
            "after": {"comment_id": comment.id, "corrects_id": comment.corrects_id},
            "length": len(body),
        },
    )
    return comment


def reviewers(db: Session) -> list[Staff]:
    """Active staff who may triage incidents (supervisors)."""
    return list(
        db.exec(
            select(Staff)
            .where(Staff.active == True, Staff.role == Role.SUPERVISOR.value)  # noqa: E712
            .order_by(col(Staff.display_name))
        ).all()
    )


def _refuse_closed(incident: Incident) -> None:
    if incident.status == IncidentStatus.CLOSED.value:
        raise IncidentError(_("Incident %(id)s is already closed.", id=incident.id))


def _change(db: Session, actor: Actor, action: str, incident: Incident, before: dict) -> None:
    incident.updated_at = utcnow()
    db.add(incident)
    db.flush()
    record(db, actor, action, _subject(incident), changes(before, snapshot(incident)))


def assign_reviewer(db: Session, *, actor: Actor, incident: Incident, reviewer: Staff) -> bool:
    """Make ``reviewer`` (a supervisor) responsible for the incident. False if already so."""
    _refuse_closed(incident)
    if not reviewer.active or reviewer.role != Role.SUPERVISOR.value:
        raise IncidentError(_("Only an active supervisor can review incidents."))
    if incident.reviewer_id == reviewer.id:
        return False
    before = snapshot(incident)
    incident.reviewer_id = reviewer.id
    _change(db, actor, "incident.assigned", incident, before)
    return True


def bulk_assign(
    db: Session, *, actor: Actor, incidents: list[Incident], reviewer: Staff
) -> tuple[int, list[int]]:
    """Assign up to 100 incidents at once, each audited; returns (assigned, skipped ids)."""
    if not incidents:
        raise IncidentError(_("Select at least one incident."))
    if len(incidents) > BULK_LIMIT:
        raise IncidentError(_("Select at most 100 incidents at once."))
    assigned, skipped = 0, []
    for incident in incidents:
        if incident.status == IncidentStatus.CLOSED.value:
            skipped.append(incident.id)
            continue
        assigned += assign_reviewer(db, actor=actor, incident=incident, reviewer=reviewer)
    return assigned, skipped


def start_review(db: Session, *, actor: Actor, incident: Incident) -> None:
    """Open → under review; the supervisor becomes the reviewer if nobody is assigned."""
    if incident.status != IncidentStatus.OPEN.value:
        raise IncidentError(_("Only an open incident can be taken under review."))
    before = snapshot(incident)
    incident.status = IncidentStatus.UNDER_REVIEW.value
    if incident.reviewer_id is None:
        incident.reviewer_id = actor.id
    _change(db, actor, "incident.status_changed", incident, before)


def close_incident(
    db: Session, *, actor: Actor, incident: Incident, outcome: Outcome, reason: str
) -> None:
    """Close with an outcome and a required reason; a mistaken incident is closed as
    "logged in error", never deleted."""
    _refuse_closed(incident)
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise IncidentError(_("Give the reason for the outcome (up to 2000 characters)."))
    before = snapshot(incident)
    incident.status = IncidentStatus.CLOSED.value
    incident.outcome = Outcome(outcome).value
    incident.outcome_reason = reason
    incident.closed_at = utcnow()
    if incident.reviewer_id is None:
        incident.reviewer_id = actor.id
    _change(db, actor, "incident.closed", incident, before)


def incidents_of(db: Session, *, user: ServiceUser) -> list[Incident]:
    """Every incident of ``user``, newest conduct first."""
    return list(
        db.exec(
            select(Incident)
            .where(Incident.service_user_id == user.id)
            .order_by(col(Incident.occurred_at).desc(), col(Incident.id).desc())
        ).all()
    )


def comments_of(db: Session, incident: Incident) -> list[IncidentComment]:
    """The comments of ``incident``, oldest first."""
    return list(
        db.exec(
            select(IncidentComment)
            .where(IncidentComment.incident_id == incident.id)
            .order_by(col(IncidentComment.id))
        ).all()
    )


def staff_names(db: Session) -> dict[int, str]:
    """Staff id → display name, for showing who did what."""
    return {staff.id: staff.display_name for staff in db.exec(select(Staff)) if staff.id}


# --- The queue -------------------------------------------------------------------------

SEVERITY_RANK = case(
    (col(Incident.severity) == Severity.HIGH.value, 3),
    (col(Incident.severity) == Severity.MEDIUM.value, 2),
    else_=1,
)
SORTS: dict[str, tuple[Any, bool]] = {
    # name: (expression, descending)
    "newest": (col(Incident.created_at), True),
    "oldest": (col(Incident.created_at), False),
    "occurred": (col(Incident.occurred_at), True),
    "severity": (SEVERITY_RANK, True),
}
ACTIVE = "active"  # open or under review: the default of the queue
UNASSIGNED = "none"


@dataclass
class QueueFilter:
    status: str = ACTIVE
    category: str = ""
    severity: str = ""
    service: str = ""
    reviewer: str = ""  # a staff id, "none" for unassigned, "" for anyone
    date_from: date | None = None
    date_to: date | None = None
    service_user_id: int | None = None
    logged_by_id: int | None = None


@dataclass
class QueuePage:
    incidents: list[Incident]
    next_after: int | None
    categories: dict[int, list[str]] = field(default_factory=dict)
    users: dict[int, ServiceUser] = field(default_factory=dict)


def _filtered(statement: Any, chosen: QueueFilter) -> Any:
    if chosen.status == ACTIVE:
        statement = statement.where(col(Incident.status) != IncidentStatus.CLOSED.value)
    elif chosen.status:
        statement = statement.where(Incident.status == chosen.status)
    if chosen.category:
        statement = statement.where(
            exists().where(
                IncidentCategory.incident_id == Incident.id,
                IncidentCategory.code == chosen.category,
            )
        )
    if chosen.severity:
        statement = statement.where(Incident.severity == chosen.severity)
    if chosen.service:
        statement = statement.where(Incident.service == chosen.service)
    if chosen.reviewer == UNASSIGNED:
        statement = statement.where(col(Incident.reviewer_id).is_(None))
    elif chosen.reviewer:
        statement = statement.where(Incident.reviewer_id == int(chosen.reviewer))
    if chosen.date_from:
        statement = statement.where(Incident.occurred_at >= jst_day_start(chosen.date_from))
    if chosen.date_to:
        next_day = date.fromordinal(chosen.date_to.toordinal() + 1)
        statement = statement.where(Incident.occurred_at < jst_day_start(next_day))
    if chosen.service_user_id:
        statement = statement.where(Incident.service_user_id == chosen.service_user_id)
    if chosen.logged_by_id:
        statement = statement.where(Incident.logged_by_id == chosen.logged_by_id)
    return statement


def queue(
    db: Session,
    *,
    chosen: QueueFilter,
    sort: str = "newest",
    after: int | None = None,
    limit: int = QUEUE_PAGE,
) -> QueuePage:
    """Incidents matching ``chosen``, sorted, by keyset: ``after`` is the last id shown."""
    expression, descending = SORTS.get(sort, SORTS["newest"])
    statement = _filtered(select(Incident), chosen)
    if after is not None:
        value = db.exec(select(expression).where(Incident.id == after)).first()
        if value is not None:
            if descending:
                statement = statement.where(
                    or_(expression < value, (expression == value) & (col(Incident.id) < after))
                )
            else:
                statement = statement.where(
                    or_(expression > value, (expression == value) & (col(Incident.id) > after))
                )
    order = (
        (expression.desc(), col(Incident.id).desc())
        if descending
        else (
            expression.asc(),
            col(Incident.id).asc(),
        )
    )
    rows = list(db.exec(statement.order_by(*order).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return _with_details(db, QueuePage(rows, rows[-1].id if more and rows else None))


def _with_details(db: Session, page: QueuePage) -> QueuePage:
    ids = [incident.id for incident in page.incidents]
    if not ids:
        return page
    for incident_id, code in db.exec(
        select(IncidentCategory.incident_id, IncidentCategory.code).where(
            col(IncidentCategory.incident_id).in_(ids)
        )
    ):
        page.categories.setdefault(incident_id, []).append(code)
    order = list(BY_CODE)
    for codes in page.categories.values():
        codes.sort(key=order.index)
    user_ids = {incident.service_user_id for incident in page.incidents}
    page.users = {
        user.id: user
        for user in db.exec(select(ServiceUser).where(col(ServiceUser.id).in_(user_ids)))
    }
    return page


def my_open_incidents(db: Session, *, staff_id: int, limit: int = 10) -> QueuePage:
    """Incidents ``staff_id`` logged that are not closed yet."""
    return queue(db, chosen=QueueFilter(logged_by_id=staff_id), limit=limit)


def awaiting_action(db: Session, *, staff_id: int, limit: int = 10) -> QueuePage:
    """Incidents waiting for ``staff_id``: ones they review, and ones about the service users
    they are the counselor of that someone else logged."""
    mine = select(ServiceUser.id).where(ServiceUser.assigned_counselor_id == staff_id)
    statement = (
        select(Incident)
        .where(
            col(Incident.status) != IncidentStatus.CLOSED.value,
            or_(
                Incident.reviewer_id == staff_id,
                col(Incident.service_user_id).in_(mine) & (Incident.logged_by_id != staff_id),
            ),
        )
        .order_by(col(Incident.created_at).desc(), col(Incident.id).desc())
        .limit(limit)
    )
    return _with_details(db, QueuePage(list(db.exec(statement).all()), None))


def unassigned(db: Session, *, limit: int = 10) -> QueuePage:
    """Incidents not closed that no supervisor reviews yet."""
    return queue(db, chosen=QueueFilter(reviewer=UNASSIGNED), sort="oldest", limit=limit)
