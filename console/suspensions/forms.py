"""Forms of Art. 9-2 suspensions: propose, decide, lift, object, reconsider, search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from console.online_services import service_choices
from console.suspensions.decisions import Amendment
from console.suspensions.models import (
    CHANNEL_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    Kind,
    Reconsideration,
    Verdict,
)
from console.suspensions.proposals import ProposalInput
from console.suspensions.rules import (
    MAX_REASON,
    MIN_DECISION_REASON,
    MIN_OBJECTION_TEXT,
    MIN_PROPOSAL_REASON,
)
from console.terms import category_choices
from console.timeutil import from_jst
from console.users.models import ServiceUser

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _labels(mapping: dict) -> Callable[[], dict[str, str]]:
    return lambda: {key.value: str(value) for key, value in mapping.items()}


def jst_value(field: DateTimeLocalField) -> datetime | None:
    """A datetime-local field's value (typed in Japan time) as aware UTC."""
    return from_jst(field.data) if field.data else None


class PeriodMixin:
    """Start, end and scope shared by a proposal and an amendment."""

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        kind = self.kind.data  # type: ignore[attr-defined]
        start = self.starts_at.data  # type: ignore[attr-defined]
        if kind == Kind.STOP and not field.data:
            raise ValidationError(_l("A temporary stop needs an end date and time."))
        if kind == Kind.TERMINATION and field.data:
            raise ValidationError(_l("A termination has no end: leave the end empty."))
        if field.data and start and field.data <= start:
            raise ValidationError(_l("The end must be after the start."))

    def validate_services(self, field: MultiCheckboxField) -> None:
        if not self.all_services.data and not field.data:  # type: ignore[attr-defined]
            raise ValidationError(_l("Choose all services or at least one service."))


class ProposalForm(PeriodMixin, FlaskForm):
    incidents = MultiCheckboxField(
        _l("Incidents of this user cited"),
        choices=[],
        coerce=int,
        validators=[DataRequired(message=_l("Cite at least one incident of this user."))],
    )
    articles = MultiCheckboxField(
        _l("Articles of the terms breached"),
        choices=category_choices,
        description=_l("Prefilled from the categories of the cited incidents."),
    )
    kind = RadioField(
        _l("Kind"),
        choices=_labels(KIND_LABELS),
        default=Kind.STOP.value,
        validators=[InputRequired()],
    )
    starts_at = DateTimeLocalField(
        _l("Start (Japan time)"), format=DATETIME_FORMAT, validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(
        _l("End (Japan time)"),
        format=DATETIME_FORMAT,
        validators=[Optional()],
        description=_l(
            "Required for a temporary stop; the stop ends at this moment. Leave empty for a termination."
        ),
    )
    all_services = BooleanField(_l("All services"))
    services = MultiCheckboxField(_l("Services"), choices=service_choices)
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_PROPOSAL_REASON,
                max=MAX_REASON,
                message=_l("Write the reason in %(min)d to %(max)d characters."),
            ),
        ],
        description=_l("In your own words: what happened and why this suspension is needed."),
    )
    submit = SubmitField(_l("Submit the proposal"))

    def proposal_input(self, service_user: ServiceUser) -> ProposalInput:
        """What was typed, for ``proposals.propose``."""
        return ProposalInput(
            service_user=service_user,
            incident_ids=self.incidents.data or [],
            article_codes=self.articles.data or [],
            kind=Kind(self.kind.data),
            starts_at=jst_value(self.starts_at),  # type: ignore[arg-type]
            ends_at=jst_value(self.ends_at),
            all_services=self.all_services.data,
            services=self.services.data or [],
            reason=self.reason.data or "",
        )


DECISIONS = {
    Verdict.APPROVE: _l("Approve as proposed"),
    Verdict.AMEND: _l("Amend (shorter or narrower only) and approve"),
    Verdict.REJECT: _l("Reject"),
}


