"""Who may use the suspension routes (Art. 9-2)."""

from __future__ import annotations

from tests.access import CASEWORK, CASEWORK_AND_AUDIT, SUPERVISORS

ACCESS: dict[str, object] = {
    "suspensions.index": CASEWORK_AND_AUDIT,
    "suspensions.user_history": CASEWORK_AND_AUDIT,
    "suspensions.show": CASEWORK_AND_AUDIT,
    "suspensions.notice": CASEWORK_AND_AUDIT,
    "suspensions.propose": CASEWORK,
    "suspensions.withdraw": CASEWORK,
    "suspensions.record_objection": CASEWORK,
    "suspensions.notice_printed": CASEWORK,
    "suspensions.decide": SUPERVISORS,
    "suspensions.lift": SUPERVISORS,
    "suspensions.reconsider": SUPERVISORS,
    "suspensions_api.status": CASEWORK_AND_AUDIT,
}
