"""The auditor's search form (GET, no CSRF) and the verify-now button (POST, CSRF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from console.audit.actions import ACTIONS
from console.audit.labels import SUBJECT_TYPES
from console.forms import TextForm

FIRST_YEAR, LAST_YEAR = 2000, 2999
TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def action_choices() -> dict[str, str]:
    """Every action by its label in the current language (value → label)."""
    return {"": str(_l("Any action")), **{name: str(label) for name, label in ACTIONS.items()}}


def subject_type_choices() -> dict[str, str]:
    return {"": str(_l("Any kind")), **{name: str(label) for name, label in SUBJECT_TYPES.items()}}


def _refuse_far_dates(field: DateTimeLocalField) -> None:
    if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(
            _l("Enter a year between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
        )


class SearchForm(TextForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    allowed_controls = frozenset[str]()  # one-line fields: not even a line break

    since = DateTimeLocalField(
        _l("From (Japan time)"), format=TIME_FORMATS, validators=[Optional()]
    )
    until = DateTimeLocalField(
        _l("Until (Japan time)"), format=TIME_FORMATS, validators=[Optional()]
    )
    actor = StringField(_l("Staff login ID"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), choices=action_choices, validate_choice=True, default="")
    subject_type = SelectField(
        _l("Subject kind"), choices=subject_type_choices, validate_choice=True, default=""
    )
    subject_id = StringField(_l("Subject ID"), validators=[Optional(), Length(max=64)])
    text = StringField(
        _l("Words in the details or reason"), validators=[Optional(), Length(max=200)]
    )
    before = IntegerField(validators=[Optional(), NumberRange(min=1, max=2**62)])

    def validate_since(self, field: DateTimeLocalField) -> None:
        _refuse_far_dates(field)

    def validate_until(self, field: DateTimeLocalField) -> None:
        _refuse_far_dates(field)
        if field.data and self.since.data and field.data <= self.since.data:
            raise ValidationError(_l("The end must be after the start."))


class VerifyForm(FlaskForm):
    submit = SubmitField(_l("Verify now"))
