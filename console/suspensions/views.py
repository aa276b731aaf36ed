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
from console.auth.tokens import API_PREFIX
from console.i18n import jst
from console.incidents.models import Incident
from console.permissions import Permission, audited_read, requires
from console.suspensions import decisions, letters, objections, proposals, queries
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
from console.suspensions.models import (
    Channel,
    Decision,
    Kind,
    Objection,
    Reconsideration,
    Suspension,
)
from console.suspensions.rules import (
    AlreadyDecidedError,
    SuspensionError,
    check_may_decide,
    may_decide,
    may_reconsider,
)
from console.suspensions.state import state_at
from console.suspensions.status import check_status
from console.terms import ART_9_2
from console.timeutil import to_jst, utcnow
from console.users.models import ServiceUser
from console.users.search import reference_key
from console.users.service import find_by_reference
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("suspensions", __name__, url_prefix="/suspensions")
api = Blueprint("suspensions_api", __name__, url_prefix=API_PREFIX.rstrip("/"))
PER_PAGE = 25


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
    filters = queries.Filters(
        state=form.state.data or "current",
        service=form.service.data or "",
        kind=form.kind.data or "",
        reference=reference_key(form.reference.data or ""),
    )
    now = utcnow()
    rows, total = queries.search(
        db.session(), filters=filters, now=now, page=page_no, per_page=PER_PAGE
    )
    pages = max(1, (total + PER_PAGE - 1) // PER_PAGE)
    services = {item.id: queries.services_of(db.session(), item.id) for item, _user in rows}
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
    user = get_or_404(ServiceUser, user_id)
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
    user = get_or_404(ServiceUser, user_id)
    incidents = queries.user_incidents(db.session(), user.id)  # type: ignore[arg-type]
    form = ProposalForm()
    form.incidents.choices = {incident.id: _incident_label(incident) for incident in incidents}
    if not form.is_submitted():
        chosen = [int(v) for v in request.args.getlist("incident") if v.isdigit()]
        chosen = [i.id for i in incidents if i.id in chosen] or [i.id for i in incidents]
        form.incidents.data = chosen
        form.articles.data = queries.incident_articles(db.session(), chosen)
        form.services.data = sorted({i.service for i in incidents if i.id in chosen})
        next_minute = to_jst(utcnow()).replace(second=0, microsecond=0, tzinfo=None)
        form.starts_at.data = next_minute + timedelta(minutes=1)
    if form.validate_on_submit():
        try:
            item = proposals.propose(
                db.session(), actor=current_actor(), data=form.proposal_input(user)
            )
        except SuspensionError as error:
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
    summary = incident.description.strip().splitlines()[0] if incident.description.strip() else ""
    return f"#{incident.id} {jst(incident.occurred_at)} {summary[:60]}"


def _incident_categories(incidents: list[Incident]) -> dict[int, list[str]]:
    return {
        incident.id: queries.incident_articles(db.session(), [incident.id])  # type: ignore[misc]
        for incident in incidents
    }


def _detail_context(item: Suspension) -> dict[str, object]:
    return queries.detail(db.session(), item, utcnow()).as_context()


@bp.route("/<int:suspension_id>")
@requires(Permission.SUSPENSIONS_VIEW)
def show(suspension_id: int) -> str:
    """One suspension: its state now, citations, decision, objections, and the actions allowed."""
    item = get_or_404(Suspension, suspension_id)
    return _render_show(item)[0]


def _render_show(item: Suspension, **forms: object) -> tuple[str, int]:
    context = _detail_context(item)
    staff = current_user._get_current_object()
    status = 422 if forms else 200
    return render_template(
        "suspensions/show.html",
        **context,
        may_decide=may_decide(staff, item),
        may_reconsider=may_reconsider(staff.id, item),
        withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
        lift_form=forms.get("lift_form") or LiftForm(),
        objection_form=forms.get("objection_form")
        or ObjectionForm(received_on=to_jst(utcnow()).date()),
    ), status


@bp.route("/<int:suspension_id>/decide", methods=["GET", "POST"])
@requires(Permission.SUSPENSIONS_DECIDE, fresh=True)
def decide(suspension_id: int) -> Response | tuple[str, int]:
    """Art. 9-2 four eyes: approve, amend or reject; never by the proposer (fresh password)."""
    item = get_or_404(Suspension, suspension_id)
    try:
        check_may_decide(current_user, item)
    except AlreadyDecidedError as error:
        flash(str(error), "warning")
        return redirect(url_for("suspensions.show", suspension_id=item.id))
    except SuspensionError:
        abort(403)
    services = queries.services_of(db.session(), item.id)  # type: ignore[arg-type]
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
        try:
            decisions.decide(
                db.session(),
                actor=current_actor(),
                item=item,
                decision=form.decision.data,
                reason=form.reason.data or "",
                amendment=form.amendment(),
            )
        except SuspensionError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The decision has been recorded."), "success")
            return redirect(url_for("suspensions.show", suspension_id=item.id))
    return render_form("suspensions/decide.html", form, **_detail_context(item))


@bp.route("/<int:suspension_id>/withdraw", methods=["POST"])
@requires(Permission.SUSPENSIONS_PROPOSE)
def withdraw(suspension_id: int) -> Response | tuple[str, int]:
    """The proposer withdraws a proposal that awaits decision."""
    item = get_or_404(Suspension, suspension_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            proposals.withdraw(
                db.session(), actor=current_actor(), item=item, reason=form.reason.data or ""
            )
        except SuspensionError as error:
            flash(str(error), "danger")
            return _render_show(item, withdraw_form=form)
        flash(_("The proposal has been withdrawn."), "success")
        return redirect(url_for("suspensions.show", suspension_id=item.id))
    return _render_show(item, withdraw_form=form)


@bp.route("/<int:suspension_id>/lift", methods=["POST"])
@requires(Permission.SUSPENSIONS_DECIDE)
def lift(suspension_id: int) -> Response | tuple[str, int]:
    """Lift a stop early, or reinstate a terminated user (Art. 9-2), with a reason."""
    item = get_or_404(Suspension, suspension_id)
    form = LiftForm()
    if form.validate_on_submit():
        try:
            decisions.cut_short(
                db.session(), actor=current_actor(), item=item, reason=form.reason.data
            )
        except SuspensionError as error:
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
    item = get_or_404(Suspension, suspension_id)
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            objections.record_objection(
                db.session(),
                actor=current_actor(),
                item=item,
                received_on=form.received_on.data,
                channel=Channel(form.channel.data),
                text=form.text.data,
            )
        except SuspensionError as error:
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
    objection = get_or_404(Objection, objection_id)
    item = get_or_404(Suspension, objection.suspension_id)
    if not may_reconsider(current_user.id, item):
        abort(403)
    if objection.outcome is not None:
        flash(_("This objection has already been reconsidered."), "warning")
        return redirect(url_for("suspensions.show", suspension_id=item.id))
    form = ReconsiderForm()
    if form.validate_on_submit():
        try:
            objections.reconsider(
                db.session(),
                actor=current_actor(),
                objection=objection,
                outcome=Reconsideration(form.outcome.data),
                reason=form.reason.data,
                new_end=jst_value(form.new_end),
            )
        except SuspensionError as error:
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
    item = get_or_404(Suspension, suspension_id)
    if item.decision != Decision.APPROVED:
        abort(404)
    body = _notice_html(item)
    return render_template(
        "suspensions/notice.html",
        item=item,
        body=body,
        form=NoticePrintedForm(digest=letters.notice_digest(body)),
    )


@bp.route("/<int:suspension_id>/notice/printed", methods=["POST"])
@requires(Permission.SUSPENSIONS_PROPOSE)
def notice_printed(suspension_id: int) -> Response:
    """Record the print with the SHA-256 of the notice exactly as it was shown."""
    item = get_or_404(Suspension, suspension_id)
    form = NoticePrintedForm()
    if not form.validate_on_submit() or item.decision != Decision.APPROVED:
        abort(400)
    body = _notice_html(item)
    if letters.notice_digest(body) != form.digest.data:
        flash(
            _("The notice changed since you opened it. Check it again, print it, then record."),
            "warning",
        )
        return redirect(url_for("suspensions.notice", suspension_id=item.id))
    digest = letters.record_notice_printed(
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
    document = check_status(db.session(), actor=current_actor(), service_user=user, now=utcnow())
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response
