"""Who may use the legal-disclosure routes (DESIGN.md, "Roles"; Art. 4-2)."""

from __future__ import annotations

import pytest

from console.permissions import Role
from tests.access import check_access

CASEWORK = {Role.COUNSELOR, Role.SUPERVISOR}

ACCESS: dict[str, object] = {
    "disclosures.index": CASEWORK,
    "disclosures.create": CASEWORK,
    "disclosures.show": CASEWORK,
    "disclosures.records": CASEWORK,
    "disclosures.evidence_item": CASEWORK,
    "disclosures.export": CASEWORK,
    "disclosures.decide": {Role.SUPERVISOR},
    "disclosures.review": {Role.AUDITOR},
    "disclosures.review_show": {Role.AUDITOR},
}


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_disclosure_route_access(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, ACCESS[endpoint])
