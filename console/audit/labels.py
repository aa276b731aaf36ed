"""Japanese (and English) words for what entries contain: subject types and detail fields."""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from console.permissions import Role

SUBJECT_TYPES: dict[str, LazyString] = {
    "staff": _l("Staff account"),
    "login": _l("Login ID typed"),
    "service_user": _l("Service user"),
    "incident": _l("Incident"),
    "evidence": _l("Evidence"),
    "suspension": _l("Suspension"),
    "disclosure": _l("Disclosure"),
    "notice": _l("Notice"),
    "terms": _l("Terms version"),
    "audit_log": _l("Audit trail"),
}

FIELDS: dict[str, LazyString] = {
    "active": _l("Active"),
    "role": _l("Role"),
    "login": _l("Login ID"),
    "display_name": _l("Display name"),
    "name": _l("Name"),
    "reason": _l("Reason"),
    "status": _l("Status"),
    "state": _l("State"),
    "note": _l("Note"),
    "comment": _l("Comment"),
    "category": _l("Category"),
    "severity": _l("Severity"),
    "assignee": _l("Assigned to"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "title": _l("Title"),
    "body": _l("Text"),
    "email": _l("Email address"),
    "phone": _l("Telephone"),
    "address": _l("Address"),
    "log_id": _l("Log ID"),
    "key_fingerprint": _l("Key fingerprint"),
    "previous_fingerprint": _l("Previous key fingerprint"),
    "public_key": _l("Public key"),
    "ok": _l("Intact"),
    "count": _l("Entries"),
    "head_seq": _l("Last seq"),
    "head_hash": _l("Last hash"),
    "problem": _l("Problem found"),
    "format": _l("Format"),
    "since": _l("From"),
    "until": _l("Until"),
    "first_seq": _l("First seq"),
    "last_seq": _l("Last seq"),
    "filter": _l("Filter"),
    "sha256": _l("SHA-256"),
    "selection": _l("Picked by a filter"),
    "seq": _l("Seq"),
    "kind": _l("Kind"),
    "detail": _l("Detail"),
}


def subject_label(subject_type: str) -> str:
    known = SUBJECT_TYPES.get(subject_type)
    return str(known) if known is not None else subject_type


def field_label(name: str) -> str:
    known = FIELDS.get(name)
    return str(known) if known is not None else name


def _role_label(value: Any) -> str | None:
    try:
        return Role(value).label
    except ValueError:
        return None


# Fields whose stored codes have a label of their own (value → label, None if unknown).
VALUE_LABELS = {"role": _role_label}


def show_field_value(name: str, value: Any) -> str:
    """A detail value of field ``name`` as staff read it (codes by their label)."""
    labeller = VALUE_LABELS.get(name)
    if labeller is not None and isinstance(value, str):
        known = labeller(value)
        if known is not None:
            return known
    return show_value(value)


def show_value(value: Any) -> str:
    """A detail value as staff read it."""
    if value is None or value == "":
        return _("(none)")
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list):
        return "、".join(show_value(item) for item in value)
    if isinstance(value, dict):
        return "、".join(f"{field_label(str(k))}: {show_value(v)}" for k, v in value.items())
    return str(value)


def is_change(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"before", "after"}


def split_details(
    details: dict[str, Any],
) -> tuple[list[tuple[str, Any, Any]], str, list[tuple[str, Any]]]:
    """``(changes, reason, other)``: before/after rows, the reason, and every other field."""
    changed: list[tuple[str, Any, Any]] = []
    other: list[tuple[str, Any]] = []
    reason = ""
    for key, value in details.items():
        if key == "changes" and isinstance(value, dict):
            for name, change in value.items():
                if is_change(change):
                    changed.append((name, change["before"], change["after"]))
                else:
                    other.append((name, change))
        elif is_change(value):
            changed.append((key, value["before"], value["after"]))
        elif key == "reason" and isinstance(value, str):
            reason = value
        else:
            other.append((key, value))
    return changed, reason, other
