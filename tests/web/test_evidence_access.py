"""Who may use the evidence routes (DESIGN.md, "Roles")."""

from __future__ import annotations

import pytest

from console.permissions import Role
from tests.access import check_access

CASEWORK = {Role.COUNSELOR, Role.SUPERVISOR}
VIEWERS = {Role.COUNSELOR, Role.SUPERVISOR, Role.AUDITOR}

ACCESS: dict[str, object] = {
    "evidence.index": VIEWERS,
    "evidence.show": VIEWERS,
    "evidence.download": VIEWERS,
    "evidence.preview": VIEWERS,
    "evidence.image": VIEWERS,
    "evidence.add_file": CASEWORK,
    "evidence.add_note": CASEWORK,
    "evidence.withdraw": CASEWORK,
    "evidence.custody_check": {Role.AUDITOR},
}


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_evidence_route_access(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, ACCESS[endpoint])
