"""An auditor searches the trail, opens an entry with its before/after, and verifies the trail."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from console.audit import Actor
from console.auth import service as staff_service
from console.auth.models import Staff
from console.permissions import Role
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import writing
from tests.trail import checkpoint


def test_auditor_searches_opens_an_entry_and_verifies(page: Page, live_server, live_staff):
    app = live_server.app
    admin = live_staff(Role.ADMIN, "nakamura", "システム管理者 中村 翔")
    counselor = live_staff(Role.COUNSELOR, "yamamoto", "相談員 山本 美咲")
    live_staff(Role.AUDITOR, "ito", "監査 伊藤 誠")
    with writing(app) as session:
        person = session.get(Staff, counselor.id)
        staff_service.change_role(
            session, actor=Actor.of_staff(admin), staff=person, role=Role.SUPERVISOR
        )
    checkpoint(app)

    sign_in(page, live_server, "ito")
    expect(page.get_by_test_id("audit-panel")).to_be_visible()
    screenshot(page, "audit-dashboard")

    page.get_by_role("link", name="監査証跡", exact=True).first.click()
    expect(page.get_by_role("heading", name="監査証跡")).to_be_visible()
    page.get_by_label("操作", exact=True).select_option(label="職員の役割を変更")
    page.get_by_role("button", name="検索").click()
    rows = page.locator("table.audit-entries tbody tr")
    expect(rows).to_have_count(1)
    screenshot(page, "audit-search")

    rows.first.get_by_role("link", name="職員の役割を変更").click()
    expect(page.get_by_role("heading", name="職員の役割を変更")).to_be_visible()
    diff = page.locator("table.audit-diff")
    expect(diff.get_by_role("row", name="役割 相談員 統括・上席")).to_be_visible()
    screenshot(page, "audit-entry")

    page.get_by_role("link", name="職員アカウント " + str(counselor.id)).click()
    expect(
        page.get_by_role("heading", name=f"職員アカウント {counselor.id} の履歴")
    ).to_be_visible()
    screenshot(page, "audit-timeline")

    page.goto(live_server.path("/audit/verify"))
    page.get_by_role("button", name="今すぐ検証").click()
    expect(page.get_by_text("監査証跡は正常です")).to_be_visible()
    expect(page.get_by_test_id("verify-result")).to_contain_text("正常です")
    screenshot(page, "audit-verified")


def test_a_search_with_the_end_before_the_start_says_what_to_fix(
    page: Page, live_server, live_staff
):
    live_staff(Role.AUDITOR, "ito", "監査 伊藤 誠")
    sign_in(page, live_server, "ito")
    page.goto(live_server.path("/audit/"))
    page.get_by_label("開始日時（日本時間）").fill("2026-12-02T09:00")
    page.get_by_label("終了日時（日本時間）").fill("2026-12-01T09:00")
    page.get_by_label("内容・理由に含まれる語句").fill("異動")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_text("終了日時は開始日時より後にしてください。")).to_be_visible()
    expect(page.get_by_label("内容・理由に含まれる語句")).to_have_value("異動")  # nothing lost
    screenshot(page, "audit-search-error")
