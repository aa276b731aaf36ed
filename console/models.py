"""Every table, imported so ``SQLModel.metadata`` is complete for Alembic and tests."""

from console.audit.models import AuditEntry
from console.auth.models import LoginAttempt, Staff, StaffSession
from console.disclosures.models import DisclosureRequest, DisclosureSubject
from console.evidence.models import Evidence, EvidenceChunk
from console.incidents.models import Incident, IncidentCategory, IncidentComment
from console.users.models import Enrolment, ServiceUser, TermsVersion

__all__ = [
    "AuditEntry",
    "DisclosureRequest",
    "DisclosureSubject",
    "Enrolment",
    "Evidence",
    "EvidenceChunk",
    "Incident",
    "IncidentCategory",
    "IncidentComment",
    "LoginAttempt",
    "ServiceUser",
    "Staff",
    "StaffSession",
    "TermsVersion",
]
