"""Who may use the incident pages: counselors and supervisors log, supervisors triage,
auditors read, administrators see nothing."""

from __future__ import annotations

from tests.access import CASEWORK, CASEWORK_AND_AUDIT, SUPERVISORS

ACCESS: dict[str, object] = {
    "incidents.index": CASEWORK_AND_AUDIT,
    "incidents.show": CASEWORK_AND_AUDIT,
    "incidents.create": CASEWORK,
    "incidents.comment": CASEWORK,
    "incidents.assign": SUPERVISORS,
    "incidents.review": SUPERVISORS,
    "incidents.close": SUPERVISORS,
    "incidents.bulk_assign": SUPERVISORS,
}
