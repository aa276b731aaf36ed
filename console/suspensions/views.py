"""Pages of Art. 9-2 suspensions; thin: validate the form, call the service, redirect."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from console import db
from console.audit import Subject, record
from console.auth.models import Staff
from console.auth.permissions import Permission, audited_read, requires
from console.incidents.models import Incident
from console.suspensions import service
from console.suspensions.forms import (
    DecisionForm,
    FilterForm,
    LiftForm,
    NoticePrintedForm,
    ObjectionForm,
    ProposalForm,
    ReconsiderForm,
    WithdrawForm,
    jst_value,
)
from console.suspensions.models import Channel, Kind, Objection, Suspension
from console.suspensions.models import Outcome as Reconsideration
from console.suspensions.state import state_at
from console.terms import ART_9_2, BY_CODE
from console.timeutil import to_jst, utcnow
from console.users.models import ServiceUser
from console.users.search import reference_key
from console.users.service import find_by_reference
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("suspensions", __name__, url_prefix="/suspensions")
api = Blueprint("suspensions_api", __name__, url_prefix="/api/v1")
PER_PAGE = 25


def _suspension_or_404(suspension_id: int) -> Suspension:
    return get_or_404(Suspension, suspension_id)


def _user_or_404(user_id: int) -> ServiceUser:
    return get_or_404(ServiceUser, user_id)


def _staff_names(*ids: int | None) -> dict[int, str]:
    wanted = {ident for ident in ids if ident is not None}
    return {
        ident: staff.display_name
        for ident in wanted
        if (staff := db.session().get(Staff, ident)) is not None
    }


@bp.route("/")
@requires(Permission.SUSPENSIONS_VIEW)
def index() -> tuple[str, int]:
    """Suspensions in force and scheduled (by default), with filters and pages."""
    form = FilterForm(request.args)
    page = request.args.get("page", "1")
    page_no = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    if not form.validate():
        return render_template(
            "suspensions/index.html", form=form, rows=[], total=0, page=1, pages=1, now=utcnow()
        ), 400
    filters = service.Filters(
        state=form.state.data or "current",
        service=form.service.data or "",
        kind=form.kind.data or "",
        reference=reference_key(form.reference.data or ""),
    )
    now = utcnow()
    rows, total = service.search(
        db.session(), filters=filters, now=now, page=page_no, per_page=PER_PAGE
    )
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    services = {item.id: service.services_of(db.session(), item.id) for item, _user in rows}
    found_user = find_by_reference(db.session(), filters.reference) if filters.reference else None
    return render_template(
        "suspensions/index.html",
        form=form,
        rows=rows,
        services=services,
        total=total,
        page=page_no,
        pages=pages,
        now=now,
        state_at=state_at,
        found_user=found_user,
    ), 200


@bp.route("/users/<int:user_id>")
@requires(Permission.SUSPENSIONS_VIEW)
@audited_read
def user_history(user_id: int) -> str:
    """A service user's suspensions, current status per service, and why (Art. 6: audited)."""
    user = _user_or_404(user_id)
    record(
        db.session(),
        current_actor(),
        "service_user.viewed",
        Subject.of("service_user", user.id),
        {"page": "suspensions.user_history"},
    )
    return render_template("suspensions/user.html", service_user=user)


