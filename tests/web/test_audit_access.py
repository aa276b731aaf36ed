"""Who may use the audit trail's pages: auditors only (DESIGN.md, "Roles")."""

from __future__ import annotations

import pytest

from console.permissions import Role
from tests.access import check_access

ACCESS: dict[str, object] = {
    "audit.search": {Role.AUDITOR},
    "audit.entry": {Role.AUDITOR},
    "audit.subject": {Role.AUDITOR},
    "audit.verify_page": {Role.AUDITOR},
    "audit.verify_now": {Role.AUDITOR},
    "audit.export_csv": {Role.AUDITOR},
}


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_audit_route_access(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, ACCESS[endpoint])


def test_every_audit_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {name for name in endpoints if name.startswith("audit.")} == set(ACCESS)
