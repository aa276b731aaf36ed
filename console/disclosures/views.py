"""Legal-disclosure pages: request, decide (fresh password), unmasked view, ZIP export,
and the auditors' list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from console import db
from console.auth.models import Staff
from console.disclosures import service
from console.disclosures.export import build_export
from console.disclosures.forms import DecisionForm, DisclosureRequestForm, ExportForm
from console.disclosures.models import DataKind, DisclosureRequest, DisclosureStatus
from console.disclosures.service import DEFAULT_VALIDITY
from console.evidence import service as evidence_service
from console.evidence.models import Evidence, EvidenceKind
from console.evidence.views import content_disposition
from console.i18n import jst
from console.permissions import Permission, audited_read, can, requires
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("disclosures", __name__, url_prefix="/disclosures")


def validity() -> timedelta:
    """How long an approval opens the records (``DISCLOSURE_VALIDITY_DAYS``, default 7)."""
    days = current_app.config.get("DISCLOSURE_VALIDITY_DAYS", 7)
    return timedelta(days=days) if isinstance(days, int) and days > 0 else DEFAULT_VALIDITY


def _visible_or_403(request_id: int) -> DisclosureRequest:
    found = get_or_404(DisclosureRequest, request_id)
    if not service.may_view(found, current_user, can_approve=can(Permission.DISCLOSURES_APPROVE)):
        abort(403)
    return found


def _staff_names(*requests: DisclosureRequest) -> dict[int, str]:
    ids = {r.requested_by_id for r in requests} | {
        r.decided_by_id for r in requests if r.decided_by_id
    }
    session = db.session()
    return {
        staff.id: staff.display_name  # type: ignore[misc]
        for staff in (session.get(Staff, staff_id) for staff_id in ids)
        if staff is not None
    }


def _common(requests: list[DisclosureRequest]) -> dict[str, Any]:
    return {
        "staff_names": _staff_names(*requests),
        "state_label": service.state_label,
        "validity_days": validity().days,
    }


@bp.route("/")
@requires(Permission.DISCLOSURES_REQUEST)
def index() -> str:
    """One's own requests; for supervisors also those awaiting a decision."""
    session = db.session()
    mine = service.list_requests(session, requested_by=current_user.id)
    pending: list[DisclosureRequest] = []
    if can(Permission.DISCLOSURES_APPROVE):
        pending = [
            found
            for found in service.list_requests(session, status=DisclosureStatus.REQUESTED.value)
            if found.requested_by_id != current_user.id
        ]
    approved_by_me = [
        found
        for found in service.list_requests(session, status=DisclosureStatus.APPROVED.value)
        if found.decided_by_id == current_user.id
    ]
    return render_template(
        "disclosures/index.html",
        mine=mine,
        pending=pending,
        approved_by_me=approved_by_me,
        **_common([*mine, *pending, *approved_by_me]),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.DISCLOSURES_REQUEST)
def create() -> Response | tuple[str, int]:
    """Record a demand from an authority; a supervisor must approve it before anything opens."""
    form = DisclosureRequestForm()
    if form.validate_on_submit():
        try:
            created = service.create_request(
                db.session(),
                actor=current_actor(),
                authority=form.authority.data,
                legal_basis=form.legal_basis.data,
                document_ref=form.document_ref.data,
                document_date=form.document_date.data,
                period_from=form.period_from.data,
                period_to=form.period_to.data,
                data_kinds=[DataKind(kind) for kind in form.data_kinds.data],
                service_users=form.service_users,
                purpose=form.purpose.data or "",
            )
        except service.DisclosureError as error:
            form.form_errors.append(str(error))
        else:
            flash(
                _("The request has been recorded. A supervisor other than you must approve it."),
                "success",
            )
            return redirect(url_for("disclosures.show", request_id=created.id))
    return render_form("disclosures/form.html", form)


def _detail_context(found: DisclosureRequest) -> dict[str, Any]:
    actor = current_actor()
    try:
        service.require_unmasked_access(found, actor)
        may_open = True
    except service.DisclosureForbiddenError:
        may_open = False
    return {
        "req": found,
        "users": service.scope_users(db.session(), found),
        "may_open": may_open,
        "may_decide": can(Permission.DISCLOSURES_APPROVE)
        and found.requested_by_id != current_user.id
        and found.status == DisclosureStatus.REQUESTED,
        **_common([found]),
    }


@bp.route("/<int:request_id>")
@requires(Permission.DISCLOSURES_REQUEST)
def show(request_id: int) -> str:
    """A request's details and state (no unmasked records on this page)."""
    found = _visible_or_403(request_id)
    return render_template(
        "disclosures/show.html", export_form=ExportForm(), **_detail_context(found)
    )