@bp.route("/users/<int:user_id>/propose", methods=["GET", "POST"])
@requires(Permission.SUSPENSIONS_PROPOSE)
def propose(user_id: int) -> Response | tuple[str, int]:
    """Propose a suspension of one user, citing their incidents and the articles (Art. 9-2)."""
    user = _user_or_404(user_id)
    incidents = service.user_incidents(db.session(), user.id)  # type: ignore[arg-type]
    form = ProposalForm()
    form.incidents.choices = {incident.id: _incident_label(incident) for incident in incidents}
    if not form.is_submitted():
        chosen = [int(v) for v in request.args.getlist("incident") if v.isdigit()]
        chosen = [i.id for i in incidents if i.id in chosen] or [i.id for i in incidents]
        form.incidents.data = chosen
        form.articles.data = service.incident_articles(db.session(), chosen)
        form.services.data = sorted({i.service for i in incidents if i.id in chosen})
        next_minute = to_jst(utcnow()).replace(second=0, microsecond=0, tzinfo=None)
        form.starts_at.data = next_minute + timedelta(minutes=1)
    if form.validate_on_submit():
        try:
            item = service.propose(
                db.session(),
                actor=current_actor(),
                service_user=user,
                incident_ids=form.incidents.data or [],
                article_codes=form.articles.data or [],
                kind=Kind(form.kind.data),
                starts_at=jst_value(form.starts_at),  # type: ignore[arg-type]
                ends_at=jst_value(form.ends_at),
                all_services=form.all_services.data,
                services=form.services.data or [],
                reason=form.reason.data,
            )
        except service.SuspensionError as error:
            form.form_errors.append(str(error))
        else:
            flash(
                _("The proposal has been submitted. Another supervisor will decide it."), "success"
            )
            return redirect(url_for("suspensions.show", suspension_id=item.id))
    return render_form(
        "suspensions/propose.html",
        form,
        service_user=user,
        incidents=incidents,
        categories=_incident_categories(incidents),
    )


def _incident_label(incident: Incident) -> str:
    from console.i18n import jst

    summary = incident.description.strip().splitlines()[0] if incident.description.strip() else ""
    return f"#{incident.id} {jst(incident.occurred_at)} {summary[:60]}"


def _incident_categories(incidents: list[Incident]) -> dict[int, list[str]]:
    return {
        incident.id: service.incident_articles(db.session(), [incident.id])  # type: ignore[misc]
        for incident in incidents
    }


def _detail_context(item: Suspension) -> dict:
    session = db.session()
    objections = service.objections_of(session, item.id)  # type: ignore[arg-type]
    names = _staff_names(
        item.proposed_by_id,
        item.decided_by_id,
        item.cut_short_by_id,
        *(o.recorded_by_id for o in objections),
        *(o.reconsidered_by_id for o in objections),
    )
    return {
        "item": item,
        "service_user": session.get(ServiceUser, item.service_user_id),
        "state": state_at(item, utcnow()),
        "services": service.services_of(session, item.id),  # type: ignore[arg-type]
        "articles": [BY_CODE[code] for code in service.articles_of(session, item.id)],  # type: ignore[arg-type]
        "incidents": service.incidents_of(session, item.id),  # type: ignore[arg-type]
        "objections": objections,
        "names": names,
    }


@bp.route("/<int:suspension_id>")
@requires(Permission.SUSPENSIONS_VIEW)
def show(suspension_id: int) -> str:
    """One suspension: its state now, citations, decision, objections, and the actions allowed."""
    item = _suspension_or_404(suspension_id)
    return _render_show(item)[0]


def _render_show(item: Suspension, **forms: object) -> tuple[str, int]:
    context = _detail_context(item)
    staff = current_user._get_current_object()
    status = 422 if forms else 200
    return render_template(
        "suspensions/show.html",
        **context,
        may_decide=service.may_decide(staff, item),
        may_reconsider=service.may_reconsider(staff.id, item),
        withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
        lift_form=forms.get("lift_form") or LiftForm(),
        objection_form=forms.get("objection_form")
        or ObjectionForm(received_on=to_jst(utcnow()).date()),
    ), status


