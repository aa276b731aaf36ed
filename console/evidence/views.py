"""Evidence pages: list and attach per incident, item page, download, image preview,
withdrawal, and the auditors' custody check."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from console import db
from console.auth.models import Staff
from console.evidence import service
from console.evidence.forms import FileEvidenceForm, NoteEvidenceForm, WithdrawForm
from console.evidence.models import Evidence, EvidenceKind
from console.incidents.models import Incident
from console.permissions import Permission, audited_read, requires
from console.users.models import ServiceUser
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("evidence", __name__)

DOWNLOAD_CSP = "sandbox"
VIEW_MODES = {"page": _l("item page"), "preview": _l("image preview"), "image": _l("image")}


def human_size(size: int | None) -> str:
    """``69 バイト``, ``12.3 KB``, ``48.0 MB``: sizes as staff read them."""
    size = size or 0
    if size < 1024:
        return _("%(n)s bytes", n=f"{size:,}")
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if size < scale * 1024 or unit == "GB":
            return f"{size / scale:,.1f} {unit}"
    return str(size)  # pragma: no cover


def view_mode_label(mode: str) -> str:
    """How an item was looked at, for the custody list."""
    known = VIEW_MODES.get(mode)
    return str(known) if known is not None else mode


def incident_url(incident_id: int) -> str | None:
    """The incident page, once the incidents feature provides one."""
    try:
        return url_for("incidents.show", incident_id=incident_id)
    except BuildError:
        return None


def _incident_context(incident: Incident) -> dict[str, Any]:
    return {
        "incident": incident,
        "service_user": db.session().get(ServiceUser, incident.service_user_id),
        "incident_url": incident_url(incident.id),  # type: ignore[arg-type]
    }


@bp.route("/incidents/<int:incident_id>/evidence")
@requires(Permission.INCIDENTS_VIEW)
def index(incident_id: int) -> str:
    """The incident's evidence; withdrawn items only with the toggle."""
    incident = get_or_404(Incident, incident_id)
    show_withdrawn = request.args.get("withdrawn") == "1"
    items = service.list_for_incident(db.session(), incident_id, include_withdrawn=show_withdrawn)
    return render_template(
        "evidence/index.html",
        items=items,
        show_withdrawn=show_withdrawn,
        withdrawn_count=service.withdrawn_count(db.session(), incident_id),
        staff_names=_staff_names(items),
        **_incident_context(incident),
    )


def _staff_names(items: list[Evidence]) -> dict[int, str]:
    ids = {item.added_by_id for item in items} | {
        item.withdrawn_by_id for item in items if item.withdrawn_by_id
    }
    return {
        staff.id: staff.display_name  # type: ignore[misc]
        for staff in (db.session().get(Staff, staff_id) for staff_id in ids)
        if staff is not None
    }


@bp.route("/incidents/<int:incident_id>/evidence/file", methods=["GET", "POST"])
@requires(Permission.INCIDENTS_LOG)
def add_file(incident_id: int) -> Response | tuple[str, int]:
    """Attach a file; its type is read from the content, its hash computed while stored."""
    incident = get_or_404(Incident, incident_id)
    form = FileEvidenceForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            evidence = service.add_file(
                db.session(),
                actor=current_actor(),
                incident=incident,
                stream=upload.stream,
                filename=upload.filename or "",
                title=form.title.data or "",
            )
        except service.EvidenceError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            flash(_("The file has been attached."), "success")
            return redirect(url_for("evidence.show", evidence_id=evidence.id))
    max_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return render_form("evidence/add_file.html", form, max_mb=max_mb, **_incident_context(incident))


@bp.route("/incidents/<int:incident_id>/evidence/note", methods=["GET", "POST"])
@requires(Permission.INCIDENTS_LOG)
def add_note(incident_id: int) -> Response | tuple[str, int]:
    """Add a typed note as evidence."""
    incident = get_or_404(Incident, incident_id)
    form = NoteEvidenceForm()
    if form.validate_on_submit():
        try:
            evidence = service.add_note(
                db.session(),
                actor=current_actor(),
                incident=incident,
                title=form.title.data,
                body=form.body.data,
            )
        except service.EvidenceError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            flash(_("The note has been saved."), "success")
            return redirect(url_for("evidence.show", evidence_id=evidence.id))
    return render_form("evidence/add_note.html", form, **_incident_context(incident))


def _item_context(evidence: Evidence) -> dict[str, Any]:
    session = db.session()
    incident = session.get(Incident, evidence.incident_id)
    added_by = session.get(Staff, evidence.added_by_id)
    withdrawn_by = (
        session.get(Staff, evidence.withdrawn_by_id) if evidence.withdrawn_by_id else None
    )
    return {
        "evidence": evidence,
        "added_by": added_by,
        "withdrawn_by": withdrawn_by,
        **_incident_context(incident),  # type: ignore[arg-type]
    }


