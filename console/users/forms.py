"""Service-user forms: search, register and edit."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import col, select
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from console import db
from console.online_services import service_choices
from console.timeutil import to_jst, utcnow
from console.users.models import ROUTE_LABELS, TermsVersion
from console.users.rules import (
    EARLIEST_RECORD,
    birth_date_is_plausible,
    has_control_characters,
    is_reference,
)
from console.users.search import is_kana, reference_key
from console.users.service import counselors

MAX_ID_DIGITS = 9  # ids fit PostgreSQL's integer


def no_control_characters(_form: FlaskForm, field: StringField) -> None:
    """NUL and other control characters: PostgreSQL refuses NUL, and none belongs in a record.

    Raises StopValidation so that no later check (a database lookup) sees the value.
    """
    text = field.data if isinstance(field.data, str) else ""
    if has_control_characters(text):
        raise StopValidation(_l("Remove control characters (such as NUL) from this field."))


class TextForm(FlaskForm):
    """A form whose text fields refuse control characters before any other check."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self._fields.values():
            if isinstance(field, StringField):
                field.validators = [no_control_characters, *field.validators]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form: FlaskForm) -> None:
        # WTForms' own message for this case has no Japanese translation.
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Choose only from the options listed.")) from None


def route_choices() -> dict[str, str]:
    return {route.value: str(label) for route, label in ROUTE_LABELS.items()}


def counselor_choices() -> dict[str, str]:

    choices = {"": str(_l("Not assigned"))}
    choices.update({str(staff.id): staff.display_name for staff in counselors(db.session())})
    return choices


def terms_choices() -> dict[str, str]:
    versions = db.session().exec(
        select(TermsVersion).order_by(col(TermsVersion.effective_from).desc())
    )
    choices = {"": str(_l("Not recorded"))}
    choices.update({str(version.id): version.label for version in versions})
    return choices


class SearchForm(TextForm):
    """The list's search box (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Reference number, name or kana"), validators=[Length(max=100)])
    after = StringField(validators=[Optional(), Length(max=MAX_ID_DIGITS)])

    def validate_after(self, field: StringField) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("This page link is broken. Start the search again."))
        if field.data and len(field.data) > MAX_ID_DIGITS:
            raise ValidationError(_l("This page link is broken. Start the search again."))


class ServiceUserForm(TextForm):
    reference_no = StringField(
        _l("Reference number"),
        description=_l("The office's number, e.g. HW-2024-000123."),
        validators=[DataRequired(), Length(max=32)],
    )
    name_kanji = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    name_kana = StringField(
        _l("Name in kana"),
        description=_l("Katakana or hiragana, e.g. ヤマダ タロウ."),
        validators=[DataRequired(), Length(max=100)],
    )
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    registration_route = SelectField(
        _l("Registration route (Art. 1 (3))"), choices=route_choices, validators=[DataRequired()]
    )
    services = MultiCheckboxField(_l("Enrolled services"), choices=service_choices)
    counseling_eligible = BooleanField(
        _l("Eligible for individual counseling (Art. 1 (4))"),
    )
    terms_version_id = SelectField(_l("Terms version agreed to"), choices=terms_choices)
    terms_agreed_on = DateField(_l("Date the terms were agreed"), validators=[Optional()])
    assigned_counselor_id = SelectField(_l("Assigned counselor"), choices=counselor_choices)
    submit = SubmitField(_l("Save"))

    def validate_reference_no(self, field: StringField) -> None:
        if not is_reference(reference_key(field.data or "")):
            raise ValidationError(
                _l("Use letters, digits and hyphens for the reference number, e.g. HW-2024-000123.")
            )

    def validate_name_kana(self, field: StringField) -> None:
        if not is_kana(field.data or ""):
            raise ValidationError(_l("Enter the name in katakana or hiragana only."))

    def validate_birth_date(self, field: DateField) -> None:
        if field.data and not birth_date_is_plausible(field.data, to_jst(utcnow()).date()):
            raise ValidationError(_l("Enter a date of birth in the past."))

    def validate_terms_agreed_on(self, field: DateField) -> None:
        if field.data and field.data > to_jst(utcnow()).date():
            raise ValidationError(_l("The date of agreement cannot be in the future."))
        if field.data and field.data < EARLIEST_RECORD:
            raise ValidationError(_l("Enter a date from the year 2000 on."))
        if field.data and not self.terms_version_id.data:
            raise ValidationError(_l("Choose the terms version the user agreed to."))
