"""Who may use the audit trail's pages: auditors only."""

from __future__ import annotations

from tests.access import AUDITORS

ACCESS: dict[str, object] = {
    "audit.search": AUDITORS,
    "audit.entry": AUDITORS,
    "audit.subject": AUDITORS,
    "audit.verify_page": AUDITORS,
    "audit.verify_now": AUDITORS,
    "audit.export_csv": AUDITORS,
}


def test_every_audit_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {name for name in endpoints if name.startswith("audit.")} == set(ACCESS)
