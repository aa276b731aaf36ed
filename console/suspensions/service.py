"""Every rule of Art. 9-2 suspensions and every change, audited; views, CLI and sweep call these.

Art. 9-2: "if the office judges that a user breached these terms, it may terminate
the agreement with that user and stop their use of the services". The console adds
what a public office owes the person: four eyes, reasons, citations, exact times,
a written notice and a reconsideration by someone who took no part.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from console import outbox
from console.audit import SCHEDULER, Actor, Subject, changes, record
from console.auth.models import Staff
from console.auth.permissions import Permission, role_may
from console.incidents.models import Incident, IncidentCategory, Outcome
from console.online_services import USER_SERVICES, OnlineService
from console.suspensions.models import (
    ApiToken,
    Channel,
    Decision,
    EndKind,
    Kind,
    Objection,
    Suspension,
    SuspensionArticle,
    SuspensionIncident,
    SuspensionService,
)
from console.suspensions.models import Outcome as Reconsideration
from console.suspensions.state import (
    Restriction,
    State,
    Stop,
    effective_end,
    restrictions_at,
    state_at,
)
from console.terms import BY_CODE
from console.timeutil import as_utc, to_jst, utcnow
from console.users.models import ServiceUser

MIN_REASON = 20  # characters, in the staff's own words
ALL_SERVICE_VALUES = tuple(service.value for service in USER_SERVICES)


class SuspensionError(ValueError):
    """A change the rules refuse; the message says what to do and is shown to staff."""


def _subject(item: Suspension) -> Subject:
    return Subject.of("suspension", item.id)


def _lock(db: Session, row: Any) -> None:
    """Re-read ``row`` under a row lock, so two staff acting at once cannot both change it."""
    db.refresh(row, with_for_update=True)


# --- Reading ---------------------------------------------------------------------------


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


def stops_for_user(db: Session, service_user_id: int) -> list[Stop]:
    """Every decided suspension of a user with its services, for the status rule."""
    rows = db.exec(
        select(Suspension, SuspensionService.service)
        .join(SuspensionService, col(SuspensionService.suspension_id) == Suspension.id)
        .where(
            Suspension.service_user_id == service_user_id,
            Suspension.decision == Decision.APPROVED.value,
        )
    )
    grouped: dict[int, tuple[Suspension, set[str]]] = {}
    for item, service in rows:
        grouped.setdefault(item.id, (item, set()))[1].add(service)
    return [
        Stop(
            id=item.id,  # type: ignore[arg-type]
            kind=item.kind,
            decision=item.decision,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            cut_short_at=item.cut_short_at,
            services=frozenset(services),
        )
        for item, services in grouped.values()
    ]


def current_restrictions(db: Session, service_user_id: int, now: datetime) -> list[Restriction]:
    """The services the user may not use at ``now``, each with until when (Art. 9-2)."""
    return restrictions_at(stops_for_user(db, service_user_id), now)


def is_suspended(db: Session, service_user_id: int, service: OnlineService, now: datetime) -> bool:
    """Whether the user is stopped from ``service`` at ``now``, from the stored times only."""
    return any(item.service == service for item in current_restrictions(db, service_user_id, now))


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


# --- Proposal --------------------------------------------------------------------------


def _check_period(kind: Kind, starts_at: datetime, ends_at: datetime | None) -> None:
    if kind is Kind.STOP:
        if ends_at is None:
            raise SuspensionError(_("A temporary stop needs an end date and time."))
        if as_utc(ends_at) <= as_utc(starts_at):
            raise SuspensionError(_("The end must be after the start."))
    elif ends_at is not None:
        raise SuspensionError(_("A termination has no end: leave the end empty."))


def _check_services(all_services: bool, services: Sequence[str]) -> list[str]:
    if all_services:
        return list(ALL_SERVICE_VALUES)
    chosen = [value for value in ALL_SERVICE_VALUES if value in set(services)]
    unknown = set(services) - set(ALL_SERVICE_VALUES)
    if unknown or not chosen:
        raise SuspensionError(_("Choose all services or at least one service."))
    return chosen


def propose(
    db: Session,
    *,
    actor: Actor,
    service_user: ServiceUser,
    incident_ids: Sequence[int],
    article_codes: Sequence[str],
    kind: Kind,
    starts_at: datetime,
    ends_at: datetime | None,
    all_services: bool,
    services: Sequence[str],
    reason: str,
) -> Suspension:
    """Art. 9-2: propose a suspension citing incidents of THIS user and the articles breached."""
    kind = Kind(kind)
    _check_period(kind, starts_at, ends_at)
    chosen = _check_services(all_services, services)
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise SuspensionError(
            _("Write the reason in at least %(count)d characters.", count=MIN_REASON)
        )
    ids = sorted(set(incident_ids))
    if not ids:
        raise SuspensionError(_("Cite at least one incident of this user."))
    owned = set(
        db.exec(
            select(Incident.id).where(
                col(Incident.id).in_(ids), Incident.service_user_id == service_user.id
            )
        )
    )
    if owned != set(ids):
        raise SuspensionError(_("Only incidents of this service user can be cited."))
    codes = [code for code in BY_CODE if code in set(article_codes)] or incident_articles(db, ids)
    if set(article_codes) - set(BY_CODE):
        raise SuspensionError(_("An unknown article was cited."))
    if not codes:
        raise SuspensionError(_("Cite at least one article of the terms that was breached."))
    item = Suspension(
        service_user_id=service_user.id,  # type: ignore[arg-type]
        kind=kind.value,
        all_services=all_services,
        starts_at=starts_at,
        ends_at=ends_at,
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
        _subject(item),
        {
            "service_user_id": service_user.id,
            "incidents": ids,
            "articles": codes,
            "changes": changes({}, snapshot(db, item)),
            "reason": reason,
        },
    )
    return item


def withdraw(db: Session, *, actor: Actor, item: Suspension, reason: str = "") -> None:
    """Only the proposer withdraws, and only while the proposal awaits a decision."""
    _lock(db, item)
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
        _subject(item),
        {"changes": changes(before, snapshot(db, item)), "reason": reason},
    )


# --- Decision (four eyes) --------------------------------------------------------------


def may_decide(staff: Staff, item: Suspension) -> bool:
    """Art. 9-2 four eyes: a supervisor, never the proposer, decides a pending proposal."""
    return (
        role_may(staff.role, Permission.SUSPENSIONS_DECIDE)
        and staff.id != item.proposed_by_id
        and item.decision == Decision.PENDING
    )


@dataclass(frozen=True)
class Amendment:
    starts_at: datetime
    ends_at: datetime | None
    kind: Kind
    all_services: bool
    services: Sequence[str]


def _check_amendment(db: Session, item: Suspension, amendment: Amendment) -> list[str]:
    """Art. 9-2: an amendment may only make the suspension shorter or narrower."""
    _check_period(amendment.kind, amendment.starts_at, amendment.ends_at)
    chosen = _check_services(amendment.all_services, amendment.services)
    if not set(chosen) <= set(services_of(db, item.id)):  # type: ignore[arg-type]
        raise SuspensionError(_("An amendment may only remove services, not add them."))
    if item.kind == Kind.STOP and amendment.kind is Kind.TERMINATION:
        raise SuspensionError(_("An amendment cannot turn a temporary stop into a termination."))
    if as_utc(amendment.starts_at) < as_utc(item.starts_at):
        raise SuspensionError(_("An amendment may start later, not earlier."))
    if (
        item.ends_at is not None
        and amendment.ends_at is not None
        and as_utc(amendment.ends_at) > as_utc(item.ends_at)
    ):
        raise SuspensionError(_("An amendment may end earlier, not later."))
    return chosen


def decide(
    db: Session,
    *,
    actor: Actor,
    item: Suspension,
    decision: str,
    reason: str,
    amendment: Amendment | None = None,
) -> None:
    """Approve, amend or reject (Art. 9-2); refused to the proposer even if the page is bypassed."""
    _lock(db, item)
    if item.decision != Decision.PENDING:
        raise SuspensionError(_("This proposal has already been decided or withdrawn."))
    if actor.id is None or actor.id == item.proposed_by_id:
        raise SuspensionError(_("You proposed this suspension: another supervisor must decide it."))
    reason = reason.strip()
    if decision in ("amend", "reject") and len(reason) < 10:
        raise SuspensionError(_("Write the reason for this decision in at least 10 characters."))
    now = utcnow()
    before = snapshot(db, item)
    action = "suspension.approved"
    if decision == "reject":
        item.decision = Decision.REJECTED.value
        action = "suspension.rejected"
    elif decision in ("approve", "amend"):
        if decision == "amend":
            if amendment is None:
                raise SuspensionError(_("Enter the amended period or services."))
            _apply_amendment(db, item, amendment)
            action = "suspension.amended"
        item.decision = Decision.APPROVED.value
        # A suspension never takes effect before it is decided.
        if as_utc(item.starts_at) < now:
            item.starts_at = now
            if item.ends_at is not None and as_utc(item.ends_at) <= now:
                raise SuspensionError(
                    _("The end has already passed: amend the period or reject the proposal.")
                )
    else:
        raise SuspensionError(_("Choose approve, amend or reject."))
    item.decided_by_id = actor.id
    item.decided_at = now
    item.decision_reason = reason
    item.updated_at = now
    db.add(item)
    db.flush()
    record(
        db,
        actor,
        action,
        _subject(item),
        {"changes": changes(before, snapshot(db, item)), "reason": reason},
    )


def _apply_amendment(db: Session, item: Suspension, amendment: Amendment) -> None:
    chosen = _check_amendment(db, item, amendment)
    unchanged = (
        as_utc(amendment.starts_at) == as_utc(item.starts_at)
        and (amendment.ends_at and as_utc(amendment.ends_at))
        == (item.ends_at and as_utc(item.ends_at))
        and amendment.kind.value == item.kind
        and chosen == services_of(db, item.id)  # type: ignore[arg-type]
    )
    if unchanged:
        raise SuspensionError(_("Nothing was changed: choose approve, or change the proposal."))
    item.starts_at = amendment.starts_at
    item.ends_at = amendment.ends_at
    item.kind = amendment.kind.value
    item.all_services = amendment.all_services
    item.amended = True
    for row in db.exec(select(SuspensionService).where(SuspensionService.suspension_id == item.id)):
        if row.service not in chosen:
            db.delete(row)
    db.flush()


# --- Early end: lift and reinstate -----------------------------------------------------


def cut_short(db: Session, *, actor: Actor, item: Suspension, reason: str) -> None:
    """Art. 9-2: a supervisor lifts a stop early or reinstates a terminated user, with a reason."""
    _lock(db, item)
    now = utcnow()
    state = state_at(item, now)
    if state not in (State.ACTIVE, State.SCHEDULED):
        raise SuspensionError(_("Only a suspension in force or scheduled can be lifted."))
    reason = reason.strip()
    if len(reason) < 10:
        raise SuspensionError(_("Write the reason in at least 10 characters."))
    before = snapshot(db, item)
    kind = EndKind.REINSTATED if item.kind == Kind.TERMINATION else EndKind.LIFTED
    _end_now(item, actor, kind, reason, now)
    db.add(item)
    db.flush()
    record(
        db,
        actor,
        "suspension.reinstated" if kind is EndKind.REINSTATED else "suspension.lifted",
        _subject(item),
        {"changes": changes(before, snapshot(db, item)), "reason": reason},
    )


def _end_now(item: Suspension, actor: Actor, kind: EndKind, reason: str, now: datetime) -> None:
    item.cut_short_at = now
    item.cut_short_kind = kind.value
    item.cut_short_by_id = actor.id
    item.cut_short_reason = reason
    item.updated_at = now


# --- Objection and reconsideration (異議申立て) -------------------------------------------


def record_objection(
    db: Session,
    *,
    actor: Actor,
    item: Suspension,
    received_on: date,
    channel: Channel,
    text: str,
) -> Objection:
    """Record an objection received from the user against a decided suspension."""
    if item.decision != Decision.APPROVED:
        raise SuspensionError(_("An objection can only be recorded against a decided suspension."))
    today = to_jst(utcnow()).date()
    if received_on > today:
        raise SuspensionError(_("The date received cannot be in the future."))
    if item.decided_at is not None and received_on < to_jst(item.decided_at).date():
        raise SuspensionError(_("The date received cannot be before the decision."))
    if len(text.strip()) < 5:
        raise SuspensionError(_("Write what the user objected to."))
    objection = Objection(
        suspension_id=item.id,  # type: ignore[arg-type]
        received_on=received_on,
        channel=Channel(channel).value,
        text=text.strip(),
        recorded_by_id=actor.id,  # type: ignore[arg-type]
    )
    db.add(objection)
    db.flush()
    record(
        db,
        actor,
        "suspension.objection_recorded",
        _subject(item),
        {
            "objection_id": objection.id,
            "changes": changes(
                {},
                {"received_on": received_on, "channel": objection.channel, "open": True},
            ),
        },
    )
    return objection


def may_reconsider(staff_id: int | None, item: Suspension) -> bool:
    """Reconsideration is by someone who took no part: neither proposer nor decider."""
    return staff_id is not None and staff_id not in (item.proposed_by_id, item.decided_by_id)


def reconsider(
    db: Session,
    *,
    actor: Actor,
    objection: Objection,
    outcome: Reconsideration,
    reason: str,
    new_end: datetime | None = None,
) -> None:
    """Uphold, shorten or revoke on an objection; only by a supervisor who took no part."""
    item = db.get(Suspension, objection.suspension_id)
    assert item is not None
    _lock(db, item)
    _lock(db, objection)
    if objection.outcome is not None:
        raise SuspensionError(_("This objection has already been reconsidered."))
    if not may_reconsider(actor.id, item):
        raise SuspensionError(
            _("You took part in this decision: a supervisor who did not must reconsider it.")
        )
    reason = reason.strip()
    if len(reason) < 10:
        raise SuspensionError(_("Write the reason in at least 10 characters."))
    now = utcnow()
    before = snapshot(db, item)
    outcome = Reconsideration(outcome)
    if outcome is Reconsideration.SHORTEN:
        _shorten(item, new_end, now)
    elif outcome is Reconsideration.REVOKE:
        if state_at(item, now) not in (State.ACTIVE, State.SCHEDULED):
            raise SuspensionError(
                _("The suspension is no longer in force: uphold it, with the reason, instead.")
            )
        _end_now(item, actor, EndKind.REVOKED, reason, now)
    objection.outcome = outcome.value
    objection.reconsidered_by_id = actor.id
    objection.reconsidered_at = now
    objection.reconsideration_reason = reason
    item.updated_at = now
    db.add(objection)
    db.add(item)
    db.flush()
    record(
        db,
        actor,
        "suspension.reconsidered",
        _subject(item),
        {
            "objection_id": objection.id,
            "outcome": outcome.value,
            "changes": changes(before, snapshot(db, item)),
            "reason": reason,
        },
    )


def _shorten(item: Suspension, new_end: datetime | None, now: datetime) -> None:
    if item.kind != Kind.STOP or item.ends_at is None:
        raise SuspensionError(
            _("A termination cannot be shortened: revoke it or uphold it instead.")
        )
    if new_end is None:
        raise SuspensionError(_("Enter the new end date and time."))
    if state_at(item, now) not in (State.ACTIVE, State.SCHEDULED):
        raise SuspensionError(_("The stop has already ended: it cannot be shortened."))
    if as_utc(new_end) >= as_utc(item.ends_at):
        raise SuspensionError(_("The new end must be earlier than the current end."))
    if as_utc(new_end) <= max(as_utc(item.starts_at), now):
        raise SuspensionError(
            _("The new end must be after the start and in the future; to end it now, revoke it.")
        )
    item.ends_at = new_end


# --- Decision notice -------------------------------------------------------------------


def notice_digest(html: str) -> str:
    """SHA-256 of the rendered notice, as recorded in the trail."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def record_notice_printed(db: Session, *, actor: Actor, item: Suspension, html: str) -> str:
    """Record that the decision notice was printed, with the hash of exactly what was printed."""
    if item.decision != Decision.APPROVED:
        raise SuspensionError(_("A notice can only be printed for a decided suspension."))
    digest = notice_digest(html)
    record(
        db,
        actor,
        "suspension.notice_printed",
        _subject(item),
        {"sha256": digest, "service_user_id": item.service_user_id, "changes": {}},
    )
    return digest