@bp.route("/evidence/<int:evidence_id>")
@requires(Permission.INCIDENTS_VIEW)
@audited_read
def show(evidence_id: int) -> str:
    """One item: its chain of custody, and its content masked (Art. 4-2)."""
    evidence = get_or_404(Evidence, evidence_id)
    session = db.session()
    service.record_view(session, actor=current_actor(), evidence=evidence, mode="page")
    lines: list[str] = []
    rows: list[list[str]] = []
    more = False
    if evidence.kind == EvidenceKind.CSV:
        rows, more = service.preview_rows(session, evidence)
    elif evidence.kind == EvidenceKind.TEXT:
        lines, more = service.preview_lines(session, evidence)
    return render_template(
        "evidence/show.html",
        lines=lines,
        rows=rows,
        more=more,
        custody=service.custody(session, evidence),
        withdraw_form=WithdrawForm(),
        **_item_context(evidence),
    )


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII fallback and the exact UTF-8 name in ``filename*``."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(char for char in fallback if char.isprintable() and char not in '"\\')
    stem_ext = filename.rsplit(".", 1)
    if not fallback.strip(" ._-") and len(stem_ext) == 2:
        fallback = f"evidence.{stem_ext[1]}"
    fallback = fallback.strip() or "evidence"
    quoted = quote(filename, safe="!#$&+-.^_`|~")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quoted}"


def _file_response(body: Any, media_type: str, disposition: str, filename: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers["Content-Disposition"] = content_disposition(disposition, filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP  # overrides the page CSP
    return response


def _streamed(evidence_id: int, masked: bool) -> Any:
    """Read the item again in a transaction of its own while the response is sent."""
    key = current_app.config["MASK_KEY"]

    def generate() -> Any:
        with db.transaction(write=False) as session:
            item = session.get(Evidence, evidence_id)
            if item is None:
                return
            if masked:
                yield from service.masked_download(session, item, key)
            else:
                yield from service.iter_content(session, item)

    return stream_with_context(generate())


def _download_name(evidence: Evidence) -> str:
    if evidence.kind == EvidenceKind.NOTE:
        return f"{evidence.title or 'note'}.txt"
    return evidence.original_name


@bp.route("/evidence/<int:evidence_id>/download")
@requires(Permission.INCIDENTS_VIEW)
@audited_read
def download(evidence_id: int) -> Response:
    """The file as an attachment; text and CSV come masked (Art. 4-2), others as stored."""
    evidence = get_or_404(Evidence, evidence_id)
    masked = evidence.kind in (EvidenceKind.TEXT, EvidenceKind.CSV, EvidenceKind.NOTE)
    service.record_download(db.session(), actor=current_actor(), evidence=evidence, masked=masked)
    media_type = (
        f"{evidence.media_type}; charset=utf-8"
        if masked
        else evidence.media_type or "application/octet-stream"
    )
    response = _file_response(
        _streamed(evidence.id, masked),  # type: ignore[arg-type]
        media_type,
        "attachment",
        _download_name(evidence),
    )
    if not masked:
        response.content_length = evidence.size
    response.headers["X-Evidence-Masked"] = "1" if masked else "0"
    return response


@bp.route("/evidence/<int:evidence_id>/preview")
@requires(Permission.INCIDENTS_VIEW)
@audited_read
def preview(evidence_id: int) -> str:
    """A page showing an image item through the image route (never the file inline)."""
    evidence = get_or_404(Evidence, evidence_id)
    if evidence.kind != EvidenceKind.IMAGE:
        abort(404)
    service.record_view(db.session(), actor=current_actor(), evidence=evidence, mode="preview")
    return render_template("evidence/preview.html", **_item_context(evidence))


@bp.route("/evidence/<int:evidence_id>/image")
@requires(Permission.INCIDENTS_VIEW)
@audited_read
def image(evidence_id: int) -> Response:
    """The stored image served as an image, sandboxed, for the preview page's <img>."""
    evidence = get_or_404(Evidence, evidence_id)
    if evidence.kind != EvidenceKind.IMAGE:
        abort(404)
    service.record_view(db.session(), actor=current_actor(), evidence=evidence, mode="image")
    response = _file_response(
        _streamed(evidence.id, False),  # type: ignore[arg-type]
        evidence.media_type,
        "inline",
        evidence.original_name,
    )
    response.content_length = evidence.size
    return response


@bp.route("/evidence/<int:evidence_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.INCIDENTS_LOG)
def withdraw(evidence_id: int) -> Response | tuple[str, int]:
    """Confirm, then withdraw an item with a reason (it is kept, never deleted)."""
    evidence = get_or_404(Evidence, evidence_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw(
                db.session(), actor=current_actor(), evidence=evidence, reason=form.reason.data
            )
        except service.EvidenceError as error:
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            flash(_("The item has been withdrawn. It is kept and can still be shown."), "success")
            return redirect(url_for("evidence.index", incident_id=evidence.incident_id))
    return render_form("evidence/withdraw.html", form, **_item_context(evidence))


@bp.route("/incidents/<int:incident_id>/evidence/custody")
@requires(Permission.AUDIT_READ)
@audited_read
def custody_check(incident_id: int) -> str:
    """Auditors: re-hash every item of the incident and compare with the recorded SHA-256."""
    incident = get_or_404(Incident, incident_id)
    session = db.session()
    checks = list(service.check_all(session, incident_id))
    service.record_verification(
        session, actor=current_actor(), checks=checks, incident_id=incident_id
    )
    return render_template(
        "evidence/custody.html",
        checks=checks,
        mismatches=sum(1 for check in checks if not check.ok),
        **_incident_context(incident),
    )
