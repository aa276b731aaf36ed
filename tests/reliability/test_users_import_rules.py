"""Fix 5: ``flask users import`` applies the web form's rules, refuses a repeated header
column, and names the line and byte where a file's encoding goes wrong."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from console import db
from console.auth.models import Role
from console.users.models import ServiceUser
from tests.factories import make_terms

HEADER = "reference_no,name_kanji,name_kana,birth_date,registration_route,terms_agreed_on\n"


@pytest.fixture
def terms(app):
    """The terms version in force since 2022-05-01."""
    return make_terms(app)


def imported(app) -> int:
    with app.app_context(), db.transaction(write=False) as session:
        return session.exec(select(func.count()).select_from(ServiceUser)).one()


def run_import(runner, tmp_path, data: bytes, *extra: str):
    path = tmp_path / "register.csv"
    path.write_bytes(data)
    return runner.invoke(args=["users", "import", str(path), *extra])


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "HW-1,山田 太郎,ヤマダ タロウ,2999-01-01,online,",
            "birth_date '2999-01-01' is not between",
        ),
        (
            "HW-1,山田 太郎,ヤマダ タロウ,0001-01-01,online,",
            "birth_date '0001-01-01' is not between",
        ),
        (
            "HW-1,山田 太郎,ヤマダ タロウ,1899-12-31,online,",
            "birth_date '1899-12-31' is not between",
        ),
        ("HW-1,山田 太郎,ヤマダ タロウ,,online,1999-12-31", "terms_agreed_on '1999-12-31' is not"),
        ("HW-1,山田 太郎,ヤマダ タロウ,,online,2999-01-01", "terms_agreed_on '2999-01-01' is not"),
        ("HW-1,山田\x07太郎,ヤマダ タロウ,,online,", "name_kanji contains a control character"),
        ("H W,山田 太郎,ヤマダ タロウ,,online,", "reference_no 'H W' is not like HW-2024-000123"),
    ],
)
def test_the_web_forms_rules_apply(app, runner, terms, tmp_path, row, reason):
    result = run_import(runner, tmp_path, (HEADER + row + "\n").encode())
    assert result.exit_code == 1
    assert f"line 2: {reason}" in result.output
    assert imported(app) == 0


def test_the_web_form_refuses_the_same_dates(app, client, login_as, terms):
    login_as(Role.COUNSELOR)
    for birth in ("2999-01-01", "0001-01-01"):
        response = client.post(
            "/users/new",
            data={
                "reference_no": "HW-2024-000999",
                "name_kanji": "山田 太郎",
                "name_kana": "ヤマダ タロウ",
                "birth_date": birth,
                "registration_route": "online",
            },
        )
        assert response.status_code == 422, birth
    assert imported(app) == 0


def test_a_repeated_header_column_is_refused(app, runner, terms, tmp_path):
    data = "利用者番号,氏名,フリガナ,登録方法,氏名カナ\nHW-1,山田,ヤマダ,online,スズキ\n"
    result = run_import(runner, tmp_path, data.encode())
    assert result.exit_code == 1
    assert "line 1: the column name_kana appears twice" in result.output
    assert "'フリガナ' in column 3 and '氏名カナ' in column 5" in result.output
    assert imported(app) == 0


def test_a_shift_jis_line_in_a_utf8_file_is_named_by_line_and_byte(app, runner, terms, tmp_path):
    data = (
        HEADER + "HW-1,山田 太郎,ヤマダ タロウ,,online,\n"
    ).encode() + "HW-2,鈴木 花子,スズキ ハナコ,,online,\n".encode("cp932")
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 1
    assert "line 3, byte 6: byte 0x97 is not UTF-8 like the lines before it" in result.output
    assert imported(app) == 0


def test_a_utf8_line_in_a_shift_jis_file_is_named_too(app, runner, terms, tmp_path):
    data = (HEADER + "HW-1,山田 太郎,ヤマダ タロウ,,online,\n").encode(
        "cp932"
    ) + "HW-2,鈴木 花子,スズキ ハナコ,,online,\n".encode()
    result = run_import(runner, tmp_path, data)
    assert result.exit_code == 1
    assert "line 3, byte 6: byte 0xE9 is not Shift_JIS like the lines before it" in result.output


def test_every_bad_line_is_reported_at_once(app, runner, terms, tmp_path):
    rows = "".join(
        f"HW-{number},山田 太郎,ヤマダ タロウ,{'2999-01-01' if number % 3 == 0 else ''},online,\n"
        for number in range(100, 130)
    )
    result = run_import(runner, tmp_path, (HEADER + rows).encode())
    assert result.exit_code == 1
    assert result.output.count("is not between") == 10
    assert "10 bad row(s): nothing imported" in result.output
    skipped = run_import(runner, tmp_path, (HEADER + rows).encode(), "--skip-bad")
    assert skipped.exit_code == 0
    assert "imported 20 service user(s), skipped 10 bad row(s)" in skipped.output
    assert imported(app) == 20