# --- The status check (what the booking system asks) -------------------------------------


def status_document(db: Session, service_user: ServiceUser, now: datetime) -> dict[str, Any]:
    """Per service: may the user use it now, and if not until when (None: until reinstated)."""
    blocked = {item.service: item for item in current_restrictions(db, service_user.id, now)}  # type: ignore[arg-type]
    services = {}
    for service in USER_SERVICES:
        item = blocked.get(service)
        services[service.value] = {
            "allowed": item is None,
            "until": None if item is None or item.until is None else _iso(item.until),
            "termination": bool(item and item.termination),
            "suspension_ids": list(item.suspension_ids) if item else [],
        }
    return {
        "reference_no": service_user.reference_no,
        "checked_at": _iso(now),
        "services": services,
    }


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def check_status(
    db: Session, *, actor: Actor, service_user: ServiceUser, now: datetime
) -> dict[str, Any]:
    """The status document, with the check itself in the trail (Art. 6)."""
    document = status_document(db, service_user, now)
    record(
        db,
        actor,
        "suspension.status_checked",
        Subject.of("service_user", service_user.id),
        {
            "blocked": sorted(
                name for name, value in document["services"].items() if not value["allowed"]
            )
        },
    )
    return document


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
    return db.exec(select(func.count()).where(Suspension.decision == Decision.PENDING.value)).one()