@bp.route("/<int:suspension_id>/decide", methods=["GET", "POST"])
@requires(Permission.SUSPENSIONS_DECIDE, fresh=True)
def decide(suspension_id: int) -> Response | tuple[str, int]:
    """Art. 9-2 four eyes: approve, amend or reject; never by the proposer (fresh password)."""
    item = _suspension_or_404(suspension_id)
    staff = current_user._get_current_object()
    if staff.id == item.proposed_by_id:
        abort(403)
    if item.decision != "pending":
        flash(_("This proposal has already been decided or withdrawn."), "warning")
        return redirect(url_for("suspensions.show", suspension_id=item.id))
    services = service.services_of(db.session(), item.id)  # type: ignore[arg-type]
    form = DecisionForm(
        data=None
        if request.method == "POST"
        else {
            "kind": item.kind,
            "starts_at": to_jst(item.starts_at).replace(tzinfo=None),
            "ends_at": to_jst(item.ends_at).replace(tzinfo=None) if item.ends_at else None,
            "all_services": item.all_services,
            "services": services,
        }
    )
    if form.validate_on_submit():
        amendment = None
        if form.decision.data == "amend":
            amendment = service.Amendment(
                starts_at=jst_value(form.starts_at),  # type: ignore[arg-type]
                ends_at=jst_value(form.ends_at),
                kind=Kind(form.kind.data),
                all_services=form.all_services.data,
                services=form.services.data or [],
            )
        try:
            service.decide(
                db.session(),
                actor=current_actor(),
                item=item,
                decision=form.decision.data,
                reason=form.reason.data or "",
                amendment=amendment,
            )
        except service.SuspensionError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for("suspensions.show", suspension_id=item.id))
    return render_form("suspensions/decide.html", form, **_detail_context(item))


