"""Who may use the service-user pages: casework roles and auditors (read only); never admins."""

from __future__ import annotations

from tests.access import CASEWORK, CASEWORK_AND_AUDIT

ACCESS: dict[str, object] = {
    "users.index": CASEWORK_AND_AUDIT,
    "users.show": CASEWORK_AND_AUDIT,
    "users.create": CASEWORK,
    "users.edit": CASEWORK,
}
