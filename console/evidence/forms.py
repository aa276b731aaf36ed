"""Forms to attach a file or a typed note, and to withdraw an item."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from console.evidence.service import NOTE_MAX_CHARS


class FileEvidenceForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to attach."))])
    title = StringField(
        _l("Description (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example: screenshot of the chat at 22:05"),
    )
    submit = SubmitField(_l("Attach file"))


class NoteEvidenceForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Note"),
        validators=[DataRequired(), Length(max=NOTE_MAX_CHARS)],
        render_kw={"rows": 10},
        description=_l(
            "Write what you saw or heard, with times. IP addresses and device ids are kept, "
            "but shown masked."
        ),
    )
    submit = SubmitField(_l("Save note"))


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for withdrawal"),
        validators=[DataRequired(), Length(max=500)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Withdraw item"))
