"""Every table, imported so ``SQLModel.metadata`` is complete for Alembic and tests."""

from console.audit.models import AuditEntry
from console.auth.models import LoginAttempt, RecoveryCode, Staff, StaffSession, StaffTotp
from console.incidents.models import Incident, IncidentCategory, IncidentComment
from console.notices.models import Notice
from console.outbox import OutboxMessage
from console.scheduler import SchedulerHeartbeat
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
    "Notice",
    "Objection",
    "OutboxMessage",
    "RecoveryCode",
    "SchedulerHeartbeat",
    "ServiceUser",
    "Staff",
    "StaffSession",
    "StaffTotp",
    "Suspension",
    "SuspensionArticle",
    "SuspensionIncident",
    "SuspensionService",
    "TermsVersion",
]
