"""How notices read: periods in Japan time with weekdays, planned vs actual ends."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from console.i18n import current_language, jst
from console.notices import state
from console.notices.models import Notice, NoticeKind, NoticeState
from console.timeutil import to_jst

SAME_YEAR = {"ja": "M月d日(E) H:mm", "en": "EEE d MMM HH:mm"}
SAME_DAY = {"ja": "H:mm", "en": "HH:mm"}


def jst_end(start: datetime, end: datetime) -> str:
    """``end`` as short as it can be after ``start``: the time alone on the same JST day."""
    first, last = to_jst(start), to_jst(end)
    language = current_language()
    if first.date() == last.date():
        return format_datetime(end, SAME_DAY[language])
    if first.year == last.year:
        return format_datetime(end, SAME_YEAR[language])
    return jst(end)


def period(start: datetime, end: datetime | None) -> str:
    """``2026年12月1日(火) 22:00 〜 12月2日(水) 6:00``; an open end reads "until further notice"."""
    if end is None:
        unknown = _("end not yet known")
        return f"{jst(start)} 〜 {unknown}"
    return f"{jst(start)} 〜 {jst_end(start, end)}"


def notice_period(notice: Notice) -> str:
    """The period of a notice with its planned end (the actual one is shown by ``end_change``)."""
    if notice.kind == NoticeKind.TERMS_CHANGE:
        return _("Takes effect %(when)s", when=jst(notice.starts_at))
    return period(notice.starts_at, notice.ends_at)


def end_change(notice: Notice) -> str:
    """``予定 22:00 → 実際 23:15`` when the end moved; empty otherwise.

    Both ends as times alone when they fall on the same Japan day, else both with the date.
    """
    if notice.actual_end_at is None or notice.actual_end_at == notice.ends_at:
        return ""
    if notice.ends_at is None:
        planned, actual = _("not set"), jst_end(notice.starts_at, notice.actual_end_at)
    elif to_jst(notice.ends_at).date() == to_jst(notice.actual_end_at).date():
        planned = jst_end(notice.ends_at, notice.ends_at)
        actual = jst_end(notice.actual_end_at, notice.actual_end_at)
    else:
        pattern = SAME_YEAR[current_language()]
        planned = format_datetime(notice.ends_at, pattern)
        actual = format_datetime(notice.actual_end_at, pattern)
    if state.state_of(notice) == NoticeState.ENDED:
        return _("Planned %(planned)s → actual %(actual)s", planned=planned, actual=actual)
    return _("Planned %(planned)s → extended to %(actual)s", planned=planned, actual=actual)


def title(notice: Notice) -> str:
    """The title in the reader's language (Japanese when no English was written)."""
    return notice.title_en if current_language() == "en" and notice.title_en else notice.title_ja


def body(notice: Notice) -> str:
    return notice.body_en if current_language() == "en" and notice.body_en else notice.body_ja


def atom_time(moment: datetime) -> str:
    """RFC 3339 in Japan time, as Atom wants: ``2026-12-01T22:00:00+09:00``."""
    return to_jst(moment).isoformat(timespec="seconds")


def template_helpers() -> dict[str, object]:
    """Functions the notice templates use."""
    return {
        "notice_period": notice_period,
        "notice_end_change": end_change,
        "notice_title": title,
        "notice_body": body,
        "notice_state": state.state_of,
        "notice_services": state.services_of,
        "notice_updated": state.public_updated_at,
    }
