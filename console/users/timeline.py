"""How audit details read on a service user's timeline: field names and values in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from console.audit.actions import label
from console.navigation import value_label
from console.online_services import SERVICE_LABELS, OnlineService
from console.terms import BY_CODE

FIELD_LABELS = {
    "reference_no": _l("Reference number"),
    "name_kanji": _l("Name"),
    "name_kana": _l("Name in kana"),
    "birth_date": _l("Date of birth"),
    "registration_route": _l("Registration route"),
    "terms_version_id": _l("Terms version agreed to"),
    "terms_agreed_at": _l("Date the terms were agreed"),
    "counseling_eligible": _l("Eligible for individual counseling"),
    "assigned_counselor_id": _l("Assigned counselor"),
    "services": _l("Enrolled services"),
    "status": _l("Status"),
    "reviewer_id": _l("Reviewer"),
    "outcome": _l("Outcome"),
    "outcome_reason": _l("Reason for the outcome"),
    "categories": _l("Articles of the terms"),
    "severity": _l("Severity"),
    "service": _l("Service"),
    "comment_id": _l("Comment"),
    "corrects_id": _l("Corrects comment"),
}
SYSTEM_ACTORS = {
    "system:cli": _l("Command line (system)"),
    "system:scheduler": _l("Scheduler (system)"),
}


def actor_label(login: str, actor_id: int | None, staff_names: dict[int, str]) -> str:
    """Who did it: the staff member's name, or the system part that acted."""
    if actor_id is not None and actor_id in staff_names:
        return staff_names[actor_id]
    known = SYSTEM_ACTORS.get(login)
    return str(known) if known is not None else login


def action_label(action: str) -> str:
    """The action in words, from the one list of actions (console/audit/actions.py)."""
    return label(action)


# Shown for a creation ("after" only): the few fields that say what it was.
CREATION_FIELDS = ("reference_no", "service", "categories", "severity", "corrects_id")
STAFF_FIELDS = {"reviewer_id", "assigned_counselor_id"}


def service_label(code: str) -> str:
    """The label of a service code (the code itself if unknown)."""
    try:
        return str(SERVICE_LABELS[OnlineService(code)])
    except ValueError:
        return code


def _value(name: str, value: Any, staff_names: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes")) if value else str(_l("No"))
    if name in STAFF_FIELDS and isinstance(value, int):
        return staff_names.get(value, f"#{value}")
    if isinstance(value, list):
        return "、".join(_value(name, item, staff_names) for item in value) or "—"
    if name in ("service", "services"):
        return service_label(str(value))
    if name == "categories" and value in BY_CODE:
        return BY_CODE[value].title
    known = value_label(current_app, value) if isinstance(value, str) else None
    return known if known is not None else str(value)


def timeline_changes(
    details: dict[str, Any], staff_names: dict[int, str]
) -> list[tuple[str, str | None, str]]:
    """``(field, before, after)`` rows for one entry; ``before`` is None for a creation."""
    rows: list[tuple[str, str | None, str]] = []
    after = details.get("after")
    if isinstance(after, dict):
        for name in CREATION_FIELDS:
            if after.get(name) not in (None, "", []):
                rows.append((str(FIELD_LABELS[name]), None, _value(name, after[name], staff_names)))
        return rows
    for name, change in details.items():
        if isinstance(change, dict) and set(change) == {"before", "after"}:
            label = str(FIELD_LABELS.get(name, name))
            before = _value(name, change["before"], staff_names)
            rows.append((label, before, _value(name, change["after"], staff_names)))
    return rows


def _staff_in(details: dict[str, Any]) -> list[Any]:
    """The values of the staff fields of one entry's details (a creation or its changes)."""
    after = details.get("after")
    if isinstance(after, dict):
        return [after.get(name) for name in STAFF_FIELDS]
    return [
        change.get(edge)
        for name, change in details.items()
        if name in STAFF_FIELDS and isinstance(change, dict)
        for edge in ("before", "after")
    ]


def timeline_staff_ids(entries: Sequence[Any]) -> set[int]:
    """Everyone a timeline names: who acted, and the staff a change points at."""
    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    for entry in entries:
        ids.update(value for value in _staff_in(entry.details) if isinstance(value, int))
    return ids
