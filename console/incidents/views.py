"""Incident pages: the queue, logging, the incident's page with comments and triage."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select
from werkzeug.wrappers import Response

from console import db
from console.auth.models import Staff
from console.incidents import service
from console.incidents.forms import (
    AssignForm,
    BulkAssignForm,
    CloseForm,
    CommentForm,
    IncidentForm,
    QueueForm,
    ReviewForm,
)
from console.incidents.models import Incident, IncidentComment, Outcome, Severity
from console.navigation import incident_panels
from console.online_services import OnlineService
from console.permissions import Permission, can, requires
from console.terms import BY_CODE, CATEGORIES
from console.users.models import ServiceUser, TermsVersion
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("incidents", __name__, url_prefix="/incidents")


def _filter_of(form: QueueForm) -> service.QueueFilter:
    return service.QueueFilter(
        status=form.status.data or "",
        category=form.category.data or "",
        severity=form.severity.data or "",
        service=form.service.data or "",
        reviewer=form.reviewer.data or "",
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        logged_by_id=current_user.id if form.mine.data else None,
    )


@bp.route("/")
@requires(Permission.INCIDENTS_VIEW)
def index() -> tuple[str, int]:
    """The queue: filters, sorting, keyset pages; supervisors assign in bulk from here."""
    bulk_form = BulkAssignForm() if can(Permission.INCIDENTS_TRIAGE) else None
    return _queue_page(bulk_form)


def _queue_page(bulk_form: BulkAssignForm | None, status: int = 200) -> tuple[str, int]:
    form = QueueForm(request.args)
    if form.validate():
        page = service.queue(
            db.session(), chosen=_filter_of(form), sort=form.sort.data, after=form.after.data
        )
    else:
        page, status = service.QueuePage([], None), 422
    return render_template(
        "incidents/list.html",
        form=form,
        page=page,
        bulk_form=bulk_form,
        staff_names=service.staff_names(db.session()),
        categories=BY_CODE,
        filters={key: value for key, value in request.args.items() if key != "after"},
    ), status


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.INCIDENTS_LOG)
def create() -> Response | tuple[str, int]:
    """Log an incident against one service user."""
    form = IncidentForm()
    if not form.is_submitted():
        user_id = request.args.get("user", type=int)
        valid = user_id is not None and 0 < user_id < 10**9
        user = db.session().get(ServiceUser, user_id) if valid else None
        if user is not None:
            form.reference_no.data = user.reference_no
    if form.validate_on_submit():
        try:
            incident = service.log_incident(
                db.session(),
                actor=current_actor(),
                service_user=form.service_user,
                service=OnlineService(form.service.data),
                occurred_at=form.occurred_at(),
                categories=form.categories.data,
                severity=Severity(form.severity.data),
                description=form.description.data,
                meeting_id=form.meeting_id.data or "",
                damage=form.damage.data or "",
            )
        except service.IncidentError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Incident %(id)s has been logged.", id=incident.id), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return render_form("incidents/form.html", form, groups=_category_groups(form))


def _category_groups(form: IncidentForm) -> list[tuple[str, list]]:
    """The category checkboxes grouped by article, for the form."""
    titles = {
        "第7条": _("Art. 7: prohibited acts"),
        "第3条": _("Art. 3: required environment"),
        "第4条": _("Art. 4-3: recording and out-of-purpose use"),
        "第6条": _("Art. 6 (2): third party present"),
    }
    boxes = {option.data: option for option in form.categories}
    groups: dict[str, list] = {}
    for category in CATEGORIES:
        title = titles[category.article[:3]]
        groups.setdefault(title, []).append((category, boxes[category.code]))
    return list(groups.items())


def _show(incident: Incident, status: int = 200, **forms: object) -> tuple[str, int]:
    session = db.session()
    staff = current_user._get_current_object()
    comments = service.comments_of(session, incident)
    context = {
        "comment_form": CommentForm(),
        "assign_form": AssignForm(reviewer_id=str(incident.reviewer_id or "")),
        "review_form": ReviewForm(),
        "close_form": CloseForm(),
        **forms,
    }
    html = render_template(
        "incidents/show.html",
        incident=incident,
        user=session.get(ServiceUser, incident.service_user_id),
        terms=session.get(TermsVersion, incident.terms_version_id)
        if incident.terms_version_id
        else None,
        categories=[BY_CODE[code] for code in service.categories_of(session, incident)],
        comments=comments,
        comment_numbers={comment.id: number for number, comment in enumerate(comments, 1)},
        staff_names=service.staff_names(session),
        incident_panels=incident_panels(current_app, session, incident, staff),
        **context,
    )
    return html, status


@bp.route("/<int:incident_id>")
@requires(Permission.INCIDENTS_VIEW)
def show(incident_id: int) -> tuple[str, int]:
    """One incident: facts, articles, status, comments, triage."""
    return _show(get_or_404(Incident, incident_id))


@bp.route("/<int:incident_id>/comments", methods=["POST"])
@requires(Permission.INCIDENTS_LOG)
def comment(incident_id: int) -> Response | tuple[str, int]:
    """Add a comment (or a correction of an earlier one)."""
    incident = get_or_404(Incident, incident_id)
    form = CommentForm()
    if form.validate_on_submit():
        corrects = None
        if form.corrects_id.data:
            corrects = db.session().get(IncidentComment, int(form.corrects_id.data))
        try:
            if form.corrects_id.data and corrects is None:
                raise service.IncidentError(_("Choose a comment of this incident to correct."))
            service.add_comment(
                db.session(),
                actor=current_actor(),
                incident=incident,
                body=form.body.data,
                corrects=corrects,
            )
        except service.IncidentError as error:
            form.body.errors.append(str(error))
        else:
            flash(_("Your comment has been added."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id, _anchor="comments"))
    return _show(incident, 422, comment_form=form)


def _reviewer(form: AssignForm | BulkAssignForm) -> Staff | None:
    return db.session().get(Staff, int(form.reviewer_id.data))


@bp.route("/<int:incident_id>/assign", methods=["POST"])
@requires(Permission.INCIDENTS_TRIAGE)
def assign(incident_id: int) -> Response | tuple[str, int]:
    """Assign a supervisor as the reviewer."""
    incident = get_or_404(Incident, incident_id)
    form = AssignForm()
    if form.validate_on_submit():
        try:
            changed = service.assign_reviewer(
                db.session(), actor=current_actor(), incident=incident, reviewer=_reviewer(form)
            )
        except service.IncidentError as error:
            form.reviewer_id.errors.append(str(error))
        else:
            flash(
                _("The reviewer has been assigned.") if changed else _("Nothing was changed."),
                "success" if changed else "info",
            )
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return _show(incident, 422, assign_form=form)


@bp.route("/<int:incident_id>/review", methods=["POST"])
@requires(Permission.INCIDENTS_TRIAGE)
def review(incident_id: int) -> Response | tuple[str, int]:
    """Take the incident under review."""
    incident = get_or_404(Incident, incident_id)
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            service.start_review(db.session(), actor=current_actor(), incident=incident)
        except service.IncidentError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The incident is now under review."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return _show(incident, 422, review_form=form)


@bp.route("/<int:incident_id>/close", methods=["POST"])
@requires(Permission.INCIDENTS_TRIAGE)
def close(incident_id: int) -> Response | tuple[str, int]:
    """Close with an outcome and its reason (incidents are never deleted)."""
    incident = get_or_404(Incident, incident_id)
    form = CloseForm()
    if form.validate_on_submit():
        try:
            service.close_incident(
                db.session(),
                actor=current_actor(),
                incident=incident,
                outcome=Outcome(form.outcome.data),
                reason=form.reason.data,
            )
        except service.IncidentError as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("The incident has been closed."), "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    return _show(incident, 422, close_form=form)


@bp.route("/assign", methods=["POST"])
@requires(Permission.INCIDENTS_TRIAGE)
def bulk_assign() -> Response | tuple[str, int]:
    """Assign up to 100 selected incidents to one reviewer (each assignment audited)."""
    form = BulkAssignForm()
    if not form.validate_on_submit():
        return _queue_page(form, 422)
    wanted = set(form.incident_ids.data)
    incidents = list(db.session().exec(select(Incident).where(col(Incident.id).in_(wanted))))
    try:
        if len(incidents) != len(wanted):
            raise service.IncidentError(_("Some selected incidents do not exist. Reload the page."))
        assigned, skipped = service.bulk_assign(
            db.session(), actor=current_actor(), incidents=incidents, reviewer=_reviewer(form)
        )
    except service.IncidentError as error:
        form.incident_ids.errors.append(str(error))
        return _queue_page(form, 422)
    flash(_("%(count)d incident(s) assigned.", count=assigned), "success")
    if skipped:
        flash(_("Closed incidents were skipped: %(ids)s", ids=", ".join(map(str, skipped))), "info")
    return redirect(url_for("incidents.index", **request.args))
