"""Every table, imported so ``SQLModel.metadata`` is complete for Alembic and tests."""

from console.audit.models import AuditEntry
from console.auth.models import LoginAttempt, RecoveryCode, Staff, StaffSession, StaffTotp
from console.incidents.models import Incident, IncidentCategory, IncidentComment
from console.users.models import Enrolment, ServiceUser, TermsVersion

__all__ = [
    "AuditEntry",
    "Enrolment",
    "Incident",
    "IncidentCategory",
    "IncidentComment",
    "LoginAttempt",
    "RecoveryCode",
    "ServiceUser",
    "Staff",
    "StaffSession",
    "StaffTotp",
    "TermsVersion",
]
