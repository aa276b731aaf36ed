"""What the booking system asks: may this user use each service now, and until when not."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from console.audit import Actor, Subject, record
from console.online_services import USER_SERVICES, OnlineService
from console.suspensions.models import Decision, Suspension, SuspensionService
from console.suspensions.state import Restriction, Stop, restrictions_at
from console.timeutil import as_utc
from console.users.models import ServiceUser


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
        grouped.setdefault(item.id, (item, set()))[1].add(service)  # type: ignore[arg-type]
    return [
        Stop(
            id=ident,
            kind=item.kind,
            decision=item.decision,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            cut_short_at=item.cut_short_at,
            services=frozenset(services),
        )
        for ident, (item, services) in grouped.items()
    ]


def current_restrictions(db: Session, service_user_id: int, now: datetime) -> list[Restriction]:
    """The services the user may not use at ``now``, each with until when (Art. 9-2)."""
    return restrictions_at(stops_for_user(db, service_user_id), now)


def is_suspended(db: Session, service_user_id: int, service: OnlineService, now: datetime) -> bool:
    """Whether the user is stopped from ``service`` at ``now``, from the stored times only."""
    return any(item.service == service for item in current_restrictions(db, service_user_id, now))


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
