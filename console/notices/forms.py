"""Forms of the supervisors' notice pages; times are typed in Japan time."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from console import db
from console.forms import JAPAN_TIME_HELP, JapanDateTimeField, TextForm
from console.i18n import format_jst
from console.notices import service
from console.notices.models import (
    NoticeCause,
    NoticeKind,
    NoticeState,
)
from console.online_services import OnlineService, service_choices


def kind_choices() -> dict[str, str]:
    return NoticeKind.choices()


def cause_choices() -> dict[str, str]:
    return NoticeCause.choices()


def notice_service_choices() -> dict[str, str]:
    return service_choices(tuple(OnlineService))


def terms_choices() -> dict[str, str]:
    versions = service.terms_versions(db.session())
    choices = {"": str(_l("(not a terms change)"))}
    for version in versions:
        choices[str(version.id)] = f"{version.label}（{format_jst(version.effective_from)}）"
    return choices


def japan_time_field(label: Any, required: bool) -> JapanDateTimeField:
    validators = [InputRequired()] if required else [Optional()]
    return JapanDateTimeField(label, validators=validators, description=JAPAN_TIME_HELP)


class NoticeForm(TextForm):
    kind = SelectField(_l("Kind"), choices=kind_choices, validators=[DataRequired()])
    all_services = BooleanField(_l("Every online service"), default=True)
    services = SelectMultipleField(
        _l("Services stopped (if not every service)"),
        choices=notice_service_choices,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    cause = SelectField(_l("Cause (Art. 8-6)"), choices=cause_choices, validators=[DataRequired()])
    starts_at = japan_time_field(_l("Start"), required=False)
    ends_at = japan_time_field(_l("Planned end (may be left empty for an unannounced stop)"), False)
    terms_version_id = SelectField(
        _l("New terms version (terms changes only)"), choices=terms_choices
    )
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=200)])
    body_ja = TextAreaField(
        _l("Text (Japanese)"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 5}
    )
    title_en = StringField(_l("Title (English, optional)"), validators=[Length(max=200)])
    body_en = TextAreaField(
        _l("Text (English, optional)"), validators=[Length(max=5000)], render_kw={"rows": 4}
    )
    impact = TextAreaField(
        _l("Impact (影響範囲)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    contact = TextAreaField(
        _l("Contact (問い合わせ先)"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"rows": 2},
    )
    extension_possible = BooleanField(_l("The stop may be extended"))
    submit = SubmitField(_l("Save draft"))

    def validate_services(self, field: SelectMultipleField) -> None:
        if not self.all_services.data and not field.data:
            raise ValidationError(_l("Tick the services that stop, or tick every online service."))

    def validate_starts_at(self, field: JapanDateTimeField) -> None:
        if self.kind.data != NoticeKind.TERMS_CHANGE.value and field.data is None:
            raise ValidationError(_l("Enter the start in Japan time, e.g. 2026-12-01 22:00."))

    def validate_terms_version_id(self, field: SelectField) -> None:
        if self.kind.data == NoticeKind.TERMS_CHANGE.value and not field.data:
            raise ValidationError(_l("Choose the new version of the terms."))

    def to_input(self) -> service.NoticeInput:
        """What the service needs; times converted from Japan time to UTC."""
        return service.NoticeInput(
            kind=NoticeKind(self.kind.data),
            services=[]
            if self.all_services.data
            else [OnlineService(v) for v in self.services.data],
            cause=NoticeCause(self.cause.data),
            starts_at=self.starts_at.utc,
            ends_at=self.ends_at.utc,
            title_ja=self.title_ja.data or "",
            body_ja=self.body_ja.data or "",
            title_en=self.title_en.data or "",
            body_en=self.body_en.data or "",
            impact=self.impact.data or "",
            contact=self.contact.data or "",
            extension_possible=bool(self.extension_possible.data),
            terms_version_id=int(self.terms_version_id.data)
            if self.terms_version_id.data
            else None,
        )


def confirm_field() -> BooleanField:
    return BooleanField(
        _l("I have checked the details above."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )


class PublishForm(TextForm):
    publish_from = japan_time_field(_l("Show to the public from (empty: now)"), required=False)
    confirm = confirm_field()
    submit = SubmitField(_l("Publish"))


class ExtendForm(TextForm):
    new_end = japan_time_field(_l("New end"), required=True)
    reason = StringField(
        _l("Reason (internal, not shown to the public)"),
        validators=[DataRequired(), Length(max=500)],
    )
    confirm = confirm_field()
    submit = SubmitField(_l("Extend"))


class EndNowForm(TextForm):
    reason = StringField(
        _l("Note (internal, not shown to the public)"), validators=[Optional(), Length(max=500)]
    )
    confirm = confirm_field()
    submit = SubmitField(_l("End the stop now"))


class CancelForm(TextForm):
    reason = StringField(
        _l("Reason (internal, not shown to the public)"),
        validators=[DataRequired(), Length(max=500)],
    )
    confirm = confirm_field()
    submit = SubmitField(_l("Cancel the notice"))


def state_filter_choices() -> dict[str, str]:
    return {
        "": str(_l("Every state")),
        **NoticeState.choices(),
    }


def kind_filter_choices() -> dict[str, str]:
    return {"": str(_l("Every kind")), **kind_choices()}


class FilterForm(TextForm):
    """The list's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=state_filter_choices, validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=kind_filter_choices, validators=[Optional()])
    q = StringField(_l("Title contains"), validators=[Optional(), Length(max=100)])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])