# --- Scheduler: record each start and end exactly once ------------------------------------


def sweep_transitions(db: Session, now: datetime) -> int:
    """Claim each start and end once (``UPDATE … WHERE …_logged_at IS NULL``) and record it.

    The claim is one UPDATE, so two sweeps running at once never both record a row:
    the second waits on the first's row locks (or SQLite's write lock) and then finds
    the column already set. Entries are written as ``system:scheduler`` with the time
    each transition really happened, not the time the sweep noticed it.
    """
    approved = Suspension.decision == Decision.APPROVED.value
    started = _claim(
        db,
        "started_logged_at",
        now,
        approved,
        col(Suspension.started_logged_at).is_(None),
        Suspension.starts_at <= now,
    )
    ended = _claim(
        db,
        "ended_logged_at",
        now,
        approved,
        col(Suspension.ended_logged_at).is_(None),
        or_(col(Suspension.ends_at) <= now, col(Suspension.cut_short_at) <= now),
    )
    recorded = 0
    for item in started:
        if state_at(item, now) is not State.CANCELLED:
            _record_transition(db, item, "suspension.started", item.starts_at)
            recorded += 1
    for item in ended:
        end = effective_end(item)
        if state_at(item, now) is not State.CANCELLED and end is not None:
            _record_transition(db, item, "suspension.ended", end)
            recorded += 1
    return recorded


