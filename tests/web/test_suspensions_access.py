"""Who may use the suspension routes (Art. 9-2; DESIGN.md "Roles")."""

from __future__ import annotations

import pytest

from console.permissions import Role
from tests.access import check_access

CASEWORK = {Role.COUNSELOR, Role.SUPERVISOR}
VIEWERS = {Role.COUNSELOR, Role.SUPERVISOR, Role.AUDITOR}
DECIDERS = {Role.SUPERVISOR}

ACCESS: dict[str, object] = {
    "suspensions.index": VIEWERS,
    "suspensions.user_history": VIEWERS,
    "suspensions.show": VIEWERS,
    "suspensions.notice": VIEWERS,
    "suspensions.propose": CASEWORK,
    "suspensions.withdraw": CASEWORK,
    "suspensions.record_objection": CASEWORK,
    "suspensions.notice_printed": CASEWORK,
    "suspensions.decide": DECIDERS,
    "suspensions.lift": DECIDERS,
    "suspensions.reconsider": DECIDERS,
    "suspensions_api.status": VIEWERS,
}


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_suspension_route_access(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, ACCESS[endpoint])
