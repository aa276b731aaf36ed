"""Every table, imported so ``SQLModel.metadata`` is complete for Alembic and tests."""

from console.audit.models import AuditCheckpoint, AuditEntry
from console.auth.models import LoginAttempt, Staff, StaffSession
from console.incidents.models import Incident, IncidentCategory, IncidentComment
from console.users.models import Enrolment, ServiceUser, TermsVersion

__all__ = [
    "AuditCheckpoint",
    "AuditEntry",
    "Enrolment",
    "Incident",
    "IncidentCategory",
    "IncidentComment",
    "LoginAttempt",
    "ServiceUser",
    "Staff",
    "StaffSession",
    "TermsVersion",
]
