"""Forms of Art. 9-2 suspensions: propose, decide, lift, object, reconsider, search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from console.forms import JapanDateTimeField, MultiCheckboxField, TextForm
from console.online_services import service_choices
from console.suspensions.decisions import Amendment
from console.suspensions.models import (
    Channel,
    Kind,
    Reconsideration,
    Verdict,
)
from console.suspensions.proposals import ProposalInput
from console.suspensions.queries import ListState
from console.suspensions.rules import (
    MAX_REASON,
    MIN_DECISION_REASON,
    MIN_OBJECTION_TEXT,
    MIN_PROPOSAL_REASON,
    SuspensionError,
    check_decision_reason,
    check_period,
    check_services,
)
from console.terms import category_choices
from console.users.models import ServiceUser


class PeriodMixin:
    """Start, end and scope shared by a proposal and an amendment; the rules say what is right."""

    kind: RadioField
    starts_at: JapanDateTimeField
    all_services: BooleanField

    def validate_ends_at(self, field: JapanDateTimeField) -> None:
        if self.kind.data in Kind._value2member_map_:
            _report(check_period, Kind(self.kind.data), self.starts_at.utc, field.utc)

    def validate_services(self, field: MultiCheckboxField) -> None:
        _report(check_services, self.all_services.data, field.data or [])


def _report(rule: Callable[..., object], *args: Any) -> None:
    """Run a rule of ``rules.py`` on what was typed; its refusal becomes the field's error."""
    try:
        rule(*args)
    except SuspensionError as error:
        raise ValidationError(str(error)) from error


class ProposalForm(PeriodMixin, TextForm):
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
        choices=Kind.choices,
        default=Kind.STOP.value,
        validators=[InputRequired()],
    )
    starts_at = JapanDateTimeField(_l("Start (Japan time)"), validators=[InputRequired()])
    ends_at = JapanDateTimeField(
        _l("End (Japan time)"),
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
            starts_at=self.starts_at.required_utc,
            ends_at=self.ends_at.utc,
            all_services=self.all_services.data,
            services=self.services.data or [],
            reason=self.reason.data or "",
        )


class DecisionForm(PeriodMixin, TextForm):
    decision = RadioField(
        _l("Decision"),
        choices=Verdict.choices,
        validators=[InputRequired(message=_l("Choose approve, amend or reject."))],
    )
    kind = RadioField(_l("Kind"), choices=Kind.choices, validators=[Optional()])
    starts_at = JapanDateTimeField(_l("Start (Japan time)"), validators=[Optional()])
    ends_at = JapanDateTimeField(_l("End (Japan time)"), validators=[Optional()])
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
            starts_at=self.starts_at.required_utc,
            ends_at=self.ends_at.utc,
            kind=Kind(self.kind.data),
            all_services=self.all_services.data,
            services=self.services.data or [],
        )

    def validate_kind(self, field: RadioField) -> None:
        if self._amending() and not field.data:
            raise ValidationError(_l("Choose the kind."))

    def validate_starts_at(self, field: JapanDateTimeField) -> None:
        if self._amending() and not field.data:
            raise ValidationError(_l("Enter the start date and time."))

    def validate_ends_at(self, field: JapanDateTimeField) -> None:
        if self._amending():
            super().validate_ends_at(field)

    def validate_services(self, field: MultiCheckboxField) -> None:
        if self._amending():
            super().validate_services(field)

    def validate_reason(self, field: TextAreaField) -> None:
        if self.decision.data in Verdict._value2member_map_:
            _report(check_decision_reason, Verdict(self.decision.data), field.data or "")


class WithdrawForm(TextForm):
    reason = StringField(_l("Reason (optional)"), validators=[Length(max=500)])
    confirm = BooleanField(
        _l("I understand a withdrawn proposal cannot be reopened."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Withdraw the proposal"))


class LiftForm(TextForm):
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


class ObjectionForm(TextForm):
    received_on = DateField(_l("Date received"), validators=[InputRequired()])
    channel = SelectField(_l("Received"), choices=Channel.choices, validators=[InputRequired()])
    text = TextAreaField(
        _l("What the user says"),
        validators=[DataRequired(), Length(min=MIN_OBJECTION_TEXT, max=MAX_REASON)],
    )
    submit = SubmitField(_l("Record the objection"))


class ReconsiderForm(TextForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=Reconsideration.choices,
        validators=[InputRequired(message=_l("Choose an outcome."))],
    )
    new_end = JapanDateTimeField(
        _l("New end (Japan time)"),
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

    def validate_new_end(self, field: JapanDateTimeField) -> None:
        if self.outcome.data == Reconsideration.SHORTEN and not field.data:
            raise ValidationError(_l("Enter the new end date and time."))


class NoticePrintedForm(TextForm):
    digest = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    submit = SubmitField(_l("Record that the notice was printed"))


class FilterForm(TextForm):
    class Meta:
        csrf = False

    state = SelectField(
        _l("State"),
        choices=ListState.choices,
        default=ListState.CURRENT.value,
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
        choices=lambda: {"": str(_l("Any kind")), **Kind.choices()},
        default="",
        validators=[Optional()],
    )
    reference = StringField(_l("Reference number"), validators=[Optional(), Length(max=32)])
