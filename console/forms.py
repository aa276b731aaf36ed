"""The form kit every feature shares: text without control characters, checkbox lists,
and date-times typed in Japan time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, Field, SelectMultipleField, StringField, widgets
from wtforms.validators import StopValidation, ValidationError

from console.rules import LINE_CONTROLS, has_control_characters
from console.timeutil import from_jst, to_jst

JAPAN_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
JAPAN_TIME_HELP = _l("Japan time (JST).")


class TextForm(FlaskForm):
    """A form whose text fields refuse control characters before any other check.

    NUL and the like: PostgreSQL refuses NUL, and none belongs in a record. A tab or a
    line break is allowed unless the form says otherwise (``allowed_controls``).
    """

    allowed_controls: frozenset[str] = LINE_CONTROLS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self._fields.values():
            if isinstance(field, StringField):
                field.validators = [self._no_control_characters, *field.validators]

    def _no_control_characters(self, _form: FlaskForm, field: Field) -> None:
        # StopValidation: no later check (a database lookup) sees the value.
        text = field.data if isinstance(field.data, str) else ""
        if has_control_characters(text, self.allowed_controls):
            raise StopValidation(_l("Remove the control characters from this text."))


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


class JapanDateTimeField(DateTimeLocalField):
    """A date and time typed in Japan time; ``utc`` is the moment as aware UTC."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", JAPAN_TIME_FORMATS)
        super().__init__(label, validators, **kwargs)

    @property
    def utc(self) -> datetime | None:
        """What was typed, as aware UTC (None when empty)."""
        return from_jst(self.data) if self.data else None

    @property
    def required_utc(self) -> datetime:
        """``utc`` of a field its validators made required."""
        if not self.data:
            raise ValueError(f"{self.name} was validated as required but is empty")
        return from_jst(self.data)

    def show(self, moment: datetime | None) -> None:
        """Fill the field with a stored UTC moment, as Japan wall-clock time."""
        self.data = to_jst(moment).replace(tzinfo=None) if moment else None
