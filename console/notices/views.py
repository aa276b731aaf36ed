"""Supervisors' notice pages (thin: form → service → redirect)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from console import db
from console.auth.models import Staff
from console.notices import service
from console.notices.forms import (
    CancelForm,
    EndNowForm,
    ExtendForm,
    FilterForm,
    NoticeForm,
    PublishForm,
)
from console.notices.models import Notice, NoticeKind, NoticeState
from console.notices.state import services_of
from console.permissions import Permission, requires
from console.timeutil import to_jst
from console.web import current_actor, get_or_404, render_form

bp = Blueprint("notice_admin", __name__, url_prefix="/manage/notices")


@bp.route("/")
@requires(Permission.NOTICES_VIEW)
def index() -> tuple[str, int]:
    """Every notice, filtered by state, kind and title."""
    form = FilterForm(formdata=request.args)
    if not form.validate():
        return render_template("notices/list.html", form=form, page=None), 400
    result = service.list_notices(
        db.session(),
        state=NoticeState(form.state.data) if form.state.data else None,
        kind=NoticeKind(form.kind.data) if form.kind.data else None,
        text=(form.q.data or "").strip(),
        page=form.page.data or 1,
    )
    return render_template("notices/list.html", form=form, page=result), 200


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.NOTICES_MANAGE)
def create() -> Response | tuple[str, int]:
    """Draft a new notice; nothing is public until it is published."""
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            notice = service.create_notice(
                db.session(), actor=current_actor(), data=form.to_input()
            )
        except service.NoticeError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The draft has been saved. Check it, then publish it."), "success")
            return redirect(url_for("notice_admin.show", notice_id=notice.id))
    return render_form("notices/form.html", form, notice=None)


@bp.route("/<int:notice_id>")
@requires(Permission.NOTICES_VIEW)
def show(notice_id: int) -> str:
    """One notice with the actions its state allows."""
    notice = get_or_404(Notice, notice_id)
    creator = db.session().get(Staff, notice.created_by_id) if notice.created_by_id else None
    return render_template("notices/show.html", notice=notice, creator=creator)


@bp.route("/<int:notice_id>/edit", methods=["GET", "POST"])
@requires(Permission.NOTICES_MANAGE)
def edit(notice_id: int) -> Response | tuple[str, int]:
    """Change a notice before its start."""
    notice = get_or_404(Notice, notice_id)
    if not service.can_edit(notice):
        flash(
            _("This notice can no longer be edited: it has started, ended or been cancelled."),
            "warning",
        )
        return redirect(url_for("notice_admin.show", notice_id=notice.id))
    form = NoticeForm(obj=None if request.method == "POST" else _form_data(notice))
    if form.validate_on_submit():
        try:
            service.update_notice(
                db.session(), actor=current_actor(), notice=notice, data=form.to_input()
            )
        except service.NoticeError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("The notice has been saved."), "success")
            return redirect(url_for("notice_admin.show", notice_id=notice.id))
    return render_form("notices/form.html", form, notice=notice)


class _FormData:
    """A notice as the form's initial values (times back in Japan time)."""

    def __init__(self, notice: Notice) -> None:
        self.kind, self.cause = notice.kind, notice.cause
        self.all_services = notice.all_services
        self.services = [s.value for s in services_of(notice)] if not notice.all_services else []
        self.starts_at = to_jst(notice.starts_at).replace(tzinfo=None)
        self.ends_at = to_jst(notice.ends_at).replace(tzinfo=None) if notice.ends_at else None
        self.terms_version_id = str(notice.terms_version_id or "")
        for name in ("title_ja", "body_ja", "title_en", "body_en", "impact", "contact"):
            setattr(self, name, getattr(notice, name))
        self.extension_possible = notice.extension_possible


def _form_data(notice: Notice) -> _FormData:
    return _FormData(notice)


def _act(notice_id: int, form_class: type, template: str, act) -> Response | tuple[str, int]:
    """A confirmation page whose POST runs ``act(notice, form)`` and goes back to the notice."""
    notice = get_or_404(Notice, notice_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            message = act(notice, form)
        except service.NoticeError as error:
            form.form_errors.append(str(error))
        else:
            flash(message, "success")
            return redirect(url_for("notice_admin.show", notice_id=notice.id))
    return render_form(template, form, notice=notice)


@bp.route("/<int:notice_id>/publish", methods=["GET", "POST"])
@requires(Permission.NOTICES_MANAGE)
def publish(notice_id: int) -> Response | tuple[str, int]:
    """Confirm, then publish a draft (shown to the public from the chosen time)."""

    def act(notice: Notice, form: PublishForm) -> str:
        service.publish_notice(
            db.session(), actor=current_actor(), notice=notice, publish_from=form.publish_from_utc()
        )
        return _("The notice has been published.")

    return _act(notice_id, PublishForm, "notices/publish.html", act)


@bp.route("/<int:notice_id>/extend", methods=["GET", "POST"])
@requires(Permission.NOTICES_MANAGE)
def extend(notice_id: int) -> Response | tuple[str, int]:
    """Confirm, then move the end of a stop later."""

    def act(notice: Notice, form: ExtendForm) -> str:
        service.extend_notice(
            db.session(),
            actor=current_actor(),
            notice=notice,
            new_end=form.new_end_utc(),
            reason=form.reason.data,
        )
        return _("The stop has been extended.")

    return _act(notice_id, ExtendForm, "notices/extend.html", act)


@bp.route("/<int:notice_id>/end", methods=["GET", "POST"])
@requires(Permission.NOTICES_MANAGE)
def end_now(notice_id: int) -> Response | tuple[str, int]:
    """Confirm, then end a stop in progress now."""

    def act(notice: Notice, form: EndNowForm) -> str:
        service.end_notice_now(
            db.session(), actor=current_actor(), notice=notice, reason=form.reason.data or ""
        )
        return _("The stop has been ended.")

    return _act(notice_id, EndNowForm, "notices/end.html", act)


@bp.route("/<int:notice_id>/cancel", methods=["GET", "POST"])
@requires(Permission.NOTICES_MANAGE)
def cancel(notice_id: int) -> Response | tuple[str, int]:
    """Confirm, then cancel a notice whose stop has not started."""

    def act(notice: Notice, form: CancelForm) -> str:
        service.cancel_notice(
            db.session(), actor=current_actor(), notice=notice, reason=form.reason.data
        )
        return _("The notice has been cancelled.")

    return _act(notice_id, CancelForm, "notices/cancel.html", act)
