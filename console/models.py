"""Every table, imported so ``SQLModel.metadata`` is complete for Alembic and tests."""

from console.audit.models import AuditCheckpoint, AuditEntry
from console.auth.models import LoginAttempt, RecoveryCode, Staff, StaffSession, StaffTotp
from console.auth.tokens import ApiToken
from console.disclosures.models import DisclosureRequest, DisclosureSubject
from console.evidence.models import Evidence, EvidenceChunk
from console.incidents.models import Incident, IncidentCategory, IncidentComment
from console.notices.models import Notice
from console.outbox import OutboxMessage
from console.scheduler import SchedulerHeartbeat, SweepRun
from console.suspensions.models import (
    Objection,
    Suspension,
    SuspensionArticle,
    SuspensionIncident,
    SuspensionService,
)
from console.users.models import Enrolment, ServiceUser, TermsVersion

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
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
    "SweepRun",
    "TermsVersion",
]
