"""Fix 7: ``flask staff create`` applies the admin form's rules to the login and the name,
on both databases, and no error ever shows a password or a password hash."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DataError
from sqlmodel import func, select

from console import db
from console.auth import service
from console.auth.models import Role, Staff
from tests.conftest import PASSWORD

BAD = {
    "a space in the login": ("yama da", "山田 花子"),
    "a login of 200 characters": ("a" * 200, "山田 花子"),
    "a login of 2 characters": ("ab", "山田 花子"),
    "a kanji login": ("山田", "山田 花子"),
    "an empty name": ("yamada", ""),
    "a name of spaces": ("yamada", "\u3000 "),
    "a name of 200 characters": ("yamada", "山" * 200),
    "a NUL in the name": ("yamada", "山田\x00花子"),
}


def staff_count(app) -> int:
    with app.app_context(), db.transaction(write=False) as session:
        return session.exec(select(func.count()).select_from(Staff)).one()


@pytest.mark.parametrize(("login", "name"), BAD.values(), ids=BAD.keys())
def test_the_cli_refuses_what_the_admin_form_refuses(app, runner, monkeypatch, login, name):
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", PASSWORD)
    result = runner.invoke(args=["staff", "create", login, "--role", "admin", "--name", name])
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith("Error: ")
    assert "$argon2" not in result.output
    assert PASSWORD not in result.output
    assert staff_count(app) == 0


@pytest.mark.parametrize(("login", "name"), BAD.values(), ids=BAD.keys())
def test_the_admin_form_refuses_the_same(app, client, login_as, login, name):
    login_as(Role.ADMIN)
    before = staff_count(app)
    response = client.post(
        "/admin/staff/new",
        data={
            "login": login,
            "display_name": name,
            "role": "counselor",
            "new_password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code in (400, 422)
    assert staff_count(app) == before


def test_a_good_account_is_created_with_the_name_trimmed(app, runner, monkeypatch):
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", PASSWORD)
    result = runner.invoke(
        args=["staff", "create", " Kanri.01 ", "--role", "admin", "--name", " 管理 花子 "]
    )
    assert result.exit_code == 0, result.output
    with app.app_context(), db.transaction(write=False) as session:
        staff = session.exec(select(Staff)).one()
    assert (staff.login, staff.display_name) == ("kanri.01", "管理 花子")


def test_a_database_error_never_prints_the_hash(app, runner, monkeypatch):
    """Whatever the database refuses, the one line names it without SQL or values."""
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", PASSWORD)
    real_flush = None

    def refusing_flush(session, *args, **kwargs):
        if any(isinstance(row, Staff) for row in session.new):
            hashed = next(row for row in session.new if isinstance(row, Staff)).password_hash
            raise DataError(
                "INSERT INTO staff …", {"password_hash": hashed}, Exception("value too long")
            )
        return real_flush(session, *args, **kwargs)

    from sqlmodel import Session

    real_flush = Session.flush
    monkeypatch.setattr(Session, "flush", refusing_flush)
    result = runner.invoke(args=["staff", "create", "kanri", "--role", "admin", "--name", "管理"])
    assert result.exit_code == 1
    assert result.output.strip().endswith("reported an error: value too long")
    assert "$argon2" not in result.output
    assert "INSERT" not in result.output
    assert service.login_problem("kanri") is None
