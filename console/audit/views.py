"""The auditor's pages: search, one entry, a subject's timeline, verify now, CSV export."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
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
from flask_login import current_user
from sqlmodel import Session

from console import db
from console.audit import checkpoints, keys, labels, queries, service
from console.audit.actions import label as action_label
from console.audit.canonical import format_time
from console.audit.export import render
from console.audit.forms import SearchForm, VerifyForm
from console.audit.trail import Actor, Subject, record
from console.permissions import Permission, audited_read, requires
from console.rules import has_control_characters
from console.timeutil import from_jst, utcnow

bp = Blueprint("audit", __name__, url_prefix="/audit")
MAX_SEQ = 2**62  # beyond any trail; larger numbers are refused before reaching the database
FILTER_FIELDS = ("since", "until", "actor", "action", "subject_type", "subject_id", "text")


@bp.app_template_global("audit_action_label")
def _action_label(action: str) -> str:
    return action_label(action)


@bp.app_template_global("audit_subject_label")
def _subject_label(subject_type: str) -> str:
    return labels.subject_label(subject_type)


@bp.app_template_global("audit_field_label")
def _field_label(name: str) -> str:
    return labels.field_label(name)


@bp.app_template_global("audit_value")
def _value(value: Any, name: str = "") -> str:
    """A recorded value in words; templates mask it with ``|mask`` like every page (Art. 4-2)."""
    return labels.show_field_value(name, value)


def _search_form() -> SearchForm:
    return SearchForm(formdata=request.args if request.args else None)


def _filter_of(form: SearchForm) -> queries.SearchFilter:
    return queries.SearchFilter(
        since=from_jst(form.since.data) if form.since.data else None,
        until=from_jst(form.until.data) if form.until.data else None,
        actor=(form.actor.data or "").strip(),
        action=form.action.data or "",
        subject_type=form.subject_type.data or "",
        subject_id=(form.subject_id.data or "").strip(),
        text=(form.text.data or "").strip(),
    )


def _filter_args(form: SearchForm) -> dict[str, str]:
    """The search as query parameters, for the next page and the export link."""
    args: dict[str, str] = {}
    for name in FILTER_FIELDS:
        value = getattr(form, name).data
        if isinstance(value, datetime):
            args[name] = value.strftime("%Y-%m-%dT%H:%M")
        elif value:
            args[name] = str(value)
    return args


@bp.route("/")
@requires(Permission.AUDIT_READ)
def search() -> tuple[str, int]:
    """Search the trail, newest first, one page at a time."""
    form = _search_form()
    if request.args and not form.validate():
        return render_template("audit/search.html", form=form, page=None, args={}), 422
    page = queries.search(db.session(), _filter_of(form), before=form.before.data)
    return render_template("audit/search.html", form=form, page=page, args=_filter_args(form)), 200


@bp.route(f"/entries/<int(max={MAX_SEQ}):seq>")
@requires(Permission.AUDIT_READ)
def entry(seq: int) -> str:
    """One entry: who, what, to whom, the before/after of each change, and its hashes."""
    found = queries.entry(db.session(), seq)
    if found is None:
        abort(404)
    document = json.loads(found.canonical)
    details = document.get("details") or {}
    changed, reason, other = labels.split_details(details)
    return render_template(
        "audit/entry.html",
        entry=found,
        changed=changed,
        reason=reason,
        other=other,
        last_seq=service.entry_count(db.session()),
    )


@bp.route("/subjects/<subject_type>/<path:subject_id>")
@requires(Permission.AUDIT_READ)
def subject(subject_type: str, subject_id: str) -> str:
    """Everything that happened to one staff account, service user, incident or suspension."""
    if has_control_characters(subject_type + subject_id, allowed=frozenset()):
        abort(404)
    before = request.args.get("before", type=int)
    if before is not None and not 1 <= before <= MAX_SEQ:
        before = None
    entries = queries.entries_for_subject(
        db.session(), subject_type, subject_id, queries.PAGE_SIZE + 1, before=before
    )
    more = len(entries) > queries.PAGE_SIZE
    entries = entries[: queries.PAGE_SIZE]
    return render_template(
        "audit/subject.html",
        subject_type=subject_type,
        subject_id=subject_id,
        entries=entries,
        next_cursor=entries[-1].seq if more else None,
    )


@bp.route("/verify")
@requires(Permission.AUDIT_READ)
def verify_page() -> str:
    """The state of the trail and the last verification, with the button to verify now."""
    summary = service.summary(db.session())
    last_result = None
    if summary.last_verified is not None:
        last_result = json.loads(summary.last_verified.canonical).get("details")
    return render_template(
        "audit/verify.html",
        form=VerifyForm(),
        summary=summary,
        last_result=last_result,
        checkpoint_age=_age_minutes(summary.last_checkpoint),
        pins=_pins_for_page(),
    )


def _pins_for_page() -> keys.PinnedKeys:
    try:
        return keys.pinned_keys(current_app)
    except keys.SigningKeyError:
        return keys.PinnedKeys({})


@bp.route("/verify", methods=["POST"])
@requires(Permission.AUDIT_READ)
def verify_now() -> Any:
    """Recompute the whole chain and every checkpoint now; the result goes in the trail."""
    form = VerifyForm()
    if not form.validate_on_submit():
        abort(400)
    # A POST's transaction holds SQLite's write lock from its first query. Give it back
    # while the chain is read (seconds on a long trail, and other staff must not wait),
    # then begin a writer again to record the result.
    db.rollback_request()
    try:
        pins = keys.pinned_keys(current_app)
    except keys.SigningKeyError as error:
        flash(_("The pinned checkpoint keys cannot be read: %(error)s", error=str(error)), "danger")
        return redirect(url_for("audit.verify_page"))
    with db.transaction(write=False) as reader:
        report = service.run_verification(reader, pinned=pins)
    session = db.session()
    session.connection(execution_options={db.WRITE_OPTION: True})
    service.record_verification(session, Actor.of_staff(current_user), report)
    if report.problem is None:
        flash(
            _(
                "The trail is intact: %(count)d entries checked, %(points)d checkpoints verified.",
                count=report.count,
                points=report.checkpoints,
            ),
            "success",
        )
    else:
        flash(
            _(
                "Damage found at seq %(seq)d (%(kind)s). Report it to the system administrator "
                "and keep the latest exported copy.",
                seq=report.problem.seq,
                kind=problem_kind_label(report.problem.kind),
            ),
            "danger",
        )
    return redirect(url_for("audit.verify_page"))


@bp.route("/export.csv")
@requires(Permission.AUDIT_EXPORT, fresh=True)
@audited_read
def export_csv() -> Any:
    """The entries of the current search as CSV, with their hashes (the download is audited)."""
    form = _search_form()
    if request.args and not form.validate():
        return render_template("audit/search.html", form=form, page=None, args={}), 422
    search_filter = _filter_of(form)
    session = db.session()
    selection = not search_filter.only_time
    span = service.seq_span(session, since=search_filter.since, until=search_filter.until)
    record(
        session,
        Actor.of_staff(current_user),
        "audit.exported",
        Subject("audit_log", checkpoints.trail_log_id(session) or ""),
        service.export_details(
            "csv",
            search_filter.since,
            search_filter.until,
            span,
            filter=_filter_args(form),
            selection=selection,
        ),
    )
    engine = db.engine()

    def chunks() -> Any:
        with db.transaction(write=False, bind=engine) as reader:
            if selection:
                yield from render("csv", service.stream_rows(reader, search=search_filter))
            else:
                yield from service.export_chunks(reader, "csv", span)

    stamp = format_time(utcnow())[:16].replace("-", "").replace(":", "")
    name = f"audit-{'selection-' if selection else ''}{stamp}.csv"
    return Response(
        stream_with_context(chunks()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def problem_kind_label(kind: str) -> str:
    return {
        "modified": _("modified"),
        "deleted": _("deleted"),
        "inserted": _("inserted"),
        "reordered": _("reordered"),
        "forked": _("forked"),
        "truncated": _("truncated"),
        "bad signature": _("bad signature"),
        "stale": _("checkpoint overdue"),
    }.get(kind, kind)


bp.add_app_template_global(problem_kind_label, "audit_problem_label")


def _age_minutes(checkpoint: Any) -> int | None:
    if checkpoint is None:
        return None
    return max(0, int((utcnow() - checkpoint.at).total_seconds() // 60))


def panel_context(session: Session, _staff: Any) -> dict[str, Any]:
    """The auditor's dashboard card: trail size, last checkpoint, last verification."""
    summary = service.summary(session)
    last_result = None
    if summary.last_verified is not None:
        last_result = json.loads(summary.last_verified.canonical).get("details")
    return {
        "summary": summary,
        "checkpoint_age": _age_minutes(summary.last_checkpoint),
        "last_result": last_result,
    }
