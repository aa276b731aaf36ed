"""``flask users import`` and ``flask terms import``: encodings, bad rows by line, --skip-bad."""

from __future__ import annotations

import json

from sqlmodel import select

from console.permissions import Role
from console.users.models import Enrolment, ServiceUser, TermsVersion
from tests.factories import make_terms, reading

HEADER = "reference_no,name_kanji,name_kana,birth_date,registration_route,services,counseling_eligible,terms_agreed_on,assigned_counselor\n"
GOOD = (
    "HW-2024-000123,山田 太郎,やまだ たろう,1985-04-12,online,individual_counseling;seminar,1,2024-04-01,\n"
    "ＨＷ－２０２４－０００４５６,鈴木 花子,ｽｽﾞｷ ﾊﾅｺ,1992/11/03,office,セミナー、面接会,いいえ,,\n"
)


def _users(app) -> list[ServiceUser]:
    with reading(app) as session:
        return list(session.exec(select(ServiceUser).order_by(ServiceUser.reference_no)).all())


def _write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "register.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_utf8_with_bom_is_imported_with_one_audit_entry_each(app, runner, tmp_path, trail):
    terms = make_terms(app)
    path = _write(tmp_path, HEADER + GOOD, "utf-8-sig")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "imported 2" in result.output
    users = _users(app)
    assert [user.reference_no for user in users] == ["HW-2024-000123", "HW-2024-000456"]
    assert users[0].name_kana == "ヤマダ タロウ"
    assert users[1].name_kana == "スズキ ハナコ"
    assert users[0].terms_version_id == terms.id
    assert users[0].counseling_eligible
    assert not users[1].counseling_eligible
    with reading(app) as session:
        services = set(session.exec(select(Enrolment.service)).all())
    assert services == {"individual_counseling", "seminar", "interview_fair"}
    entries = trail("service_user.imported")
    assert len(entries) == 2
    details = json.loads(entries[0].canonical)["details"]
    assert details["source"] == {"file": "register.csv", "line": 2}


def test_cp932_with_japanese_headers_is_detected(app, runner, tmp_path):
    make_terms(app)
    text = "利用者番号,氏名,フリガナ,登録方法,利用サービス\nHW-2024-000777,髙橋 﨑子,タカハシ サキコ,窓口,個別相談\n"
    path = _write(tmp_path, text, "cp932")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    [user] = _users(app)
    assert user.name_kanji == "髙橋 﨑子"  # CP932-only characters survive
    assert user.registration_route == "office"


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(app, runner, tmp_path, trail):
    make_terms(app)
    bad = (
        "HW-2024-000900,田中 一郎,たなか,1980-02-30,online,,,,\n"  # line 4: bad date
        ",無番号,ムバンゴウ,,online,,,,\n"  # line 5: no reference
        "HW-2024-000123,重複,ジュウフク,,online,,,,\n"  # line 6: repeats line 2
        "HW-2024-000901,佐藤,Sato,,online,,,,\n"  # line 7: kana
        "HW-2024-000902,伊藤,イトウ,,by post,,,,\n"  # line 8: route
        "HW-2024-000903,加藤,カトウ,,online,yoga,,,\n"  # line 9: service
        "HW-2024-000904,近藤,コンドウ,,online,,,,nobody\n"  # line 10: counselor
    )
    path = _write(tmp_path, HEADER + GOOD + bad)
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code != 0
    for line in range(4, 11):
        assert f"line {line}:" in result.output
    assert "1980-02-30" in result.output
    assert "repeats line 2" in result.output
    assert "nothing imported" in result.output
    assert _users(app) == []
    assert trail("service_user.imported") == []


def test_skip_bad_imports_the_good_rows(app, runner, make_staff, tmp_path, trail):
    make_terms(app)
    counselor = make_staff(Role.COUNSELOR, login="yamamoto")
    rows = (
        "HW-2024-000905,近藤 勇,こんどう いさみ,,online,,,,yamamoto\nHW-2024-000906,,,,online,,,,\n"
    )
    path = _write(tmp_path, HEADER + rows)
    result = runner.invoke(args=["users", "import", str(path), "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert "line 3: name_kanji is empty" in result.output
    [user] = _users(app)
    assert user.assigned_counselor_id == counselor.id
    assert len(trail("service_user.imported")) == 1


def test_already_registered_numbers_are_bad_rows(app, runner, tmp_path):
    make_terms(app)
    path = _write(tmp_path, HEADER + GOOD)
    assert runner.invoke(args=["users", "import", str(path)]).exit_code == 0
    again = runner.invoke(args=["users", "import", str(path)])
    assert again.exit_code != 0
    assert "line 2: HW-2024-000123 is already registered" in again.output


def test_unreadable_files_and_headers(app, runner, tmp_path):
    path = _write(tmp_path, "name,age\nx,1\n")
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code != 0
    assert "reference_no" in result.output
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\x81\xff\x81\xff")
    assert "neither UTF-8" in runner.invoke(args=["users", "import", str(binary)]).output


def test_nul_bytes_and_broken_quoting_are_reported_not_crashed(app, runner, tmp_path):
    nul = _write(tmp_path, HEADER + "HW-2024-000123,山\x00田,ヤマダ,,online,,,,\n")
    result = runner.invoke(args=["users", "import", str(nul)])
    assert result.exit_code == 1
    assert "NUL" in result.output
    huge = _write(tmp_path, HEADER + 'HW-2024-000123,"' + "あ" * 200_000 + '",ヤマダ,,online,,,,\n')
    result = runner.invoke(args=["users", "import", str(huge)])
    assert result.exit_code == 1
    assert "line 2" in result.output
    assert _users(app) == []


def test_the_help_documents_the_columns(runner):
    result = runner.invoke(args=["users", "import", "--help"])
    for column in ("reference_no", "name_kana", "registration_route", "--skip-bad", "CP932"):
        assert column in result.output


def test_terms_import_adds_a_version_once(app, runner, tmp_path, trail):
    text = tmp_path / "terms.txt"
    text.write_bytes("オンラインサービス利用規約\n第1条 …".encode("cp932"))
    args = [
        "terms",
        "import",
        str(text),
        "--effective",
        "2026-12-01",
        "--label",
        "令和8年12月1日施行",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=args).exit_code != 0
    with reading(app) as session:
        [version] = session.exec(select(TermsVersion)).all()
    assert version.text.startswith("オンラインサービス利用規約")
    assert version.effective_from.isoformat() == "2026-11-30T15:00:00+00:00"
    assert len(trail("terms.version_added")) == 1
