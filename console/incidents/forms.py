"""Incident forms: log, comment, assign, review, close, bulk assign, and the queue's filters."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from console import db
from console.incidents.models import IncidentStatus, Outcome, Severity
from console.incidents.service import (
    COMMENT_MAX,
    DAMAGE_MAX,
    DESCRIPTION_MAX,
    REASON_MAX,
    reviewers,
)
from console.online_services import service_choices
from console.terms import category_choices
from console.timeutil import from_jst, utcnow
from console.users.forms import EARLIEST_RECORD, MAX_ID_DIGITS, MultiCheckboxField, TextForm
from console.users.service import find_by_reference, terms_in_force

LATEST_FILTER = date(2099, 12, 31)
SEVERITY_LABELS = {
    Severity.LOW: _l("Low"),
    Severity.MEDIUM: _l("Medium"),
    Severity.HIGH: _l("High"),
}
STATUS_LABELS = {
    IncidentStatus.OPEN: _l("Open"),
    IncidentStatus.UNDER_REVIEW: _l("Under review"),
    IncidentStatus.CLOSED: _l("Closed"),
}
OUTCOME_LABELS = {
    Outcome.NO_ACTION: _l("No action"),
    Outcome.WARNING: _l("Warning given"),
    Outcome.REFERRED_FOR_SUSPENSION: _l("Referred for suspension (Art. 9-2)"),
    Outcome.OTHER: _l("Other"),
    Outcome.LOGGED_IN_ERROR: _l("Logged in error"),
}
SORT_LABELS = {
    "newest": _l("Newest logged first"),
    "oldest": _l("Oldest logged first"),
    "occurred": _l("Latest conduct first"),
    "severity": _l("Highest severity first"),
}


def severity_choices() -> dict[str, str]:
    return {value.value: str(label) for value, label in SEVERITY_LABELS.items()}


def outcome_choices() -> dict[str, str]:
    return {"": str(_l("Choose the outcome"))} | {
        value.value: str(label) for value, label in OUTCOME_LABELS.items()
    }


def reviewer_choices() -> dict[str, str]:

    return {"": str(_l("Choose a supervisor"))} | {
        str(staff.id): staff.display_name for staff in reviewers(db.session())
    }


class IncidentForm(TextForm):
    reference_no = StringField(
        _l("Service user's reference number"),
        description=_l("e.g. HW-2024-000123 (full-width is fine)."),
        validators=[DataRequired(), Length(max=32)],
    )
    service = SelectField(_l("Service"), choices=service_choices, validators=[DataRequired()])
    session_date = DateField(_l("Session date (JST)"), validators=[DataRequired()])
    session_time = TimeField(_l("Time of the conduct (JST)"), validators=[DataRequired()])
    meeting_id = StringField(_l("Meeting ID (optional)"), validators=[Optional(), Length(max=100)])
    categories = MultiCheckboxField(_l("Articles of the terms"), choices=category_choices)
    severity = SelectField(_l("Severity"), choices=severity_choices, validators=[DataRequired()])
    description = TextAreaField(
        _l("What happened"),
        description=_l("Facts only: what was said or done, and when (up to 4000 characters)."),
        validators=[DataRequired(), Length(max=DESCRIPTION_MAX)],
    )
    damage = TextAreaField(
        _l("Damage caused (Art. 11, optional)"),
        validators=[Optional(), Length(max=DAMAGE_MAX)],
    )
    submit = SubmitField(_l("Log incident"))

    service_user = None  # set by validate_reference_no

    def validate_reference_no(self, field: StringField) -> None:
        self.service_user = find_by_reference(db.session(), field.data or "")
        if self.service_user is None:
            raise ValidationError(_l("No service user has this reference number."))

    def validate_categories(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one article."))

    def occurred_at(self) -> datetime | None:
        if self.session_date.data is None or self.session_time.data is None:
            return None
        return from_jst(datetime.combine(self.session_date.data, self.session_time.data))

    def validate_session_date(self, field: DateField) -> None:
        if field.data and field.data < EARLIEST_RECORD:
            raise ValidationError(_l("Enter a date from the year 2000 on."))

    def validate_session_time(self, _field: TimeField) -> None:
        if self.session_date.errors:
            return
        moment = self.occurred_at()
        if moment is None:
            return
        if moment > utcnow():
            raise ValidationError(_l("The time of the conduct cannot be in the future."))
        if terms_in_force(db.session(), moment) is None:
            raise ValidationError(_l("No version of the terms was in force at that time."))


class CommentForm(TextForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=COMMENT_MAX)])
    # No Optional(): it would stop the check below and let whitespace reach int().
    corrects_id = HiddenField(validators=[Length(max=MAX_ID_DIGITS)])
    submit = SubmitField(_l("Add comment"))

    def validate_corrects_id(self, field: HiddenField) -> None:
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Choose a comment of this incident to correct."))


class AssignForm(TextForm):
    reviewer_id = SelectField(_l("Reviewer"), choices=reviewer_choices, validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class ReviewForm(TextForm):
    submit = SubmitField(_l("Start review"))


class CloseForm(TextForm):
    outcome = SelectField(_l("Outcome"), choices=outcome_choices, validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason for the outcome"), validators=[DataRequired(), Length(max=REASON_MAX)]
    )
    confirm = BooleanField(
        _l("I understand that a closed incident cannot be reopened."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Close incident"))


class BulkAssignForm(TextForm):
    incident_ids = MultiCheckboxField(_l("Incidents"), coerce=int, validate_choice=False)
    reviewer_id = SelectField(_l("Reviewer"), choices=reviewer_choices, validators=[DataRequired()])
    submit = SubmitField(_l("Assign selected"))

    def validate_incident_ids(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError(_l("Select at least one incident."))
        if len(field.data) > 100:
            raise ValidationError(_l("Select at most 100 incidents at once."))
        if any(not 0 < ident < 10**MAX_ID_DIGITS for ident in field.data):
            raise ValidationError(_l("Some selected incidents do not exist. Reload the page."))


def status_filter_choices() -> dict[str, str]:
    return {"active": str(_l("Open or under review")), "": str(_l("Any status"))} | {
        value.value: str(label) for value, label in STATUS_LABELS.items()
    }


def reviewer_filter_choices() -> dict[str, str]:

    return {"": str(_l("Anyone")), "none": str(_l("Not assigned"))} | {
        str(staff.id): staff.display_name for staff in reviewers(db.session())
    }


class QueueForm(TextForm):
    """The queue's filters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=status_filter_choices, default="active")
    category = SelectField(
        _l("Article"),
        choices=lambda: {"": str(_l("Any article"))} | category_choices(),
        default="",
    )
    severity = SelectField(
        _l("Severity"),
        choices=lambda: {"": str(_l("Any severity"))} | severity_choices(),
        default="",
    )
    service = SelectField(
        _l("Service"),
        choices=lambda: {"": str(_l("Any service"))} | service_choices(),
        default="",
    )
    reviewer = SelectField(_l("Reviewer"), choices=reviewer_filter_choices, default="")
    date_from = DateField(_l("Conduct from"), validators=[Optional()])
    date_to = DateField(_l("Conduct until"), validators=[Optional()])
    sort = SelectField(
        _l("Sort"),
        choices=lambda: {key: str(label) for key, label in SORT_LABELS.items()},
        default="newest",
    )
    mine = BooleanField(_l("Only incidents I logged"))
    after = IntegerField(validators=[Optional(), NumberRange(min=1, max=10**MAX_ID_DIGITS - 1)])

    def validate_date_from(self, field: DateField) -> None:
        if field.data and not EARLIEST_RECORD <= field.data <= LATEST_FILTER:
            raise ValidationError(_l("Enter a date between 2000 and 2099."))

    def validate_date_to(self, field: DateField) -> None:
        if field.data and not EARLIEST_RECORD <= field.data <= LATEST_FILTER:
            raise ValidationError(_l("Enter a date between 2000 and 2099."))
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))