def _claim(db: Session, column: str, now: datetime, *conditions: Any) -> list[Suspension]:
    claimed = db.execute(
        update(Suspension)
        .where(*conditions)
        .values({column: now})
        .returning(col(Suspension.id))
        .execution_options(synchronize_session=False)
    )
    ids = sorted(row[0] for row in claimed)
    if not ids:
        return []
    return list(
        db.exec(select(Suspension).where(col(Suspension.id).in_(ids)).order_by(col(Suspension.id)))
    )


def _record_transition(db: Session, item: Suspension, action: str, happened_at: datetime) -> None:
    """The trail entry, and the outbox message the booking system will receive (issue 8)."""
    details = {
        "happened_at": happened_at,
        "service_user_id": item.service_user_id,
        "services": services_of(db, item.id),  # type: ignore[arg-type]
        "cut_short_kind": item.cut_short_kind,
    }
    record(db, SCHEDULER, action, _subject(item), details)
    user = db.get(ServiceUser, item.service_user_id)
    payload = {
        **details,
        "suspension_id": item.id,
        "reference_no": user.reference_no if user else None,
    }
    outbox.enqueue(db, action, f"{action}:{item.id}", payload)


# --- API tokens --------------------------------------------------------------------------


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Session, *, actor: Actor, staff: Staff, label: str = "") -> str:
    """A new token for the status API; only its hash is stored, the token is shown once."""
    if not role_may(staff.role, Permission.SUSPENSIONS_VIEW):
        raise SuspensionError(_("This staff member's role may not check suspensions."))
    token = "hwsc_" + secrets.token_urlsafe(32)
    row = ApiToken(staff_id=staff.id, token_hash=_token_digest(token), label=label[:100])  # type: ignore[arg-type]
    db.add(row)
    db.flush()
    record(
        db,
        actor,
        "staff.api_token_created",
        Subject.of("staff", staff.id),
        {"token_id": row.id, "label": row.label},
    )
    return token


def revoke_token(db: Session, *, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token at once."""
    row = db.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        raise SuspensionError(_("No such active token."))
    row.revoked_at = utcnow()
    db.add(row)
    db.flush()
    record(
        db,
        actor,
        "staff.api_token_revoked",
        Subject.of("staff", row.staff_id),
        {"token_id": row.id},
    )
    return row


def staff_for_token(db: Session, token: str) -> Staff | None:
    """The active staff member a valid, unrevoked token belongs to."""
    if not token or len(token) > 200:
        return None
    row = db.exec(select(ApiToken).where(ApiToken.token_hash == _token_digest(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    staff = db.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    return staff
