"""Who may use the notice pages: supervisors manage, auditors read, the public reads its pages."""

from __future__ import annotations

import pytest

from console.permissions import Role
from tests.access import PUBLIC, check_access

READERS = {Role.SUPERVISOR, Role.AUDITOR}
MANAGERS = {Role.SUPERVISOR}

ACCESS: dict[str, object] = {
    "notice_admin.index": READERS,
    "notice_admin.show": READERS,
    "notice_admin.create": MANAGERS,
    "notice_admin.edit": MANAGERS,
    "notice_admin.publish": MANAGERS,
    "notice_admin.extend": MANAGERS,
    "notice_admin.end_now": MANAGERS,
    "notice_admin.cancel": MANAGERS,
    "notices.index": PUBLIC,
    "notices.as_json": PUBLIC,
    "notices.as_atom": PUBLIC,
    "notices.banner": PUBLIC,
    "notices.terms": PUBLIC,
}


@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_notice_route_access(app, make_staff, endpoint):
    check_access(app, make_staff, endpoint, ACCESS[endpoint])
