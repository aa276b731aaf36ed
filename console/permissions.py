"""Deny by default: the roles, what each may do, and how a view declares what it needs.

``@requires(Permission.X)`` only labels a view; the ``before_request`` hook of
``console.auth.permissions`` refuses any request whose view carries no label, so a
route that forgot to declare one is unreachable rather than open (DESIGN.md, "Roles").
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


class Role(StrEnum):
    COUNSELOR = "counselor"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.COUNSELOR: _l("Counselor"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}


class Permission(StrEnum):
    PUBLIC = "public"  # no login: the login page, public notices, static files
    SIGNED_IN = "signed_in"  # any staff member: dashboard, own password, logout
    USERS_VIEW = "users.view"
    USERS_EDIT = "users.edit"
    INCIDENTS_VIEW = "incidents.view"
    INCIDENTS_LOG = "incidents.log"  # log, comment, attach evidence
    INCIDENTS_TRIAGE = "incidents.triage"  # assign, review, close
    SUSPENSIONS_VIEW = "suspensions.view"
    SUSPENSIONS_PROPOSE = "suspensions.propose"
    SUSPENSIONS_DECIDE = "suspensions.decide"  # decide (never own proposal), lift
    NOTICES_VIEW = "notices.view"
    NOTICES_MANAGE = "notices.manage"  # draft, schedule, cancel, end
    DISCLOSURES_REQUEST = "disclosures.request"
    DISCLOSURES_APPROVE = "disclosures.approve"  # never own request
    DISCLOSURES_REVIEW = "disclosures.review"  # auditors' list of every request
    AUDIT_READ = "audit.read"  # search, verify
    AUDIT_EXPORT = "audit.export"
    STAFF_VIEW = "staff.view"
    STAFF_MANAGE = "staff.manage"


_CASEWORK = {
    Permission.USERS_VIEW,
    Permission.USERS_EDIT,
    Permission.INCIDENTS_VIEW,
    Permission.INCIDENTS_LOG,
    Permission.SUSPENSIONS_VIEW,
    Permission.SUSPENSIONS_PROPOSE,
    Permission.DISCLOSURES_REQUEST,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COUNSELOR: frozenset(_CASEWORK),
    Role.SUPERVISOR: frozenset(
        _CASEWORK
        | {
            Permission.INCIDENTS_TRIAGE,
            Permission.SUSPENSIONS_DECIDE,
            Permission.NOTICES_VIEW,
            Permission.NOTICES_MANAGE,
            Permission.DISCLOSURES_APPROVE,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            Permission.USERS_VIEW,
            Permission.INCIDENTS_VIEW,
            Permission.SUSPENSIONS_VIEW,
            Permission.NOTICES_VIEW,
            Permission.DISCLOSURES_REVIEW,
            Permission.AUDIT_READ,
            Permission.AUDIT_EXPORT,
            Permission.STAFF_VIEW,
        }
    ),
    Role.ADMIN: frozenset({Permission.STAFF_VIEW, Permission.STAFF_MANAGE}),
}

# Endpoints Flask itself adds; they serve files and declare nothing.
UNDECLARED_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def requires(permission: Permission, *, fresh: bool = False) -> Callable[[ViewFunc], ViewFunc]:
    """Declare the permission a view needs; ``fresh`` also asks for a login in the last 10 min."""

    def label(view: ViewFunc) -> ViewFunc:
        view.required_permission = permission  # type: ignore[attr-defined]
        view.requires_fresh_login = fresh  # type: ignore[attr-defined]
        return view

    return label


def audited_read(view: ViewFunc) -> ViewFunc:
    """Mark a GET view that writes an audit entry (Art. 6), so its transaction is a writer."""
    view.audited_read = True  # type: ignore[attr-defined]
    return view


def public(view: ViewFunc) -> ViewFunc:
    """Declare a view that needs no login."""
    return requires(Permission.PUBLIC)(view)


def role_may(role: Role | str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission``."""
    if permission is Permission.PUBLIC:
        return True
    if permission is Permission.SIGNED_IN:
        return True
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())


def can(permission: Permission | str) -> bool:
    """Whether the signed-in staff member holds ``permission`` (used by templates too)."""
    if not current_user.is_authenticated:
        return False
    return role_may(current_user.role, Permission(permission))


def declared_permission(endpoint: str | None) -> Permission | None:
    """The permission the view behind ``endpoint`` declares, or None."""
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "required_permission", None)
