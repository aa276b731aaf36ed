"""Each role signs in through Chromium, sees the Japanese dashboard, switches language."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from console.permissions import Role
from tests.e2e.conftest import screenshot, sign_in

PEOPLE = {
    Role.COUNSELOR: ("yamamoto", "相談員 山本 美咲"),
    Role.SUPERVISOR: ("sato", "統括 佐藤 健一"),
    Role.AUDITOR: ("ito", "監査 伊藤 誠"),
    Role.ADMIN: ("nakamura", "システム管理者 中村 翔"),
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_japanese_dashboard(page: Page, live_server, live_staff, role):
    login, name = PEOPLE[role]
    live_staff(role, login, name)
    sign_in(page, live_server, login)
    expect(page.get_by_role("heading", name="ダッシュボード")).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_contain_text(name)
    screenshot(page, f"dashboard-{role.value}")


def test_language_switch_is_remembered_and_logout_ends_the_session(
    page: Page, live_server, live_staff
):
    live_staff(Role.ADMIN, "nakamura", "システム管理者 中村 翔")
    page.goto(live_server.path("/auth/login"))
    screenshot(page, "login-ja")
    sign_in(page, live_server, "nakamura")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("link", name="Staff accounts").click()
    expect(page.get_by_role("heading", name="Staff accounts")).to_be_visible()
    screenshot(page, "staff-list-en")
    page.get_by_role("button", name="日本語").click()
    expect(page.get_by_role("heading", name="職員アカウント")).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_text("ログアウトしました。")).to_be_visible()
    page.goto(live_server.path("/dashboard"))
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
