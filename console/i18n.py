"""Japanese first: locale choice, and Japan-time formatting for templates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale

from console.extensions import babel
from console.timeutil import as_utc, to_jst, utcnow

LANGUAGES = {"ja": "日本語", "en": "English"}
DEFAULT_LANGUAGE = "ja"
DATETIME_PATTERNS = {"ja": "y年M月d日(E) H:mm", "en": "EEE d MMM y HH:mm 'JST'"}
DATE_PATTERNS = {"ja": "y年M月d日(E)", "en": "EEE d MMM y"}
TIME_PATTERNS = {"ja": "H:mm", "en": "HH:mm"}
SHORT_PATTERNS = {"ja": "M月d日(E) H:mm", "en": "EEE d MMM HH:mm"}
SECONDS_PATTERNS = {"ja": "y年M月d日(E) H:mm:ss", "en": "EEE d MMM y HH:mm:ss 'JST'"}


def select_locale() -> str:
    """The language chosen in the header switch, Japanese until someone switches."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    """``ja`` or ``en``."""
    return str(get_locale() or DEFAULT_LANGUAGE)[:2]


def _format(moment: datetime | None, patterns: dict[str, str]) -> str:
    return "" if moment is None else format_datetime(as_utc(moment), patterns[current_language()])


def format_jst(moment: datetime | None) -> str:
    """A stored UTC time in Japan time with the weekday: ``2026年12月1日(火) 22:00``."""
    return _format(moment, DATETIME_PATTERNS)


def format_jst_seconds(moment: datetime | None) -> str:
    """To the second, where the order of events matters (the audit trail)."""
    return _format(moment, SECONDS_PATTERNS)


def format_jst_time(moment: datetime | None) -> str:
    """Only the Japan wall-clock time: ``22:00``."""
    return _format(moment, TIME_PATTERNS)


def format_jst_short(moment: datetime | None) -> str:
    """``12月8日(火) 0:00``: without the year when it is this year's."""
    if moment is None or to_jst(moment).year != to_jst(utcnow()).year:
        return format_jst(moment)
    return _format(moment, SHORT_PATTERNS)


def format_jst_date(day: date | None) -> str:
    """A calendar date with the weekday: ``2026年12月1日(火)``."""
    if day is None:
        return ""
    return format_date(day, DATE_PATTERNS[current_language()])


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with every feature's catalogue and register the time filters."""
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=";".join(translation_directories(app)),
    )
    app.jinja_env.filters.update(
        jst=format_jst,
        jst_seconds=format_jst_seconds,
        jst_time=format_jst_time,
        jst_short=format_jst_short,
        jst_date=format_jst_date,
    )
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language)


def translation_directories(app: Flask) -> list[str]:
    """``console/translations`` plus each feature's own ``translations`` folder."""
    root = Path(app.root_path)
    folders = [root / "translations", *sorted(root.glob("*/translations"))]
    return [str(folder) for folder in folders if folder.is_dir()]
