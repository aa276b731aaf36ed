"""The disclosure request form and the decision form."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from console import db
from console.disclosures.models import DataKind, Verdict
from console.users.models import ServiceUser
from console.users.service import find_by_reference

MAX_SUBJECTS = 50


class DisclosureRequestForm(FlaskForm):
    authority = StringField(
        _l("Requesting authority"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: 警視庁渋谷警察署, 東京地方裁判所"),
    )
    legal_basis = StringField(
        _l("Legal basis cited"),
        validators=[DataRequired(), Length(max=300)],
        description=_l("For example: 刑事訴訟法第197条第2項"),
    )
    document_ref = StringField(
        _l("Document reference number"), validators=[DataRequired(), Length(max=100)]
    )
    document_date = DateField(_l("Document date"), validators=[DataRequired()])
    reference_numbers = TextAreaField(
        _l("Service users (reference numbers)"),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 3},
        description=_l("One per line, or separated by commas."),
    )
    period_from = DateField(_l("Period from"), validators=[DataRequired()])
    period_to = DateField(_l("Period to"), validators=[DataRequired()])
    data_kinds = SelectMultipleField(
        _l("Kinds of data"),
        choices=DataKind.choices,
        validators=[DataRequired(message=_l("Choose at least one kind of data."))],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    purpose = TextAreaField(
        _l("Details of the request (optional)"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Submit the request"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_users: list[ServiceUser] = []

    def validate_reference_numbers(self, field: TextAreaField) -> None:
        numbers = [part for part in re.split(r"[\s,、，]+", field.data or "") if part]
        if not numbers:
            raise ValidationError(_l("Enter at least one reference number."))
        if len(numbers) > MAX_SUBJECTS:
            raise ValidationError(_l("Name at most 50 service users in one request."))
        missing = []
        for number in numbers:
            user = find_by_reference(db.session(), number)
            if user is None:
                missing.append(number[:32])
            elif user not in self.service_users:
                self.service_users.append(user)
        if missing:
            raise ValidationError(
                _l(
                    "No service user has these reference numbers: %(numbers)s",
                    numbers=", ".join(missing),
                )
            )

    def validate_period_to(self, field: DateField) -> None:
        if self.period_from.data and field.data and field.data < self.period_from.data:
            raise ValidationError(_l("The end of the period is before its start."))


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Approval decision"), choices=Verdict.choices, validators=[DataRequired()]
    )
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(), Length(max=1000)], render_kw={"rows": 3}
    )
    submit = SubmitField(_l("Record the approval decision"))


class ExportForm(FlaskForm):
    submit = SubmitField(_l("Download the ZIP export"))
