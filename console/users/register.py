"""Reading the office's existing register of service users (CSV, UTF-8 or Shift_JIS/CP932).

Columns (header row required; English names or the Japanese ones in brackets):

    reference_no        (利用者番号)    required, e.g. HW-2024-000123 (full-width is accepted)
    name_kanji          (氏名)          required, up to 100 characters
    name_kana           (フリガナ)      required, katakana, hiragana or half-width kana
    birth_date          (生年月日)      optional, YYYY-MM-DD or YYYY/MM/DD
    registration_route  (登録方法)      required: online / office (オンライン / 窓口)
    services            (利用サービス)  optional, separated by ";" or "、":
                                        individual_counseling (個別相談), seminar (セミナー),
                                        interview_fair (面接会)
    counseling_eligible (個別相談対象)  optional: 1/0, yes/no, true/false, はい/いいえ, ○/×
    terms_agreed_on     (規約同意日)    optional, YYYY-MM-DD: the terms version in force that
                                        day (Art. 10) is recorded as the one agreed to
    assigned_counselor  (担当相談員)    optional, the staff login ID
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from console.online_services import OnlineService
from console.timeutil import to_jst, utcnow
from console.users import rules
from console.users.models import RegistrationRoute
from console.users.search import is_kana, reference_key

REQUIRED = ("reference_no", "name_kanji", "name_kana", "registration_route")
COLUMNS = (
    *REQUIRED,
    "birth_date",
    "services",
    "counseling_eligible",
    "terms_agreed_on",
    "assigned_counselor",
)
JAPANESE_HEADERS = {
    "利用者番号": "reference_no",
    "氏名": "name_kanji",
    "フリガナ": "name_kana",
    "氏名カナ": "name_kana",
    "生年月日": "birth_date",
    "登録方法": "registration_route",
    "利用サービス": "services",
    "個別相談対象": "counseling_eligible",
    "規約同意日": "terms_agreed_on",
    "担当相談員": "assigned_counselor",
}
ROUTES = {
    "online": RegistrationRoute.ONLINE,
    "オンライン": RegistrationRoute.ONLINE,
    "office": RegistrationRoute.OFFICE,
    "窓口": RegistrationRoute.OFFICE,
    "来所": RegistrationRoute.OFFICE,
}
SERVICES = {
    "individual_counseling": OnlineService.INDIVIDUAL_COUNSELING,
    "個別相談": OnlineService.INDIVIDUAL_COUNSELING,
    "seminar": OnlineService.SEMINAR,
    "セミナー": OnlineService.SEMINAR,
    "interview_fair": OnlineService.INTERVIEW_FAIR,
    "面接会": OnlineService.INTERVIEW_FAIR,
}
NUL, NEWLINE = b"\x00", b"\n"
YES = {"1", "yes", "true", "y", "はい", "○", "◯"}
NO = {"", "0", "no", "false", "n", "いいえ", "×"}


class RegisterError(ValueError):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass(slots=True)
class RegisterRow:
    """One row of the register, checked and converted."""

    line: int
    reference_no: str
    name_kanji: str
    name_kana: str
    registration_route: RegistrationRoute
    services: list[OnlineService] = field(default_factory=list)
    birth_date: date | None = None
    counseling_eligible: bool = False
    terms_agreed_on: date | None = None
    assigned_counselor: str = ""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Shift_JIS/CP932 as Japanese spreadsheets save it.

    A file in neither, or in both at once (lines pasted from another file), is refused
    with the line and the byte where it goes wrong.
    """
    if NUL in data:
        raise RegisterError(
            f"{_position(data, data.index(NUL))}: a NUL byte: this is not a text file "
            "(save it as CSV)"
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if not data[: error.start].isascii():  # UTF-8 up to here, and then not
            raise RegisterError(_mixed(data, error.start, "UTF-8")) from error
    _refuse_utf8_lines(data)
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as error:
        raise RegisterError(
            f"{_position(data, error.start)}: byte 0x{data[error.start]:02X} is neither UTF-8 "
            "nor Shift_JIS (CP932); save the file as CSV UTF-8"
        ) from error


def _position(data: bytes, offset: int) -> str:
    """``line 3, byte 17``: the line of ``offset`` and the byte within that line (from 1)."""
    line_start = data.rfind(NEWLINE, 0, offset) + 1
    return f"line {data.count(NEWLINE, 0, offset) + 1}, byte {offset - line_start + 1}"


def _mixed(data: bytes, offset: int, first: str) -> str:
    return (
        f"{_position(data, offset)}: byte 0x{data[offset]:02X} is not {first} like the lines "
        "before it: the file mixes encodings; save the whole file again in one (CSV UTF-8)"
    )


def _refuse_utf8_lines(data: bytes) -> None:
    """In a file that is not UTF-8, a line that is (pasted from elsewhere) would become
    mojibake when read as Shift_JIS: refuse it, naming it."""
    offset = 0
    for line in data.split(NEWLINE):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                first_high = next(i for i, byte in enumerate(line) if byte >= 0x80)
                raise RegisterError(_mixed(data, offset + first_high, "Shift_JIS"))
        offset += len(line) + 1


def _header(names: list[str]) -> list[str]:
    columns = [JAPANESE_HEADERS.get(name.strip(), name.strip().lower()) for name in names]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise RegisterError(f"line 1: the header lacks the column(s) {', '.join(missing)}")
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        raise RegisterError(f"line 1: unknown column(s) {', '.join(unknown)}")
    for position, column in enumerate(columns):
        if column in columns[:position]:
            first = columns.index(column)
            raise RegisterError(
                f"line 1: the column {column} appears twice ({names[first].strip()!r} in column "
                f"{first + 1} and {names[position].strip()!r} in column {position + 1}); "
                "keep one of them"
            )
    return columns


def _date(value: str, column: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{column} {value!r} is not a date like 1985-04-12")


def _services(value: str) -> list[OnlineService]:
    parts = [part.strip() for part in value.replace("、", ";").replace(",", ";").split(";")]
    chosen: list[OnlineService] = []
    for part in filter(None, parts):
        if part.lower() not in SERVICES and part not in SERVICES:
            raise ValueError(f"unknown service {part!r}")
        service = SERVICES.get(part.lower()) or SERVICES[part]
        if service not in chosen:
            chosen.append(service)
    return chosen


def _row(line: int, values: dict[str, str], today: date) -> RegisterRow:
    """One line converted, by the same rules as the web form (console/users/rules.py)."""
    for name in REQUIRED:
        if not values.get(name, "").strip():
            raise ValueError(f"{name} is empty")
    for name, value in values.items():
        if rules.has_control_characters(value):
            raise ValueError(f"{name} contains a control character")
    reference = reference_key(values["reference_no"])
    if not rules.is_reference(reference):
        raise ValueError(f"reference_no {values['reference_no']!r} is not like HW-2024-000123")
    kanji, kana = values["name_kanji"].strip(), values["name_kana"].strip()
    if len(kanji) > rules.NAME_MAX or len(kana) > rules.NAME_MAX:
        raise ValueError(f"a name is longer than {rules.NAME_MAX} characters")
    if not is_kana(kana):
        raise ValueError(f"name_kana {kana!r} is not kana")
    route = ROUTES.get(values["registration_route"].strip().lower())
    if route is None:
        raise ValueError(
            f"registration_route {values['registration_route']!r} is not online or office"
        )
    eligible = values.get("counseling_eligible", "").strip().lower()
    if eligible not in YES | NO:
        raise ValueError(f"counseling_eligible {eligible!r} is not yes or no")
    return RegisterRow(
        line=line,
        reference_no=reference,
        name_kanji=kanji,
        name_kana=kana,
        registration_route=route,
        services=_services(values.get("services", "")),
        birth_date=_birth_date(values.get("birth_date", ""), today),
        counseling_eligible=eligible in YES,
        terms_agreed_on=_agreement_date(values.get("terms_agreed_on", ""), today),
        assigned_counselor=values.get("assigned_counselor", "").strip().lower(),
    )


def _birth_date(value: str, today: date) -> date | None:
    day = _date(value, "birth_date")
    if day is not None and not rules.birth_date_is_plausible(day, today):
        raise ValueError(
            f"birth_date {value.strip()!r} is not between {rules.EARLIEST_BIRTH} and today"
        )
    return day


def _agreement_date(value: str, today: date) -> date | None:
    day = _date(value, "terms_agreed_on")
    if day is not None and not rules.agreement_date_is_plausible(day, today):
        raise ValueError(
            f"terms_agreed_on {value.strip()!r} is not between {rules.EARLIEST_RECORD} and today"
        )
    return day


def _records(reader: Any) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as error:
        raise RegisterError(f"line {reader.line_num}: {error}") from error


def read_rows(text: str, today: date) -> Iterator[RegisterRow | RowProblem]:
    """Each data line of the register, converted, or the reason it is refused, in file
    order. Streamed: the import reads the file twice rather than holding every row.

    Raises ``RegisterError`` (at the first ``next``) when the header cannot be used.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = _header(next(reader))
    except StopIteration as error:
        raise RegisterError("the file is empty") from error
    except csv.Error as error:
        raise RegisterError(f"line 1: {error}") from error
    seen: dict[str, int] = {}
    for values in _records(reader):
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(columns):
            yield RowProblem(line, f"{len(values)} columns where the header has {len(columns)}")
            continue
        try:
            row = _row(line, dict(zip(columns, values, strict=True)), today)
        except ValueError as error:
            yield RowProblem(line, str(error))
            continue
        if row.reference_no in seen:
            yield RowProblem(line, f"{row.reference_no} repeats line {seen[row.reference_no]}")
            continue
        seen[row.reference_no] = line
        yield row


def parse(data: bytes, today: date | None = None) -> tuple[list[RegisterRow], list[RowProblem]]:
    """The good rows and, for every bad one, its line number and the reason."""
    rows: list[RegisterRow] = []
    problems: list[RowProblem] = []
    for item in read_rows(decode(data), today or to_jst(utcnow()).date()):
        (problems if isinstance(item, RowProblem) else rows).append(item)  # type: ignore[arg-type]
    return rows, problems
