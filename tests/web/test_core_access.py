"""Who may use the foundation's routes: sign-in, dashboard, staff administration."""

from __future__ import annotations

from console.permissions import Role
from tests.access import ALL_ROLES, PUBLIC

ACCESS: dict[str, object] = {
    "dashboard.root": PUBLIC,
    "dashboard.index": ALL_ROLES,
    "auth.login": PUBLIC,
    "two_factor.verify": PUBLIC,
    "two_factor.setup": PUBLIC,
    "auth.switch_language": PUBLIC,
    "auth.logout": ALL_ROLES,
    "auth.reauthenticate": ALL_ROLES,
    "auth.change_password": ALL_ROLES,
    "staff.index": {Role.ADMIN, Role.AUDITOR},
    "staff.show": {Role.ADMIN, Role.AUDITOR},
    "staff.create": {Role.ADMIN},
    "staff.change_role": {Role.ADMIN},
    "staff.toggle_active": {Role.ADMIN},
    "staff.reset_totp": {Role.ADMIN},
}
