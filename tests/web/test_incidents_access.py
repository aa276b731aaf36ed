"""Who may use the incident pages: counselors and supervisors log, supervisors triage,
auditors read, administrators see nothing."""

from __future__ import annotations

import pytest

from console.permissions import Role
from tests.access import check_access

READERS = {Role.COUNSELOR, Role.SUPERVISOR, Role.AUDITOR}
LOGGERS = {Role.COUNSELOR, Role.SUPERVISOR}
TRIAGE = {Role.SUPERVISOR}

ACCESS: dict[str, object] = {
    "incidents.index": READERS,
    "incidents.show": READERS,
    "incidents.create": LOGGERS,
    "incidents.comment": LOGGERS,
    "incidents.assign": TRIAGE,
    "incidents.review": TRIAGE,
    "incidents.close": TRIAGE,
    "incidents.bulk_assign": TRIAGE,
}


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_incidents_route_access(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, ACCESS[endpoint])
