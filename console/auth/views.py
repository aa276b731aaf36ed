"""Sign in and out, re-enter the password, change one's own password, switch language."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from console import db
from console.audit import Actor, Subject, record
from console.auth import second_factor, service, sessions, totp
from console.auth.forms import LanguageForm, LoginForm, PasswordChangeForm, ReauthenticateForm
from console.permissions import Permission, public, requires
from console.web import next_from_request, render_form, safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | tuple[str, int]:
    """The sign-in page: one message for an unknown account and a wrong password alike."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = service.authenticate(
            db.session(),
            login=form.login.data,
            password=form.password.data,
            address=sessions.client_address(),
        )
        if result.staff is not None:
            if totp.required_for(result.staff):
                return second_factor.start(result.staff, form.next.data or "")
            service.record_login(db.session(), staff=result.staff, second_factor=None)
            sessions.begin(db.session(), result.staff)
            return redirect(safe_next(form.next.data, url_for("dashboard.index")))
        if result.retry_after is not None:
            minutes = max(1, int(result.retry_after.total_seconds() // 60) + 1)
            form.form_errors.append(
                _(
                    "Too many failed sign-ins. Wait %(minutes)d minutes and try again.",
                    minutes=minutes,
                )
            )
        else:
            form.form_errors.append(_("The login ID or the password is wrong."))
    return render_form("auth/login.html", form)


@bp.route("/logout", methods=["POST"])
@requires(Permission.SIGNED_IN)
def logout() -> Response:
    """End the session on the server, not only in the browser."""
    staff = current_user._get_current_object()
    record(db.session(), Actor.of_staff(staff), "auth.logout", Subject.of("staff", staff.id), {})
    sessions.end(db.session())
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/reauthenticate", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def reauthenticate() -> Response | tuple[str, int]:
    """Re-enter the password before a decision, an approval or an export."""
    form = ReauthenticateForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        staff = current_user._get_current_object()
        if service.reauthenticate(db.session(), staff=staff, password=form.password.data):
            sessions.mark_fresh()
            return redirect(safe_next(form.next.data, url_for("dashboard.index")))
        form.password.errors.append(_("The password is wrong."))
    return render_form("auth/reauthenticate.html", form)


@bp.route("/password", methods=["GET", "POST"])
@requires(Permission.SIGNED_IN)
def change_password() -> Response | tuple[str, int]:
    """Change one's own password; the current one is asked for."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            service.change_password(
                db.session(),
                staff=current_user._get_current_object(),
                current=form.current_password.data,
                new=form.new_password.data,
            )
        except service.StaffError as error:
            form.current_password.errors.append(str(error))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("dashboard.index"))
    return render_form("auth/password.html", form)


@bp.route("/language", methods=["POST"])
@public
def switch_language() -> Response:
    """Remember the chosen language in the session."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    return redirect(next_from_request(url_for("dashboard.index")))
