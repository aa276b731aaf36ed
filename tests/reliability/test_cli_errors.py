"""Fix 2: the database URL is checked at start, and every command reports a database it
cannot use in one line naming the database and the reason, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from console import PROJECT_ROOT
from console.audit.keys import pem_bytes
from console.config import ConfigurationError, load_settings
from tests.conftest import ON_POSTGRES, make_app

UNREACHABLE = "postgresql://postgres:hunter2-secret@127.0.0.1:1/console"
ONE_LINE = 'Error: cannot use the PostgreSQL database "console" on 127.0.0.1:1: connection failed'


def every_command(group: click.Group, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found |= every_command(command, (*prefix, name))
        else:
            found.add((*prefix, name))
    return found


def arguments(tmp_path: Path) -> dict[tuple[str, ...], list[str]]:
    """Each console command with the least it needs to reach the database."""
    register = tmp_path / "register.csv"
    register.write_text("利用者番号,氏名,フリガナ,登録方法\nHW-1,山田 太郎,ヤマダ タロウ,窓口\n")
    terms = tmp_path / "terms.txt"
    terms.write_text("第1条 …")
    new_key = tmp_path / "new-key.pem"
    new_key.write_bytes(pem_bytes(Ed25519PrivateKey.generate()))
    return {
        ("audit", "checkpoint"): [],
        ("audit", "key", "rotate"): [str(new_key)],
        ("audit", "key", "show"): [],
        ("audit", "export"): ["--format", "csv", "--output", str(tmp_path / "trail.csv")],
        ("audit", "verify"): [],
        ("backup", "create"): [str(tmp_path / "copy.backup")],
        ("backup", "restore"): [str(tmp_path / "copy.backup")],
        ("backup", "verify"): [str(tmp_path / "copy.backup")],
        ("db", "current"): [],
        ("db", "downgrade"): ["--yes"],
        ("db", "upgrade"): [],
        ("demo", "load"): ["--logins-file", str(tmp_path / "logins.txt")],
        ("evidence", "verify"): [],
        ("scheduler", "run"): [],
        ("scheduler", "status"): [],
        ("staff", "create"): ["kanri", "--role", "admin", "--name", "管理 花子"],
        ("staff", "disable"): ["kanri"],
        ("staff", "list"): [],
        ("suspensions", "sweep"): [],
        ("staff", "token", "create"): ["booking"],
        ("staff", "token", "revoke"): ["1"],
        ("terms", "import"): [str(terms), "--effective", "2026-12-01", "--label", "改定"],
        ("users", "import"): [str(register)],
    }


CORE = {("routes",), ("run",), ("shell",)}  # Flask's own: no database


@pytest.fixture
def down_app(tmp_path):
    application = make_app(UNREACHABLE)
    yield application
    application.extensions["console.engine"].dispose()


def test_every_command_names_the_database_and_the_reason_in_one_line(
    down_app, tmp_path, monkeypatch
):
    monkeypatch.setenv("CONSOLE_NEW_PASSWORD", "correct horse battery staple")
    (tmp_path / "copy.backup").write_bytes(b"not a backup")
    table = arguments(tmp_path)
    commands = every_command(down_app.cli) - CORE
    missing = commands - set(table)
    assert not missing, f"add the new command(s) {missing} to this test's table"
    runner = down_app.test_cli_runner()
    for command in sorted(commands):
        result = runner.invoke(args=[*command, *table[command]])
        lines = result.output.strip().splitlines()
        assert result.exit_code == 1, (command, result.output)
        assert len(lines) == 1, (command, result.output)
        assert lines[0].startswith(ONE_LINE), (command, result.output)
        assert "hunter2" not in result.output


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("notaurl", "is not a database URL"),
        ("mysql://root:hunter2@db/console", "must be a sqlite:/// or postgresql:// URL"),
        ("sqlite:////no/such/folder/console.sqlite3", "/no/such/folder, which does not exist"),
    ],
)
def test_a_bad_url_is_refused_at_start(monkeypatch, tmp_path, url, words):
    monkeypatch.setenv("CONSOLE_DATABASE_URL", url)
    with pytest.raises(ConfigurationError, match=words) as refused:
        load_settings(str(tmp_path))
    assert "hunter2" not in str(refused.value)


@pytest.mark.skipif(ON_POSTGRES, reason="no database involved: run once, in the SQLite pass")
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("notaurl", "console: configuration error: CONSOLE_DATABASE_URL is not a database URL"),
        ("mysql://u@h/db", "console: configuration error: CONSOLE_DATABASE_URL must be"),
        (UNREACHABLE, ONE_LINE),
    ],
)
def test_the_real_flask_command_prints_one_line(url, expected):
    environment = {**os.environ, "CONSOLE_DATABASE_URL": url, "FLASK_APP": "wsgi"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "audit", "verify"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == 1
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected)
