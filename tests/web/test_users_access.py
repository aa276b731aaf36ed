"""Who may use the service-user pages: casework roles and auditors (read only); never admins."""

from __future__ import annotations

import pytest

from console.permissions import Role
from tests.access import check_access

READERS = {Role.COUNSELOR, Role.SUPERVISOR, Role.AUDITOR}
EDITORS = {Role.COUNSELOR, Role.SUPERVISOR}

ACCESS: dict[str, object] = {
    "users.index": READERS,
    "users.show": READERS,
    "users.create": EDITORS,
    "users.edit": EDITORS,
}


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_users_route_access(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, ACCESS[endpoint])
