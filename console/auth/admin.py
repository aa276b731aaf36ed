"""Administrators' pages: create staff, change roles, disable accounts (auditors may look)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from console import db
from console.auth import service, totp
from console.auth.forms import StaffActiveForm, StaffCreateForm, StaffRoleForm
from console.auth.models import Staff
from console.permissions import Permission, Role, requires
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("staff", __name__, url_prefix="/admin/staff")


@bp.route("/")
@requires(Permission.STAFF_VIEW)
def index() -> str:
    """Every staff account."""
    return render_template("admin/staff_list.html", staff=service.list_staff(db.session()))


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.STAFF_MANAGE)
def create() -> Response | tuple[str, int]:
    """Create an account with an initial password the person changes later."""
    form = StaffCreateForm()
    if form.validate_on_submit():
        try:
            staff = service.create_staff(
                db.session(),
                actor=current_actor(),
                login=form.login.data,
                display_name=form.display_name.data,
                role=Role(form.role.data),
                password=form.new_password.data,
            )
        except service.StaffError as error:
            form.login.errors.append(str(error))
        else:
            flash(_("The account %(login)s has been created.", login=staff.login), "success")
            return redirect(url_for("staff.show", staff_id=staff.id))
    return render_form("admin/staff_form.html", form)


def _account_page(staff: Staff, failed: FlaskForm | None = None) -> tuple[str, int]:
    """The account page; ``failed`` is the submitted form to show again with its errors."""
    forms = {
        "role_form": StaffRoleForm(role=staff.role),
        "active_form": StaffActiveForm(),
        "totp_form": StaffActiveForm(prefix="totp"),
    }
    if failed is not None:
        name = next(
            key
            for key, form in forms.items()
            if form._prefix == failed._prefix and type(form) is type(failed)
        )
        forms[name] = failed
    html = render_template(
        "admin/staff_show.html",
        staff=staff,
        has_totp=totp.enrolment(db.session(), staff) is not None,
        **forms,
    )
    return html, 422 if failed is not None else 200


@bp.route("/<int:staff_id>")
@requires(Permission.STAFF_VIEW)
def show(staff_id: int) -> tuple[str, int]:
    """One account, with the forms to change its role, state or authenticator."""
    return _account_page(get_or_404(Staff, staff_id))


@bp.route("/<int:staff_id>/role", methods=["POST"])
@requires(Permission.STAFF_MANAGE, fresh=True)
def change_role(staff_id: int) -> Response | tuple[str, int]:
    """Give an account another role (needs a fresh login)."""
    staff = get_or_404(Staff, staff_id)
    form = StaffRoleForm()
    if not form.validate_on_submit():
        return _account_page(staff, form)
    service.change_role(db.session(), actor=current_actor(), staff=staff, role=Role(form.role.data))
    flash(_("The role has been changed."), "success")
    return redirect(url_for("staff.show", staff_id=staff.id))


@bp.route("/<int:staff_id>/active", methods=["POST"])
@requires(Permission.STAFF_MANAGE)
def toggle_active(staff_id: int) -> Response | tuple[str, int]:
    """Disable an account (its sessions end at once) or enable it again."""
    staff = get_or_404(Staff, staff_id)
    form = StaffActiveForm()
    if form.validate_on_submit():
        try:
            service.set_active(
                db.session(),
                actor=current_actor(),
                staff=staff,
                active=not staff.active,
                reason=form.reason.data,
            )
        except service.StaffError as error:
            form.reason.errors.append(str(error))
        else:
            enabled = _("The account is enabled.")
            flash(enabled if staff.active else _("The account is disabled."), "success")
            return redirect(url_for("staff.show", staff_id=staff.id))
    return _account_page(staff, form)


@bp.route("/<int:staff_id>/totp-reset", methods=["POST"])
@requires(Permission.STAFF_MANAGE, fresh=True)
def reset_totp(staff_id: int) -> Response | tuple[str, int]:
    """Remove a lost authenticator; the person registers a new one at their next sign-in."""
    staff = get_or_404(Staff, staff_id)
    form = StaffActiveForm(prefix="totp")
    if not form.validate_on_submit():
        return _account_page(staff, form)
    totp.reset(db.session(), actor=current_actor(), staff=staff, reason=form.reason.data)
    flash(_("The authenticator has been reset."), "success")
    return redirect(url_for("staff.show", staff_id=staff.id))
