"""``flask staff …``, ``flask demo load`` and ``flask db upgrade`` through the CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlmodel import func, select

from console import PROJECT_ROOT
from console.auth.models import Staff
from console.notices.models import Notice
from console.suspensions.models import Suspension
from console.users.models import ServiceUser, TermsVersion
from tests.factories import PASSWORD, reading


def count(app, model) -> int:
    with reading(app) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_staff_create_list_and_disable(app, runner, monkeypatch, trail):
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", PASSWORD)
    created = runner.invoke(
        args=["staff", "create", "kanri", "--role", "admin", "--name", "管理 花子"]
    )
    assert created.exit_code == 0, created.output
    listed = runner.invoke(args=["staff", "list"])
    assert "kanri\tadmin\tactive\t管理 花子" in listed.output
    disabled = runner.invoke(args=["staff", "disable", "kanri"])
    assert disabled.exit_code == 0
    assert "kanri\tadmin\tdisabled" in runner.invoke(args=["staff", "list"]).output
    assert trail.actions()[-2:] == ["staff.created", "staff.disabled"]


def test_staff_create_prompts_for_the_password(runner, monkeypatch):
    monkeypatch.delenv("CONSOLE_NEW_PASSWORD", raising=False)
    result = runner.invoke(
        args=["staff", "create", "soudan", "--role", "counselor", "--name", "相談 太郎"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output


def test_staff_cli_refuses_bad_input_clearly(runner, monkeypatch):
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", "short")
    weak = runner.invoke(args=["staff", "create", "kanri", "--role", "admin", "--name", "管理"])
    assert weak.exit_code == 1
    assert "12" in weak.output
    bad_role = runner.invoke(args=["staff", "create", "kanri", "--role", "boss", "--name", "x"])
    assert bad_role.exit_code == 2
    unknown = runner.invoke(args=["staff", "disable", "nobody"])
    assert unknown.exit_code == 1
    assert "nobody" in unknown.output


def test_demo_load_is_idempotent_and_prints_every_login(app, runner, tmp_path):
    logins = tmp_path / "logins.txt"
    first = runner.invoke(args=["demo", "load", "--logins-file", str(logins)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "load", "--logins-file", str(logins)])
    assert first.output == second.output
    for login in ("counselor", "supervisor", "supervisor2", "auditor", "admin"):
        assert login in first.output
    assert oct(logins.stat().st_mode & 0o777) == "0o600"
    assert count(app, Staff) == 5
    assert count(app, ServiceUser) >= 5
    assert count(app, TermsVersion) == 1
    assert count(app, Notice) == 1  # a published maintenance stop for the public page
    assert count(app, Suspension) == 1  # a proposal awaiting a supervisor's decision


def test_demo_passwords_work(app, runner, client, tmp_path):
    logins = tmp_path / "logins.txt"
    runner.invoke(args=["demo", "load", "--logins-file", str(logins)])
    login, password = logins.read_text().splitlines()[0].split("\t")
    response = client.post("/auth/login", data={"login": login, "password": password})
    assert response.status_code == 302


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    env = {
        **os.environ,
        "CONSOLE_ENV": "production",
        "CONSOLE_SECRET_KEY": "",
        "CONSOLE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "CONSOLE_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
