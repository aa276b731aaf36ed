"""Sign-in, sign-out, sessions and passwords."""

from __future__ import annotations

import pytest
import time_machine

from console.permissions import Role
from console.timeutil import utcnow
from tests.factories import PASSWORD

ONE_MESSAGE = "ログインIDまたはパスワードが違います。"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_sees_the_japanese_dashboard_and_signs_out(
    client, auth, make_staff, role
):
    staff = make_staff(role)
    response = auth.login(staff.login)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "ダッシュボード" in page
    assert staff.display_name in page
    assert auth.logout().status_code == 302
    assert client.get("/dashboard").status_code == 302  # back to the sign-in page


def test_unknown_account_and_wrong_password_get_the_same_message(client, auth, make_staff):
    staff = make_staff(Role.COUNSELOR)
    wrong_password = auth.login(staff.login, "not the right password at all")
    unknown = auth.login("nobody-here", PASSWORD)
    assert wrong_password.status_code == unknown.status_code == 422
    assert ONE_MESSAGE in wrong_password.get_data(as_text=True)
    assert ONE_MESSAGE in unknown.get_data(as_text=True)


def test_a_copied_cookie_no_longer_works_after_logout(app, client, auth, make_staff):
    staff = make_staff(Role.COUNSELOR)
    auth.login(staff.login)
    copy = app.test_client()
    copy.set_cookie("console_session", client.get_cookie("console_session").value)
    assert copy.get("/dashboard").status_code == 200
    auth.logout()
    assert copy.get("/dashboard").status_code == 302


def test_disabling_an_account_ends_its_sessions_at_once(app, client, auth, make_staff, login_as):
    victim = make_staff(Role.COUNSELOR)
    auth.login(victim.login)
    assert client.get("/dashboard").status_code == 200
    admin_client = app.test_client()
    admin = make_staff(Role.ADMIN)
    admin_client.post("/auth/login", data={"login": admin.login, "password": PASSWORD})
    response = admin_client.post(f"/admin/staff/{victim.id}/active", data={"reason": "退職"})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302
    assert auth.login(victim.login).status_code == 422


def test_idle_timeout_after_30_minutes(client, auth, make_staff):
    staff = make_staff(Role.AUDITOR)
    with time_machine.travel(utcnow(), tick=False) as traveller:
        auth.login(staff.login)
        traveller.shift(29 * 60)
        assert client.get("/dashboard").status_code == 200
        traveller.shift(31 * 60)
        assert client.get("/dashboard").status_code == 302


def test_absolute_timeout_after_12_hours_even_when_active(client, auth, make_staff):
    staff = make_staff(Role.AUDITOR)
    with time_machine.travel(utcnow(), tick=False) as traveller:
        auth.login(staff.login)
        for _ in range(25):
            traveller.shift(29 * 60)
            client.get("/dashboard")
        assert client.get("/dashboard").status_code == 302


def test_changing_the_password_asks_for_the_current_one(client, auth, login_as):
    staff = login_as(Role.COUNSELOR)
    new = "新しいパスワードは漢字でも良い"
    refused = client.post(
        "/auth/password",
        data={"current_password": "wrong wrong wrong", "new_password": new, "confirm": new},
    )
    assert refused.status_code == 422
    assert "現在のパスワードが違います。" in refused.get_data(as_text=True)
    accepted = client.post(
        "/auth/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert accepted.status_code == 302
    auth.logout()
    assert auth.login(staff.login, new).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "12文字以上"),
        ("password1234", "よく使われる"),
        ("x" * 129, "128文字以下"),
    ],
)
def test_weak_new_passwords_are_refused_with_a_reason(client, login_as, password, message):
    login_as(Role.COUNSELOR)
    response = client.post(
        "/auth/password",
        data={"current_password": PASSWORD, "new_password": password, "confirm": password},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_failed_logins_are_throttled_per_account(client, auth, make_staff):
    staff = make_staff(Role.COUNSELOR)
    for _ in range(11):
        auth.login(staff.login, "wrong password again")
    response = auth.login(staff.login)  # the right password, but too soon
    assert response.status_code == 422
    assert "しばらく" in response.get_data(as_text=True) or "分待って" in response.get_data(
        as_text=True
    )


def test_next_only_redirects_within_the_site(client, make_staff):
    staff = make_staff(Role.COUNSELOR)
    for target, expected in [
        ("/auth/password", "/auth/password"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/", "/dashboard"),
    ]:
        response = client.post(
            "/auth/login", data={"login": staff.login, "password": PASSWORD, "next": target}
        )
        assert response.headers["Location"].endswith(expected)
        client.post("/auth/logout")


def test_logins_and_failures_are_in_the_trail(app, auth, make_staff, trail):
    staff = make_staff(Role.COUNSELOR)
    auth.login(staff.login, "wrong password entirely")
    auth.login(staff.login)
    auth.logout()
    assert trail.actions()[-3:] == ["auth.login_failed", "auth.login", "auth.logout"]
    text = " ".join(entry.canonical for entry in trail())
    assert PASSWORD not in text
    assert "wrong password entirely" not in text
