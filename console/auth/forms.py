"""Sign-in, password and staff account forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from console.auth.passwords import MAX_LENGTH, password_problem
from console.auth.service import (
    LOGIN_MAX,
    NAME_MAX,
    display_name_problem,
    login_problem,
)
from console.i18n import LANGUAGES
from console.permissions import Role


def role_choices() -> dict[str, str]:
    """Value → label (WTForms 3.3 wants a dict, not tuples)."""
    return {role.value: role.label for role in Role}


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), Length(max=MAX_LENGTH)])


class NewPasswordMixin:
    def validate_new_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    login = StringField(_l("Login ID"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ReauthenticateForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    new_password = _new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class StaffCreateForm(NewPasswordMixin, FlaskForm):
    login = StringField(_l("Login ID"), validators=[DataRequired(), Length(max=LOGIN_MAX)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    new_password = _new_password_field(_l("Initial password"))
    confirm = PasswordField(
        _l("Initial password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
    submit = SubmitField(_l("Create account"))

    def validate_login(self, field: StringField) -> None:
        problem = login_problem((field.data or "").strip().lower())
        if problem:
            raise ValidationError(problem)

    def validate_display_name(self, field: StringField) -> None:
        problem = display_name_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class StaffRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    submit = SubmitField(_l("Change role"))


class StaffActiveForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Confirm"))


class LanguageForm(FlaskForm):
    lang = SelectField(choices=dict(LANGUAGES), validators=[DataRequired()])
    next = HiddenField()


class TotpForm(FlaskForm):
    code = StringField(
        _l("6-digit code or recovery code"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )
    submit = SubmitField(_l("Confirm"))


class TotpSetupForm(FlaskForm):
    code = StringField(
        _l("6-digit code shown by the app"),
        validators=[DataRequired(), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Register authenticator"))
