"""Service users' pages: list and search, register, edit, and the user's own page (Art. 6)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from console import db
from console.auth.models import Staff
from console.auth.service import staff_names
from console.navigation import user_panels, user_records
from console.online_services import OnlineService
from console.permissions import Permission, audited_read, requires
from console.timeutil import jst_day_start, to_jst
from console.users import service
from console.users.forms import SearchForm, ServiceUserForm
from console.users.models import RegistrationRoute, ServiceUser, TermsVersion
from console.users.timeline import timeline_staff_ids
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("users", __name__, url_prefix="/users")


@bp.route("/")
@requires(Permission.USERS_VIEW)
def index() -> tuple[str, int]:
    """Search by reference number, kana or name; keyset pages in kana order."""
    form = SearchForm(request.args)
    if request.args and not form.validate():
        return render_template("users/list.html", form=form, page=None, query=""), 422
    query = (form.q.data or "").strip()
    after = int(form.after.data) if form.after.data else None
    page = service.search_service_users(db.session(), query=query, after=after)
    return render_template("users/list.html", form=form, page=page, query=query), 200


def _form_values(form: ServiceUserForm) -> dict[str, object]:
    agreed: date | None = form.terms_agreed_on.data
    return {
        "reference_no": form.reference_no.data,
        "name_kanji": form.name_kanji.data,
        "name_kana": form.name_kana.data,
        "birth_date": form.birth_date.data,
        "registration_route": RegistrationRoute(form.registration_route.data),
        "services": [OnlineService(code) for code in form.services.data or []],
        "counseling_eligible": bool(form.counseling_eligible.data),
        "terms_agreed_at": jst_day_start(agreed) if agreed else None,
        "assigned_counselor_id": int(form.assigned_counselor_id.data)
        if form.assigned_counselor_id.data
        else None,
    }


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.USERS_EDIT)
def create() -> Response | tuple[str, int]:
    """Register a service user."""
    form = ServiceUserForm()
    if form.validate_on_submit():
        values = _form_values(form)
        terms_id = form.terms_version_id.data
        terms = db.session().get(TermsVersion, int(terms_id)) if terms_id else None
        try:
            user = service.create_service_user(
                db.session(), actor=current_actor(), terms_version=terms, **values
            )
        except service.UserError as error:
            form.reference_no.errors.append(str(error))
        else:
            flash(_("%(name)s has been registered.", name=user.name_kanji), "success")
            return redirect(url_for("users.show", user_id=user.id))
    return render_form("users/form.html", form, user=None)


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@requires(Permission.USERS_EDIT)
def edit(user_id: int) -> Response | tuple[str, int]:
    """Change a service user's record (audited with before and after)."""
    user = get_or_404(ServiceUser, user_id)
    form = ServiceUserForm(obj=user)
    if not form.is_submitted():
        form.services.data = [s.value for s in service.enrolled_services(db.session(), user)]
        form.terms_version_id.data = str(user.terms_version_id or "")
        form.assigned_counselor_id.data = str(user.assigned_counselor_id or "")
        if user.terms_agreed_at:
            form.terms_agreed_on.data = to_jst(user.terms_agreed_at).date()
    if form.validate_on_submit():
        values = _form_values(form)
        terms_id = form.terms_version_id.data
        try:
            changed = service.update_service_user(
                db.session(),
                actor=current_actor(),
                user=user,
                terms_version_id=int(terms_id) if terms_id else None,
                **values,
            )
        except service.UserError as error:
            form.reference_no.errors.append(str(error))
        else:
            message = _("The record has been saved.") if changed else _("Nothing was changed.")
            flash(message, "success" if changed else "info")
            return redirect(url_for("users.show", user_id=user.id))
    return render_form("users/form.html", form, user=user)


@bp.route("/<int:user_id>")
@requires(Permission.USERS_VIEW)
@audited_read
def show(user_id: int) -> str:
    """The record, enrolments, timeline and the features' sections; the view is audited (Art. 6)."""
    session = db.session()
    user = get_or_404(ServiceUser, user_id)
    staff = current_user._get_current_object()
    service.record_view(session, actor=current_actor(), user=user)
    timeline = service.timeline(
        session, user=user, related=user_records(current_app, session, user)
    )
    return render_template(
        "users/show.html",
        user=user,
        enrolments=service.enrolments(session, user),
        terms=session.get(TermsVersion, user.terms_version_id) if user.terms_version_id else None,
        counselor=session.get(Staff, user.assigned_counselor_id)
        if user.assigned_counselor_id
        else None,
        timeline=timeline,
        staff_names=staff_names(session, timeline_staff_ids(timeline)),
        user_panels=user_panels(current_app, session, user, staff),
    )
