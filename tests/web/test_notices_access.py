"""Who may use the notice pages: supervisors manage, auditors read, the public reads its pages."""

from __future__ import annotations

from tests.access import AUDITORS, PUBLIC, SUPERVISORS

ACCESS: dict[str, object] = {
    "notice_admin.index": SUPERVISORS | AUDITORS,
    "notice_admin.show": SUPERVISORS | AUDITORS,
    "notice_admin.create": SUPERVISORS,
    "notice_admin.edit": SUPERVISORS,
    "notice_admin.publish": SUPERVISORS,
    "notice_admin.extend": SUPERVISORS,
    "notice_admin.end_now": SUPERVISORS,
    "notice_admin.cancel": SUPERVISORS,
    "notices.index": PUBLIC,
    "notices.as_json": PUBLIC,
    "notices.as_atom": PUBLIC,
    "notices.banner": PUBLIC,
    "notices.terms": PUBLIC,
}