@bp.route("/<int:request_id>/decide", methods=["GET", "POST"])
@requires(Permission.DISCLOSURES_APPROVE, fresh=True)
def decide(request_id: int) -> Response | tuple[str, int]:
    """Approve or refuse with a reason, after re-entering the password (Art. 4-2)."""
    found = get_or_404(DisclosureRequest, request_id)
    if found.requested_by_id == current_user.id:
        abort(403)
    form = DecisionForm()
    if found.status == DisclosureStatus.REQUESTED and form.validate_on_submit():
        try:
            service.decide(
                db.session(),
                actor=current_actor(),
                request=found,
                approve=form.decision.data == "approve",
                reason=form.reason.data,
                validity=validity(),
            )
        except service.DisclosureForbiddenError:
            abort(403)
        except service.DisclosureError as error:
            form.form_errors.append(str(error))
        else:
            message = (
                _(
                    "The request has been approved. The records are open to the requester "
                    "and you until %(until)s.",
                    until=jst(found.expires_at),
                )
                if found.status == DisclosureStatus.APPROVED
                else _("The request has been refused.")
            )
            flash(message, "success")
            return redirect(url_for("disclosures.show", request_id=found.id))
    return render_form("disclosures/decide.html", form, **_detail_context(found))


def _open_or_403(request_id: int) -> DisclosureRequest:
    found = get_or_404(DisclosureRequest, request_id)
    try:
        service.require_unmasked_access(found, current_actor())
    except service.DisclosureForbiddenError:
        abort(403)
    return found


@bp.route("/<int:request_id>/records")
@requires(Permission.DISCLOSURES_REQUEST)
@audited_read
def records(request_id: int) -> str:
    """The approved scope, unmasked, to the named staff only, until it expires (Art. 4-2)."""
    found = _open_or_403(request_id)
    session = db.session()
    service.record_unmasked_view(session, actor=current_actor(), request=found, what="records")
    incidents = service.scope_incidents(session, found)
    users = service.scope_users(session, found)
    return render_template(
        "disclosures/records.html",
        req=found,
        users={user.id: user for user in users},
        incidents=incidents if DataKind.INCIDENTS in found.kinds else [],
        items=service.scope_evidence(session, found, incidents),
        export_form=ExportForm(),
        **_common([found]),
    )


@bp.route("/<int:request_id>/evidence/<int:evidence_id>")
@requires(Permission.DISCLOSURES_REQUEST)
@audited_read
def evidence_item(request_id: int, evidence_id: int) -> str:
    """One item of the scope unmasked; anything outside the scope is refused (403)."""
    found = _open_or_403(request_id)
    session = db.session()
    item = session.get(Evidence, evidence_id)
    if item is None:
        abort(404)
    try:
        service.require_in_scope(session, found, item)
    except service.DisclosureForbiddenError:
        abort(403)
    service.record_unmasked_view(
        session, actor=current_actor(), request=found, what="evidence", evidence_id=item.id
    )
    lines: list[str] = []
    more = False
    if item.kind in (EvidenceKind.CSV, EvidenceKind.TEXT, EvidenceKind.NOTE):
        lines, more = evidence_service.preview_lines(session, item, limit=1000)
    return render_template(
        "disclosures/evidence.html", req=found, item=item, lines=lines, more=more
    )


@bp.route("/<int:request_id>/export", methods=["POST"])
@requires(Permission.DISCLOSURES_REQUEST)
def export(request_id: int) -> Response:
    """The ZIP of the scope, unmasked, with a manifest and SHA-256 of every file."""
    found = _open_or_403(request_id)
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    built = build_export(db.session(), actor=current_actor(), request=found)

    def stream() -> Any:
        try:
            while chunk := built.file.read(evidence_service.CHUNK_SIZE):
                yield chunk
        finally:
            built.file.close()

    response = Response(stream(), mimetype="application/zip")
    response.content_length = built.size
    response.headers["Content-Disposition"] = content_disposition("attachment", built.filename)
    response.headers["Content-Security-Policy"] = "sandbox"
    response.headers["X-Export-SHA256"] = built.sha256
    return response


@bp.route("/review")
@requires(Permission.DISCLOSURES_REVIEW)
def review() -> str:
    """Auditors: every request and its state, newest first, 50 per page."""
    status = request.args.get("status", "")
    if status not in {s.value for s in DisclosureStatus}:
        status = ""
    before = request.args.get("before", type=int)
    found = service.list_requests(db.session(), status=status or None, before=before)
    next_before = found[-1].id if len(found) == service.PAGE_SIZE else None
    return render_template(
        "disclosures/review.html",
        requests=found,
        status=status,
        statuses=list(DisclosureStatus),
        next_before=next_before,
        subjects={r.id: service.scope_users(db.session(), r) for r in found},
        **_common(found),
    )


@bp.route("/review/<int:request_id>")
@requires(Permission.DISCLOSURES_REVIEW)
def review_show(request_id: int) -> str:
    """Auditors: one request with every step recorded in the trail."""
    found = get_or_404(DisclosureRequest, request_id)
    return render_template(
        "disclosures/review_show.html",
        req=found,
        users=service.scope_users(db.session(), found),
        steps=service.trail(db.session(), found),
        **_common([found]),
    )
