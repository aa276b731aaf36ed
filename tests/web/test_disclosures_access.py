"""Who may use the legal-disclosure routes (Art. 4-2)."""

from __future__ import annotations

from tests.access import AUDITORS, CASEWORK, SUPERVISORS

ACCESS: dict[str, object] = {
    "disclosures.index": CASEWORK,
    "disclosures.create": CASEWORK,
    "disclosures.show": CASEWORK,
    "disclosures.records": CASEWORK,
    "disclosures.evidence_item": CASEWORK,
    "disclosures.export": CASEWORK,
    "disclosures.decide": SUPERVISORS,
    "disclosures.review": AUDITORS,
    "disclosures.review_show": AUDITORS,
}