class DecisionForm(PeriodMixin, FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=_labels(DECISIONS),
        validators=[InputRequired(message=_l("Choose approve, amend or reject."))],
    )
    kind = RadioField(_l("Kind"), choices=_labels(KIND_LABELS), validators=[Optional()])
    starts_at = DateTimeLocalField(
        _l("Start (Japan time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    ends_at = DateTimeLocalField(
        _l("End (Japan time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    all_services = BooleanField(_l("All services"))
    services = MultiCheckboxField(_l("Services"), choices=service_choices)
    reason = TextAreaField(
        _l("Reason for the decision"),
        validators=[Length(max=MAX_REASON)],
        description=_l(
            "Required when you amend or reject (at least %(count)d characters).",
            count=MIN_DECISION_REASON,
        ),
    )
    submit = SubmitField(_l("Record the decision"))

    def _amending(self) -> bool:
        return self.decision.data == Verdict.AMEND

    def amendment(self) -> Amendment | None:
        """The amended period and services, when the supervisor amends."""
        if not self._amending():
            return None
        return Amendment(
            starts_at=jst_value(self.starts_at),  # type: ignore[arg-type]
            ends_at=jst_value(self.ends_at),
            kind=Kind(self.kind.data),
            all_services=self.all_services.data,
            services=self.services.data or [],
        )

    def validate_kind(self, field: RadioField) -> None:
        if self._amending() and not field.data:
            raise ValidationError(_l("Choose the kind."))

    def validate_starts_at(self, field: DateTimeLocalField) -> None:
        if self._amending() and not field.data:
            raise ValidationError(_l("Enter the start date and time."))

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        if self._amending():
            super().validate_ends_at(field)

    def validate_services(self, field: MultiCheckboxField) -> None:
        if self._amending():
            super().validate_services(field)

    def validate_reason(self, field: TextAreaField) -> None:
        needs_reason = self.decision.data in (Verdict.AMEND, Verdict.REJECT)
        if needs_reason and len((field.data or "").strip()) < MIN_DECISION_REASON:
            raise ValidationError(
                _l(
                    "Write the reason for this decision in at least %(count)d characters.",
                    count=MIN_DECISION_REASON,
                )
            )


class WithdrawForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=500)])
    confirm = BooleanField(
        _l("I understand a withdrawn proposal cannot be reopened."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Withdraw the proposal"))


class LiftForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_DECISION_REASON,
                max=MAX_REASON,
                message=_l("Write the reason in %(min)d to %(max)d characters."),
            ),
        ],
    )
    confirm = BooleanField(
        _l("I understand the user may use the services again at once."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Lift now"))


class ObjectionForm(FlaskForm):
    received_on = DateField(_l("Date received"), validators=[InputRequired()])
    channel = SelectField(
        _l("Received"), choices=_labels(CHANNEL_LABELS), validators=[InputRequired()]
    )
    text = TextAreaField(
        _l("What the user says"),
        validators=[DataRequired(), Length(min=MIN_OBJECTION_TEXT, max=MAX_REASON)],
    )
    submit = SubmitField(_l("Record the objection"))


class ReconsiderForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=_labels(OUTCOME_LABELS),
        validators=[InputRequired(message=_l("Choose an outcome."))],
    )
    new_end = DateTimeLocalField(
        _l("New end (Japan time)"),
        format=DATETIME_FORMAT,
        validators=[Optional()],
        description=_l("Only when you shorten the stop."),
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_DECISION_REASON,
                max=MAX_REASON,
                message=_l("Write the reason in %(min)d to %(max)d characters."),
            ),
        ],
    )
    submit = SubmitField(_l("Record the reconsideration"))

    def validate_new_end(self, field: DateTimeLocalField) -> None:
        if self.outcome.data == Reconsideration.SHORTEN and not field.data:
            raise ValidationError(_l("Enter the new end date and time."))


class NoticePrintedForm(FlaskForm):
    digest = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    submit = SubmitField(_l("Record that the notice was printed"))


STATE_FILTERS = {
    "current": _l("In force or scheduled"),
    "active": _l("In force now"),
    "scheduled": _l("Scheduled"),
    "pending": _l("Awaiting decision"),
    "ended": _l("Ended"),
    "all": _l("All"),
}


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(
        _l("State"),
        choices=lambda: {k: str(v) for k, v in STATE_FILTERS.items()},
        default="current",
        validators=[Optional()],
    )
    service = SelectField(
        _l("Service"),
        choices=lambda: {"": str(_l("Any service")), **service_choices()},
        default="",
        validators=[Optional()],
    )
    kind = SelectField(
        _l("Kind"),
        choices=lambda: {"": str(_l("Any kind")), **_labels(KIND_LABELS)()},
        default="",
        validators=[Optional()],
    )
    reference = StringField(_l("Reference number"), validators=[Optional(), Length(max=32)])
