"""Every action the trail may record, with its Japanese and English label, in one place."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

ACTIONS: dict[str, LazyString] = {
    # The trail itself
    "audit.genesis": _l("Audit trail started"),
    "audit.key_rotated": _l("Checkpoint signing key changed"),
    "audit.verified": _l("Audit trail verified"),
    "audit.exported": _l("Audit trail exported"),
    # Staff accounts and sign-in
    "auth.login": _l("Signed in"),
    "auth.login_failed": _l("Sign-in failed"),
    "auth.logout": _l("Signed out"),
    "auth.reauthenticated": _l("Password re-entered"),
    "auth.totp_enrolled": _l("Authenticator registered"),
    "auth.recovery_code_used": _l("Recovery code used"),
    "staff.created": _l("Staff account created"),
    "staff.role_changed": _l("Staff role changed"),
    "staff.disabled": _l("Staff account disabled"),
    "staff.enabled": _l("Staff account enabled"),
    "staff.password_changed": _l("Password changed"),
    "staff.totp_reset": _l("Authenticator reset"),
    "staff.api_token_created": _l("API token created"),
    "staff.api_token_revoked": _l("API token revoked"),
    # Service users (Art. 1, Art. 6) and terms versions (Art. 10)
    "service_user.created": _l("Service user registered"),
    "service_user.updated": _l("Service user record changed"),
    "service_user.viewed": _l("Service user record viewed"),
    "service_user.imported": _l("Service user imported"),
    "terms.version_added": _l("Terms version added"),
    # Incidents (Art. 7 and Art. 3, 4-3, 6-2)
    "incident.logged": _l("Incident logged"),
    "incident.updated": _l("Incident changed"),
    "incident.assigned": _l("Reviewer assigned"),
    "incident.status_changed": _l("Incident status changed"),
    "incident.closed": _l("Incident closed"),
    "incident.commented": _l("Comment added"),
    # Evidence and legal disclosure (Art. 4-1, 4-2)
    "evidence.added": _l("Evidence added"),
    "evidence.viewed": _l("Evidence viewed"),
    "evidence.downloaded": _l("Evidence downloaded"),
    "evidence.withdrawn": _l("Evidence withdrawn"),
    "evidence.verified": _l("Evidence hashes checked"),
    "disclosure.requested": _l("Disclosure requested"),
    "disclosure.approved": _l("Disclosure approved"),
    "disclosure.refused": _l("Disclosure refused"),
    "disclosure.unmasked_viewed": _l("Unmasked records viewed"),
    "disclosure.exported": _l("Disclosure exported"),
    "disclosure.expired": _l("Disclosure expired"),
    # Suspensions (Art. 9-2)
    "suspension.proposed": _l("Suspension proposed"),
    "suspension.amended": _l("Suspension amended"),
    "suspension.approved": _l("Suspension approved"),
    "suspension.rejected": _l("Suspension rejected"),
    "suspension.withdrawn": _l("Suspension proposal withdrawn"),
    "suspension.started": _l("Suspension started"),
    "suspension.ended": _l("Suspension ended"),
    "suspension.lifted": _l("Suspension lifted early"),
    "suspension.reinstated": _l("Service user reinstated"),
    "suspension.objection_recorded": _l("Objection recorded"),
    "suspension.reconsidered": _l("Suspension reconsidered"),
    "suspension.notice_printed": _l("Decision notice printed"),
    "suspension.status_checked": _l("Service status checked"),
    # Notices (Art. 9-1, Art. 8-6, Art. 10)
    "notice.drafted": _l("Notice drafted"),
    "notice.updated": _l("Notice changed"),
    "notice.published": _l("Notice published"),
    "notice.extended": _l("Notice extended"),
    "notice.ended": _l("Notice ended early"),
    "notice.cancelled": _l("Notice cancelled"),
    "notice.went_live": _l("Outage began"),
    "notice.finished": _l("Outage ended"),
}


def label(action: str) -> str:
    """The label of ``action`` in the current language (the action itself if unknown)."""
    known = ACTIONS.get(action)
    return str(known) if known is not None else action
