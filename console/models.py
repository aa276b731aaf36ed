"""Every table, imported so ``SQLModel.metadata`` is complete for Alembic and tests."""

from console.audit.models import AuditEntry
from console.auth.models import LoginAttempt, Staff, StaffSession
from console.incidents.models import Incident, IncidentCategory, IncidentComment
from console.suspensions.models import (
    ApiToken,
    Objection,
    Suspension,
    SuspensionArticle,
    SuspensionIncident,
    SuspensionService,
)
from console.users.models import Enrolment, ServiceUser, TermsVersion

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Enrolment",
    "Incident",
    "IncidentCategory",
    "IncidentComment",
    "LoginAttempt",
    "Objection",
    "ServiceUser",
    "Staff",
    "StaffSession",
    "Suspension",
    "SuspensionArticle",
    "SuspensionIncident",
    "SuspensionService",
    "TermsVersion",
]
