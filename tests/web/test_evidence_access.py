"""Who may use the evidence routes."""

from __future__ import annotations

from tests.access import AUDITORS, CASEWORK, CASEWORK_AND_AUDIT

ACCESS: dict[str, object] = {
    "evidence.index": CASEWORK_AND_AUDIT,
    "evidence.show": CASEWORK_AND_AUDIT,
    "evidence.download": CASEWORK_AND_AUDIT,
    "evidence.preview": CASEWORK_AND_AUDIT,
    "evidence.image": CASEWORK_AND_AUDIT,
    "evidence.add_file": CASEWORK,
    "evidence.add_note": CASEWORK,
    "evidence.withdraw": CASEWORK,
    "evidence.custody_check": AUDITORS,
}
