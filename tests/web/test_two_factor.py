"""TOTP for supervisors and administrators."""

from __future__ import annotations

import re

import pyotp
import pytest
import time_machine
from sqlmodel import select

from console.auth.models import RecoveryCode
from console.config import load_settings
from console.permissions import Role
from console.timeutil import utcnow
from tests.conftest import make_app
from tests.factories import PASSWORD, reading


@pytest.fixture
def totp_app(database_url):
    app = make_app(database_url, REQUIRE_TOTP=True)
    yield app
    app.extensions["console.engine"].dispose()


def enrol(client, login: str) -> tuple[str, list[str]]:
    """Sign in with the password, register an authenticator, return its secret and codes."""
    response = client.post("/auth/login", data={"login": login, "password": PASSWORD})
    assert response.headers["Location"].endswith("/auth/two-factor/setup")
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert "data:image/svg+xml" in page
    done = client.post("/auth/two-factor/setup", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisors_and_admins_need_a_second_factor(totp_app, make_staff, role):
    client = totp_app.test_client()
    staff = make_staff(role)
    response = client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
    assert "/auth/two-factor" in response.headers["Location"]
    assert client.get("/dashboard").status_code == 302  # not signed in with the password alone


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.AUDITOR])
def test_other_roles_sign_in_with_the_password(totp_app, make_staff, role):
    client = totp_app.test_client()
    staff = make_staff(role)
    response = client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
    assert response.headers["Location"].endswith("/dashboard")


def test_a_code_is_accepted_once_only(totp_app, make_staff):
    staff = make_staff(Role.SUPERVISOR)
    with time_machine.travel(utcnow(), tick=False):
        client = totp_app.test_client()
        secret, _ = enrol(client, staff.login)
        assert client.get("/dashboard").status_code == 200
        client.post("/auth/logout")
        code = pyotp.TOTP(secret).now()  # the code that was just used for enrolment
        client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
        reused = client.post("/auth/two-factor/", data={"code": code})
        assert reused.status_code == 422
        assert "使用済み" in reused.get_data(as_text=True)


def test_the_next_code_signs_in(totp_app, make_staff):
    staff = make_staff(Role.SUPERVISOR)
    with time_machine.travel(utcnow(), tick=False) as traveller:
        client = totp_app.test_client()
        secret, _ = enrol(client, staff.login)
        client.post("/auth/logout")
        traveller.shift(30)
        client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
        ok = client.post("/auth/two-factor/", data={"code": pyotp.TOTP(secret).now()})
        assert ok.headers["Location"].endswith("/dashboard")


def test_recovery_codes_work_once_and_are_stored_hashed(totp_app, make_staff):
    staff = make_staff(Role.ADMIN)
    client = totp_app.test_client()
    _, codes = enrol(client, staff.login)
    client.post("/auth/logout")
    client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
    assert client.post("/auth/two-factor/", data={"code": codes[0]}).status_code == 302
    client.post("/auth/logout")
    client.post("/auth/login", data={"login": staff.login, "password": PASSWORD})
    assert client.post("/auth/two-factor/", data={"code": codes[0]}).status_code == 422
    with reading(totp_app) as session:
        stored = [row.code_hash for row in session.exec(select(RecoveryCode))]
    assert codes[1] not in stored
    assert all(len(value) == 64 for value in stored)


def test_production_requires_totp_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("CONSOLE_ENV", "production")
    monkeypatch.setenv("CONSOLE_SECRET_KEY", "k" * 64)
    monkeypatch.delenv("CONSOLE_REQUIRE_TOTP", raising=False)
    assert load_settings(str(tmp_path))["REQUIRE_TOTP"] is True
