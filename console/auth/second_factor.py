"""The sign-in step between password and session for roles that need TOTP (SECURITY.md 6)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from console import db
from console.auth import service, sessions, totp
from console.auth.forms import TotpForm, TotpSetupForm
from console.auth.models import Staff
from console.permissions import public
from console.timeutil import utcnow
from console.web import render_form, safe_next

bp = Blueprint("two_factor", __name__, url_prefix="/auth/two-factor")

PENDING_KEY = "pending_login"
SECRET_KEY = "pending_totp_secret"  # noqa: S105 - a session key name
PENDING_SECONDS = 300


def start(staff: Staff, next_url: str) -> Response:
    """Password accepted: remember who is half signed in, and ask for the second factor."""
    session[PENDING_KEY] = {"staff_id": staff.id, "at": utcnow().timestamp(), "next": next_url}
    if totp.enrolment(db.session(), staff) is None:
        return redirect(url_for("two_factor.setup"))
    return redirect(url_for("two_factor.verify"))


def _pending_staff() -> Staff | None:
    pending = session.get(PENDING_KEY)
    if (
        not isinstance(pending, dict)
        or utcnow().timestamp() - pending.get("at", 0) > PENDING_SECONDS
    ):
        return None
    staff = db.session().get(Staff, pending.get("staff_id"))
    return staff if staff is not None and staff.active else None


def _finish(staff: Staff, second_factor: str) -> Response:
    next_url = session.get(PENDING_KEY, {}).get("next", "")
    service.record_login(db.session(), staff=staff, second_factor=second_factor)
    sessions.begin(db.session(), staff)
    return redirect(safe_next(next_url, url_for("dashboard.index")))


@bp.route("/", methods=["GET", "POST"])
@public
def verify() -> Response | tuple[str, int]:
    """Enter the authenticator's code (or a recovery code)."""
    staff = _pending_staff()
    if staff is None:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        code = form.code.data.strip()
        if totp.check_code(db.session(), staff, code):
            return _finish(staff, "totp")
        if "-" in code and totp.use_recovery_code(db.session(), staff, code):
            return _finish(staff, "recovery_code")
        service.second_factor_failed(db.session(), staff=staff, address=sessions.client_address())
        form.code.errors.append(_("The code is wrong or already used. Enter the current code."))
    return render_form("auth/two_factor.html", form)


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup() -> Response | tuple[str, int]:
    """Register an authenticator app on first sign-in (or after an administrator's reset)."""
    staff = _pending_staff()
    if staff is None:
        return redirect(url_for("auth.login"))
    if totp.enrolment(db.session(), staff) is not None:
        return redirect(url_for("two_factor.verify"))
    secret = session.get(SECRET_KEY) or totp.new_secret()
    session[SECRET_KEY] = secret
    form = TotpSetupForm()
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(db.session(), staff, secret, form.code.data)
        if codes is not None:
            session.pop(SECRET_KEY, None)
            _finish(staff, "totp")
            return render_template("auth/recovery_codes.html", codes=codes), 200
        form.code.errors.append(_("The code does not match. Check the app's clock and try again."))
    uri = totp.provisioning_uri(staff, secret)
    return render_form("auth/two_factor_setup.html", form, qr=totp.qr_data_uri(uri), secret=secret)