@bp.route("/<int:suspension_id>/withdraw", methods=["POST"])
@requires(Permission.SUSPENSIONS_PROPOSE)
def withdraw(suspension_id: int) -> Response | tuple[str, int]:
    """The proposer withdraws a proposal that awaits decision."""
    item = _suspension_or_404(suspension_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            service.withdraw(
                db.session(), actor=current_actor(), item=item, reason=form.reason.data or ""
            )
        except service.SuspensionError as error:
            flash(str(error), "danger")
            return _render_show(item, withdraw_form=form)
        flash(_("The proposal has been withdrawn."), "success")
        return redirect(url_for("suspensions.show", suspension_id=item.id))
    return _render_show(item, withdraw_form=form)


@bp.route("/<int:suspension_id>/lift", methods=["POST"])
@requires(Permission.SUSPENSIONS_DECIDE)
def lift(suspension_id: int) -> Response | tuple[str, int]:
    """Lift a stop early, or reinstate a terminated user (Art. 9-2), with a reason."""
    item = _suspension_or_404(suspension_id)
    form = LiftForm()
    if form.validate_on_submit():
        try:
            service.cut_short(
                db.session(), actor=current_actor(), item=item, reason=form.reason.data
            )
        except service.SuspensionError as error:
            form.reason.errors.append(str(error))
        else:
            flash(
                _("The user has been reinstated.")
                if item.kind == Kind.TERMINATION
                else _("The suspension has been lifted."),
                "success",
            )
            return redirect(url_for("suspensions.show", suspension_id=item.id))
    return _render_show(item, lift_form=form)


@bp.route("/<int:suspension_id>/objections", methods=["POST"])
@requires(Permission.SUSPENSIONS_PROPOSE)
def record_objection(suspension_id: int) -> Response | tuple[str, int]:
    """Record an objection (異議申立て) the user made."""
    item = _suspension_or_404(suspension_id)
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            service.record_objection(
                db.session(),
                actor=current_actor(),
                item=item,
                received_on=form.received_on.data,
                channel=Channel(form.channel.data),
                text=form.text.data,
            )
        except service.SuspensionError as error:
            form.received_on.errors.append(str(error))
        else:
            flash(
                _(
                    "The objection has been recorded. A supervisor who took no part will reconsider."
                ),
                "success",
            )
            return redirect(url_for("suspensions.show", suspension_id=item.id))
    return _render_show(item, objection_form=form)


@bp.route("/objections/<int:objection_id>/reconsider", methods=["GET", "POST"])
@requires(Permission.SUSPENSIONS_DECIDE, fresh=True)
def reconsider(objection_id: int) -> Response | tuple[str, int]:
    """Reconsider on an objection: uphold, shorten or revoke, by someone who took no part."""
    objection = db.session().get(Objection, objection_id)
    if objection is None:
        abort(404)
    item = _suspension_or_404(objection.suspension_id)
    if not service.may_reconsider(current_user.id, item):
        abort(403)
    if objection.outcome is not None:
        flash(_("This objection has already been reconsidered."), "warning")
        return redirect(url_for("suspensions.show", suspension_id=item.id))
    form = ReconsiderForm()
    if form.validate_on_submit():
        try:
            service.reconsider(
                db.session(),
                actor=current_actor(),
                objection=objection,
                outcome=Reconsideration(form.outcome.data),
                reason=form.reason.data,
                new_end=jst_value(form.new_end),
            )
        except service.SuspensionError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The reconsideration has been recorded."), "success")
            return redirect(url_for("suspensions.show", suspension_id=item.id))
    return render_form(
        "suspensions/reconsider.html", form, objection=objection, **_detail_context(item)
    )


def _notice_html(item: Suspension) -> str:
    """The notice itself, always in Japanese: exactly what is printed and hashed."""
    context = _detail_context(item)
    with force_locale("ja"):
        return render_template(
            "suspensions/_notice_body.html",
            **context,
            art_9_2=ART_9_2,
            notice_date=_notice_date(item, context["objections"]),
        ).strip()


def _notice_date(item: Suspension, objections: list[Objection]) -> datetime | None:
    dates = [item.decided_at, *(o.reconsidered_at for o in objections)]
    known = [moment for moment in dates if moment is not None]
    return max(known) if known else None


@bp.route("/<int:suspension_id>/notice")
@requires(Permission.SUSPENSIONS_VIEW)
def notice(suspension_id: int) -> str:
    """The printable decision notice addressed to the user (A4, Japanese)."""
    item = _suspension_or_404(suspension_id)
    if item.decision != "approved":
        abort(404)
    body = _notice_html(item)
    return render_template(
        "suspensions/notice.html",
        item=item,
        body=body,
        form=NoticePrintedForm(digest=service.notice_digest(body)),
    )


@bp.route("/<int:suspension_id>/notice/printed", methods=["POST"])
@requires(Permission.SUSPENSIONS_PROPOSE)
def notice_printed(suspension_id: int) -> Response:
    """Record the print with the SHA-256 of the notice exactly as it was shown."""
    item = _suspension_or_404(suspension_id)
    form = NoticePrintedForm()
    if not form.validate_on_submit() or item.decision != "approved":
        abort(400)
    body = _notice_html(item)
    if service.notice_digest(body) != form.digest.data:
        flash(
            _("The notice changed since you opened it. Check it again, print it, then record."),
            "warning",
        )
        return redirect(url_for("suspensions.notice", suspension_id=item.id))
    digest = service.record_notice_printed(
        db.session(), actor=current_actor(), item=item, html=body
    )
    flash(
        _("The print has been recorded (SHA-256 %(digest)s).", digest=digest[:16] + "…"), "success"
    )
    return redirect(url_for("suspensions.show", suspension_id=item.id))


@api.route("/service-users/<ref>/status")
@requires(Permission.SUSPENSIONS_VIEW)
@audited_read
def status(ref: str) -> Response | tuple[Response, int]:
    """JSON for the booking system: may the user use each service now, and until when not."""
    if len(ref) > 32:
        return jsonify(error="reference number too long"), 400
    user = find_by_reference(db.session(), ref)
    if user is None:
        return jsonify(error="no service user with this reference number"), 404
    document = service.check_status(
        db.session(), actor=current_actor(), service_user=user, now=utcnow()
    )
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response
